package gradcam3d.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.methods.OcclusionSensitivity;
import gradcam3d.pipeline.Settings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The job takes occlusion's options as `explain` does (its outputs come from the same pipeline and
 * writers, which the core module's OcclusionCliTest checks through batch); no Spark session needed.
 */
class OcclusionOptionsTest {
  @Test
  void theJobBuildsTheOcclusionMethodFromItsOptions() {
    Settings s = CohortJob.Options.parse(List.of("--cases", "cases.csv", "--out", "out", "--model", "m.onnx",
        "--method", "occlusion", "--occlusion-size", "8,12,4", "--occlusion-mode", "mean_patch",
        "--occlusion-budget", "50", "--batch-size", "4")).settings();
    assertTrue(s.method() instanceof OcclusionSensitivity, s.method().toString());
    OcclusionSensitivity m = (OcclusionSensitivity) s.method();
    assertArrayEquals(new long[] {8, 12, 4}, m.size());
    assertEquals("mean_patch", m.mode().label());
    assertEquals(50L, m.budget());
    assertNull(m.overlap());
    assertEquals(4, s.batchSize());
    assertTrue(s.layers().isEmpty());
  }
}
