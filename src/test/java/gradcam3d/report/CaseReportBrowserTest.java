package gradcam3d.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.BrowserTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html in a real headless chromium, asserted on what a person sees: canvas pixels, slider
 * positions and readout text. One browser for the class; each test reopens the page.
 */
class CaseReportBrowserTest extends BrowserTest {
  @TempDir
  static Path dir;
  static Path html;

  @BeforeAll
  static void writeReport() {
    html = dir.resolve("report.html");
    CaseReportWriter.write(SyntheticCase.report(), html);
  }

  @BeforeEach
  void load() throws Exception {
    browser.open(html, "document.body.dataset.ready === 'true'");
  }

  @AfterEach
  void onlyThePageItself() {
    assertEquals(List.of(html.toUri().toString()), browser.requests.stream().distinct().toList());
  }

  @Test
  void threePlanesAndTheirProjectionsAreDrawnWithTheVoxelAspect() {
    for (String id : List.of("axial", "coronal", "sagittal", "mip-axial", "mip-coronal", "mip-sagittal")) {
      Map<String, Object> s = stats(id);
      assertTrue(num(s, "sd") > 10, id + " shows structure, not a blank canvas: " + s);
    }
    // physical extents: i 48 x 1.0 mm, j 40 x 1.25 mm, k 24 x 2.5 mm, each view fitted into 320 px
    assertSize("axial", 48 * 1.0, 40 * 1.25);
    assertSize("coronal", 48 * 1.0, 24 * 2.5);
    assertSize("sagittal", 40 * 1.25, 24 * 2.5);
    assertEquals("synthetic <case> & co", browser.eval("document.title"));
    String summary = (String) browser.eval("document.getElementById('summary-table').textContent");
    assertTrue(summary.contains("synthetic.onnx") && summary.contains("label.cam_mass_inside_label")
        && summary.contains("layers.1.spec") && summary.contains("down3"), summary);
  }

  @Test
  void opensAtThePeakWhereTheMapIsBrightest() {
    int[] p = SyntheticCase.PEAK_A;
    assertEquals(p[2], slider("axial"));
    assertEquals(p[1], slider("coronal"));
    assertEquals(p[0], slider("sagittal"));
    assertEquals(p[0] + ", " + p[1] + ", " + p[2], text("readout-voxel"));
    assertEquals("1", text("readout-map"));
    // the map's top level alone (threshold at the top, full opacity) in jet's top colour
    setRange("opacity", 100);
    setRange("threshold", 100);
    assertEquals(List.of(p[0], p[1]), topVoxel("axial", 0, 1));
    assertEquals(List.of(p[0], p[2]), topVoxel("coronal", 0, 2));
    assertEquals(List.of(p[1], p[2]), topVoxel("sagittal", 1, 2));
    // projections are the map alone: its gray level is the map's level
    choose("colormap", "gray");
    assertEquals(List.of(p[0], p[1]), brightestVoxel("mip-axial", 0, 1));
  }

  @Test
  void clickingOnePlaneMovesTheOthers() {
    long coronalBefore = fingerprint("coronal");
    long sagittalBefore = fingerprint("sagittal");
    clickVoxel("axial", 0, 1, 5, 33);
    assertEquals(SyntheticCase.PEAK_A[2], slider("axial"), "the clicked plane keeps its slice");
    assertEquals(33, slider("coronal"));
    assertEquals(5, slider("sagittal"));
    assertNotEquals(coronalBefore, fingerprint("coronal"));
    assertNotEquals(sagittalBefore, fingerprint("sagittal"));
    clickVoxel("sagittal", 1, 2, 7, 3);
    assertEquals(3, slider("axial"));
    assertEquals(7, slider("coronal"));
    assertEquals("5, 7, 3", text("readout-voxel"));
  }

  @Test
  void wheelAndSliderChangeSlices() {
    Map<String, Object> r = rect("axial");
    long before = fingerprint("axial");
    browser.wheel(num(r, "left") + 20, num(r, "top") + 20, -100);
    assertEquals(SyntheticCase.PEAK_A[2] + 1, slider("axial"));
    assertNotEquals(before, fingerprint("axial"));
    setRange("coronal-slider", 2);
    assertEquals("30, 2, " + (SyntheticCase.PEAK_A[2] + 1), text("readout-voxel"));
  }

