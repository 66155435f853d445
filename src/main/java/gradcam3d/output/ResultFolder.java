package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.ShutdownCleanup;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A result folder that appears as one unit. Everything is written into a fresh sibling staging
 * folder ({@code .NAME.staging-PID-RANDOM}); when it is complete it is switched in by one rename.
 * A previous result is moved aside ({@code .NAME.old-PID-RANDOM}) just before and deleted after,
 * so a reader sees the old result, then briefly no folder, then the new one, never a mix; two
 * concurrent runs into one folder each switch in a whole result and the last one stays.
 *
 * <p>Staging and old folders of processes that are gone (killed) are removed by the next run
 * into the same parent; this process's own are removed on SIGTERM/SIGINT by a shutdown hook
 * ({@link ShutdownCleanup}), which waits for a switch under way and keeps writers from re-creating
 * a staging folder it removes.
 */
public final class ResultFolder implements AutoCloseable {
  private static final String STAGING = ".staging-";
  private static final String OLD = ".old-";

  private final Path target;
  private final Path staging;
  private boolean committed;

  private ResultFolder(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /**
   * Opens a staging folder for {@code out}. Refuses a folder that holds one of {@code inputs}
   * (it would be replaced) and an existing folder that is neither empty nor a gradcam3d result.
   */
  public static ResultFolder open(Path out, Collection<Path> inputs) {
    Path target = check(out, inputs);
    try {
      Files.createDirectories(target.getParent());
      cleanStale(target);
      Path staging = target.resolveSibling("." + target.getFileName() + STAGING + ProcessHandle.current().pid()
          + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
      ShutdownCleanup.create(staging, () -> Files.createDirectory(staging));
      return new ResultFolder(target, staging);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot create the output folder " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * Fails, before any work is done, when {@code out} cannot take a result: empty, the root, a
   * file, a folder of other files, or a folder holding one of the inputs. Returns its absolute path.
   */
  public static Path check(Path out, Collection<Path> inputs) {
    if (out == null || out.toString().isBlank()) {
      throw new Gradcam3dException(Setting.OUT, Setting.OUT.label() + " needs a folder name");
    }
    Path target = out.toAbsolutePath().normalize();
    if (target.getParent() == null) {
      throw new Gradcam3dException(Setting.OUT, Setting.OUT.label() + " " + out
          + " is the file-system root; choose a folder for the result");
    }
    refuseInputsInside(out, target, inputs);
    refuseForeignFolder(out, target);
    return target;
  }

  /** Where the writers write. */
  public Path staging() {
    return staging;
  }

  public Path target() {
    return target;
  }

  /** Switches the complete staging folder in as the result; the previous result is deleted. */
  public void commit() {
    try {
      // a stop waits for the switch (or, once stopping, it does not start)
      ShutdownCleanup.publish(this::switchIn);
      committed = true;
      ShutdownCleanup.release(staging);
      cleanStale(target);
    } catch (AtomicMoveNotSupportedException e) {
      throw new Gradcam3dException("cannot switch the result into " + target + ": the file system cannot rename "
          + "folders atomically", e);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot write to " + target + ": " + e.getMessage(), e);
    }
  }

  private void switchIn() throws IOException {
    {
      for (int attempt = 0; ; attempt++) {
        try {
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
          break;
        } catch (AtomicMoveNotSupportedException e) {
          throw e;
        } catch (FileSystemException e) {
          // rename(2) cannot replace a non-empty folder (ENOTEMPTY, reported without a subclass);
          // another run may switch its result in between: move it aside too and try again
          boolean occupied = e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException
              || "Directory not empty".equals(e.getReason()) || Files.exists(target, LinkOption.NOFOLLOW_LINKS);
          if (!occupied || attempt > 1000) {
            throw e;
          }
          moveAside();
        }
      }
    }
  }

  /** The previous result out of the way: renamed to an old-folder that is deleted afterwards. */
  private void moveAside() throws IOException {
    Path old = target.resolveSibling("." + target.getFileName() + OLD + ProcessHandle.current().pid() + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
    try {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return; // another run moved it first
    }
    // (inside the switch, which a stop waits for: the old result goes with it)
    deleteTree(old);
  }

  /** Deletes the staging folder unless it was committed. */
  @Override
  public void close() {
    if (!committed) {
      deleteTree(staging);
      ShutdownCleanup.release(staging);
    }
  }

  private static void refuseInputsInside(Path out, Path target, Collection<Path> inputs) {
    Path realTarget = real(target);
    for (Path in : inputs) {
      if (in == null) {
        continue;
      }
      Path p = real(in.toAbsolutePath().normalize());
      if (p.startsWith(realTarget) || p.startsWith(target)) {
        throw new Gradcam3dException(Setting.OUT, Setting.OUT.label() + " " + out + " holds the input " + in
            + ", which the result would "
            + "replace; choose another output folder");
      }
    }
  }

  /** A folder that is not empty and has no summary.json is not ours to replace. */
  private static void refuseForeignFolder(Path out, Path target) {
    try {
      BasicFileAttributes before = Files.readAttributes(target, BasicFileAttributes.class);
      if (!before.isDirectory()) {
        throw new Gradcam3dException(Setting.OUT, Setting.OUT.label() + " " + out + " is a file, not a folder");
      }
      List<String> names;
      try (Stream<Path> s = Files.list(target)) {
        names = s.map(p -> p.getFileName().toString()).toList();
      }
      // a result of explain (summary.json) or of compare (compare.json)
      if (names.isEmpty() || names.contains(SummaryJsonWriter.FILE) || names.contains("compare.json")) {
        return;
      }
      // another run may have switched its result in while we listed (the old one is then being
      // deleted): only a folder that stayed in place throughout is judged by its listing
      Object now = Files.readAttributes(target, BasicFileAttributes.class).fileKey();
      if (before.fileKey() != null && !before.fileKey().equals(now)) {
        return;
      }
      throw new Gradcam3dException(Setting.OUT, Setting.OUT.label() + " " + out
          + " is a folder with other files in it (no summary.json "
          + "of an earlier result); the result replaces the whole folder, so choose a new or empty one");
    } catch (NoSuchFileException e) {
      // a new folder (or one another run is switching right now)
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read the output folder " + out + ": " + e.getMessage(), e);
    }
  }

  /** Staging and old folders of {@code target} left by processes that no longer run. */
  private static void cleanStale(Path target) throws IOException {
    String prefix = "." + target.getFileName();
    try (Stream<Path> s = Files.list(target.getParent())) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        for (String kind : List.of(STAGING, OLD)) {
          if (n.startsWith(prefix + kind)) {
            long pid = pidOf(n.substring(prefix.length() + kind.length()));
            if (pid > 0 && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
              deleteTree(p);
            }
          }
        }
      }
    }
  }

  private static long pidOf(String rest) {
    int dash = rest.indexOf('-');
    try {
      return Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  static void deleteTree(Path p) {
    ShutdownCleanup.deleteTree(p);
  }
}
