package gradcam3d.render;

import gradcam3d.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes pictures as PNG files, atomically. */
final class PngFiles {
  private PngFiles() {}

  static void write(Picture picture, Path png) {
    AtomicFiles.write(png, out -> {
      if (!ImageIO.write(picture.toImage(), "png", out)) {
        throw new IOException("no PNG writer is available in this Java runtime");
      }
    });
  }
}
