package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.onnx.ModelIO;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.OpGraph;
import gradcam3d.volume.GridChain;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Orientation;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MONAI's chain through the real command: an LPS CT scan, --layout xyz --orient RAS --resample
 * 1.5,1.5,2 --normalize window:-100,300,0,1 (the preprocess fixture's lps__monai_ct). The model
 * sees MONAI's array (model_grid/input.nii.gz equals MONAI's within 1e-4, with MONAI's affine);
 * the map is written back on the scan's own grid and affine; --preprocess FILE gives the same files.
 */
class PreprocessCliTest {
  private static final Path DIR = Path.of("src/test/resources/preprocess");
  @TempDir
  static Path tmp;
  static Path model;
  static String layer;

  /** A small convolutional net on MONAI's model grid (1, 1, 35, 30, 50), two classes. */
  @BeforeAll
  static void writeModel() {
    OpGraph g = new OpGraph(17, 11);
    String in = g.input("input", new FloatTensor(new float[35 * 30 * 50], new long[] {1, 1, 35, 30, 50}));
    String w1 = g.constant(4, 1, 3, 3, 3);
    layer = g.node("Relu", List.of(g.node("Conv", List.of(in, w1), gradcam3d.onnx.Attributes.of("pads",
        new long[] {1, 1, 1, 1, 1, 1}))));
    String w2 = g.constant(2, 4, 1, 1, 1);
    model = tmp.resolve("net.onnx");
    ModelIO.write(g.output(g.node("Conv", List.of(layer, w2))).model(), model, Long.MAX_VALUE);
  }

  static Cli.Run explain(Path out, String... chain) {
    List<String> args = new java.util.ArrayList<>(List.of("explain", "--model", model.toString(), "--input",
        DIR.resolve("scan_lps.nii.gz").toString(), "--layer", layer, "--target", "1:all", "--threads", "1",
        "--save-model-grid", "--no-report", "--out", out.toString()));
    args.addAll(List.of(chain));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void theModelSeesMonaisArrayAndTheMapLandsOnTheScan() throws Exception {
    Path out = tmp.resolve("options");
    Cli.Run r = explain(out, "--layout", "xyz", "--orient", "RAS", "--resample", "1.5,1.5,2",
        "--normalize", "window:-100,300,0,1");
    assertEquals(0, r.exit(), r.toString());
    NiftiImage input = NiftiReader.read(out.resolve("model_grid/input.nii.gz"));
    FloatTensor monai = Npy.read(DIR.resolve("lps__monai_ct.model_input.npy"));
    // MONAI's array is (C, i, j, k); the NIfTI data is i fastest: the same voxels, axes reversed
    Volume seen = VolumeIO.read(out.resolve("model_grid/input.nii.gz"), Layout.XYZ, 3);
    double inputError = maxAbsDiff(seen.tensor(), monai);
    assertTrue(inputError <= 1e-4, "model input max|diff| " + inputError);
    double[][] expected = {{1.5, 0, 0, -25.400000751018524}, {0, 1.5, 0, -14.000000655651093}, {0, 0, 2, -50}, {0, 0, 0, 1}};
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(expected[row], input.header().affine()[row], 1e-4, "model grid affine row " + row);
    }
    // the map on the scan's own grid: the model-grid map brought back as MONAI inverts it
    NiftiImage scan = NiftiReader.read(DIR.resolve("scan_lps.nii.gz"));
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    assertArrayEquals(scan.header().shape(), cam.header().shape());
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(scan.header().affine()[row], cam.header().affine()[row], 1e-5);
    }
    Volume scanVolume = VolumeIO.read(DIR.resolve("scan_lps.nii.gz"), Layout.XYZ, 3);
    GridMapping mapping = GridChain.none().then(new GridChain.Orient(Orientation.parse("RAS")))
        .then(new GridChain.Resample(new double[] {1.5, 1.5, 2})).apply(scanVolume);
    FloatTensor modelCam = VolumeIO.read(out.resolve("model_grid/cam.nii.gz"), Layout.XYZ, 3).tensor();
    FloatTensor back = mapping.toScan(modelCam.reshape(mapping.model().spatialShape()));
    FloatTensor written = VolumeIO.read(out.resolve("cam.nii.gz"), Layout.XYZ, 3).tensor();
    assertTrue(maxAbsDiff(written.reshape(back.shape()), back) <= 1e-6, "cam.nii.gz is the model-grid map brought back");
    assertTrue(maxAbs(back) > 0.5, "a map");
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    String pre = summary.get("preprocessing").toString();
    assertTrue(pre.contains("step=orient") && pre.contains("from=LPS") && pre.contains("step=resample")
        && pre.contains("model_grid_shape=[35, 30, 50]"), pre);

    // the same chain from a file
    Path file = Files.writeString(tmp.resolve("pre.json"), "{\"layout\": \"xyz\", \"orient\": \"RAS\", "
        + "\"resample\": [1.5, 1.5, 2], \"normalize\": \"window:-100,300,0,1\"}");
    Path fromFile = tmp.resolve("file");
    Cli.Run f = explain(fromFile, "--preprocess", file.toString());
    assertEquals(0, f.exit(), f.toString());
    assertArrayEquals(Files.readAllBytes(out.resolve("cam.npy")), Files.readAllBytes(fromFile.resolve("cam.npy")));

    // the file holds the whole chain: an option beside it is refused, as are unknown keys
    assertEquals(2, explain(tmp.resolve("both"), "--preprocess", file.toString(), "--orient", "RAS").exit());
    Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"orientation\": \"RAS\"}");
    Cli.Run unknown = explain(tmp.resolve("bad"), "--preprocess", bad.toString());
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("unknown key 'orientation'"), unknown.err());
  }
}
