package gradcam3d.window;

import gradcam3d.testing.Fixtures;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The sliding-window reference cases (float64 PyTorch through the stitching), fixtures/sliding. */
final class SlidingFixtures {
  static final Path ROOT = Path.of("src/test/resources/fixtures/sliding");

  private SlidingFixtures() {}

  record Case(Map<String, Object> raw) {
    String name() {
      return (String) raw.get("name");
    }

    Path model() {
      return ROOT.resolve((String) raw.get("model"));
    }

    @SuppressWarnings("unchecked")
    Path input(String key) {
      return ROOT.resolve((String) ((Map<String, Object>) raw.get("input")).get(key));
    }

    String layer() {
      return (String) raw.get("layer");
    }

    int targetClass() {
      return ((Number) raw.get("class")).intValue();
    }

    long[] window() {
      return longs(raw.get("window"));
    }

    double overlap() {
      return ((Number) raw.get("overlap")).doubleValue();
    }

    String blend() {
      return (String) raw.get("blend");
    }

    @SuppressWarnings("unchecked")
    List<long[]> starts() {
      List<long[]> out = new ArrayList<>();
      for (Object o : (List<Object>) raw.get("starts")) {
        out.add(longs(o));
      }
      return out;
    }

    double targetValue() {
      return ((Number) raw.get("target_value")).doubleValue();
    }

    long predictedVoxels() {
      return ((Number) raw.get("predicted_voxels")).longValue();
    }

    @SuppressWarnings("unchecked")
    List<String> methods() {
      return (List<String>) raw.get("methods");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> expected() {
      return (Map<String, Object>) raw.get("expected");
    }

    FloatTensor prediction() {
      return Npy.read(ROOT.resolve((String) expected().get("prediction")));
    }

    @SuppressWarnings("unchecked")
    FloatTensor cam(String method) {
      return Npy.read(ROOT.resolve((String) ((Map<String, Object>) expected().get("cam")).get(method)));
    }

    @SuppressWarnings("unchecked")
    FloatTensor window0(String key) {
      return Npy.read(ROOT.resolve((String) ((Map<String, Object>) expected().get("window0")).get(key)));
    }

    @Override
    public String toString() {
      return name();
    }
  }

  static List<Case> cases() {
    return Fixtures.manifestCases(ROOT).stream().map(Case::new).toList();
  }

  @SuppressWarnings("unchecked")
  private static long[] longs(Object list) {
    return ((List<Object>) list).stream().mapToLong(o -> ((Number) o).longValue()).toArray();
  }
}
