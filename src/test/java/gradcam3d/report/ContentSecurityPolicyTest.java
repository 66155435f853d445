package gradcam3d.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pages' Content-Security-Policy keeps a crafted page inside the file: nothing loaded or sent
 * (default-src 'none'), no form submitted anywhere, no base URL that would redirect relative
 * links, no plugins; and the pages send no referrer. (The browser tests check the pages still
 * work under it.)
 */
class ContentSecurityPolicyTest {
  private static final Pattern CSP = Pattern.compile(
      "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">");

  private static String page(String name) throws IOException {
    try (InputStream in = ContentSecurityPolicyTest.class.getResourceAsStream("/gradcam3d/report/" + name)) {
      assertNotNull(in, name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Map<String, String> directives(String page) {
    Matcher m = CSP.matcher(page);
    assertTrue(m.find(), "a CSP meta element");
    String policy = m.group(1);
    assertFalse(m.find(), "one CSP");
    Map<String, String> d = new LinkedHashMap<>();
    for (String part : policy.split(";")) {
      String p = part.strip();
      if (!p.isEmpty()) {
        int sp = p.indexOf(' ');
        d.put(sp < 0 ? p : p.substring(0, sp), sp < 0 ? "" : p.substring(sp + 1).strip());
      }
    }
    return d;
  }

  @ParameterizedTest
  @ValueSource(strings = {"case.html", "index.html"})
  void navigationAndSubmissionAreLimited(String name) throws IOException {
    String page = page(name);
    Map<String, String> d = directives(page);
    assertEquals("'none'", d.get("default-src"));
    assertEquals("'none'", d.get("form-action"), "forms submit nowhere");
    assertEquals("'none'", d.get("base-uri"), "no <base> redirecting relative links");
    assertEquals("'none'", d.get("object-src"), "no plugins");
    assertEquals("'none'", d.get("connect-src"), "no fetch, XHR, WebSocket or beacon");
    assertFalse(d.get("script-src").contains("unsafe-eval"), d.toString());
    assertFalse(d.containsKey("frame-ancestors"), "ignored (with a console error) in a meta element");
    assertTrue(page.contains("<meta name=\"referrer\" content=\"no-referrer\">"), "no referrer on links");
  }
}
