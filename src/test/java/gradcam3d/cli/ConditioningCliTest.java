package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Conditioning;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conditioning warning on the nnU-Net-like fixture: a convolution whose only consumer is
 * InstanceNorm has gradient channel means that vanish (up to rounding), a LeakyReLU stage output
 * does not.
 */
class ConditioningCliTest {
  private static final String MODEL = "src/test/resources/fixtures/models/nnunet_like3d.onnx";
  private static final String INPUT = "src/test/resources/fixtures/inputs/nnunet_like3d.npy";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> explain(Path out, String layer, String method) throws Exception {
    Cli.Run r = Cli.run("explain", "--model", MODEL, "--input", INPUT, "--layer", layer, "--method", method,
        "--target", "1", "--threads", "1", "--no-pictures", "--out", out.toString());
    assertEquals(0, r.exit(), r.toString());
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    s.put("console", r.out());
    return s;
  }

  @Test
  void layerFeedingInstanceNormIsFlagged(@TempDir Path tmp) throws Exception {
    Map<String, Object> s = explain(tmp.resolve("a"), "encoder.0.0.conv", "gradcam");
    assertEquals(Boolean.TRUE, s.get("weights_ill_conditioned"), s.toString());
    assertEquals(Conditioning.ADVICE, s.get("advice"));
    assertTrue(((String) s.get("console")).contains("warning  " + Conditioning.ADVICE), (String) s.get("console"));
  }

  @Test
  void stageOutputIsNotFlagged(@TempDir Path tmp) throws Exception {
    Map<String, Object> s = explain(tmp.resolve("b"), "encoder.2", "gradcam");
    assertEquals(Boolean.FALSE, s.get("weights_ill_conditioned"), s.toString());
    assertFalse(s.containsKey("advice"));
    assertFalse(((String) s.get("console")).contains("warning"));
  }

  @Test
  void perturbationMethodsHaveNoFlag(@TempDir Path tmp) throws Exception {
    assertFalse(explain(tmp.resolve("c"), "encoder.2", "scorecam").containsKey("weights_ill_conditioned"));
  }

  /** The rule itself: one channel with a mean above 1e-4 of its mean |G| is enough; all-zero is not noise. */
  @Test
  void ruleOnChannelMeans() {
    long[] s = {1, 2, 1};
    assertTrue(Conditioning.illConditioned(new FloatTensor(new float[] {1e-9f, -2e-9f}, s),
        new FloatTensor(new float[] {1f, 1f}, s)));
    assertFalse(Conditioning.illConditioned(new FloatTensor(new float[] {1e-9f, 2e-4f}, s),
        new FloatTensor(new float[] {1f, 1f}, s)));
    assertFalse(Conditioning.illConditioned(new FloatTensor(new float[] {0f, 0f}, s),
        new FloatTensor(new float[] {0f, 0f}, s)));
  }
}
