package gradcam3d.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's data and metadata, read back the way the browser reads them. */
class CaseReportWriterTest {
  @TempDir
  Path dir;

  @Test
  void quantisesEachVolumeOverItsOwnRange() {
    byte[] q = CaseReportWriter.quantise(new float[] {-1, 1, 0, 0.5f, Float.NaN});
    assertArrayEquals(new int[] {0, 255, 128, 191, 0}, unsigned(q)); // (v + 1) / 2 * 255, rounded
    assertArrayEquals(new int[] {0, 0}, unsigned(CaseReportWriter.quantise(new float[] {3, 3})));
    float inf = Float.POSITIVE_INFINITY;
    assertArrayEquals(new int[] {0, 0, 255, 0, 0}, unsigned(CaseReportWriter.quantise(new float[] {inf, -1, 1, -inf,
        Float.NaN})), "the infinities are 0, as NaN");
    assertArrayEquals(new int[] {0, 0, 0}, unsigned(CaseReportWriter.quantise(new float[] {3, inf, 3})),
        "a constant volume with an infinity");
    // a range the values leave (as given by a caller): clamped
    assertArrayEquals(new int[] {0, 255, 255, 128}, unsigned(CaseReportWriter.quantise(new float[] {-5, 2, 1, 0.5f},
        new ValueRange(0, 1, 0, true))));
  }

