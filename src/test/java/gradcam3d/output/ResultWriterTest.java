package gradcam3d.output;

import static gradcam3d.testing.Folders.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.Settings;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers whose work runs in the background still give one complete result or none. */
class ResultWriterTest {
  @TempDir
  Path tmp;

  private static CaseResult result;
  private static final String TIMES = "\"(write|total)_ms\": ?[0-9.eE+-]+";

  @BeforeAll
  static void explainOnce() {
    Case c = Fixtures.cases().stream().filter(k -> k.name().equals("seed_unet3d__down3__gradcam")).findFirst()
        .orElseThrow();
    Settings s = Settings.of(c.model(), LayerSpec.names(c.layerSpec())).withMethod(CamMethods.byName(c.method()))
        .withTargets(List.of(Target.parse(Integer.toString(c.targetClass())))).withThreads(2);
    try (ExplanationPipeline p = new ExplanationPipeline(s)) {
      result = p.run(CaseInput.of(c.inputNpy()));
    }
  }

  @Test
  void backgroundPicturesAndReportAreListedInOrderAsBefore() throws Exception {
    Path out = tmp.resolve("out");
    Written w = ResultWriter.write(result, OutputSettings.into(out));
    // the files in the order the formats are written, whatever finished first in the background
    assertEquals(List.of("cam.npy", "overlay.png", "montage.png", "report.html", "summary.json"), w.files());
    assertEquals(Set.of("cam.npy", "overlay.png", "montage.png", "report.html", "summary.json"), names(out));
    assertEquals(1, w.pictures().size());
  }

  @Test
  void writersPreparedOnTheLoadedInputWriteTheSameFiles() throws Exception {
    Path plain = tmp.resolve("plain");
    Path early = tmp.resolve("early");
    ResultWriter.write(result, OutputSettings.into(plain));
    ResultWriter.Prepared p = ResultWriter.prepare(result.loaded(), result.settings().layout(), OutputSettings.into(early));
    ResultWriter.write(result, OutputSettings.into(early), List.of(), p);
    assertEquals(names(plain), names(early));
    for (String f : names(plain)) {
      byte[] a = Files.readAllBytes(plain.resolve(f));
      byte[] b = Files.readAllBytes(early.resolve(f));
      if (f.equals("summary.json") || f.equals("report.html")) {
        // the same but for the time writing (and so the whole run) took so far
        String x = new String(a, java.nio.charset.StandardCharsets.UTF_8).replaceAll(TIMES, "");
        String y = new String(b, java.nio.charset.StandardCharsets.UTF_8).replaceAll(TIMES, "");
        assertEquals(x, y, f);
      } else {
        assertTrue(java.util.Arrays.equals(a, b), f + " differs");
      }
    }
  }

  @Test
  void aFailingBackgroundWorkFailsTheWholeResultAndLeavesNothing() throws Exception {
    Path out = tmp.resolve("out");
    OutputWriter failing = new OutputWriter() {
      private Background<?> work;

      @Override
      public Background<?> begin(CaseResult r, OutputSettings o, Path dir) {
        work = Background.start("test", () -> {
          throw new Gradcam3dException("the background part failed");
        });
        return work;
      }

      @Override
      public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws java.io.IOException {
        work.join();
      }
    };
    Gradcam3dException e = assertThrows(Gradcam3dException.class,
        () -> ResultWriter.write(result, OutputSettings.into(out), List.of(failing)));
    assertEquals("the background part failed", e.getMessage());
    assertFalse(Files.exists(out));
    assertEquals(Set.of(), names(tmp), "no staging folder is left");
  }

  @Test
  void theFolderGoesOnlyAfterBackgroundWorkHasStopped() throws Exception {
    Path out = tmp.resolve("out");
    CountDownLatch failed = new CountDownLatch(1);
    AtomicBoolean wroteLate = new AtomicBoolean();
    // starts work that is still writing into the staging folder when a later writer fails
    OutputWriter slow = new OutputWriter() {
      @Override
      public Background<?> begin(CaseResult r, OutputSettings o, Path dir) {
        return Background.start("slow", () -> {
          failed.await();
          Thread.sleep(200);
          Files.writeString(dir.resolve("late.txt"), "late");
          wroteLate.set(true);
          return null;
        });
      }

      @Override
      public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
        failed.countDown();
        throw new Gradcam3dException("a writer failed");
      }
    };
    assertThrows(Gradcam3dException.class, () -> ResultWriter.write(result, OutputSettings.into(out), List.of(slow)));
    assertTrue(wroteLate.get(), "write() returned before its background work ended");
    assertFalse(Files.exists(out));
    assertEquals(Set.of(), names(tmp), "the staging folder went after the late file was written");
  }
}
