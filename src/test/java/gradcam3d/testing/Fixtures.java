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
 * The PyTorch reference cases copied from ../shared/fixtures into src/test/resources/fixtures,
 * and the architecture cases of src/test/resources/architectures (same manifest schema).
 */
public final class Fixtures {
  public static final Path ROOT = Path.of("src/test/resources/fixtures");
  public static final Path ARCHITECTURES = Path.of("src/test/resources/architectures");

  private Fixtures() {}

  /** One manifest case of the manifest in {@code root}. */
  public record Case(Path root, Map<String, Object> raw) {
    public String name() {
      return (String) raw.get("name");
    }

    public Path model() {
      return root.resolve((String) raw.get("model"));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> input() {
      return (Map<String, Object>) raw.get("input");
    }

    public Path inputNpy() {
      return root.resolve((String) input().get("npy"));
    }

    public Path inputNifti() {
      Object n = input().get("nifti");
      return n == null ? null : root.resolve((String) n);
    }

    public Path maskNpy() {
      Object n = input().get("mask_npy");
      return n == null ? null : root.resolve((String) n);
    }

    public Path maskNifti() {
      Object n = input().get("mask_nifti");
      return n == null ? null : root.resolve((String) n);
    }

    public String layer() {
      return (String) raw.get("layer");
    }

    public int layerOutput() {
      return ((Number) raw.get("layer_output")).intValue();
    }

    /** The layer as gradcam3d spells it: module or module@k. */
    public String layerSpec() {
      return layerOutput() == 0 ? layer() : layer() + "@" + layerOutput();
    }

    public int modelOutput() {
      return ((Number) raw.get("model_output")).intValue();
    }

    public String method() {
      return (String) raw.get("method");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> target() {
      return (Map<String, Object>) raw.get("target");
    }

    public boolean isSegmentation() {
      return "segmentation".equals(target().get("kind"));
    }

    /** Class of a segmentation target. */
    public int targetClass() {
      return ((Number) target().get("class")).intValue();
    }

    /** "predicted" or "mask". */
    public String maskKind() {
      return (String) target().get("mask");
    }

    /** Per-sample classes of a classification target. */
    @SuppressWarnings("unchecked")
    public List<Integer> classes() {
      List<Integer> r = new ArrayList<>();
      for (Object o : (List<Object>) target().get("classes")) {
        r.add(((Number) o).intValue());
      }
      return r;
    }

    public Double targetValue() {
      Object v = target().get("value");
      return v == null ? null : ((Number) v).doubleValue();
    }

    @SuppressWarnings("unchecked")
    public FloatTensor expected(String key) {
      Map<String, Object> e = (Map<String, Object>) raw.get("expected");
      Object p = e.get(key);
      return p == null ? null : Npy.read(root.resolve((String) p));
    }

    @Override
    public String toString() {
      return name();
    }
  }

  public static List<Case> cases() {
    return cases(ROOT);
  }

  @SuppressWarnings("unchecked")
  public static List<Case> cases(Path root) {
    try {
      Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(root.resolve("manifest.json")));
      List<Case> out = new ArrayList<>();
      for (Object c : (List<Object>) m.get("cases")) {
        out.add(new Case(root, (Map<String, Object>) c));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cases whose activation/gradient pair is distinct (several methods share one). */
  public static List<Case> gradientCases() {
    return gradientCases(ROOT);
  }

  public static List<Case> gradientCases(Path root) {
    List<Case> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Case c : cases(root)) {
      String key = c.model() + "|" + c.inputNpy() + "|" + c.layerSpec() + "|" + c.modelOutput() + "|"
          + c.target();
      if (c.expected("gradient") != null && seen.add(key)) {
        out.add(c);
      }
    }
    return out;
  }
}
