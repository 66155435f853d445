package gradcam3d.testing;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The methods_next reference cases (pytorch-grad-cam HEAD, MONAI 1.3.2, zennit 0.5.1 on the shared
 * fixture models), copied from ../shared/fixtures/methods_next into src/test/resources/methods_next
 * (manifest unchanged; models and inputs are the ones in src/test/resources/fixtures).
 */
public final class MethodsNext {
  public static final Path ROOT = Path.of("src/test/resources/methods_next");
  /** The manifest's paths_relative_to ("shared/"): src/test/resources holds fixtures/ as shared/ does. */
  private static final Path SHARED = Path.of("src/test/resources");

  private MethodsNext() {}

  /** One case of the manifest. */
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
      return SHARED.resolve(((Map<String, String>) raw.get("input")).get("npy"));
    }

    @SuppressWarnings("unchecked")
    public Path inputNifti() {
      String n = ((Map<String, String>) raw.get("input")).get("nifti");
      return n == null ? null : SHARED.resolve(n);
    }

    /** The layer as gradcam3d spells it (module path), or null for layer-free methods. */
    public String layer() {
      return (String) raw.get("layer");
    }

    public int modelOutput() {
      return ((Number) raw.get("model_output")).intValue();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> target() {
      return (Map<String, Object>) raw.get("target");
    }

    public boolean isSegmentation() {
      return "segmentation".equals(target().get("kind"));
    }

    /** The --target text: the class inside the predicted mask, or argmax for classifiers. */
    public String targetSpec() {
      return isSegmentation() ? Integer.toString(((Number) target().get("class")).intValue()) : "argmax";
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

    public double number(String key) {
      return ((Number) raw.get(key)).doubleValue();
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
  @SuppressWarnings("unchecked")
  public static List<Case> cases(String method) {
    try {
      Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(ROOT.resolve("manifest.json")));
      List<Case> out = new ArrayList<>();
      for (Object c : (List<Object>) m.get("cases")) {
        Case k = new Case((Map<String, Object>) c);
        if (k.method().equals(method)) {
          out.add(k);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** max |a - b| over every element (same number of elements). */
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
}
