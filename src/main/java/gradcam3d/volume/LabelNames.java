package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of a label map's values, read from CSV lines {@code value,name} (a first line whose value
 * is not a number is a header; names may be quoted) or from an ITK-SNAP label description file
 * (lines {@code IDX R G B A VIS MSH "LABEL"}, {@code #} comments).
 */
public final class LabelNames {
  private static final Pattern ITK = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+\\d+\\s+\\d+\\s+[0-9.]+\\s+\\d+\\s+\\d+\\s+\"(.*)\"\\s*$");

  private LabelNames() {}

  public static Map<Integer, String> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read the label names " + file + ": " + e.getMessage(), e);
    }
    Map<Integer, String> names = new TreeMap<>();
    boolean first = true;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher itk = ITK.matcher(line);
      if (itk.matches()) {
        names.put(Integer.parseInt(itk.group(1)), itk.group(2));
        first = false;
        continue;
      }
      int comma = line.indexOf(',');
      String value = comma < 0 ? line : line.substring(0, comma).strip();
      try {
        int v = Integer.parseInt(value);
        if (comma < 0) {
          throw new NumberFormatException();
        }
        names.put(v, unquote(line.substring(comma + 1).strip()));
      } catch (NumberFormatException e) {
        if (first) {
          first = false; // a header line
          continue;
        }
        throw new Gradcam3dException(file + " line " + (n + 1) + ": expected 'value,name' (CSV) or an ITK-SNAP "
            + "label line, not '" + line + "'");
      }
      first = false;
    }
    if (names.isEmpty()) {
      throw new Gradcam3dException(file + " names no label (CSV 'value,name' lines or an ITK-SNAP label file)");
    }
    return names;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s;
  }
}