  /**
   * The range over several chunks: NaN and infinities left out (an infinity sends its chunk through
   * the checked loop), and of -0.0 and 0.0 the first in the array kept, as one checked pass keeps it.
   */
  @Test
  void rangeOfManyChunksIsThatOfOneCheckedPass() {
    Random random = new Random(273);
    float[] v = new float[700_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = 1 + random.nextFloat() * 50;
    }
    v[10] = Float.NaN;
    v[300_000] = Float.POSITIVE_INFINITY;
    v[650_000] = Float.NEGATIVE_INFINITY;
    v[123] = 0.0f;
    v[400_000] = -0.0f;
    v[500_000] = 77.5f;
    float[] mm = CaseReportWriter.minMax(v);
    assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(mm[0]), "the first zero");
    assertEquals(77.5f, mm[1]);
    v[123] = 5;
    v[200] = -0.0f;
    v[400_000] = 0.0f;
    mm = CaseReportWriter.minMax(v);
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(mm[0]), "the first zero");
    v[200] = 3;
    v[400_000] = 2;
    v[650_001] = -4.25f; // in the chunk with the -infinity
    assertArrayEquals(new float[] {-4.25f, 77.5f}, CaseReportWriter.minMax(v));
    assertArrayEquals(new float[] {0, 0}, CaseReportWriter.minMax(new float[] {Float.NaN, Float.POSITIVE_INFINITY}));
  }

  /**
   * The first maximum found with the range, chunk by chunk, is where one plain pass from index 0
   * ends: ties go to the first (also across chunks, and -0.0 ties 0.0), NaN never wins, a NaN
   * first value is never beaten; "positive" is whether any value is above 0.
   */
  @Test
  void firstMaximumOfManyChunksIsThatOfOnePass() {
    Random random = new Random(274);
    float[] v = new float[900_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = -random.nextFloat();
    }
    assertPeak(v, false);
    v[5] = Float.NaN;
    v[700_000] = 0.0f;
    v[800_000] = -0.0f;
    assertPeak(v, false);
    v[300_000] = 9;
    v[600_000] = 9; // the same maximum in a later chunk
    v[650_000] = Float.NaN;
    assertPeak(v, true);
    v[0] = Float.NaN;
    assertPeak(v, true);
    v[0] = Float.NEGATIVE_INFINITY;
    v[899_999] = Float.POSITIVE_INFINITY;
    assertPeak(v, true);
    assertPeak(new float[] {Float.NEGATIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY}, false);
    assertPeak(new float[] {Float.NaN, Float.NaN}, false);
  }

  private static void assertPeak(float[] v, boolean positive) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    ValueRange r = ValueRange.of(v);
    assertEquals(best, r.peak());
    assertEquals(positive, r.positive());
    boolean any = false;
    for (float x : v) {
      any |= x > 0;
    }
    assertEquals(any, r.positive(), "positive is: a value above 0");
  }

  /** Base64 made in pieces on all cores is the whole's, padding included, at every length near a piece's edge. */
  @Test
  void base64InPiecesIsTheWholesBase64() {
    Random random = new Random(275);
    int piece = 3 << 18;
    for (int n : new int[] {0, 1, 2, 3, 4, piece - 1, piece, piece + 1, piece + 2, 3 * piece + 5}) {
      byte[] data = new byte[n];
      random.nextBytes(data);
      assertArrayEquals(Base64.getEncoder().encode(data), CaseReportWriter.base64(data), n + " bytes");
    }
  }

  /**
   * The masks' bits made band by band, with pieces of +0.0 passed over, are the bits voxel by
   * voxel: 1 for a target value != 0, 2 for a label value != 0 (NaN counts, -0.0 does not), for
   * bands that start and end anywhere in a piece, and either mask absent.
   */
  @Test
  void maskBitsBandByBandAreTheBitsVoxelByVoxel() {
    Random random = new Random(92);
    int n = 5000;
    float[] target = new float[n];
    float[] label = new float[n];
    for (int i = 0; i < n; i++) {
      // mostly +0.0, with runs inside, single voxels, -0.0, NaN and values below 0
      boolean run = i >= 700 && i < 1300;
      target[i] = run || random.nextInt(150) == 0 ? 1f : 0f;
      label[i] = i >= 1200 && i < 1500 ? 0.5f : random.nextInt(200) == 0 ? -3f : 0f;
    }
    target[64] = -0.0f;
    target[65] = Float.NaN;
    label[4095] = Float.NaN;
    label[4096] = -0.0f;
    float[][] targets = {target, null, target, null};
    float[][] labels = {label, label, null, null};
    for (int k = 0; k < targets.length; k++) {
      byte[] expected = new byte[n];
      for (int i = 0; i < n; i++) {
        expected[i] = (byte) ((targets[k] != null && targets[k][i] != 0 ? CaseReportWriter.TARGET_BIT : 0)
            | (labels[k] != null && labels[k][i] != 0 ? CaseReportWriter.LABEL_BIT : 0));
      }
      gradcam3d.Zlib.Source bits = CaseReportWriter.maskBits(targets[k], labels[k]);
      for (int band : new int[] {n, 1000, 37, 64}) {
        byte[] made = new byte[n];
        for (int from = 0; from < n; from += band) {
          int to = Math.min(n, from + band);
          byte[] into = new byte[to - from];
          bits.fill(from, to, into);
          System.arraycopy(into, 0, made, from, into.length);
        }
        assertArrayEquals(expected, made, "masks " + k + ", bands of " + band);
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void pageHoldsTheQuantisedVolumesMasksAndGeometry() throws Exception {
    CaseReport r = SyntheticCase.report();
    Path html = dir.resolve("report.html");
    CaseReportWriter.write(r, html);
    String page = Files.readString(html);
    Map<String, Object> meta = (Map<String, Object>) Json.parse(between(page, "id=\"meta\">", "</script>"));
    assertEquals(List.of(48L, 40L, 24L), meta.get("dims"));
    assertEquals(List.of(30L, 12L, 16L), meta.get("start"), "opens at the first map's peak");
    List<List<Number>> affine = (List<List<Number>>) meta.get("affine");
    for (int row = 0; row < 4; row++) {
      for (int col = 0; col < 4; col++) {
        assertEquals(SyntheticCase.AFFINE[row][col], affine.get(row).get(col).doubleValue(), 1e-12);
      }
    }
    Map<String, Object> image = (Map<String, Object>) meta.get("image");
    assertEquals(min(r.image()), ((Number) image.get("min")).doubleValue(), 1e-6);
    assertEquals(max(r.image()), ((Number) image.get("max")).doubleValue(), 1e-6);

    byte[] data = inflate(between(page, "id=\"volume-data\">", "</script>"));
    int n = r.grid().voxels();
    assertEquals(4 * n, data.length, "image, two maps, masks");
    assertLevels(r.image(), data, 0);
    assertLevels(r.maps().get(0).values(), data, n);
    assertLevels(r.maps().get(1).values(), data, 2 * n);
    for (int i = 0; i < n; i++) {
      int expected = (r.target()[i] != 0 ? 1 : 0) | (r.label()[i] != 0 ? 2 : 0);
      assertEquals(expected, data[3 * n + i], "mask bits at " + i);
    }
    // the colour tables are the PNG figures' own
    Map<String, Object> jet = ((List<Map<String, Object>>) meta.get("colormaps")).get(0);
    assertEquals("jet", jet.get("name"));
    int rgb = gradcam3d.render.Colormap.JET.rgb(200 / 255.0);
    assertEquals(List.of((long) (rgb >> 16), (long) ((rgb >> 8) & 255), (long) (rgb & 255)),
        ((List<Object>) jet.get("rgb")).subList(600, 603));
  }

  @Test
  void titlesAndSummariesCannotBreakOutOfThePage() throws Exception {
    CaseReport base = SyntheticCase.report();
    CaseReport r = new CaseReport("</title><script>alert(1)</script>", base.grid(), base.image(), base.maps(),
        null, null, Map.of("model", "</script><script>alert(2)</script>"));
    Path html = dir.resolve("report.html");
    CaseReportWriter.write(r, html);
    String page = Files.readString(html);
    assertFalse(page.contains("<script>alert"), "markup in names is escaped");
    assertTrue(page.contains("\\u003c/script>\\u003cscript>alert(2)"), "and stays text inside the data");
    assertTrue(page.contains("&lt;/title&gt;&lt;script&gt;alert(1)"));
  }

  /** The budget: a 192^3 scan with one map stays under ~10 MB. */
  @Test
  void a192CubedCaseStaysUnderTenMegabytes() {
    int n = 192;
    ReportGrid g = new ReportGrid(new int[] {n, n, n}, new double[] {1, 1, 1},
        new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
    Random rnd = new Random(12);
    float[] image = new float[g.voxels()];
    float[] map = new float[g.voxels()];
    float[] region = new float[g.voxels()];
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++) {
          int x = i + n * (j + n * k);
          double r = Math.sqrt((i - 96.0) * (i - 96) + (j - 96.0) * (j - 96) + (k - 96.0) * (k - 96));
          // CT-like: air, soft tissue, a dense core, and noise of 40 HU (about 7 of the 256 levels)
          image[x] = (float) ((r < 80 ? 40 : -1000) + (r < 30 ? 300 : 0) + 40 * rnd.nextGaussian());
          map[x] = (float) Math.exp(-((i - 120.0) * (i - 120) + (j - 80.0) * (j - 80) + (k - 100.0) * (k - 100)) / 800);
          region[x] = r < 30 ? 1 : 0;
        }
      }
    }
    CaseReport r = new CaseReport("192^3", g, image, List.of(new CaseReport.NamedMap("map", map)), region, region,
        Map.of());
    Path html = dir.resolve("big.html");
    CaseReportWriter.write(r, html);
    long size = html.toFile().length();
    System.out.printf("report.html for a noisy 192^3 scan with one map: %.2f MB%n", size / 1e6);
    assertTrue(size < 10_000_000L, "page size " + size);
  }

  @Test
  void reportGridPutsEitherLayoutIntoNiftiOrder() {
    Path nii = Path.of("src/test/resources/volume/be_int16_qform.nii");
    NiftiImage raw = NiftiReader.read(nii);
    Volume zyx = VolumeIO.read(nii, Layout.ZYX, 3);
    Volume xyz = VolumeIO.read(nii, Layout.XYZ, 3);
    ReportGrid g = ReportGrid.of(zyx);
    assertEquals(ReportGrid.of(xyz).voxels(), g.voxels());
    assertArrayEquals(new int[] {(int) raw.shape()[0], (int) raw.shape()[1], (int) raw.shape()[2]}, g.dims());
    assertArrayEquals(raw.header().affine()[0], g.affine()[0], 0);
    FloatTensor zyxSpatial = zyx.tensor().slice0(0);
    FloatTensor xyzSpatial = xyz.tensor().slice0(0);
    assertArrayEquals(raw.data(), g.niftiOrder(zyxSpatial, Layout.ZYX));
    assertArrayEquals(raw.data(), g.niftiOrder(xyzSpatial, Layout.XYZ));
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> g.niftiOrder(xyzSpatial, Layout.ZYX));
    assertTrue(e.getMessage().startsWith("a map of shape"), e.getMessage());
  }

  @Test
  void refusesMapsOfTheWrongSize() {
    CaseReport base = SyntheticCase.report();
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> new CaseReport("x", base.grid(),
        base.image(), List.of(new CaseReport.NamedMap("small", new float[10])), null, null, Map.of()));
    assertEquals("the map small has 10 voxels but the report's volume has 46080", e.getMessage());
    assertThrows(Gradcam3dException.class, () -> new CaseReport("x", base.grid(), base.image(), List.of(), null,
        null, Map.of()));
  }

  private static void assertLevels(float[] values, byte[] data, int offset) {
    double lo = min(values);
    double hi = max(values);
    for (int i = 0; i < values.length; i++) {
      assertEquals((values[i] - lo) / (hi - lo) * 255, data[offset + i] & 0xFF, 0.5 + 1e-3, "level at " + i);
    }
  }

  private static double min(float[] v) {
    return IntStream.range(0, v.length).mapToDouble(i -> v[i]).min().orElseThrow();
  }

  private static double max(float[] v) {
    return IntStream.range(0, v.length).mapToDouble(i -> v[i]).max().orElseThrow();
  }

  private static int[] unsigned(byte[] b) {
    int[] u = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      u[i] = b[i] & 0xFF;
    }
    return u;
  }

  private static String between(String text, String start, String end) {
    int a = text.indexOf(start) + start.length();
    return text.substring(a, text.indexOf(end, a));
  }

  private static byte[] inflate(String base64) throws Exception {
    Inflater inflater = new Inflater();
    inflater.setInput(Base64.getDecoder().decode(base64.strip().getBytes(StandardCharsets.US_ASCII)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (!inflater.finished()) {
      int got = inflater.inflate(buf);
      if (got == 0 && inflater.needsInput()) {
        break;
      }
      out.write(buf, 0, got);
    }
    inflater.end();
    return out.toByteArray();
  }
}
