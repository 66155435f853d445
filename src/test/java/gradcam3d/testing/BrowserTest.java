package gradcam3d.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * One headless chromium per test class (skipped without chromium, see {@link Chromium#executableOrSkip}),
 * and after every test: no console errors, and no request but files from disk and embedded images.
 */
public abstract class BrowserTest {
  protected static Chromium browser;

  @BeforeAll
  static void startBrowser() throws Exception {
    browser = new Chromium(Chromium.executableOrSkip());
  }

  @AfterAll
  static void stopBrowser() throws Exception {
    if (browser != null) {
      browser.close();
      browser = null;
    }
  }

  @AfterEach
  void noErrorsAndNoNetwork() {
    assertEquals(List.of(), browser.consoleErrors, "console errors");
    assertTrue(browser.requests.stream().allMatch(u -> u.startsWith("file:") || u.startsWith("data:image/png")),
        "requests beyond the disk: " + browser.requests);
  }

  /** The page as a PNG in target/report-screenshots (the pictures in docs/ come from there). */
  protected static Path saveScreenshot(String name) throws IOException {
    Path out = Files.createDirectories(Path.of("target", "report-screenshots")).resolve(name);
    Files.write(out, browser.screenshot());
    return out;
  }

  // --- what a person sees on the page ---

  protected static String text(String id) {
    return (String) browser.eval("document.getElementById('" + id + "').textContent");
  }

  /** Sets a range input as dragging it would (value, then an input event). */
  protected static void setRange(String id, int value) {
    browser.eval("(() => { const e = document.getElementById('" + id + "'); e.value = " + value
        + "; e.dispatchEvent(new Event('input')); })()");
  }

  /** Picks an option of a select element as a person would (value, then a change event). */
  protected static void choose(String id, String value) {
    browser.eval("(() => { const e = document.getElementById('" + id + "'); e.value = '" + value
        + "'; e.dispatchEvent(new Event('change')); })()");
  }

  /**
   * A canvas's pixels: mean and standard deviation of the gray level, and how many pixels are
   * coloured, pure green (target outline) and magenta (label outline).
   */
  @SuppressWarnings("unchecked")
  protected static Map<String, Object> canvasStats(String id) {
    return (Map<String, Object>) browser.eval("(() => { const c = document.getElementById('" + id + "');"
        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        + "let s = 0, s2 = 0, colored = 0, green = 0, magenta = 0;"
        + "for (let i = 0; i < d.length; i += 4) {"
        + "  const r = d[i], g = d[i + 1], b = d[i + 2], l = (r + g + b) / 3; s += l; s2 += l * l;"
        + "  if (Math.max(r, g, b) - Math.min(r, g, b) > 30) colored++;"
        + "  if (g > 200 && r < 80 && b < 80) green++;"
        + "  if (r > 200 && b > 200 && g < 120) magenta++; }"
        + "const n = d.length / 4; return {mean: s / n, sd: Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)),"
        + " colored, green, magenta}; })()");
  }

  /**
   * The canvas pixel whose gray level min(r, g, b) is highest, so coloured crosshair and outline
   * pixels never win: {x, y, canvas width, canvas height, level}.
   */
  @SuppressWarnings("unchecked")
  protected static double[] brightestPixel(String id) {
    List<Object> v = (List<Object>) browser.eval("(() => { const c = document.getElementById('" + id + "');"
        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let best = -1, at = 0;"
        + "for (let i = 0; i < d.length; i += 4) { const v = Math.min(d[i], d[i + 1], d[i + 2]);"
        + "  if (v > best) { best = v; at = i / 4; } }"
        + "return [at % c.width, Math.floor(at / c.width), c.width, c.height, best]; })()");
    return v.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
  }

  /**
   * The centre of the canvas pixels of exactly this colour (e.g. a colormap's top, shown alone with
   * the threshold at its top and full opacity), as {x, y, canvas width, canvas height, count}.
   */
  @SuppressWarnings("unchecked")
  protected static double[] pixelsOfColour(String id, int rgb) {
    List<Object> v = (List<Object>) browser.eval("(() => { const c = document.getElementById('" + id + "');"
        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let sx = 0, sy = 0, n = 0;"
        + "for (let i = 0; i < d.length; i += 4) { if (d[i] === " + ((rgb >> 16) & 0xFF) + " && d[i + 1] === "
        + ((rgb >> 8) & 0xFF) + " && d[i + 2] === " + (rgb & 0xFF) + ") { sx += (i / 4) % c.width; "
        + "sy += Math.floor(i / 4 / c.width); n++; } }"
        + "return [n ? sx / n : -1, n ? sy / n : -1, c.width, c.height, n]; })()");
    return v.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
  }

  /**
   * The voxel under a canvas pixel, for a view of w x h voxels shown with the first axis to the
   * right and the second downwards (row 0 at the top): {horizontal index, downward index}.
   */
  protected static List<Integer> voxelUnder(double[] pixel, int w, int h) {
    return List.of((int) Math.floor((pixel[0] + 0.5) / pixel[2] * w),
        (int) Math.floor((pixel[1] + 0.5) / pixel[3] * h));
  }
}