  @Test
  void opacitySliderChangesPixels() {
    Map<String, Object> before = stats("axial");
    assertTrue(num(before, "colored") > 1000, "the jet map tints the plane: " + before);
    Map<String, Object> r = rect("opacity");
    browser.click(num(r, "left") + 1, num(r, "top") + num(r, "height") / 2); // drag to the far left
    assertEquals(0, slider("opacity"));
    Map<String, Object> after = stats("axial");
    // a map of 0 is transparent (as in the PNGs), so the map tints only where it is; without it
    // only the (antialiased) contours and the crosshair are coloured
    assertTrue(num(after, "colored") < num(before, "colored") / 3,
        "without the map only contours and the crosshair are coloured: " + before + " -> " + after);
  }

  @Test
  void aMapOfZeroLeavesTheScanUntinted() {
    // the synthetic map is a Gaussian around its peak: far from it the plane is plain gray
    Map<String, Object> s = stats("axial");
    assertTrue(num(s, "colored") < num(rect("axial"), "width") * num(rect("axial"), "height") / 2,
        "zeros are transparent, not dark blue over the whole scan: " + s);
  }

  @Test
  void thresholdHidesTheWeakPartOfTheMap() {
    setRange("opacity", 0);
    double outlines = num(stats("axial"), "colored"); // contours and crosshair
    setRange("opacity", 45);
    double before = num(stats("axial"), "colored") - outlines;
    setRange("threshold", 50);
    double after = num(stats("axial"), "colored") - outlines;
    assertTrue(after < before / 2 && after > 0, before + " -> " + after);
  }

  @Test
  void voxelReadoutFollowsTheAffine() {
    clickVoxel("axial", 0, 1, 5, 33);
    clickVoxel("coronal", 0, 2, 5, 20);
    int[] v = {5, 33, 20};
    assertEquals("5, 33, 20", text("readout-voxel"));
    double[] mm = SyntheticCase.grid().scannerMm(v[0], v[1], v[2]);
    assertEquals(String.format(Locale.ROOT, "%.2f, %.2f, %.2f", mm[0], mm[1], mm[2]), text("readout-mm"));
    float[] image = SyntheticCase.image();
    double lo = IntStream.range(0, image.length).mapToDouble(i -> image[i]).min().orElseThrow();
    double hi = IntStream.range(0, image.length).mapToDouble(i -> image[i]).max().orElseThrow();
    double shown = Double.parseDouble(text("readout-intensity"));
    double truth = image[SyntheticCase.index(v[0], v[1], v[2])];
    assertEquals(truth, shown, (hi - lo) / 255 / 2 + 0.1, "8-bit intensity within half a level");
    double map = SyntheticCase.gaussian(SyntheticCase.PEAK_A, 4)[SyntheticCase.index(v[0], v[1], v[2])];
    assertEquals(map, Double.parseDouble(text("readout-map")), 1 / 255.0);
  }

  @Test
  void switchingMapsMovesTheHotSpot() {
    choose("colormap", "gray");
    choose("map", "1");
    int[] p = SyntheticCase.PEAK_B;
    assertEquals(List.of(p[0], p[1]), brightestVoxel("mip-axial", 0, 1));
    assertEquals(List.of(p[0], p[2]), brightestVoxel("mip-coronal", 0, 2));
    assertEquals(List.of(p[1], p[2]), brightestVoxel("mip-sagittal", 1, 2));
    List<String> options = (List<String>) (List<?>) browser.eval(
        "[...document.getElementById('map').options].map(o => o.textContent)");
    assertEquals(List.of("up2 · gradcam", "down3 · gradcam"), options);
  }

  @Test
  void targetAndLabelContoursCanBeToggled() {
    assertTrue(num(stats("axial"), "green") > 20, "target outline drawn in green");
    assertTrue(num(stats("axial"), "magenta") > 20, "label outline drawn in magenta");
    browser.eval("document.getElementById('show-target').click()");
    assertEquals(0, num(stats("axial"), "green"));
    browser.eval("document.getElementById('show-label').click()");
    assertEquals(0, num(stats("axial"), "magenta"));
  }

