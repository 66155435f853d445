package gradcam3d.autodiff;

import gradcam3d.graph.Const;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.ResizeSpec;
import gradcam3d.graph.ShapeInference;
import gradcam3d.graph.SliceSpec;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Ops that move, select or resample data: every gradient puts dY back where it came from. */
final class MovementRules {
  private MovementRules() {}

  static void register(Map<String, VjpRule> t) {
    VjpRule reshapeBack = c -> {
      c.requireOnly(0);
      c.grad(0, c.b().reshape(c.dy(), c.shape(c.x(0))));
    };
    for (String op : List.of("Reshape", "Flatten", "Squeeze", "Unsqueeze")) {
      t.put(op, reshapeBack);
    }
    t.put("Transpose", c -> {
      long[] perm = c.node().attrInts("perm");
      int r = c.rank(c.x(0));
      if (perm == null) {
        perm = new long[r];
        for (int i = 0; i < r; i++) {
          perm[i] = r - 1 - i;
        }
      }
      long[] inv = new long[r];
      for (int i = 0; i < r; i++) {
        inv[(int) perm[i]] = i;
      }
      c.grad(0, c.b().transpose(c.dy(), inv));
    });
    t.put("Expand", c -> {
      c.requireOnly(0);
      c.grad(0, c.b().unbroadcast(c.dy(), c.shape(c.x(0))));
    });
    t.put("Tile", MovementRules::tile);
    t.put("Concat", MovementRules::concat);
    t.put("Split", MovementRules::split);
    t.put("Slice", MovementRules::slice);
    t.put("Pad", MovementRules::pad);
    t.put("Gather", MovementRules::gather);
    t.put("GatherElements", MovementRules::gatherElements);
    t.put("ScatterElements", MovementRules::scatterElements);
    t.put("GatherND", MovementRules::gatherNd);
    t.put("ScatterND", MovementRules::scatterNd);
    // a triangle mask is linear: its gradient is the same mask of dY
    t.put("Trilu", c -> {
      c.requireOnly(0);
      List<String> in = new ArrayList<>(List.of(c.dy()));
      if (c.node().inputs().size() > 1 && !c.x(1).isEmpty()) {
        in.add(c.x(1));
      }
      c.grad(0, c.b().op("Trilu", in, Attributes.of("upper", c.node().attrInt("upper", 1))));
    });
    t.put("Resize", MovementRules::resize);
    t.put("Upsample", MovementRules::resize);
  }

