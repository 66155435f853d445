package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.graph.Graph;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Map;

/** Whether a window fits a model: its fixed input size, its total stride, `--window auto`. */
public final class WindowFit {
  private WindowFit() {}

  /** The window of a model whose input has a fixed spatial size. */
  public static long[] auto(ModelProto model) {
    long[] declared = declared(model);
    long[] spatial = Arrays.copyOfRange(declared, 2, declared.length);
    if (!Shapes.isKnown(spatial)) {
      throw new OptionValueException("--window auto needs a model with a fixed input size, but this model's input is "
          + Shapes.format(declared) + "; give the window as --window Z,Y,X");
    }
    return spatial;
  }

  /** Fails with a one-line message unless the model takes windows of this size. */
  public static void check(ModelProto model, long[] window, long channels) {
    long[] declared = declared(model);
    long[] spatial = Arrays.copyOfRange(declared, 2, declared.length);
    if (spatial.length != window.length) {
      throw new OptionValueException("--window " + join(window) + " has " + window.length + " sizes but the model "
          + "takes " + spatial.length + " spatial axes (input " + Shapes.format(declared) + ")");
    }
    for (int a = 0; a < spatial.length; a++) {
      if (spatial[a] > 0 && spatial[a] != window[a]) {
        throw new OptionValueException("--window " + join(window) + " does not fit this model: its input is fixed at "
            + Shapes.format(declared) + "; use --window " + join(spatial) + " or --window auto");
      }
    }
    Graph g = Graph.fromModel(model);
    if (accepts(g, window, channels)) {
      return;
    }
    for (long stride = 2; stride <= 256; stride *= 2) {
      long[] down = new long[window.length];
      long[] up = new long[window.length];
      for (int a = 0; a < window.length; a++) {
        down[a] = Math.max(stride, window[a] / stride * stride);
        up[a] = (window[a] + stride - 1) / stride * stride;
      }
      if (accepts(g, up, channels)) {
        throw new OptionValueException("--window " + join(window) + " is not a multiple of " + stride
            + ", the network's total stride, along every axis: use multiples of " + stride + ", e.g. --window "
            + join(down) + " or " + join(up));
      }
    }
    throw new OptionValueException("the model cannot take windows of " + join(window));
  }

  /** Whether the model's output grid equals the input grid for this window. */
  private static boolean accepts(Graph g, long[] window, long channels) {
    try {
      Specialization sp = Specialization.of(g, Map.of(g.inputNames().get(0),
          Shapes.concat(new long[] {1, channels}, window)));
      long[] out = sp.info().get(sp.graph().outputNames().get(0)).shape();
      return out.length == window.length + 2 && Arrays.equals(Arrays.copyOfRange(out, 2, out.length), window);
    } catch (Gradcam3dException e) {
      return false;
    }
  }

  private static long[] declared(ModelProto model) {
    Graph g = Graph.fromModel(model);
    long[] d = Graph.declaredShape(g.inputs().get(0));
    if (d == null || d.length < 3) {
      throw new OptionValueException("sliding windows need a model input [batch, channels, spatial...], not "
          + Shapes.format(d));
    }
    return d;
  }

  static String join(long[] v) {
    return String.join(",", Arrays.stream(v).mapToObj(Long::toString).toList());
  }
}
