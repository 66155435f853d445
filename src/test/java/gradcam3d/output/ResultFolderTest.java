package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static gradcam3d.testing.Folders.names;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A result appears as one unit: never a mix of two runs, nothing left of failed or killed runs. */
class ResultFolderTest {
  @TempDir
  Path tmp;

  /** Writes files named in {@code names}, each holding {@code run}, and switches them in. */
  private static void result(Path out, String run, List<String> names) throws IOException {
    try (ResultFolder f = ResultFolder.open(out, List.of())) {
      for (String n : names) {
        Files.writeString(f.staging().resolve(n), run);
      }
      Files.writeString(f.staging().resolve("summary.json"), run);
      f.commit();
    }
  }


  @Test
  void aNewResultReplacesTheOldOneWhole() throws IOException {
    Path out = tmp.resolve("out");
    result(out, "first", List.of("cam.npy", "activation.npy", "cam.nii.gz"));
    result(out, "second", List.of("cam.npy"));
    assertEquals(Set.of("cam.npy", "summary.json"), names(out), "no file of the earlier run is left");
    assertEquals("second", Files.readString(out.resolve("cam.npy")));
    assertEquals(Set.of("out"), names(tmp), "no staging or old folders");
  }

  @Test
  void aFailedRunLeavesThePreviousResultAndNoStaging() throws IOException {
    Path out = tmp.resolve("out");
    result(out, "first", List.of("cam.npy"));
    try (ResultFolder f = ResultFolder.open(out, List.of())) {
      Files.writeString(f.staging().resolve("cam.npy"), "half");
      // no commit: the run failed
    }
    assertEquals("first", Files.readString(out.resolve("cam.npy")));
    assertEquals(Set.of("out"), names(tmp));
  }

  @Test
  void foldersOfDeadProcessesAreCleanedOnTheNextRun() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long dead = p.pid();
    Path staleStaging = Files.createDirectories(tmp.resolve(".out.staging-" + dead + "-1f"));
    Files.writeString(staleStaging.resolve("cam.npy"), "killed halfway");
    Path staleOld = Files.createDirectories(tmp.resolve(".out.old-" + dead + "-2e"));
    Files.writeString(staleOld.resolve("cam.npy"), "killed before deleting");
    Path live = Files.createDirectories(tmp.resolve(".out.staging-" + ProcessHandle.current().pid() + "-3d"));
    result(tmp.resolve("out"), "new", List.of("cam.npy"));
    assertFalse(Files.exists(staleStaging));
    assertFalse(Files.exists(staleOld));
    assertTrue(Files.exists(live), "a running process's staging folder is left alone");
  }

  @Test
  void refusesAFolderHoldingAnInputOrOtherFiles() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Path input = Files.writeString(dir.resolve("cam.npy"), "input");
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> ResultFolder.check(dir, List.of(input)));
    assertTrue(e.getMessage().contains("holds the input"), e.getMessage());
    e = assertThrows(Gradcam3dException.class, () -> ResultFolder.check(dir, List.of()));
    assertTrue(e.getMessage().contains("other files"), e.getMessage());
    assertThrows(Gradcam3dException.class, () -> ResultFolder.check(Path.of(""), List.of()));
    assertEquals("input", Files.readString(input));
  }

  /**
   * Eight runs switch results into one folder, twenty times each, while a reader keeps opening
   * the folder and reading every file through one directory handle: every view it gets holds
   * the files of one run only, and the end state is one complete result.
   */
  @Test
  void concurrentRunsNeverShowAMix() throws Exception {
    Path out = tmp.resolve("out");
    List<String> files = List.of("cam.npy", "cam.nii.gz", "overlay.png");
    ExecutorService pool = Executors.newFixedThreadPool(9);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger views = new AtomicInteger();
    List<String> mixes = new ArrayList<>();
    Future<?> reader = pool.submit(() -> {
      while (!done.get()) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(out)) {
          if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
            return;
          }
          Set<String> seen = new TreeSet<>();
          Set<String> present = new TreeSet<>();
          for (Path p : sds) {
            present.add(p.getFileName().toString());
          }
          for (String n : present) {
            try (SeekableByteChannel ch = sds.newByteChannel(Path.of(n), Set.of(StandardOpenOption.READ))) {
              ByteBuffer b = ByteBuffer.allocate(64);
              ch.read(b);
              seen.add(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            }
          }
          // (a handle opened just before a switch may see the old result being deleted, but
          // never files of two runs)
          if (seen.size() > 1) {
            synchronized (mixes) {
              mixes.add(present + " " + seen);
            }
          }
          views.incrementAndGet();
        } catch (NoSuchFileException e) {
          // between two runs' switches the folder is briefly absent: never a mix
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
    });
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      int id = w;
      writers.add(pool.submit(() -> {
        for (int k = 0; k < 20; k++) {
          result(out, "run" + id + "." + k, files);
        }
        return null;
      }));
    }
    for (Future<?> f : writers) {
      f.get();
    }
    done.set(true);
    reader.get();
    pool.shutdown();
    assertTrue(mixes.isEmpty(), "mixed views: " + mixes);
    assertTrue(views.get() > 0, "the reader saw results");
    Set<String> contents = new TreeSet<>();
    for (String n : names(out)) {
      contents.add(Files.readString(out.resolve(n)));
    }
    assertEquals(1, contents.size(), "one run's files: " + contents);
    assertEquals(Set.of("out"), names(tmp), "no staging or old folders left");
  }
}
