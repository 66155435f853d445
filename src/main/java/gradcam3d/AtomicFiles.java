package gradcam3d;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file under a temporary name in its folder and moves it into place, so no reader ever
 * sees half a file and a failure leaves nothing behind. Every file gradcam3d writes goes through here.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes a file's bytes to a stream. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(Path file, Writer writer) {
    writeTogether(java.util.Map.of(file, writer));
  }

  /**
   * Writes several files that appear together: each under its temporary name first, then all
   * moved into place in one step that a SIGTERM waits for ({@link ShutdownCleanup#publish}), so
   * a stopped run leaves either all of them or none (e.g. batch.csv and index.html). A failure
   * leaves none of the temporary files.
   */
  public static void writeTogether(java.util.Map<Path, Writer> files) {
    java.util.Map<Path, Path> moves = new java.util.LinkedHashMap<>();
    Path failing = null;
    try {
      for (java.util.Map.Entry<Path, Writer> f : files.entrySet()) {
        failing = f.getKey();
        Path target = f.getKey().toAbsolutePath();
        // not Files.createTempFile: its owner-only permissions would stick to the final file
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
            + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".partial");
        // created (with its folder) only while the process is not stopping; removed if it stops
        ShutdownCleanup.create(tmp, () -> {
          // (createDirectories on an existing folder throws and catches an exception inside)
          if (!Files.isDirectory(target.getParent())) {
            Files.createDirectories(target.getParent());
          }
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW).close();
        });
        moves.put(tmp, target);
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
          f.getValue().write(out);
        }
      }
      failing = files.keySet().iterator().next();
      ShutdownCleanup.publish(() -> {
        for (java.util.Map.Entry<Path, Path> m : moves.entrySet()) {
          try {
            Files.move(m.getKey(), m.getValue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(m.getKey(), m.getValue(), StandardCopyOption.REPLACE_EXISTING);
          }
          ShutdownCleanup.release(m.getKey());
        }
      });
    } catch (IOException e) {
      deleteAll(moves.keySet());
      throw new Gradcam3dException("cannot write " + failing + ": " + reason(e), e);
    } catch (RuntimeException e) {
      // e.g. a value the format cannot hold, found halfway through: leave no partial file behind
      deleteAll(moves.keySet());
      throw e;
    }
  }

  private static void deleteAll(java.util.Collection<Path> tmps) {
    for (Path tmp : tmps) {
      deleteQuietly(tmp);
      ShutdownCleanup.release(tmp);
    }
  }

  /** File-system exceptions carry only a path as message; say what went wrong instead. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "a non-empty folder has that name";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "a file of that name is in the way";
    }
    if (e instanceof NoSuchFileException) {
      return "the folder does not exist";
    }
    if (e instanceof NotDirectoryException) {
      return "part of the path is a file, not a folder";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      String r = f.getReason(); // the system's words, e.g. "Is a directory"
      return Character.toLowerCase(r.charAt(0)) + r.substring(1);
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static void deleteQuietly(Path tmp) {
    if (tmp == null) {
      return;
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // the original failure is the one to report
    }
  }
}
