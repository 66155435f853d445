package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The text header of an NRRD or MetaImage file: its lines, read up to where the data starts, and
 * the data files it names, which must lie inside the header's own folder.
 */
final class HeaderText {
  /** A longer header is not a header (or not one of an image). */
  static final int MAX_HEADER_BYTES = 1 << 20;

  /** The header's lines (without line ends) and the byte offset right after them. */
  record Lines(List<String> lines, long dataOffset, boolean endedByFile) {}

  private HeaderText() {}

  /**
   * Reads lines until {@code last} accepts one (it is kept) or a blank line (when {@code blankEnds};
   * not kept) or the end of the input.
   */
  static Lines read(InputStream in, String source, boolean blankEnds, Predicate<String> last) throws IOException {
    List<String> lines = new ArrayList<>();
    byte[] line = new byte[256];
    int length = 0;
    long offset = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (length > 0) {
          lines.add(new String(line, 0, length, StandardCharsets.UTF_8));
        }
        return new Lines(lines, offset, true);
      }
      offset++;
      if (offset > MAX_HEADER_BYTES) {
        throw new Gradcam3dException(source + ": no end of the header within its first " + MAX_HEADER_BYTES
            + " bytes; the file is damaged or not of this format.");
      }
      if (b == '\n') {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        String text = new String(line, 0, end, StandardCharsets.UTF_8);
        length = 0;
        if (blankEnds && text.isEmpty()) {
          return new Lines(lines, offset, false);
        }
        lines.add(text);
        if (last.test(text)) {
          return new Lines(lines, offset, false);
        }
        continue;
      }
      if (b == 0) {
        throw new Gradcam3dException(source + ": its header holds a NUL byte; the file is damaged or not of this"
            + " format.");
      }
      if (length == line.length) {
        line = java.util.Arrays.copyOf(line, line.length * 2);
      }
      line[length++] = (byte) b;
    }
  }

  /**
   * The data file {@code name} given in {@code header}: a relative path inside the header's folder
   * (after resolving symbolic links), naming an existing regular file.
   */
  static Path dataFile(Path header, String name, String field) {
    String source = header.toString();
    String quoted = NrrdReader.shorten(name);
    if (name.isEmpty() || name.indexOf('\0') >= 0) {
      throw new Gradcam3dException(source + ": '" + field + "' names no usable file.");
    }
    Path relative;
    try {
      relative = Path.of(name);
    } catch (java.nio.file.InvalidPathException e) {
      throw new Gradcam3dException(source + ": '" + field + "' (" + quoted + ") is not a usable path.");
    }
    if (relative.isAbsolute() || name.startsWith("/") || name.startsWith("\\")) {
      throw new Gradcam3dException(source + ": its data file " + quoted + " is an absolute path; only files inside"
          + " the header's folder are read.");
    }
    Path folder = header.toAbsolutePath().normalize().getParent();
    Path file = folder.resolve(relative).normalize();
    if (!file.startsWith(folder)) {
      throw new Gradcam3dException(source + ": its data file " + quoted + " lies outside the header's folder; only"
          + " files inside it are read.");
    }
    VoxelData.size(file); // exists and is a regular file
    try {
      Path realFolder = folder.toRealPath();
      Path realFile = file.toRealPath();
      if (!realFile.startsWith(realFolder)) {
        throw new Gradcam3dException(source + ": its data file " + quoted + " is a link to " + realFile
            + ", outside the header's folder; only files inside it are read.");
      }
      if (Files.isSameFile(realFile, header)) {
        throw new Gradcam3dException(source + ": its data file " + quoted + " is the header itself.");
      }
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return file;
  }
}
