package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.pipeline.Settings;
import gradcam3d.report.Json;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.AxisMap;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.NiftiWriter;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Orientation;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pictures and the report's data of demo-sized cases, pinned: digests of overlay.png's and
 * montage.png's decoded pixels and of report.html's volume data (inflated) and metadata, recorded
 * with the writers as they were before the large-scan work (issue 27.3), which must not change a
 * pixel or a stored byte of such cases. The cases need no model: the demo's scan (48 x 48 x 40,
 * 1.5 mm slices) with a map, target region and label defined in world millimetres (rational
 * functions only, so every platform computes the same floats; the map has a plateau of exact
 * ties), once as stored (RAS, ZYX tensors), once stored PIR and read as XYZ tensors (permuted and
 * flipped display frame), and a 2D .npy without geometry.
 */
class OutputsUnchangedTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo/demo_case1.nii.gz");

  @TempDir
  Path tmp;

  @Test
  void demoScanAsStored() throws Exception {
    Map<String, String> d = digests(scanCase(DEMO, Layout.ZYX), tmp.resolve("ras"));
    assertEquals(Map.of("overlay.png", "983x384 b23c6e1cbae376a08e1e1589", "montage.png", "1079x810 fec70cb649de229095a6ccaa",
        "report data", "9a470ca8a435996e9bbc96ed", "report meta", "0273aa80420a4ca8870dd9bc",
        "pictures summary", "3475bec086ed98da3538c11b"), d);
  }

  @Test
  void demoScanStoredPirAsXyzTensors() throws Exception {
    Path pir = tmp.resolve("pir.nii.gz");
    store(NiftiReader.read(DEMO), "PIR", pir);
    Map<String, String> d = digests(scanCase(pir, Layout.XYZ), tmp.resolve("pir"));
    // the same scene: the same pictures and volumes; only where each voxel comes from differs
    assertEquals(Map.of("overlay.png", "983x384 b23c6e1cbae376a08e1e1589", "montage.png", "1079x810 fec70cb649de229095a6ccaa",
        "report data", "9a470ca8a435996e9bbc96ed", "report meta", "e6be8b32047791ce17285ab2",
        "pictures summary", "808776d94c1c2ab5886f82d2"), d);
  }

  @Test
  void imageWithoutGeometry() throws Exception {
    int h = 60;
    int w = 72;
    float[] image = new float[h * w];
    float[] cam = new float[h * w];
    float[] region = new float[h * w];
    for (int y = 0, v = 0; y < h; y++) {
      for (int x = 0; x < w; x++, v++) {
        image[v] = (x * 7 + y * 13) % 50 + (x > 30 ? 100 : 0);
        double r2 = ((x - 40) * (x - 40) + (y - 25) * (y - 25)) / 60.0;
        cam[v] = (float) Math.min(1, 1.3 / (1 + r2));
        region[v] = ((x - 20) * (x - 20) + (y - 35) * (y - 35)) < 64 ? 1 : 0;
      }
    }
    Path npy = tmp.resolve("image.npy");
    Npy.write(new FloatTensor(image, 1, 1, h, w), npy);
    Volume v = VolumeIO.read(npy, Layout.ZYX, 2);
    CaseResult r = result(npy, v, Layout.ZYX, new FloatTensor(cam, 1, h, w), new FloatTensor(region, 1, h, w), null);
    Map<String, String> d = digests(r, tmp.resolve("npy"));
    assertEquals(Map.of("overlay.png", "455x348 b07f12b1abdfaa000467b340", "report data", "b887d2d51261104094f92bc5",
        "report meta", "b91ffa1a6b86f0a04e31a115",
        "pictures summary", "13062b5b7e689071155026dc"), d);
  }

  /** The scene's case for a scan file read with a layout: map, region and label from world mm. */
  private static CaseResult scanCase(Path file, Layout layout) {
    Volume v = VolumeIO.read(file, layout, 3);
    long[] spatial = v.spatialShape();
    long[] nifti = layout.niftiAxes(spatial);
    double[][] a = v.affine();
    int n = (int) (spatial[0] * spatial[1] * spatial[2]);
    float[] cam = new float[n];
    float[] region = new float[n];
    float[] label = new float[n];
    // NIfTI order (i fastest), then into the tensor's order
    for (int k = 0, q = 0; k < nifti[2]; k++) {
      for (int j = 0; j < nifti[1]; j++) {
        for (int i = 0; i < nifti[0]; i++, q++) {
          double[] mm = new double[3];
          for (int row = 0; row < 3; row++) {
            mm[row] = a[row][0] * i + a[row][1] * j + a[row][2] * k + a[row][3];
          }
          double r2 = sq(mm[0] - 28) / 40 + sq(mm[1] - 20) / 60 + sq(mm[2] - 33) / 50;
          cam[q] = (float) Math.max(0, Math.min(1, 1.25 / (1 + r2) - 0.05));
          region[q] = sq(mm[0] - 25) + sq(mm[1] - 22) + sq(mm[2] - 30) < 49 ? 1 : 0;
          label[q] = sq(mm[0] - 30) / 2 + sq(mm[1] - 18) + sq(mm[2] - 36) < 30 ? 1 : 0;
        }
      }
    }
    long[] shape = {1, spatial[0], spatial[1], spatial[2]};
    FloatTensor c = new FloatTensor(layout.niftiToTensor(cam, 1, nifti), shape);
    FloatTensor g = new FloatTensor(layout.niftiToTensor(region, 1, nifti), shape);
    FloatTensor l = new FloatTensor(layout.niftiToTensor(label, 1, nifti), spatial);
    return result(file, v, layout, c, g, new LabelOverlap("label.nii.gz", 1, 0.5, 0.1, l));
  }

  private static double sq(double x) {
    return x * x;
  }

  static CaseResult result(Path file, Volume v, Layout layout, FloatTensor cam, FloatTensor region,
      LabelOverlap label) {
    long[] spatial = v.spatialShape();
    long[] layerShape = new long[2 + spatial.length];
    layerShape[0] = 1;
    layerShape[1] = 8;
    System.arraycopy(spatial, 0, layerShape, 2, spatial.length);
    // two layers, so that the report carries the aggregate and each layer's map
    float[] half = cam.data().clone();
    for (int i = 0; i < half.length; i++) {
      half[i] = half[i] * half[i];
    }
    FloatTensor second = new FloatTensor(half, cam.shape());
    List<Explanation.LayerMap> layers = List.of(
        new Explanation.LayerMap(new LayerResolver.Layer("up1", "up1", 0, "t1"), layerShape, null, second, null, null,
            null, false),
        new Explanation.LayerMap(new LayerResolver.Layer("up2", "up2", 0, "t2"), layerShape, null, cam, null, null,
            null, false));
    long[] out = layerShape.clone();
    out[1] = 2;
    Explanation e = new Explanation(layers, cam, new FloatTensor(new float[] {1}, 1), new long[] {100},
        new FloatTensor(new float[] {0, 100}, 1, 2), region, List.of(Target.parse("1")), out,
        new GradientEngine.CompileStats(0, 0, 0, "off"), 0, 0, null);
    Settings st = Settings.of(Path.of("model.onnx"), LayerSpec.names("up1", "up2"))
        .withTargets(List.of(Target.parse("1"))).withLayout(layout);
    return new CaseResult(st, CaseInput.of(file), new LoadedCase(v.batch(), v), e, label, null, 0);
  }

  /** The scene's voxels stored in another orientation (as AnatomicalOrientationCliTest does). */
  static void store(NiftiImage image, String codes, Path file) {
    long[] nifti = image.header().shape();
    AxisMap map = Orientation.of(image.header().affine(), 3).to(Orientation.parse(codes));
    FloatTensor zyx = new FloatTensor(image.data(), new long[] {1, nifti[2], nifti[1], nifti[0]});
    FloatTensor moved = map.inTensorOrder(Layout.ZYX).apply(zyx);
    NiftiHeader header = image.header().withShape(map.shapeAfter(nifti))
        .withAffine(map.affineAfter(image.header().affine(), nifti));
    new NiftiWriter().write(new NiftiImage(file.toString(), header, moved.data()), file);
  }

  /** Writes the result and digests what must not change. */
  @SuppressWarnings("unchecked")
  static Map<String, String> digests(CaseResult r, Path out) throws Exception {
    ResultWriter.write(r, OutputSettings.into(out));
    Map<String, String> d = new LinkedHashMap<>();
    for (String png : List.of("overlay.png", "montage.png")) {
      if (Files.exists(out.resolve(png))) {
        d.put(png, pixels(out.resolve(png)));
      }
    }
    // where the pictures look and whether they outline the region, as summary.json says
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    d.put("pictures summary", sha(Json.write(summary.get("pictures")).getBytes(StandardCharsets.UTF_8)));
    Path html = out.resolve("report.html");
    if (Files.exists(html)) {
      String page = Files.readString(html);
      d.put("report data", sha(inflate(between(page, "id=\"volume-data\">", "</script>"))));
      Map<String, Object> meta = (Map<String, Object>) Json.parse(between(page, "id=\"meta\">", "</script>"));
      Map<String, Object> kept = new LinkedHashMap<>();
      for (String key : List.of("dims", "spacing", "affine", "display", "stored", "image", "intensity", "maps",
          "hasMasks", "hasTarget", "hasLabel", "start", "colormap", "opacity")) {
        kept.put(key, meta.get(key));
      }
      d.put("report meta", sha(Json.write(kept).getBytes(StandardCharsets.UTF_8)));
    }
    return d;
  }

  private static String pixels(Path png) throws Exception {
    BufferedImage img = ImageIO.read(png.toFile());
    int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * rgb.length);
    b.putInt(img.getWidth()).putInt(img.getHeight());
    for (int p : rgb) {
      b.putInt(p & 0xFFFFFF);
    }
    return img.getWidth() + "x" + img.getHeight() + " " + sha(b.array());
  }

  private static String sha(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 24);
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
