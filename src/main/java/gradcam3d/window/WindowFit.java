package gradcam3d.window;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
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
      throw new OptionValueException(Setting.WINDOW, Setting.WINDOW.label()
          + " auto needs a model with a fixed input size, but this model's input is "
          + Shapes.format(declared) + "; give the window as " + Setting.WINDOW.label() + " Z,Y,X");
    }
    return spatial;
  }

  /** Fails with a one-line message unless the model takes windows of this size. */
  public static void check(ModelProto model, long[] window, long channels) {
    long[] declared = declared(model);
    long[] spatial = Arrays.copyOfRange(declared, 2, declared.length);
    if (spatial.length != window.length) {
      throw new OptionValueException(Setting.WINDOW, Setting.WINDOW.label() + " " + join(window) + " has "
          + window.length + " sizes but the model "
          + "takes " + spatial.length + " spatial axes (input " + Shapes.format(declared) + ")");
    }
    for (int a = 0; a < spatial.length; a++) {
      if (spatial[a] > 0 && spatial[a] != window[a]) {
        throw new OptionValueException(Setting.WINDOW, Setting.WINDOW.label() + " " + join(window)
            + " does not fit this model: its input is fixed at "
            + Shapes.format(declared) + "; use " + Setting.WINDOW.label() + " " + join(spatial) + " or "
            + Setting.WINDOW.label() + " auto");
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
        throw new OptionValueException(Setting.WINDOW, Setting.WINDOW.label() + " " + join(window)
            + " is not a multiple of " + stride
            + ", the network's total stride, along every axis: use multiples of " + stride + ", e.g. "
            + Setting.WINDOW.label() + " "
            + join(down) + " or " + join(up));
      }
    }
    throw new OptionValueException("the model cannot take windows of " + join(window));
  }

  /**
   * The window a scan of {@code spatial} is explained with: for a model whose input size is not
   * fixed, each axis of the window that is longer than the scan shrinks to the scan's length
   * rounded up to the network's stride (the smallest length the model takes that covers the
   * scan): a longer window only pads, to the same result, and a window of 256^3 or 4096^3 on a
   * small scan would otherwise take minutes and gigabytes, or more memory than there is. A fixed
   * model's window, and a window that fits the scan, are returned as they are.
   */
  public static long[] clamped(ModelProto model, long[] window, long[] spatial, long channels) {
    if (window.length != spatial.length) {
      return window;
    }
    long[] declared = declared(model);
    long[] fixed = Arrays.copyOfRange(declared, 2, declared.length);
    boolean longer = false;
    for (int a = 0; a < window.length; a++) {
      longer |= window[a] > spatial[a] && (a >= fixed.length || fixed[a] <= 0);
    }
    if (!longer) {
      return window;
    }
    Graph g = Graph.fromModel(model);
    for (long stride = 1; stride <= 256; stride *= 2) {
      long[] c = window.clone();
      for (int a = 0; a < c.length; a++) {
        if (c[a] > spatial[a] && (a >= fixed.length || fixed[a] <= 0)) {
          c[a] = Math.min(window[a], (spatial[a] + stride - 1) / stride * stride);
        }
      }
      if (accepts(g, c, channels)) {
        return c;
      }
    }
    return window; // no smaller window fits: check() says why the asked one does not
  }

  /**
   * Bytes a sliding-window explanation needs, estimated before anything is allocated: every
   * tensor of one run of the model on a batch of windows, three times (the forward program, and
   * the backward program's activations and gradients), per lane (two with two or more threads),
   * plus the arrays the size of the scan (input channels, the blend of the classes, a sum per
   * layer, the segmentation and the target region).
   */
  public static long estimatedBytes(ModelProto model, long[] window, long channels, int windowBatch, long[] spatial,
      long classes, int layers) {
    Graph g = Graph.fromModel(model);
    double perRun = 0;
    try {
      Specialization sp = Specialization.of(g, Map.of(g.inputNames().get(0),
          Shapes.concat(new long[] {windowBatch, channels}, window)));
      for (gradcam3d.graph.TensorInfo t : sp.info().values()) {
        if (t.hasKnownShape()) {
          double n = 1;
          for (long d : t.shape()) {
            n *= d;
          }
          perRun += n * Float.BYTES;
        }
      }
    } catch (Gradcam3dException e) {
      return 0; // shapes the model does not take: check() says so
    }
    double voxels = 1;
    for (long d : spatial) {
      voxels *= d;
    }
    double scanArrays = voxels * Float.BYTES * (channels + classes + layers + 2);
    double total = 3 * perRun * 2 + scanArrays;
    return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total;
  }

  /** Refuses (a bad --window or --window-batch, exit 2) a plan whose {@link #estimatedBytes} pass {@code budget}. */
  public static void checkMemory(ModelProto model, long[] window, long channels, int windowBatch, long[] spatial,
      long classes, int layers, long budget) {
    long need = estimatedBytes(model, window, channels, windowBatch, spatial, classes, layers);
    if (budget > 0 && need > budget) {
      throw new OptionValueException(Setting.WINDOW, String.format(java.util.Locale.ROOT, Setting.WINDOW.label()
          + " %s with " + Setting.WINDOW_BATCH.label() + " %d "
          + "needs about %.1f GB for this scan (the windows' runs and the scan-sized arrays), more than the %.1f GB "
          + "available (half of this machine's memory); use a smaller " + Setting.WINDOW.label() + " or "
          + Setting.WINDOW_BATCH.label(), join(window),
          windowBatch, need / 1e9, budget / 1e9));
    }
  }

  /** Half of this machine's memory (as the perturbation methods' estimate), or 0 when unknown. */
  public static long memoryBudget() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() / 2 : 0;
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
