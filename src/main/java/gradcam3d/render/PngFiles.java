package gradcam3d.render;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Writes PNGs under a temporary name in the target folder, then moves them into place. */
final class PngFiles {
  private PngFiles() {}

  static void write(Picture picture, Path png) {
    Path target = png.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        if (!ImageIO.write(picture.toImage(), "png", out)) {
          throw new IOException("no PNG writer is available in this Java runtime");
        }
      }
      move(tmp, target);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new Gradcam3dException("cannot write " + png + ": " + e.getMessage(), e);
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
