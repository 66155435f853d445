package gradcam3d.output;

import gradcam3d.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A table written as RFC 4180 CSV: CRLF line ends, fields with , " CR or LF quoted, quotes doubled. */
public final class CsvTable {
  private final List<List<String>> rows = new ArrayList<>();

  public CsvTable(List<String> header) {
    rows.add(List.copyOf(header));
  }

  public void add(List<String> row) {
    rows.add(new ArrayList<>(row));
  }

  static String field(String s) {
    if (s == null) {
      return "";
    }
    boolean quote = s.contains(",") || s.contains("\"") || s.contains("\r") || s.contains("\n");
    return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  public String text() {
    StringBuilder b = new StringBuilder();
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        b.append(i == 0 ? "" : ",").append(field(r.get(i)));
      }
      b.append("\r\n");
    }
    return b.toString();
  }

  public void write(Path file) {
    String t = text();
    AtomicFiles.write(file, os -> os.write(t.getBytes(StandardCharsets.UTF_8)));
  }
}
