package gradcam3d.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Tensors;
import gradcam3d.OptionValueException;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NonzeroCrop;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nnU-Net v2's preprocessing and map back, read from a plans.json, against nnU-Net's own functions
 * (src/test/resources/nnunet, the shared fixture): CTNormalization then resample_data_or_seg_to_shape
 * with a separately resampled z (3.2 / 0.78 > 3), logits back with order 1 / order_z 0.
 */
class NnunetPlansTest {
  private static final Path DIR = Path.of("src/test/resources/nnunet");

  @Test
  void fixtureModelInputAndLogitsOnScanAreNnunets() {
    NnunetPlans plans = NnunetPlans.read(DIR.resolve("plans.json"), "3d_fullres", null);
    assertArrayEquals(new long[] {32, 48, 48}, plans.patchSize());
    assertEquals(1, plans.labelIndex("lesion"));
    Volume scan = VolumeIO.read(DIR.resolve("case_0000.nii.gz"), Layout.ZYX, 3);
    GridMapping grid = plans.preprocessing().grid().apply(scan);
    FloatTensor input = grid.model().tensor();
    FloatTensor expected = Npy.read(DIR.resolve("model_input.npy"));
    assertArrayEquals(expected.shape(), input.shape());
    double inputError = Tensors.maxAbsDiff(input, expected);
    FloatTensor logits = Npy.read(DIR.resolve("model_logits.npy"));
    FloatTensor back = grid.toScan(logits.reshape(1, 2, 38, 44, 37));
    FloatTensor onScan = Npy.read(DIR.resolve("logits_on_scan.npy"));
    double logitError = Tensors.maxAbsDiff(back.reshape(onScan.shape()), onScan);
    FloatTensor seg = ScanGrid.argmaxOnScan(logits.reshape(1, 2, 38, 44, 37), grid, new long[] {38, 44, 37});
    float[] ref = Npy.read(DIR.resolve("segmentation_on_scan.npy")).data();
    int differ = 0;
    for (int v = 0; v < ref.length; v++) {
      if (seg.data()[v] != ref[v]) {
        // only where the two logits tie within float rounding
        float gap = Math.abs(onScan.data()[v] - onScan.data()[ref.length + v]);
        assertTrue(gap < 1e-5f, "voxel " + v + " differs with a logit gap of " + gap);
        differ++;
      }
    }
    System.out.printf("nnunet fixture: model input %.2e  logits on scan %.2e  segmentation differs at %d%n",
        inputError, logitError, differ);
    assertTrue(inputError <= 1e-3, "model input max|diff| " + inputError);
    assertTrue(logitError <= 1e-3, "logits on scan max|diff| " + logitError);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> crop() throws Exception {
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("cases.json")));
    return (Map<String, Object>) ((Map<String, Object>) m.get("cases")).get("crop");
  }

  /**
   * tools/make_nnunet_cases.py's crop case: transpose_forward [1, 0, 2], crop_to_nonzero of a scan
   * with a zero border and an enclosed hole, ZScoreNormalization inside the filled mask and
   * RescaleTo01Normalization, resampling without a separate axis; the way back pasted into the box.
   */
  @Test
  @SuppressWarnings("unchecked")
  void cropCaseIsNnunets() throws Exception {
    Map<String, Object> c = crop();
    NnunetPlans plans = NnunetPlans.read(DIR.resolve("crop_plans.json"), "3d_fullres", DIR.resolve("crop_dataset.json"));
    assertEquals(List.of("T1", "T2"), plans.channelNames());
    assertEquals(2, plans.labelIndex("edge"));
    List<Path> inputs = ((List<String>) c.get("inputs")).stream().map(DIR::resolve).toList();
    Volume scan = VolumeIO.read(inputs, Layout.ZYX, 3);
    GridMapping grid = plans.preprocessing().grid().apply(scan);
    // the box nnU-Net's crop_to_nonzero found, in the transposed order
    List<List<Number>> bbox = (List<List<Number>>) c.get("bbox_transposed");
    Map<String, Object> cropStep = grid.describe().get(1);
    assertEquals("crop_to_nonzero", cropStep.get("step"));
    for (int a = 0; a < 3; a++) {
      assertEquals(bbox.get(a).get(0).longValue(), ((long[]) cropStep.get("box_start"))[a], "box start " + a);
      assertEquals(bbox.get(a).get(1).longValue(), ((long[]) cropStep.get("box_end"))[a], "box end " + a);
    }
    FloatTensor expected = Npy.read(DIR.resolve((String) c.get("model_input")));
    FloatTensor input = grid.model().tensor();
    assertArrayEquals(expected.shape(), input.shape());
    double inputError = Tensors.maxAbsDiff(input, expected);
    FloatTensor logits = Npy.read(DIR.resolve((String) c.get("logits")));
    long[] modelShape = grid.model().spatialShape();
    FloatTensor batch = logits.reshape(1, 3, modelShape[0], modelShape[1], modelShape[2]);
    FloatTensor back = grid.toScan(batch);
    FloatTensor onScan = Npy.read(DIR.resolve((String) c.get("logits_on_scan")));
    double logitError = Tensors.maxAbsDiff(back.reshape(onScan.shape()), onScan);
    float[] seg = ScanGrid.argmaxOnScan(batch, grid, modelShape).data();
    float[] ref = Npy.read(DIR.resolve((String) c.get("segmentation_on_scan"))).data();
    int differ = 0;
    for (int v = 0; v < ref.length; v++) {
      differ += seg[v] != ref[v] ? 1 : 0;
    }
    System.out.printf("nnunet crop case: model input %.2e  logits on scan %.2e  segmentation differs at %d%n",
        inputError, logitError, differ);
    assertTrue(inputError <= 1e-3, "model input max|diff| " + inputError);
    assertTrue(logitError <= 1e-3, "logits on scan max|diff| " + logitError);
    assertEquals(0, differ, "segmentation voxels that differ");
  }

  @Test
  void filledMaskHoldsTheEnclosedHoleAndNotTheBorder() {
    // 1 on a 5x5x5 shell around a zero centre, zeros around it: the centre is a hole, the border is not
    float[] d = new float[7 * 7 * 7];
    for (int z = 1; z < 6; z++) {
      for (int y = 1; y < 6; y++) {
        for (int x = 1; x < 6; x++) {
          boolean centre = z == 3 && y == 3 && x == 3;
          d[(z * 7 + y) * 7 + x] = centre ? 0 : 1;
        }
      }
    }
    FloatTensor t = new FloatTensor(d, 1, 7, 7, 7);
    NonzeroCrop box = NonzeroCrop.of(t);
    assertArrayEquals(new long[] {1, 1, 1}, box.start());
    assertArrayEquals(new long[] {6, 6, 6}, box.end());
    boolean[] mask = NonzeroCrop.filledMask(box.crop(t));
    int inside = 0;
    for (boolean b : mask) {
      inside += b ? 1 : 0;
    }
    assertEquals(125, inside, "the shell and its hole");
    boolean[] whole = NonzeroCrop.filledMask(t);
    assertTrue(whole[(3 * 7 + 3) * 7 + 3] && !whole[0], "hole filled, border zeros outside");
  }

  @Test
  void inheritedConfigurationAndBadPlansAreHandled() throws Exception {
    NnunetPlans inherited = NnunetPlans.read(DIR.resolve("crop_plans.json"), "3d_inherited",
        DIR.resolve("crop_dataset.json"));
    assertArrayEquals(new long[] {8, 16, 16}, inherited.patchSize());
    String m = org.junit.jupiter.api.Assertions.assertThrows(OptionValueException.class,
        () -> NnunetPlans.read(DIR.resolve("crop_plans.json"), "2d", null)).getMessage();
    assertTrue(m.contains("no configuration '2d'") && m.contains("3d_fullres"), m);
  }

  /**
   * Each broken plans.json or dataset.json gets one specific exit-2 error naming the file and
   * what is wrong (made from the fixture by one change each).
   */
  @Test
  void badPlansAndDatasetFilesAreRefusedByName(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    String plans = Files.readString(DIR.resolve("plans.json"));
    String dataset = Files.readString(DIR.resolve("dataset.json"));
    Map<String, String[]> cases = new java.util.LinkedHashMap<>();
    // name -> {plans text, dataset text, expected fragment}
    cases.put("not json", new String[] {plans.substring(0, 200), dataset, "is not valid JSON"});
    cases.put("no configurations", new String[] {plans.replace("\"configurations\"", "\"configs\""), dataset,
        "no 'configurations' object"});
    cases.put("unknown scheme", new String[] {plans.replace("\"CTNormalization\"", "\"MyNormalization\""), dataset,
        "MyNormalization"});
    cases.put("no CT properties", new String[] {plans.replace("\"percentile_99_5\"", "\"p99\""), dataset,
        "percentile_99_5"});
    cases.put("transposes", new String[] {plans.replaceFirst("\"transpose_forward\": \\[\\s*0,\\s*1,\\s*2",
        "\"transpose_forward\": [1, 0, 2"), dataset, "does not undo"});
    cases.put("spline order", new String[] {plans.replaceFirst("\"order\": 3", "\"order\": 2"), dataset,
        "resampling order 2"});
    cases.put("mask list", new String[] {plans.replace("\"use_mask_for_norm\": [\n    false\n   ]",
        "\"use_mask_for_norm\": []"), dataset, "use_mask_for_norm"});
    cases.put("cascade", new String[] {plans.replace("\"batch_dice\": true", "\"batch_dice\": true, "
        + "\"previous_stage\": \"3d_lowres\""), dataset, "cascade stage"});
    cases.put("channels", new String[] {plans, dataset.replace("\"0\": \"CT\"", "\"0\": \"CT\", \"1\": \"PET\""),
        "dataset.json names 2 channels but the plans normalise 1"});
    cases.put("regions", new String[] {plans, dataset.replace("\"lesion\": 1", "\"lesion\": [1, 2]"),
        "region-based"});
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      String[] v = c.getValue();
      assertTrue(!v[0].equals(plans) || !v[1].equals(dataset), c.getKey() + ": the change did not apply");
      Path dir = Files.createDirectories(tmp.resolve(c.getKey().replace(' ', '_')));
      Path p = Files.writeString(dir.resolve("plans.json"), v[0]);
      Path d = Files.writeString(dir.resolve("dataset.json"), v[1]);
      String m = org.junit.jupiter.api.Assertions.assertThrows(OptionValueException.class,
          () -> NnunetPlans.read(p, "3d_fullres", d), c.getKey()).getMessage();
      assertTrue(m.contains(v[2]) && !m.contains("\n"), c.getKey() + ": " + m);
    }
  }
}
