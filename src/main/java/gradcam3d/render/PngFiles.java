package gradcam3d.render;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;

/** Writes PNGs under a temporary name in the target folder, then moves them into place. */
final class PngFiles {
  private PngFiles() {}

  static void write(Picture picture, Path png) {
    Path target = png.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      // not Files.createTempFile: its owner-only permissions would stick to the final PNG
      tmp = target.resolveSibling("." + target.getFileName() + "."
          + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".partial");
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
        if (!ImageIO.write(picture.toImage(), "png", out)) {
          throw new IOException("no PNG writer is available in this Java runtime");
        }
      }
      move(tmp, target);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new Gradcam3dException("cannot write " + png + ": " + reason(e) + ".", e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** File-system exceptions carry only a path as message; say what went wrong instead. */
  private static String reason(IOException e) {
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
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original failure is the one worth reporting
      }
    }
  }
}
