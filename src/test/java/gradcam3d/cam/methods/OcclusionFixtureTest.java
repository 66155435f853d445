package gradcam3d.cam.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.OcclusionGrid;
import gradcam3d.cam.PatchScorer;
import gradcam3d.cam.Request;
import gradcam3d.cam.Target;
import gradcam3d.onnx.ModelIO;
import gradcam3d.report.Json;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Occlusion sensitivity against MONAI 1.3.2's OcclusionSensitivity on the seed U-Net
 * (src/test/resources/methods_next, copied from shared/fixtures/methods_next): the window starts,
 * the Gaussian multiplier and importance map, and the returned map with Gaussian occlusion and
 * with mean_patch, both as MONAI documents it (replaced by the mean: `sensitivity_replace`) and
 * as MONAI 1.3.2 runs it (multiplied by the mean: `sensitivity`). The manifest's rule: the drop
 * T(x) - sensitivity within 1e-3 of max|drop|.
 */
class OcclusionFixtureTest {
  static final Path RESOURCES = Path.of("src/test/resources");
  static final Path ROOT = RESOURCES.resolve("methods_next");
  private static Map<String, Map<String, Object>> cases;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void readManifest() throws Exception {
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(ROOT.resolve("manifest.json")));
    cases = new java.util.HashMap<>();
    for (Object c : (List<Object>) m.get("cases")) {
      Map<String, Object> cm = (Map<String, Object>) c;
      cases.put((String) cm.get("name"), cm);
    }
  }

  @SuppressWarnings("unchecked")
  static FloatTensor expected(String name, String key) {
    Map<String, Object> e = (Map<String, Object>) cases.get(name).get("expected");
    return Npy.read(ROOT.resolve((String) e.get(key)));
  }

  @SuppressWarnings("unchecked")
  static double targetValue(String name) {
    return ((Number) ((Map<String, Object>) cases.get(name).get("target")).get("value")).doubleValue();
  }

  @SuppressWarnings("unchecked")
  static Path file(String name, String key) {
    Object v = cases.get(name).get(key);
    if (v instanceof Map<?, ?> input) {
      v = input.get("npy");
    }
    return RESOURCES.resolve((String) v);
  }

  /** The case's library explanation (windows of 8, overlap 0.5, class 2 where predicted) with {@code mode}. */
  static Explanation explain(String name, OcclusionMode mode, int threads) {
    OcclusionSensitivity m = new OcclusionSensitivity(new long[] {8}, 0.5, mode, null);
    Request req = new Request(List.of(), m, List.of(Target.parse("2")), 0,
        gradcam3d.runtime.Score.LOGITS, false, 8, gradcam3d.cam.Progress.NONE);
    try (Explainer ex = new Explainer(ModelIO.read(file(name, "model")), req, new RuntimeOptions(threads))) {
      return ex.explain(Map.of("input", Npy.read(file(name, "input"))));
    }
  }

  /** max|ours - (T - sensitivity)| / max|T - sensitivity| for the reference sensitivity. */
  static double dropError(FloatTensor ours, double t, FloatTensor referenceSensitivity) {
    float[] r = referenceSensitivity.data();
    float[] o = ours.data();
    assertEquals(r.length, o.length);
    double max = 0;
    double diff = 0;
    for (int i = 0; i < r.length; i++) {
      double drop = t - r[i];
      max = Math.max(max, Math.abs(drop));
      diff = Math.max(diff, Math.abs(o[i] - drop));
    }
    return diff / max;
  }

  @SuppressWarnings("unchecked")
  @Test
  void windowStartsAreMonais() {
    Map<String, Object> params = (Map<String, Object>) cases.get("seed_unet3d__occlusion-gaussian").get("params");
    List<List<Number>> starts = (List<List<Number>>) params.get("window_starts");
    OcclusionGrid g = OcclusionGrid.of(new long[] {24, 40, 32}, new long[] {8, 8, 8}, 0.5);
    for (int a = 0; a < 3; a++) {
      assertArrayEquals(starts.get(a).stream().mapToLong(Number::longValue).toArray(), g.axisStarts().get(a));
    }
    assertEquals(((Number) params.get("n_windows")).intValue(), g.count());
  }

  @Test
  void gaussianMultiplierAndImportanceMapAreMonais() {
    float[] mul = OcclusionMode.gaussianMultiplier(new long[] {8, 8, 8});
    float[] ref = expected("seed_unet3d__occlusion-gaussian", "occlusion_multiplier").data();
    assertEquals(ref.length, mul.length);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], mul[i], 1e-6, "multiplier at " + i);
    }
    float[] imp = OcclusionSensitivity.importance(new long[] {8, 8, 8}, true);
    float[] refImp = expected("seed_unet3d__occlusion-gaussian", "importance_map").data();
    for (int i = 0; i < refImp.length; i++) {
      assertEquals(refImp[i], imp[i], 1e-6 * refImp[i] + 1e-9, "importance at " + i);
    }
    float[] constant = expected("seed_unet3d__occlusion-mean_patch", "importance_map").data();
    assertArrayEquals(constant, OcclusionSensitivity.importance(new long[] {8, 8, 8}, false));
  }

  @Test
  void gaussianOcclusionMatchesMonai() {
    String name = "seed_unet3d__occlusion-gaussian";
    Explanation e = explain(name, OcclusionMode.GAUSSIAN, 2);
    double t = targetValue(name);
    assertEquals(t, e.targetValues().data()[0], 1e-4 * Math.max(1, Math.abs(t)));
    FloatTensor ref = expected(name, "sensitivity");
    double err = dropError(e.attribution().values(), t, ref);
    System.out.println("gaussian drop error " + err);
    assertTrue(err < 1e-3, "drop error " + err);
    // the map: ReLU of the drop, min-max (the CAM contract), within the manifest's 2e-3
    float[] refCam = new float[ref.size()];
    float max = 0;
    for (int i = 0; i < refCam.length; i++) {
      refCam[i] = (float) Math.max(0, t - ref.data()[i]);
      max = Math.max(max, refCam[i]);
    }
    float[] cam = e.cam().data();
    assertEquals(refCam.length, cam.length);
    for (int i = 0; i < cam.length; i++) {
      assertEquals(refCam[i] / max, cam[i], 2e-3, "cam at " + i);
    }
    // attribution + sensitivity = T(x), the same number at every voxel
    float[] a = e.attribution().values().data();
    float[] s = e.attribution().arrays().get("sensitivity").data();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < a.length; i++) {
      lo = Math.min(lo, a[i] + (double) s[i]);
      hi = Math.max(hi, a[i] + (double) s[i]);
    }
    assertEquals(t, lo, 1e-4 * Math.max(1, Math.abs(t)));
    assertTrue(hi - lo < 1e-6, "attribution + sensitivity varies by " + (hi - lo));
  }

  @Test
  void meanPatchReplacesTheWindowAsDocumentedAndMonaiMultiplies() {
    String name = "seed_unet3d__occlusion-mean_patch";
    double t = targetValue(name);
    Explanation documented = explain(name, OcclusionMode.MEAN_PATCH, 2);
    double err = dropError(documented.attribution().values(), t, expected(name, "sensitivity_replace"));
    System.out.println("mean_patch (replace) drop error " + err);
    assertTrue(err < 1e-3, "documented replacement vs sensitivity_replace: " + err);
    double other = dropError(documented.attribution().values(), t, expected(name, "sensitivity"));
    assertTrue(other > 0.05, "the documented map differs from MONAI 1.3.2's: " + other);
    // MONAI 1.3.2 swaps constant_occlusion's (mul, add) = (0, mean): the window times its mean
    OcclusionMode monai = new OcclusionMode() {
      @Override
      public String label() {
        return "mean_patch (MONAI 1.3.2)";
      }

      @Override
      public PatchScorer.Occluder occluder(FloatTensor x, long[] size) {
        return patch -> {
          float mean = (float) OcclusionMode.mean(patch);
          for (int i = 0; i < patch.length; i++) {
            patch[i] *= mean;
          }
        };
      }
    };
    double monaiErr = dropError(explain(name, monai, 2).attribution().values(), t, expected(name, "sensitivity"));
    System.out.println("mean_patch (MONAI multiply) drop error " + monaiErr);
    assertTrue(monaiErr < 1e-3, "MONAI's behaviour vs sensitivity: " + monaiErr);
  }
}
