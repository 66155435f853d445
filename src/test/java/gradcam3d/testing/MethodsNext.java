package gradcam3d.testing;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cases of ../shared/fixtures/methods_next copied into src/test/resources/methods_next (only
 * the files of the methods tested here): expected files relative to the manifest's folder, models
 * and inputs relative to src/test/resources (the manifest's "shared/").
 */
public final class MethodsNext {
  public static final Path ROOT = Path.of("src/test/resources/methods_next");
  private static final Path SHARED = Path.of("src/test/resources");

  private MethodsNext() {}

  /** One case, as the manifest gives it. */
  public record Case(Map<String, Object> raw) {
    public String name() {
      return (String) raw.get("name");
    }

    public String method() {
      return (String) raw.get("method");
    }

    public Path model() {
      return SHARED.resolve((String) raw.get("model"));
    }

    @SuppressWarnings("unchecked")
    public Path inputNpy() {
      return SHARED.resolve((String) ((Map<String, Object>) raw.get("input")).get("npy"));
    }

    @SuppressWarnings("unchecked")
    public Path inputNifti() {
      Object n = ((Map<String, Object>) raw.get("input")).get("nifti");
      return n == null ? null : SHARED.resolve((String) n);
    }

    /** The layers: "layer", or refine-cam's "layers"; none for layer-free methods. */
    @SuppressWarnings("unchecked")
    public List<String> layers() {
      if (raw.get("layers") != null) {
        return (List<String>) raw.get("layers");
      }
      return raw.get("layer") == null ? List.of() : List.of((String) raw.get("layer"));
    }

    /** The one layer (module path), or null for layer-free methods. */
    public String layer() {
      return (String) raw.get("layer");
    }

    public boolean isSegmentation() {
      return "segmentation".equals(target().get("kind"));
    }

    /** Whether the target scores softmax probabilities. */
    public boolean softmax() {
      return "softmax".equals(target().get("variant"));
    }

    public double targetValue() {
      return ((Number) target().get("value")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> params() {
      return (Map<String, Object>) raw.get("params");
    }

    /** A top-level number of the case (relevance_sum, seed_sum, conservation_seed, ...). */
    public double number(String key) {
      return ((Number) raw.get(key)).doubleValue();
    }

    public int modelOutput() {
      return ((Number) raw.get("model_output")).intValue();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> target() {
      return (Map<String, Object>) raw.get("target");
    }

    /** The target as gradcam3d spells it: the class for segmentation, argmax for classifiers. */
    public String targetSpec() {
      return "segmentation".equals(target().get("kind")) ? target().get("class").toString() : "argmax";
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> checks() {
      return (Map<String, Object>) raw.get("checks");
    }

    @SuppressWarnings("unchecked")
    public FloatTensor expected(String key) {
      Object p = ((Map<String, Object>) raw.get("expected")).get(key);
      return p == null ? null : Npy.read(ROOT.resolve((String) p));
    }

    @Override
    public String toString() {
      return name();
    }
  }

  /** The cases of one method. */
  public static List<Case> cases(String method) {
    return cases(Set.of(method));
  }

  /** max |a - b| over every element (same number of elements), in double. */
  public static double maxAbsDiff(FloatTensor a, FloatTensor b) {
    if (a.size() != b.size()) {
      throw new AssertionError("sizes differ: " + a.size() + " vs " + b.size());
    }
    double m = 0;
    for (int i = 0; i < a.size(); i++) {
      m = Math.max(m, Math.abs((double) a.data()[i] - b.data()[i]));
    }
    return m;
  }

  /** The cases of these methods. */
  public static List<Case> cases(Set<String> methods) {
    List<Case> out = new ArrayList<>();
    for (Map<String, Object> c : Fixtures.manifestCases(ROOT)) {
      if (methods.contains((String) c.get("method"))) {
        out.add(new Case(c));
      }
    }
    return out;
  }
}
