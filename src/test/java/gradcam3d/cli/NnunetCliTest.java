package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Tensors;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.pipeline.NnunetPlans;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw scan explained as nnUNetv2_predict predicts it, through the command line: --nnunet-plans with
 * the shared fixture (CT, separate z) and the crop case (two channels, zero border, masked z-score,
 * plain path), with a linear 1x1x1 network ("head": logits = W x per voxel) so that the prediction
 * brought back onto the scan is W times the model input brought back. The model input is nnU-Net's
 * own (the references' model_input.npy), so a wrong model input or a wrong way back shows; the way
 * back itself is checked against nnU-Net in NnunetPlansTest.
 */
class NnunetCliTest {
  private static final Path DIR = Path.of("src/test/resources/nnunet");

  @TempDir
  static Path tmp;

  /** A 1x1x1 convolution named "head" with weights {@code w} [out][in], dynamic spatial axes. */
  static Path linearModel(String name, float[][] w) {
    Graph g = Graph.empty(17, name);
    int out = w.length;
    int in = w[0].length;
    g.inputs().add(Graph.valueInfo("x", DataTypes.FLOAT, new long[] {-1, in, -1, -1, -1}));
    float[] weights = new float[out * in];
    for (int o = 0; o < out; o++) {
      System.arraycopy(w[o], 0, weights, o * in, in);
    }
    g.initializers().put("head.weight", TensorProtos.ofFloats("head.weight", weights, out, in, 1, 1, 1));
    g.initializers().put("head.bias", TensorProtos.ofFloats("head.bias", new float[out], out));
    g.nodes().add(new gradcam3d.graph.Node("/head/Conv", "Conv", "", List.of("x", "head.weight", "head.bias"),
        List.of("logits"), Map.of(), List.of()));
    g.outputs().add(Graph.valueInfo("logits", DataTypes.FLOAT, new long[] {-1, out, -1, -1, -1}));
    ModelProto m = g.toModel();
    Path file = tmp.resolve(name + ".onnx");
    ModelIO.write(m, file, Long.MAX_VALUE);
    return file;
  }

  static Path signModel;
  static Path mixModel;

  @BeforeAll
  static void models() {
    signModel = linearModel("sign", new float[][] {{-1}, {1}});
    mixModel = linearModel("mix", new float[][] {{0.5f, -1}, {-0.5f, 0.8f}, {1, 0.3f}});
  }

  /** W times nnU-Net's model input, brought back onto the scan by the chain of the plans: [1, K, *S]. */
  static FloatTensor expectedPrediction(NnunetPlans plans, List<Path> inputs, Path modelInput, float[][] w) {
    Volume scan = VolumeIO.read(inputs, Layout.ZYX, 3);
    GridMapping grid = plans.preprocessing().grid().apply(scan);
    FloatTensor x = Npy.read(modelInput);
    int voxels = (int) (x.size() / x.dim(0));
    float[] logits = new float[w.length * voxels];
    for (int o = 0; o < w.length; o++) {
      for (int v = 0; v < voxels; v++) {
        double s = 0;
        for (int c = 0; c < w[o].length; c++) {
          s += w[o][c] * x.data()[c * voxels + v];
        }
        logits[o * voxels + v] = (float) s;
      }
    }
    long[] m = grid.model().spatialShape();
    return grid.toScan(new FloatTensor(logits, 1, w.length, m[0], m[1], m[2]));
  }

  /** Segmentation voxels that differ from the argmax of {@code prediction}, except where its top two tie. */
  static int segmentationMismatches(float[] seg, FloatTensor prediction) {
    int classes = (int) prediction.dim(1);
    int voxels = prediction.size() / classes;
    int bad = 0;
    for (int v = 0; v < voxels; v++) {
      int best = 0;
      for (int k = 1; k < classes; k++) {
        best = prediction.data()[k * voxels + v] > prediction.data()[best * voxels + v] ? k : best;
      }
      float gap = Math.abs(prediction.data()[best * voxels + v] - prediction.data()[(int) seg[v] * voxels + v]);
      bad += seg[v] != best && gap > 1e-5f ? 1 : 0;
    }
    return bad;
  }

  @Test
  @SuppressWarnings("unchecked")
  void fixtureScanWithTwoFoldsAndMirroringComesBackOnTheScan() throws Exception {
    Path out = tmp.resolve("fixture");
    Path scan = DIR.resolve("case_0000.nii.gz");
    Cli.Run r = Cli.run("explain", "--model", signModel.toString(), "--model", signModel.toString(), "--tta",
        "--nnunet-plans", DIR.resolve("plans.json").toString(), "--input", scan.toString(), "--layer", "head",
        "--target", "lesion", "--save-prediction", "--out", out.toString(), "--no-report", "--quiet");
    assertEquals(0, r.exit(), r.toString());
    NnunetPlans plans = NnunetPlans.read(DIR.resolve("plans.json"), "3d_fullres", null);
    FloatTensor expected = expectedPrediction(plans, List.of(scan), DIR.resolve("model_input.npy"),
        new float[][] {{-1}, {1}});
    FloatTensor prediction = Npy.read(out.resolve("prediction.npy"));
    assertArrayEquals(new long[] {1, 2, 30, 56, 48}, prediction.shape());
    double err = Tensors.maxAbsDiff(prediction, expected);
    float[] seg = Npy.read(out.resolve("segmentation.npy")).data();
    int mismatches = segmentationMismatches(seg, expected);
    System.out.printf("nnunet CLI (fixture, 2 folds, tta): prediction on scan %.2e, segmentation mismatches %d%n",
        err, mismatches);
    assertTrue(err <= 1e-3, "prediction on the scan max|diff| " + err);
    assertEquals(0, mismatches);
    // the map lies on the scan's own grid and affine
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    NiftiImage in = NiftiReader.read(scan);
    assertArrayEquals(in.header().shape(), cam.header().shape());
    double[][] a = in.header().affine();
    double[][] b = cam.header().affine();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(a[i][j], b[i][j], 1e-5, "affine " + i + "," + j);
      }
    }
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    Map<String, Object> pre = (Map<String, Object>) summary.get("preprocessing");
    List<String> steps = new ArrayList<>();
    for (Object s : (List<Object>) pre.get("steps")) {
      Map<String, Object> step = (Map<String, Object>) s;
      steps.add((String) step.get("step"));
      assertTrue(step.get("ms") instanceof Number, "each step's timing: " + step);
    }
    assertEquals(List.of("transpose", "crop_to_nonzero", "normalize", "nnunet_resample"), steps);
    assertEquals(List.of(0L, 1L, 2L), ((Map<String, Object>) ((List<Object>) pre.get("steps")).get(0)).get("axes"));
    assertEquals(List.of(38L, 44L, 37L), pre.get("model_grid_shape"));
    Map<String, Object> ensemble = (Map<String, Object>) summary.get("ensemble");
    assertEquals(List.of(0L, 1L, 2L), ensemble.get("mirror_axes"));
    assertEquals(2, ((List<Object>) ensemble.get("folds")).size());
    String text = Files.readString(out.resolve("summary.json"));
    assertTrue(text.contains("\"nnunet\""), "the nnU-Net blend is recorded: " + text);
  }

  @Test
  void croppedTwoChannelScanIsPastedBackIntoItsBox() throws Exception {
    Path out = tmp.resolve("crop");
    List<Path> inputs = List.of(DIR.resolve("crop_0000.nii.gz"), DIR.resolve("crop_0001.nii.gz"));
    float[][] w = {{0.5f, -1}, {-0.5f, 0.8f}, {1, 0.3f}};
    Cli.Run r = Cli.run("explain", "--model", mixModel.toString(), "--nnunet-plans",
        DIR.resolve("crop_plans.json").toString(), "--dataset-json", DIR.resolve("crop_dataset.json").toString(),
        "--input", inputs.get(0).toString(), "--input", inputs.get(1).toString(), "--layer", "head",
        "--target", "edge:all", "--save-prediction", "--save-model-grid", "--out", out.toString(), "--no-report",
        "--quiet");
    assertEquals(0, r.exit(), r.toString());
    // what the model saw, as the command writes it: nnU-Net's model input (transposed, cropped, normalised, resampled)
    FloatTensor nnunetInput = Npy.read(DIR.resolve("crop_model_input.npy"));
    int modelVoxels = (int) (nnunetInput.size() / nnunetInput.dim(0));
    double inputErr = 0;
    for (int c = 0; c < 2; c++) {
      FloatTensor seen = VolumeIO.read(out.resolve("model_grid/input_c" + c + ".nii.gz"), Layout.ZYX, 3).tensor();
      assertArrayEquals(java.util.Arrays.copyOfRange(nnunetInput.shape(), 1, 4),
          java.util.Arrays.copyOfRange(seen.shape(), seen.rank() - 3, seen.rank()));
      for (int v = 0; v < modelVoxels; v++) {
        inputErr = Math.max(inputErr, Math.abs(seen.data()[v] - nnunetInput.data()[c * modelVoxels + v]));
      }
    }
    System.out.printf("nnunet CLI (crop): model input (model_grid/) vs nnU-Net's %.2e%n", inputErr);
    assertTrue(inputErr <= 1e-3, "model input max|diff| " + inputErr);
    NnunetPlans plans = NnunetPlans.read(DIR.resolve("crop_plans.json"), "3d_fullres", DIR.resolve("crop_dataset.json"));
    FloatTensor expected = expectedPrediction(plans, inputs, DIR.resolve("crop_model_input.npy"), w);
    FloatTensor prediction = Npy.read(out.resolve("prediction.npy"));
    double err = Tensors.maxAbsDiff(prediction, expected);
    int mismatches = segmentationMismatches(Npy.read(out.resolve("segmentation.npy")).data(), expected);
    // outside the crop's box (scan order z, y, x = transposed y, z, x): zeros, background
    float[] p = prediction.data();
    int voxels = 18 * 24 * 20;
    int outside = 0;
    for (int v = 0; v < voxels; v++) {
      int z = v / (24 * 20);
      int y = (v / 20) % 24;
      int x = v % 20;
      boolean inBox = z >= 3 && z < 16 && y >= 3 && y < 20 && x >= 3 && x < 18;
      if (!inBox) {
        outside++;
        for (int k = 0; k < 3; k++) {
          assertEquals(0f, p[k * voxels + v], "class " + k + " outside the box at " + v);
        }
      }
    }
    System.out.printf("nnunet CLI (crop, 2 channels): prediction on scan %.2e, segmentation mismatches %d, "
        + "%d voxels outside the box%n", err, mismatches, outside);
    assertTrue(outside > 0);
    assertTrue(err <= 1e-3, "prediction on the scan max|diff| " + err);
    assertEquals(0, mismatches);
  }

  @Test
  void badCombinationsExit2() {
    Path plans = DIR.resolve("plans.json");
    Cli.Run r = Cli.run("explain", "--model", signModel.toString(), "--nnunet-plans", plans.toString(), "--normalize",
        "zscore", "--input", DIR.resolve("case_0000.nii.gz").toString(), "--layer", "head", "--target", "1",
        "--out", tmp.resolve("bad1").toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("leave out --normalize"), r.err());
    r = Cli.run("explain", "--model", signModel.toString(), "--nnunet-plans", plans.toString(), "--configuration",
        "2d", "--input", DIR.resolve("case_0000.nii.gz").toString(), "--layer", "head", "--target", "1",
        "--out", tmp.resolve("bad2").toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("no configuration '2d'"), r.err());
    r = Cli.run("explain", "--model", signModel.toString(), "--tta", "0,0", "--input",
        DIR.resolve("case_0000.nii.gz").toString(), "--layer", "head", "--target", "1",
        "--out", tmp.resolve("bad3").toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--tta takes distinct spatial axes"), r.err());
  }
}
