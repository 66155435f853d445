package gradcam3d.cli;

import gradcam3d.CacheFolder;
import gradcam3d.Gradcam3dException;
import gradcam3d.ShutdownCleanup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A bench run's temporary folder in the tool's cache (the one place besides --out the tool writes
 * to), named {@code PREFIX-PID-RANDOM}: removed by {@link #close} and on SIGTERM/SIGINT by the
 * shutdown hook; folders of the same kind left by earlier runs that were killed are removed first.
 */
final class BenchFolder implements AutoCloseable {
  private final Path path;

  private BenchFolder(Path path) {
    this.path = path;
  }

  /** A new folder {@code prefix + PID-RANDOM} in the cache. */
  static BenchFolder create(String prefix) {
    Path root = CacheFolder.root();
    try {
      removeStale(root, prefix);
      Path work = root.resolve(prefix + ProcessHandle.current().pid() + "-"
          + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
      ShutdownCleanup.create(work, () -> Files.createDirectories(work));
      return new BenchFolder(work);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot create a temporary folder in the cache " + root + ": " + e.getMessage(), e);
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    ShutdownCleanup.deleteTree(path);
    ShutdownCleanup.release(path);
  }

  /** Folders {@code prefix + PID-...} of earlier bench runs whose process is gone. */
  private static void removeStale(Path root, String prefix) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (!name.startsWith(prefix)) {
          continue;
        }
        String rest = name.substring(prefix.length());
        int dash = rest.indexOf('-');
        try {
          long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
          if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
            ShutdownCleanup.deleteTree(p);
          }
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
  }
}