  /** A 2D image: one plane, drawn with its aspect, the others hidden; the page itself stays clean. */
  @Test
  void twoDimensionalImagesShowOnePlane() throws Exception {
    int ni = 30;
    int nj = 20;
    ReportGrid g = new ReportGrid(new int[] {ni, nj, 1}, new double[] {0.5, 1.0, 1.0},
        new double[][] {{0.5, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
    float[] image = new float[ni * nj];
    float[] map = new float[ni * nj];
    for (int j = 0; j < nj; j++) {
      for (int i = 0; i < ni; i++) {
        image[i + ni * j] = i + 2 * j;
        map[i + ni * j] = (float) Math.exp(-((i - 22) * (i - 22) + (j - 5) * (j - 5)) / 8.0);
      }
    }
    Path flat = dir.resolve("flat.html");
    CaseReportWriter.write(new CaseReport("2D", g, image, List.of(new CaseReport.NamedMap("m", map)), null, null,
        Map.of()), flat);
    browser.open(flat, "document.body.dataset.ready === 'true'");
    assertEquals(List.of(false, true, true), browser.eval("['fig-axial', 'fig-coronal', 'fig-sagittal'].map(id =>"
        + " document.getElementById(id).classList.contains('hidden'))"));
    assertSize("axial", 30 * 0.5, 20 * 1.0);
    choose("colormap", "gray");
    setRange("opacity", 100);
    double[] px = brightestPixel("axial");
    assertEquals(List.of(22, 5), voxelUnder(px, ni, nj));
    assertEquals("22, 5, 0", text("readout-voxel"));
    assertEquals(List.of(flat.toUri().toString()), browser.requests.stream().distinct().toList());
    browser.open(html, "document.body.dataset.ready === 'true'"); // the page the other checks expect
  }

  @Test
  void screenshotForTheDocs() throws Exception {
    assertTrue(Files.size(saveScreenshot("synthetic-report.png")) > 10_000);
  }

  // --- what the page shows ---

  private static int slider(String id) {
    String full = id.endsWith("opacity") || id.endsWith("threshold") || id.endsWith("-slider") ? id : id + "-slider";
    return (int) browser.number("Number(document.getElementById('" + full + "').value)");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rect(String id) {
    return (Map<String, Object>) browser.eval("(() => { const r = document.getElementById('" + id
        + "').getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width, height: r.height}; })()");
  }

  /** Clicks the centre of voxel (a along the view's horizontal axis, b along its downward axis: row 0 at the top). */
  private static void clickVoxel(String id, int hAxis, int vAxis, int a, int b) {
    Map<String, Object> r = rect(id);
    int w = SyntheticCase.DIMS[hAxis];
    int h = SyntheticCase.DIMS[vAxis];
    browser.click(num(r, "left") + (a + 0.5) * num(r, "width") / w,
        num(r, "top") + (b + 0.5) * num(r, "height") / h);
  }

  private static void assertSize(String id, double physicalW, double physicalH) {
    Map<String, Object> r = rect(id);
    double scale = 320 / Math.max(physicalW, physicalH);
    assertEquals(Math.round(physicalW * scale), num(r, "width"), 0.5, id + " width");
    assertEquals(Math.round(physicalH * scale), num(r, "height"), 0.5, id + " height");
  }

  private static Map<String, Object> stats(String id) {
    return canvasStats(id);
  }

  private static long fingerprint(String id) {
    return (long) browser.number("(() => { const c = document.getElementById('" + id + "');"
        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let h = 0;"
        + "for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) % 1000000007; return h; })()");
  }

  /** The voxel (horizontal, downward indices) under the brightest gray pixel of a view. */
  private static List<Integer> brightestVoxel(String id, int hAxis, int vAxis) {
    double[] px = brightestPixel(id);
    assertEquals(255, (int) px[4], id + ": the map's top level is shown");
    return voxelUnder(px, SyntheticCase.DIMS[hAxis], SyntheticCase.DIMS[vAxis]);
  }

  /** The voxel where the map's top level is drawn (jet's top colour) on a plane. */
  private static List<Integer> topVoxel(String id, int hAxis, int vAxis) {
    double[] px = pixelsOfColour(id, gradcam3d.render.Colormap.JET.rgb(1));
    assertTrue(px[4] > 0, id + ": the map's top level is shown");
    return voxelUnder(px, SyntheticCase.DIMS[hAxis], SyntheticCase.DIMS[vAxis]);
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }
}
