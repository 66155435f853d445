package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.testing.Tensors;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The resampling core against nnU-Net's own functions (src/test/resources/nnunet). */
class NnunetResamplingTest {
  private static final Path DIR = Path.of("src/test/resources/nnunet");

  @Test
  void fixtureSeparateZ() {
    Volume scan = VolumeIO.read(DIR.resolve("case_0000.nii.gz"), Layout.ZYX, 3);
    float[] d = scan.tensor().data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) ((Math.min(Math.max(d[i], -48.0), 212.0) - 61.2) / 58.9);
    }
    double[] spacing = scan.spacing();
    double[] target = {2.5, 1, 1};
    long[] shape = NnunetResampling.newShape(scan.spatialShape(), spacing, target);
    assertArrayEquals(new long[] {38, 44, 37}, shape);
    FloatTensor in = NnunetResampling.resample(new FloatTensor(d, scan.tensor().shape()), shape, spacing, target,
        NnunetResampling.Orders.DATA);
    FloatTensor expected = Npy.read(DIR.resolve("model_input.npy"));
    double err = Tensors.maxAbsDiff(in, expected);
    FloatTensor logits = Npy.read(DIR.resolve("model_logits.npy"));
    FloatTensor back = NnunetResampling.resample(logits, scan.spatialShape(), target, spacing,
        NnunetResampling.Orders.PROBABILITIES);
    double err2 = Tensors.maxAbsDiff(back, Npy.read(DIR.resolve("logits_on_scan.npy")));
    System.out.printf("model input %.3e  logits on scan %.3e%n", err, err2);
    assertTrue(err < 1e-3 && err2 < 1e-3);
  }
}