  private static void tile(VjpContext c) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    long[] xs = c.shape(c.x(0));
    long[] reps = c.value(c.x(1)).longs();
    long[] split = new long[2 * xs.length];
    long[] axes = new long[xs.length];
    for (int i = 0; i < xs.length; i++) {
      split[2 * i] = reps[i];
      split[2 * i + 1] = xs[i];
      axes[i] = 2L * i;
    }
    c.grad(0, b.reshape(b.reduceSum(b.reshape(c.dy(), split), axes, false), xs));
  }

  private static void concat(VjpContext c) {
    GraphBuilder b = c.b();
    int n = c.node().inputs().size();
    int r = c.rank(c.y(0));
    long axis = c.node().attrInt("axis", 0);
    int a = (int) (axis < 0 ? axis + r : axis);
    long[] sizes = new long[n];
    for (int i = 0; i < n; i++) {
      sizes[i] = c.shape(c.x(i))[a];
    }
    int needed = 0;
    for (int i = 0; i < n; i++) {
      needed += c.needs(i) ? 1 : 0;
    }
    if (needed == 1) {
      // one slice is cheaper than splitting everything
      long start = 0;
      for (int i = 0; i < n; i++) {
        if (c.needs(i)) {
          c.grad(i, b.slice(c.dy(), new long[] {start}, new long[] {start + sizes[i]}, new long[] {a}, null));
        }
        start += sizes[i];
      }
      return;
    }
    List<String> parts = b.split(c.dy(), a, sizes);
    for (int i = 0; i < n; i++) {
      c.grad(i, parts.get(i));
    }
  }

  private static void split(VjpContext c) {
    c.requireOnly(0);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < c.node().outputs().size(); i++) {
      parts.add(c.dyOrZeros(i));
    }
    int r = c.rank(c.x(0));
    long axis = c.node().attrInt("axis", 0);
    c.grad(0, c.b().concat(parts, axis < 0 ? axis + r : axis));
  }

  private static void slice(VjpContext c) {
    c.requireOnly(0);
    Node n = c.node();
    long[] xs = c.shape(c.x(0));
    SliceSpec spec;
    if (c.opset() < 10) {
      spec = SliceSpec.of(xs, n.attrInts("starts"), n.attrInts("ends"), n.attrInts("axes"), null);
    } else {
      spec = SliceSpec.of(xs, c.value(n.input(1)).longs(), c.value(n.input(2)).longs(),
          n.input(3).isEmpty() ? null : c.value(n.input(3)).longs(),
          n.input(4).isEmpty() ? null : c.value(n.input(4)).longs());
    }
    if (spec.allUnitSteps()) {
      long[] pads = new long[2 * xs.length];
      for (int i = 0; i < xs.length; i++) {
        pads[i] = spec.start[i];
        pads[i + xs.length] = xs[i] - spec.start[i] - spec.length(i);
      }
      c.grad(0, c.b().pad(c.dy(), pads));
      return;
    }
    long[] ys = spec.outShape();
    long[] map = new long[(int) Shapes.numel(ys)];
    long[] yStr = Shapes.strides(ys);
    long[] xStr = Shapes.strides(xs);
    for (int i = 0; i < map.length; i++) {
      long src = 0;
      for (int a = 0; a < ys.length; a++) {
        long coord = (i / yStr[a]) % ys[a];
        src += (spec.start[a] + coord * spec.step[a]) * xStr[a];
      }
      map[i] = src;
    }
    c.grad(0, scatterBack(c, c.dy(), map, xs, true));
  }

  private static void pad(VjpContext c) {
    c.requireOnly(0);
    Node n = c.node();
    long[] xs = c.shape(c.x(0));
    int r = xs.length;
    long[] pads = ShapeInference.padAmounts(n, r, c.opset() >= 11 ? c.value(n.input(1)) : null,
        n.input(3).isEmpty() ? null : c.value(n.input(3)), c.opset());
    if (pads == null) {
      throw c.unsupported("its pads are computed at run time");
    }
    String mode = n.attrString("mode", "constant");
    GraphBuilder b = c.b();
    if (mode.equals("constant")) {
      // crop what was added, re-add what a negative pad cut
      long[] starts = new long[r];
      long[] ends = new long[r];
      long[] refill = new long[2 * r];
      long[] ys = c.shape(c.y(0));
      for (int i = 0; i < r; i++) {
        starts[i] = Math.max(pads[i], 0);
        ends[i] = ys[i] - Math.max(pads[i + r], 0);
        refill[i] = Math.max(-pads[i], 0);
        refill[i + r] = Math.max(-pads[i + r], 0);
      }
      String g = b.slice(c.dy(), starts, ends, GraphBuilder.range(0, r), null);
      c.grad(0, b.pad(g, refill));
      return;
    }
    long[] ys = c.shape(c.y(0));
    long[] map = new long[(int) Shapes.numel(ys)];
    long[] yStr = Shapes.strides(ys);
    long[] xStr = Shapes.strides(xs);
    for (int i = 0; i < map.length; i++) {
      long src = 0;
      for (int a = 0; a < r; a++) {
        long p = (i / yStr[a]) % ys[a] - pads[a];
        long d = xs[a];
        switch (mode) {
          case "reflect":
            while (p < 0 || p >= d) {
              p = p < 0 ? -p : 2 * (d - 1) - p;
            }
            break;
          case "edge":
            p = Math.max(0, Math.min(d - 1, p));
            break;
          case "wrap":
            p = Math.floorMod(p, d);
            break;
          default:
            throw c.unsupported("pad mode '" + mode + "' is not supported");
        }
        src += p * xStr[a];
      }
      map[i] = src;
    }
    c.grad(0, scatterBack(c, c.dy(), map, xs, false));
  }

  private static void gather(VjpContext c) {
    c.requireOnly(0);
    Const idx = c.value(c.x(1));
    if (idx == null) {
      throw c.unsupported("its indices are computed at run time");
    }
    long[] xs = c.shape(c.x(0));
    int r = xs.length;
    long axisAttr = c.node().attrInt("axis", 0);
    int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
    long outer = Shapes.numel(Arrays.copyOfRange(xs, 0, axis));
    long inner = Shapes.numel(Arrays.copyOfRange(xs, axis + 1, r));
    long[] ind = idx.longs();
    long[] map = new long[(int) (outer * ind.length * inner)];
    int p = 0;
    for (long o = 0; o < outer; o++) {
      for (long g : ind) {
        long gi = g < 0 ? g + xs[axis] : g;
        for (long in = 0; in < inner; in++) {
          map[p++] = (o * xs[axis] + gi) * inner + in;
        }
      }
    }
    c.grad(0, scatterBack(c, c.dy(), map, xs, isInjective(map)));
  }

  private static void gatherElements(VjpContext c) {
    c.requireOnly(0);
    Const idx = c.value(c.x(1));
    if (idx == null) {
      // run-time indices (a MaxPool gradient differentiated again): dY added back where it was read
      if (c.opset() < 16) {
        throw c.unsupported("its indices are computed at run time, and summing gradients of elements read more "
            + "than once needs ScatterElements with reduction=add (opset 16 or newer, the model has " + c.opset() + ")");
      }
      GraphBuilder b = c.b();
      String zeros = b.expand(b.scalarLike(0, c.dy()), c.shape(c.x(0)));
      c.grad(0, b.op("ScatterElements", List.of(zeros, c.x(1), c.dy()),
          Attributes.of("axis", c.node().attrInt("axis", 0)), Attributes.of("reduction", "add")));
      return;
    }
    long[] xs = c.shape(c.x(0));
    long[] is = idx.shape();
    int r = xs.length;
    long axisAttr = c.node().attrInt("axis", 0);
    int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
    long[] iStr = Shapes.strides(is);
    long[] xStr = Shapes.strides(xs);
    long[] ind = idx.longs();
    long[] map = new long[ind.length];
    for (int i = 0; i < ind.length; i++) {
      long src = 0;
      for (int a = 0; a < r; a++) {
        long coord = (i / iStr[a]) % is[a];
        if (a == axis) {
          coord = ind[i] < 0 ? ind[i] + xs[a] : ind[i];
        }
        src += coord * xStr[a];
      }
      map[i] = src;
    }
    c.grad(0, scatterBack(c, c.dy(), map, xs, isInjective(map)));
  }

  /**
   * ScatterElements writes updates into a copy of X at index positions along an axis (MaxPool's
   * gradient is one): dUpdates reads dY at those positions (GatherElements); dX is dY with the
   * written positions zeroed, or all of dY when updates are added.
   */
  private static void scatterElements(VjpContext c) {
    c.requireOnly(0, 2);
    String reduction = c.node().attrString("reduction", "none");
    if (!reduction.equals("none") && !reduction.equals("add")) {
      throw c.unsupported("reduction=" + reduction + " is not supported");
    }
    GraphBuilder b = c.b();
    long axis = c.node().attrInt("axis", 0);
    if (c.needs(0)) {
      String zeros = b.expand(b.scalarLike(0, c.dy()), c.shape(c.x(2)));
      c.grad(0, reduction.equals("add") ? c.dy()
          : b.op("ScatterElements", List.of(c.dy(), c.x(1), zeros), Attributes.of("axis", axis)));
    }
    if (c.needs(2)) {
      c.grad(2, b.op("GatherElements", List.of(c.dy(), c.x(1)), Attributes.of("axis", axis)));
    }
  }

  /** GatherND reads slices of X at index tuples: dX adds dY back at those tuples (ScatterND add). */
  private static void gatherNd(VjpContext c) {
    c.requireOnly(0);
    if (c.node().attrInt("batch_dims", 0) != 0) {
      throw c.unsupported("batch_dims > 0 has no ScatterND counterpart");
    }
    if (c.opset() < 16) {
      throw c.unsupported("summing gradients of index tuples read more than once needs ScatterND "
          + "with reduction=add (opset 16 or newer, the model has " + c.opset() + ")");
    }
    GraphBuilder b = c.b();
    String zeros = b.expand(b.scalarLike(0, c.dy()), c.shape(c.x(0)));
    c.grad(0, b.op("ScatterND", List.of(zeros, c.x(1), c.dy()), Attributes.of("reduction", "add")));
  }

  /**
   * ScatterND writes updates at index tuples into a copy of X: dX is dY with those places zeroed
   * (or all of dY when updates are added), dUpdates reads dY at the tuples.
   */
  private static void scatterNd(VjpContext c) {
    c.requireOnly(0, 2);
    String reduction = c.node().attrString("reduction", "none");
    if (!reduction.equals("none") && !reduction.equals("add")) {
      throw c.unsupported("reduction=" + reduction + " is not supported");
    }
    GraphBuilder b = c.b();
    if (c.needs(0)) {
      String zeros = b.expand(b.scalarLike(0, c.dy()), c.shape(c.x(2)));
      c.grad(0, reduction.equals("add") ? c.dy() : b.op("ScatterND", List.of(c.dy(), c.x(1), zeros)));
    }
    if (c.needs(2)) {
      c.grad(2, b.op("GatherND", c.dy(), c.x(1)));
    }
  }

  private static boolean isInjective(long[] map) {
    long[] s = map.clone();
    Arrays.sort(s);
    for (int i = 1; i < s.length; i++) {
      if (s[i] == s[i - 1]) {
        return false;
      }
    }
    return true;
  }

  /** dX[map[i]] += dY[i] over flat indices, reshaped to X's shape. */
  private static String scatterBack(VjpContext c, String dy, long[] map, long[] xs, boolean injective) {
    GraphBuilder b = c.b();
    String idx = b.initializer(TensorProtos.ofLongs(b.fresh("scatter_index"), map, map.length));
    String zeros = b.expand(b.scalarLike(0, dy), Shapes.numel(xs));
    String flat = b.reshape(dy, map.length);
    String out;
    if (injective) {
      out = b.op("ScatterElements", List.of(zeros, idx, flat), Attributes.of("axis", 0L));
    } else {
      if (c.opset() < 16) {
        throw c.unsupported("it reads some elements more than once; summing their gradients needs "
            + "ScatterElements with reduction=add (opset 16 or newer, the model has " + c.opset() + ")");
      }
      out = b.op("ScatterElements", List.of(zeros, idx, flat), Attributes.of("axis", 0L),
          Attributes.of("reduction", "add"));
    }
    return b.reshape(out, xs);
  }

  /**
   * Resize is linear and separable: dX applies, axis by axis, the transpose of that axis's
   * interpolation matrix. Nearest resampling by an integer factor is a reshape and a sum instead.
   */
  private static void resize(VjpContext c) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    long[] xs = c.shape(c.x(0));
    gradcam3d.graph.TensorInfo[] in = new gradcam3d.graph.TensorInfo[c.node().inputs().size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = c.x(i).isEmpty() ? null : b.info(c.x(i));
    }
    ResizeSpec spec = ResizeSpec.of(c.node(), xs, in, c.opset());
    if (spec == null) {
      throw c.unsupported("its output size is computed at run time");
    }
    int r = xs.length;
    String g = c.dy();
    long[] cur = spec.outShape();
    // integer-factor nearest axes (each input repeated f times in a row) fold into one reshape
    long[] factor = new long[r];
    boolean anyBlock = false;
    for (int a = 0; a < r; a++) {
      factor[a] = blockFactor(spec, a);
      anyBlock |= factor[a] > 1;
    }
    if (anyBlock) {
      List<Long> split = new ArrayList<>();
      List<Long> sumAxes = new ArrayList<>();
      for (int a = 0; a < r; a++) {
        if (factor[a] > 1) {
          split.add(xs[a]);
          split.add(factor[a]);
          sumAxes.add((long) split.size() - 1);
          cur[a] = xs[a];
        } else {
          split.add(cur[a]);
        }
      }
      g = b.reshape(g, split.stream().mapToLong(Long::longValue).toArray());
      g = b.reduceSum(g, sumAxes.stream().mapToLong(Long::longValue).toArray(), false);
      g = b.reshape(g, cur);
    }
    for (int a = r - 1; a >= 0; a--) {
      if (factor[a] > 1 || spec.isIdentity(a)) {
        continue;
      }
      double[][] m = spec.matrix(a);
      float[] flat = new float[m.length * m[0].length];
      for (int o = 0; o < m.length; o++) {
        for (int i = 0; i < m[0].length; i++) {
          flat[o * m[0].length + i] = (float) m[o][i];
        }
      }
      String mat = b.constFloats(flat, m.length, m[0].length);
      long[] perm = GraphBuilder.range(0, r);
      perm[a] = r - 1;
      perm[r - 1] = a;
      String moved = b.transpose(g, perm);
      String res = b.op("MatMul", b.cast(moved, DataTypes.FLOAT), mat);
      g = b.transpose(res, perm);
    }
    c.grad(0, b.cast(g, b.type(c.x(0))));
  }

  /** f when output o of this axis reads input o / f (integer nearest upsampling), else 1. */
  private static long blockFactor(ResizeSpec spec, int axis) {
    long in = spec.inShape[axis];
    long out = spec.outShape[axis];
    if (!spec.mode.equals("nearest") || out <= in || out % in != 0) {
      return 1;
    }
    long f = out / in;
    double[][] m = spec.matrix(axis);
    for (int o = 0; o < out; o++) {
      if (m[o][(int) (o / f)] != 1) {
        return 1;
      }
    }
    return f;
  }
}
