package gradcam3d;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What this process is writing and must not leave behind when it is stopped (SIGTERM, SIGINT,
 * System.exit): temporary files and staging folders are created through {@link #create} and
 * removed by a shutdown hook; steps that publish a result (renames that must all happen or none)
 * run through {@link #publish}. The hook and both calls share one lock: a stop waits for a
 * publication under way, and once the process is stopping nothing new is created or published
 * (the call fails instead), so the hook's deletion cannot race with a writer re-creating a folder
 * it just removed. The hook deletes until each path is gone (writer threads still running may
 * add files to a staging folder while it is being removed), for at most {@link #DEADLINE_MS}.
 */
public final class ShutdownCleanup {
  static final long DEADLINE_MS = 5_000;
  private static final Object LOCK = new Object();
  private static final Set<Path> LIVE = new LinkedHashSet<>();
  private static boolean stopping;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ShutdownCleanup::cleanUp, "gradcam3d-cleanup"));
  }

  private ShutdownCleanup() {}

  /** A step on the file system that may throw. */
  @FunctionalInterface
  public interface Step {
    void run() throws IOException;
  }

  /**
   * Runs {@code creation} (which creates {@code path}: a temporary file or a staging folder, and
   * the folders above it) and registers the path for removal if the process stops before {@link
   * #release}. Fails when the process is stopping.
   */
  public static void create(Path path, Step creation) throws IOException {
    synchronized (LOCK) {
      refuseWhenStopping();
      LIVE.add(path);
      creation.run();
    }
  }

  /**
   * Creates a folder (and those above it) inside something {@link #create}d, e.g. a staging
   * folder's sub-folder; fails when the process is stopping, so a writer thread cannot re-create
   * a staging folder the hook has just removed.
   */
  public static Path createFolders(Path folder) throws IOException {
    synchronized (LOCK) {
      refuseWhenStopping();
      // (createDirectories on an existing folder throws and catches an exception inside)
      return Files.isDirectory(folder) ? folder : Files.createDirectories(folder);
    }
  }

  /** The path is published or deleted by its owner: the hook leaves it alone. */
  public static void release(Path path) {
    synchronized (LOCK) {
      LIVE.remove(path);
    }
  }

  /** Runs a short publishing step (renames) whole, before a stop proceeds, or not at all once stopping. */
  public static void publish(Step step) throws IOException {
    synchronized (LOCK) {
      refuseWhenStopping();
      step.run();
    }
  }

  private static void refuseWhenStopping() {
    if (stopping) {
      throw new Gradcam3dException("stopped: the process is shutting down, nothing more is written");
    }
  }

  private static void cleanUp() {
    List<Path> paths;
    synchronized (LOCK) {
      stopping = true;
      paths = new ArrayList<>(LIVE);
      LIVE.clear();
    }
    long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000;
    for (Path p : paths) {
      while (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && System.nanoTime() < deadline) {
        deleteTree(p);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }

  /** Deletes a file or a folder tree, quietly (what is left is removed by the next run's stale-folder cleanup). */
  public static void deleteTree(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.deleteIfExists(x);
        } catch (IOException ignored) {
          // a folder a writer just added to: the next pass gets it
        }
      });
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // removed meanwhile, or being removed by another run
    }
  }
}
