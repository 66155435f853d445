package gradcam3d.autodiff;

import static gradcam3d.onnx.Attributes.of;

import gradcam3d.testing.GradCheck;
import gradcam3d.testing.OpGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeGradTest {
  @Test
  void conv3dRelu() {
    OpGraph g = new OpGraph(17, 1);
    String x = g.input("x", 1, 2, 5, 6, 4);
    String w = g.constant(3, 2, 3, 3, 3);
    String y = g.node("Conv", List.of(x, w), of("pads", new long[] {1, 1, 1, 1, 1, 1}));
    g.output(y);
    GradCheck.assertMatches(g, 1e-3);
  }
}
