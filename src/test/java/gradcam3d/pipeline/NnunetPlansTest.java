package gradcam3d.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
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
    double inputError = input.maxAbsDiff(expected);
    FloatTensor logits = Npy.read(DIR.resolve("model_logits.npy"));
    FloatTensor back = grid.toScan(logits.reshape(1, 2, 38, 44, 37));
    FloatTensor onScan = Npy.read(DIR.resolve("logits_on_scan.npy"));
    double logitError = back.reshape(onScan.shape()).maxAbsDiff(onScan);
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
}
