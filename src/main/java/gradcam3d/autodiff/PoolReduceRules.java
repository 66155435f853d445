package gradcam3d.autodiff;

import gradcam3d.graph.ConvGeometry;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.ShapeInference;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Pooling and reductions. */
final class PoolReduceRules {
  private PoolReduceRules() {}

  static void register(Map<String, VjpRule> t) {
    t.put("MaxPool", PoolReduceRules::maxPool);
    t.put("AveragePool", PoolReduceRules::averagePool);
    t.put("GlobalAveragePool", c -> {
      GraphBuilder b = c.b();
      long[] xs = c.shape(c.x(0));
      long voxels = Shapes.numel(Arrays.copyOfRange(xs, 2, xs.length));
      c.grad(0, b.expand(b.mul(c.dy(), b.scalarLike(1.0 / voxels, c.dy())), xs));
    });
    t.put("GlobalMaxPool", c -> extremum(c, GraphBuilder.range(2, c.rank(c.x(0)))));
    t.put("ReduceSum", c -> c.grad(0, spread(c, reducedAxes(c))));
    t.put("ReduceMean", c -> {
      long[] axes = reducedAxes(c);
      long[] xs = c.shape(c.x(0));
      long count = 1;
      for (long a : axes) {
        count *= xs[(int) a];
      }
      GraphBuilder b = c.b();
      c.grad(0, b.mul(spread(c, axes), b.scalarLike(1.0 / count, c.dy())));
    });
    t.put("ReduceMax", c -> extremum(c, reducedAxes(c)));
    t.put("ReduceMin", c -> extremum(c, reducedAxes(c)));
    t.put("ReduceSumSquare", c -> {
      GraphBuilder b = c.b();
      c.grad(0, b.mul(spread(c, reducedAxes(c)), b.mul(c.x(0), b.scalarLike(2, c.x(0)))));
    });
    t.put("ReduceL1", c -> c.grad(0, c.b().mul(spread(c, reducedAxes(c)), c.b().op("Sign", c.x(0)))));
    t.put("ReduceL2", c -> {
      GraphBuilder b = c.b();
      long[] axes = reducedAxes(c);
      String y = keptView(c, c.y(0), axes);
      String zero = b.op("Equal", y, b.scalarLike(0, y));
      String safe = b.where(zero, b.scalarLike(1, y), y);
      c.grad(0, b.mul(spread(c, axes), b.div(c.x(0), safe)));
    });
    t.put("ReduceLogSumExp", c -> {
      GraphBuilder b = c.b();
      long[] axes = reducedAxes(c);
      String y = keptView(c, c.y(0), axes);
      c.grad(0, b.mul(spread(c, axes), b.op("Exp", b.sub(c.x(0), y))));
    });
    t.put("ReduceLogSum", c -> {
      GraphBuilder b = c.b();
      long[] axes = reducedAxes(c);
      String y = keptView(c, c.y(0), axes);
      c.grad(0, b.div(spread(c, axes), b.expand(b.op("Exp", y), c.shape(c.x(0)))));
    });
  }

