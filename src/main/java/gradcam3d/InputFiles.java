package gradcam3d;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The checks every file gradcam3d reads goes through first. Opening a FIFO or a device blocks (or
 * never ends), so only regular files (or symlinks to them) are read at all.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * Returns the size of {@code file} if it is a regular file; otherwise a one-line error naming
   * it as {@code what} ("model file", "file", ...).
   */
  public static long requireRegularFile(Path file, String what) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new Gradcam3dException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
    if (attributes.isDirectory()) {
      throw new Gradcam3dException(what + " " + file + " is a folder, not a file.");
    }
    if (!attributes.isRegularFile()) {
      throw new Gradcam3dException(what + " " + file + " is not a regular file (a FIFO, socket"
          + " or device); only regular files are read.");
    }
    return attributes.size();
  }
}
