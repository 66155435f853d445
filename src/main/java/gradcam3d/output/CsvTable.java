package gradcam3d.output;

import gradcam3d.AtomicFiles;
import gradcam3d.Gradcam3dException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A table written as RFC 4180 CSV: CRLF line ends, fields with , " CR or LF quoted, quotes doubled.
 * A field a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage
 * return, OWASP's CSV-injection rule) is written with a leading apostrophe, which spreadsheets
 * show as text; so is one that starts with an apostrophe, so that {@link #parse} gives back
 * exactly what was added. Numbers ({@code -0.5}, {@code -1e-07}) are written as they are.
 */
public final class CsvTable {
  private final List<List<String>> rows = new ArrayList<>();

  public CsvTable(List<String> header) {
    rows.add(List.copyOf(header));
  }

  /** The header row. */
  public List<String> header() {
    return rows.get(0);
  }

  /** The rows after the header. */
  public List<List<String>> body() {
    return rows.subList(1, rows.size());
  }

  public void add(List<String> row) {
    rows.add(new ArrayList<>(row));
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("-?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** {@code s} as a spreadsheet shows it as text: with a leading apostrophe when it could start a formula. */
  static String neutralised(String s) {
    if (s.isEmpty()) {
      return s;
    }
    char c = s.charAt(0);
    boolean formula = c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' || c == '\'';
    return formula && !NUMBER.matcher(s).matches() ? "'" + s : s;
  }

  /** A field as {@link #parse} reads it back: {@link #neutralised}'s apostrophe removed. */
  private static String restored(String s) {
    return s.startsWith("'") ? s.substring(1) : s;
  }

  static String field(String raw) {
    if (raw == null) {
      return "";
    }
    String s = neutralised(raw);
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

  /**
   * Reads RFC 4180 text (CRLF or LF line ends, quoted fields with doubled quotes and line breaks);
   * the first record is the header. {@code source} names the text in error messages.
   */
  public static CsvTable parse(String text, String source) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i++);
      if (quoted) {
        if (c == '"' && i < text.length() && text.charAt(i) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
        wasQuoted = false;
      } else if (c == '\r' || c == '\n') {
        if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
          i++;
        }
        record.add(field.toString());
        field.setLength(0);
        wasQuoted = false;
        records.add(record);
        record = new ArrayList<>();
      } else if (wasQuoted) {
        throw new Gradcam3dException(source + " is not RFC 4180 CSV: text after a closing quote in record "
            + (records.size() + 1));
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new Gradcam3dException(source + " is not RFC 4180 CSV: a quoted field is not closed");
    }
    if (field.length() > 0 || wasQuoted || !record.isEmpty()) {
      record.add(field.toString());
      records.add(record);
    }
    if (records.isEmpty()) {
      throw new Gradcam3dException(source + " is empty (no header row)");
    }
    CsvTable t = new CsvTable(records.get(0).stream().map(CsvTable::restored).toList());
    for (List<String> r0 : records.subList(1, records.size())) {
      List<String> r = r0.stream().map(CsvTable::restored).toList();
      if (r.size() != t.header().size()) {
        throw new Gradcam3dException(source + ": a row has " + r.size() + " fields, the header "
            + t.header().size());
      }
      t.add(r);
    }
    return t;
  }
}