  /** The axes a Reduce node reduces (attribute or input, depending on opset). */
  static long[] reducedAxes(VjpContext c) {
    Node n = c.node();
    int r = c.rank(c.x(0));
    boolean asInput = c.opset() >= 18 || (n.opType().equals("ReduceSum") && c.opset() >= 13);
    long[] axes;
    if (asInput) {
      axes = n.input(1).isEmpty() ? null : c.value(n.input(1)).longs();
    } else {
      axes = n.attrInts("axes");
    }
    boolean[] red = ShapeInference.reducedAxes(r, axes, n.attrInt("noop_with_empty_axes", 0) != 0);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < r; i++) {
      if (red[i]) {
        out.add((long) i);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** A reduced tensor (dY or Y) reshaped to keepdims form. */
  private static String keptView(VjpContext c, String t, long[] axes) {
    long[] kept = c.shape(c.x(0));
    for (long a : axes) {
      kept[(int) a] = 1;
    }
    return c.b().reshape(t, kept);
  }

  /** dY broadcast back over the reduced axes to X's shape. */
  private static String spread(VjpContext c, long[] axes) {
    return c.b().expand(keptView(c, c.dy(), axes), c.shape(c.x(0)));
  }

  /** Max/Min reductions: dY split evenly between the tied extreme elements (PyTorch's amax). */
  private static void extremum(VjpContext c, long[] axes) {
    GraphBuilder b = c.b();
    String x = c.x(0);
    String y = b.expand(keptView(c, c.y(0), axes), c.shape(x));
    String mask = b.cast(b.op("Equal", x, y), b.type(x));
    String count = b.reduceSum(mask, axes, true);
    String share = b.div(keptView(c, c.dy(), axes), count);
    c.grad(0, b.mul(mask, b.expand(share, c.shape(x))));
  }

  /**
   * MaxPool: the forward node also returns its argmax Indices (flat offsets into the whole
   * input), and dY is scatter-added there. ScatterElements with reduction=add is the adjoint even
   * for overlapping windows, where MaxUnpool would overwrite.
   */
  private static void maxPool(VjpContext c) {
    GraphBuilder b = c.b();
    Node n = c.node();
    if (n.attrInt("storage_order", 0) != 0) {
      throw c.unsupported("column-major storage_order is not supported");
    }
    String indices = n.output(1);
    if (indices.isEmpty()) {
      indices = b.fresh("maxpool_indices");
      c.replaceForward(n.withOutputs(List.of(n.output(0), indices)));
    }
    long[] xs = c.shape(c.x(0));
    long total = Shapes.numel(xs);
    String flatIdx = b.reshape(indices, -1);
    String flatDy = b.reshape(c.dy(), -1);
    String dx;
    if (c.opset() >= 16) {
      String zeros = b.expand(b.scalarLike(0, c.dy()), total);
      dx = b.op("ScatterElements", List.of(zeros, flatIdx, flatDy), Attributes.of("axis", 0L),
          Attributes.of("reduction", "add"));
    } else {
      ConvGeometry g = ConvGeometry.forward(n, Arrays.copyOfRange(xs, 2, xs.length), null);
      for (int i = 0; i < g.rank(); i++) {
        if ((g.kernel[i] - 1) * g.dilations[i] + 1 > g.strides[i]) {
          throw c.unsupported("overlapping max pooling needs ScatterElements with reduction=add, "
              + "which needs opset 16 or newer (the model has opset " + c.opset() + ")");
        }
      }
      // non-overlapping windows: every input element is the max of at most one window
      String zeros = b.expand(b.scalarLike(0, c.dy()), total);
      dx = b.op("ScatterElements", List.of(zeros, flatIdx, flatDy), Attributes.of("axis", 0L));
    }
    c.grad(0, b.reshape(dx, xs));
  }

  /**
   * AveragePool: dY divided by each window's divisor, then spread over the window with a
   * depthwise ConvTranspose of ones (computed on the padded grid, then cropped to the input).
   */
  private static void averagePool(VjpContext c) {
    GraphBuilder b = c.b();
    Node n = c.node();
    long[] xs = c.shape(c.x(0));
    long[] ys = c.shape(c.y(0));
    int r = xs.length - 2;
    long[] inSp = Arrays.copyOfRange(xs, 2, xs.length);
    long[] outSp = Arrays.copyOfRange(ys, 2, ys.length);
    ConvGeometry g = ConvGeometry.forward(n, inSp, null);
    boolean includePad = n.attrInt("count_include_pad", 0) != 0;
    // per-axis divisor factors: the window clipped to the padded extent (count_include_pad) or to
    // the real input; the divisor of a window is their product
    double[][] per = new double[r][];
    boolean uniform = true;
    for (int a = 0; a < r; a++) {
      per[a] = new double[(int) outSp[a]];
      for (int o = 0; o < outSp[a]; o++) {
        long start = o * g.strides[a] - g.padBegin[a];
        long count = 0;
        for (long k = 0; k < g.kernel[a]; k++) {
          long pos = start + k * g.dilations[a];
          boolean inside = includePad ? pos < inSp[a] + g.padEnd[a] : pos >= 0 && pos < inSp[a];
          count += inside ? 1 : 0;
        }
        per[a][o] = count;
        uniform &= count == per[0][0];
      }
    }
    String scaled;
    if (uniform) {
      double div = 1;
      for (int a = 0; a < r; a++) {
        div *= per[a][0];
      }
      scaled = b.mul(c.dy(), b.scalarLike(1.0 / div, c.dy()));
    } else {
      int total = (int) Shapes.numel(outSp);
      float[] inv = new float[total];
      long[] str = Shapes.strides(outSp);
      for (int i = 0; i < total; i++) {
        double d = 1;
        for (int a = 0; a < r; a++) {
          d *= per[a][(int) ((i / str[a]) % outSp[a])];
        }
        inv[i] = (float) (1.0 / d);
      }
      long[] bshape = new long[r + 2];
      bshape[0] = 1;
      bshape[1] = 1;
      System.arraycopy(outSp, 0, bshape, 2, r);
      scaled = b.mul(c.dy(), b.constFloats(inv, bshape));
    }
    long channels = xs[1];
    long kvol = Shapes.numel(g.kernel);
    float[] ones = new float[(int) (channels * kvol)];
    Arrays.fill(ones, 1f);
    long[] wShape = new long[r + 2];
    wShape[0] = channels;
    wShape[1] = 1;
    System.arraycopy(g.kernel, 0, wShape, 2, r);
    String w = b.constFloats(ones, wShape);
    String full = b.op("ConvTranspose", List.of(b.cast(scaled, DataTypes.FLOAT), w),
        Attributes.of("group", channels), Attributes.of("strides", g.strides),
        Attributes.of("dilations", g.dilations), Attributes.of("kernel_shape", g.kernel));
    long[] fs = b.shape(full);
    // the transposed conv covers padded coordinates [-padBegin, ...): crop or extend to X
    long[] starts = new long[r];
    long[] ends = new long[r];
    long[] extra = new long[2 * (r + 2)];
    for (int a = 0; a < r; a++) {
      starts[a] = g.padBegin[a];
      ends[a] = Math.min(fs[a + 2], g.padBegin[a] + inSp[a]);
      extra[r + 2 + a + 2] = g.padBegin[a] + inSp[a] - ends[a];
    }
    String dx = b.slice(full, starts, ends, GraphBuilder.range(2, r + 2), null);
    dx = b.pad(dx, extra);
    c.grad(0, b.cast(dx, b.type(c.x(0))));
  }
}
