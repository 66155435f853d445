package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.MethodsNext;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The methods_next cases of fem, kpca-cam, seg-eigen-cam, finer-cam, fullgrad and refine-cam
 * through the real command line: cam.npy against pytorch-grad-cam's final map (2e-3).
 */
class MethodsNextCliTest {
  static Stream<MethodsNext.Case> cases() {
    return MethodsNext.cases(Set.of("fem", "kpca-cam", "seg-eigen-cam", "finer-cam", "fullgrad", "refine-cam"))
        .stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void camMatchesPytorch(MethodsNext.Case c, @TempDir Path tmp) {
    Path out = tmp.resolve("out");
    List<String> args = new ArrayList<>(List.of("explain", "--model", c.model().toString(), "--input",
        c.inputNpy().toString(), "--method", c.method(), "--model-output", Integer.toString(c.modelOutput()),
        "--threads", "2", "--no-pictures", "--no-report", "--quiet", "--out", out.toString()));
    for (String l : c.layers()) {
      args.addAll(List.of("--layer", l));
    }
    if (!c.targetSpec().equals("argmax")) {
      args.addAll(List.of("--target", c.targetSpec()));
    }
    Cli.Run r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    FloatTensor cam = Npy.read(out.resolve("cam.npy"));
    double err = maxAbsDiff(cam, c.expected("cam"));
    assertTrue(err <= 2e-3, c + ": cam max|diff| " + err);
  }
}
