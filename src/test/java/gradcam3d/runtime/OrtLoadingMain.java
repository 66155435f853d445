package gradcam3d.runtime;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.OpGraph;
import java.util.List;

/**
 * Loads ONNX Runtime in a fresh JVM for {@link NativeLibrariesTest}: "wait" then blocks to be
 * killed; "huge" runs a graph whose output cannot be allocated and prints the error it gets.
 */
public final class OrtLoadingMain {
  private OrtLoadingMain() {}

  public static void main(String[] args) throws InterruptedException {
    OrtProgram.environment();
    System.out.println("loaded from " + System.getProperty("onnxruntime.native.path"));
    System.out.flush();
    String mode = args.length > 0 ? args[0] : "";
    if (mode.equals("wait")) {
      Thread.sleep(60_000);
    } else if (mode.equals("huge")) {
      OpGraph g = new OpGraph(17, 1);
      String x = g.input("x", FloatTensor.zeros(1));
      g.output(g.node("Expand", List.of(x, g.ints(1L << 40))));
      try (OrtProgram p = OrtProgram.create(g.model(), new RuntimeOptions(1), "the huge graph")) {
        p.run(g.inputs(), List.of());
        System.out.println("ran");
      } catch (Gradcam3dException e) {
        System.out.println("error: " + e.getMessage());
      }
    }
  }
}
