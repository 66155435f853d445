package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file under a temporary name and moves it into place, so no reader sees half a file. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes a file's bytes to a stream. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(Path file, Writer writer) {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".partial");
    try {
      Files.createDirectories(abs.getParent());
      try (OutputStream out = Files.newOutputStream(tmp)) {
        writer.write(out);
      }
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new Gradcam3dException("cannot write " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // e.g. a value the format cannot hold, found halfway through: leave no partial file behind
      deleteQuietly(tmp);
      throw e;
    }
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // the original failure is the one to report
    }
  }
}
