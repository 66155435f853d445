package gradcam3d.report;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The report pages' HTML templates (resources next to this class) and the escaping they need. */
final class HtmlTemplates {
  private HtmlTemplates() {}

  static String load(String name) {
    try (InputStream in = HtmlTemplates.class.getResourceAsStream("/gradcam3d/report/" + name)) {
      if (in == null) {
        throw new Gradcam3dException("the report template " + name + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read the report template " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The template with each {{KEY}} replaced by its value in one pass, so a value that happens to
   * contain "{{...}}" (a case named so) is never expanded itself.
   */
  static String fill(String template, Map<String, String> values) {
    StringBuilder sb = new StringBuilder(template.length());
    int at = 0;
    for (int open = template.indexOf("{{"); open >= 0; open = template.indexOf("{{", at)) {
      int close = template.indexOf("}}", open);
      String value = close < 0 ? null : values.get(template.substring(open + 2, close));
      if (value == null) {
        sb.append(template, at, open + 2);
        at = open + 2;
        continue;
      }
      sb.append(template, at, open).append(value);
      at = close + 2;
    }
    return sb.append(template.substring(at)).toString();
  }

  /** Text for HTML element content and attribute values. */
  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * JSON inside a script element: a "</script>" or "<!--" in some file name must not change how
   * the page parses, so every '<' (only ever inside strings) becomes its \\u escape.
   */
  static String scriptJson(Object value) {
    return Json.write(value).replace("<", "\\u003c");
  }
}
