package gradcam3d.report;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

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
