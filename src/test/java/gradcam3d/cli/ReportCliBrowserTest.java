package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.BrowserTest;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages the commands write, opened in headless chromium: the demo's report.html against its
 * own cam.npy and NIfTI affine, and batch --report's index.html against batch.csv.
 */
class ReportCliBrowserTest extends BrowserTest {
  @TempDir
  static Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void demoReportOpensAtTheCamPeakWithScannerCoordinates() throws Exception {
    Path out = tmp.resolve("demo");
    Cli.Run r = Cli.run("demo", "--out", out.toString(), "--threads", "2", "--quiet");
    assertEquals(0, r.exit(), r.toString());
    Path html = out.resolve("report.html");
    assertTrue(Files.size(html) > 10_000);
    browser.open(html, "document.body.dataset.ready === 'true'");

    // cam.npy is (1, Z, Y, X) (layout zyx): its peak as NIfTI voxel (i, j, k) = (x, y, z)
    FloatTensor cam = Npy.read(out.resolve("cam.npy"));
    long[] s = cam.shape();
    int best = 0;
    for (int i = 1; i < cam.size(); i++) {
      if (cam.data()[i] > cam.data()[best]) {
        best = i;
      }
    }
    int x = (int) (best % s[3]);
    int y = (int) (best / s[3] % s[2]);
    int z = (int) (best / (s[3] * s[2]));
    assertEquals(x + ", " + y + ", " + z, text("readout-voxel"), "the report opens at cam.npy's peak");
    assertEquals("1", text("readout-map"));
    double[][] affine = NiftiReader.read(Path.of("src/main/resources/gradcam3d/demo/demo_case1.nii.gz"))
        .header().affine();
    double[] mm = new double[3];
    for (int row = 0; row < 3; row++) {
      mm[row] = affine[row][0] * x + affine[row][1] * y + affine[row][2] * z + affine[row][3];
    }
    assertEquals(String.format(Locale.ROOT, "%.2f, %.2f, %.2f", mm[0], mm[1], mm[2]), text("readout-mm"));

    // gray map at full opacity: the brightest pixel of the axial plane lies on the peak voxel, drawn
    // radiologically: the demo is stored RAS, so i (towards the patient's right) runs right to left
    // on the screen and j (towards anterior) bottom to top
    setRange("opacity", 100);
    setRange("threshold", 100);
    double[] px = pixelsOfColour("axial", gradcam3d.render.Colormap.JET.rgb(1));
    assertTrue(px[4] > 0, "the map's top level is shown");
    assertEquals(List.of((int) s[3] - 1 - x, (int) s[2] - 1 - y), voxelUnder(px, (int) s[3], (int) s[2]));
    setRange("threshold", 0);

    String summary = text("summary-table");
    assertTrue(summary.contains("up2") && summary.contains("label.cam_mass_inside_label")
        && summary.contains("bundled demo_unet3d.onnx"), summary);
    assertEquals(false, browser.eval("document.getElementById('row-label').classList.contains('hidden')"),
        "the demo's label can be outlined");
    // the predicted spheres (target) and the true spheres (label) are outlined on the plane
    setRange("opacity", 0);
    Map<String, Object> outlines = canvasStats("axial");
    assertTrue(((Number) outlines.get("green")).intValue() > 20, outlines.toString());
    assertTrue(((Number) outlines.get("magenta")).intValue() > 20, outlines.toString());
    choose("colormap", "jet");
    setRange("opacity", 45);
    saveScreenshot("demo-report.png");
  }

  @Test
  @SuppressWarnings("unchecked")
  void batchReportIndexListsEveryCaseAndLinksTheReports() throws Exception {
    Path scans = DemoScans.withBrokenCase(tmp.resolve("scans"));
    Path out = tmp.resolve("batch");
    Cli.Run r = Cli.run("batch", "--model", DemoScans.MODEL.toString(), "--inputs-dir",
        scans.toString(), "--label-suffix", "_label", "--layer", "up2", "--target", "1", "--out", out.toString(),
        "--threads", "2", "--report", "--quiet");
    assertEquals(1, r.exit(), r.toString());
    browser.open(out.resolve("index.html"), "document.body.dataset.ready === 'true'");
    List<String> cases = (List<String>) browser.eval(
        "[...document.getElementById('cases').tBodies[0].rows].map(r => r.cells[0].textContent)");
    assertEquals(List.of("broken", "demo_case1", "demo_case2", "demo_case3"), cases);
    List<String> csv = Files.readAllLines(out.resolve("batch.csv"));
    List<String> regions = (List<String>) browser.eval(
        "[...document.getElementById('cases').tBodies[0].rows].map(r => r.cells[4].textContent)");
    for (int row = 0; row < 4; row++) {
      assertEquals(csv.get(row + 1).split(",")[3], regions.get(row), "region voxels as in batch.csv");
    }
    List<String> links = (List<String>) browser.eval("[...document.links].map(a => a.href)");
    assertEquals(3, links.size());
    for (int k = 1; k <= 3; k++) {
      assertEquals(out.resolve("demo_case" + k).resolve("report.html").toUri().toString(), links.get(k - 1));
      assertTrue(Files.isRegularFile(out.resolve("demo_case" + k).resolve("report.html")));
    }
    assertEquals(3.0, browser.number("[...document.images].filter(i => i.complete && i.naturalWidth > 100).length"),
        "each explained case shows its overlay");
    assertTrue(((String) browser.eval("document.getElementById('cases').tBodies[0].rows[0].lastElementChild.textContent"))
        .contains("broken"));
    saveScreenshot("batch-index.png");
  }

}
