package gradcam3d.graph;

import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Shapes of ops that move, select, scatter or resample elements. */
final class MovementShapes {
  private MovementShapes() {}

  static void register(Map<String, ShapeRule> t) {
    t.put("Reshape", MovementShapes::reshape);
    t.put("Flatten", MovementShapes::flatten);
    t.put("Squeeze", MovementShapes::squeeze);
    t.put("Unsqueeze", MovementShapes::unsqueeze);
    t.put("Transpose", MovementShapes::transpose);
    t.put("Concat", MovementShapes::concat);
    t.put("Split", MovementShapes::split);
    t.put("Slice", MovementShapes::slice);
    t.put("Pad", MovementShapes::pad);
    t.put("Expand", MovementShapes::expand);
    t.put("Tile", MovementShapes::tile);
    t.put("Gather", MovementShapes::gather);
    t.put("GatherElements", c -> c.one(c.type(0), c.shape(1)));
    t.put("GatherND", MovementShapes::gatherNd);
    // scatters and triangle masks write into a copy of their data input
    for (String op : List.of("ScatterND", "ScatterElements", "Scatter", "Trilu")) {
      t.put(op, ShapeContext::likeInput);
    }
    t.put("Resize", MovementShapes::resize);
    t.put("Upsample", MovementShapes::resize);
  }

  private static TensorInfo[] reshape(ShapeContext c) {
    long[] target;
    if (c.opset() < 5 && c.node().attrInts("shape") != null) {
      target = c.node().attrInts("shape");
    } else {
      Const sc = c.value(1);
      if (sc == null) {
        long[] ss = c.shape(1);
        return c.one(c.type(0), ss == null || ss[0] < 0 ? null : ShapeContext.unknownDims(ss[0]));
      }
      target = sc.longs();
    }
    long[] s = c.shape(0);
    boolean allowZero = c.node().attrInt("allowzero", 0) != 0;
    long[] out = target.clone();
    int inferAt = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0 && !allowZero) {
        out[i] = s == null || i >= s.length ? -1 : s[i];
      }
      if (out[i] == -1 && target[i] == -1) {
        inferAt = i;
      } else if (out[i] < 0) {
        known = -1;
      } else if (known >= 0) {
        known *= out[i];
      }
    }
    if (inferAt >= 0) {
      long total = s == null ? -1 : Shapes.numel(s);
      out[inferAt] = total >= 0 && known > 0 ? total / known : -1;
    }
    return reshaped(c, out);
  }

  /** Input 0 viewed with a new shape (its value too, when known). */
  private static TensorInfo[] reshaped(ShapeContext c, long[] out) {
    Const v = c.value(0);
    if (v != null && Shapes.isKnown(out)) {
      return c.one(v.reshape(out));
    }
    return c.one(c.type(0), out);
  }

  private static TensorInfo[] flatten(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), new long[] {-1, -1});
    }
    int ax = (int) c.node().attrInt("axis", 1);
    if (ax < 0) {
      ax += s.length;
    }
    long a = Shapes.numel(Arrays.copyOfRange(s, 0, ax));
    long b = Shapes.numel(Arrays.copyOfRange(s, ax, s.length));
    return reshaped(c, new long[] {a, b});
  }

  private static TensorInfo[] squeeze(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    long[] ax = c.axes(1);
    boolean[] drop = new boolean[s.length];
    if (ax == null) {
      for (int i = 0; i < s.length; i++) {
        drop[i] = s[i] == 1;
      }
    } else {
      for (long a : ax) {
        drop[ShapeInference.axis(a, s.length)] = true;
      }
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      if (!drop[i]) {
        out.add(s[i]);
      }
    }
    return reshaped(c, out.stream().mapToLong(Long::longValue).toArray());
  }

  private static TensorInfo[] unsqueeze(ShapeContext c) {
    long[] s = c.shape(0);
    long[] ax = c.axes(1);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    int r = s.length + ax.length;
    boolean[] ins = new boolean[r];
    for (long a : ax) {
      ins[ShapeInference.axis(a, r)] = true;
    }
    long[] o = new long[r];
    int j = 0;
    for (int i = 0; i < r; i++) {
      o[i] = ins[i] ? 1 : s[j++];
    }
    return reshaped(c, o);
  }

  private static TensorInfo[] transpose(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    long[] perm = c.node().attrInts("perm");
    if (perm == null) {
      perm = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        perm[i] = s.length - 1 - i;
      }
    }
    if (c.value(0) != null) {
      return c.one(ConstEval.transpose(c.value(0), perm));
    }
    long[] o = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      o[i] = s[(int) perm[i]];
    }
    return c.one(c.type(0), o);
  }

  private static TensorInfo[] concat(ShapeContext c) {
    long[] first = null;
    for (int i = 0; i < c.inputs() && first == null; i++) {
      first = c.shape(i);
    }
    if (first == null) {
      return c.one(c.type(0), null);
    }
    int ax = ShapeInference.axis(c.node().attrInt("axis", 0), first.length);
    long[] o = first.clone();
    long sum = 0;
    for (int i = 0; i < c.inputs(); i++) {
      long[] s = c.shape(i);
      sum = s == null || s[ax] < 0 || sum < 0 ? -1 : sum + s[ax];
      if (s == null) {
        continue;
      }
      for (int d = 0; d < o.length; d++) {
        if (d != ax && o[d] < 0) {
          o[d] = s[d];
        } else if (d != ax && s[d] >= 0 && s[d] != o[d]) {
          throw new IllegalArgumentException("it joins tensors of shapes " + Shapes.format(first)
              + " and " + Shapes.format(s) + " along axis " + ax);
        }
      }
    }
    o[ax] = sum;
    if (c.allConst()) {
      return c.one(ConstEval.concat(c.values(), ax, o));
    }
    return c.one(c.type(0), o);
  }

  private static TensorInfo[] split(ShapeContext c) {
    long[] s = c.shape(0);
    int outs = c.node().outputs().size();
    TensorInfo[] r = new TensorInfo[outs];
    if (s == null) {
      Arrays.fill(r, TensorInfo.of(c.type(0), null));
      return r;
    }
    int ax = ShapeInference.axis(c.node().attrInt("axis", 0), s.length);
    long[] sizes = ShapeInference.splitSizes(c.node(), s[ax], outs, c.value(1), c.opset());
    for (int i = 0; i < outs; i++) {
      long[] o = s.clone();
      o[ax] = sizes == null ? -1 : sizes[i];
      r[i] = TensorInfo.of(c.type(0), o);
    }
    return r;
  }

  private static TensorInfo[] slice(ShapeContext c) {
    long[] s = c.shape(0);
    Node n = c.node();
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps = null;
    if (c.opset() < 10) {
      starts = n.attrInts("starts");
      ends = n.attrInts("ends");
      axes = n.attrInts("axes");
    } else {
      boolean runTime = c.value(1) == null || c.value(2) == null
          || (c.present(3) && c.value(3) == null) || (c.present(4) && c.value(4) == null);
      if (runTime) {
        if (s == null) {
          return c.one(c.type(0), null);
        }
        // bounds known only at run time: the sliced axes (all when not given) become unknown
        long[] o = s.clone();
        Const ax = c.present(3) ? c.value(3) : null;
        if (ax == null) {
          Arrays.fill(o, -1);
        } else {
          for (long a : ax.longs()) {
            o[ShapeInference.axis(a, s.length)] = -1;
          }
        }
        return c.one(c.type(0), o);
      }
      starts = c.value(1).longs();
      ends = c.value(2).longs();
      axes = c.present(3) ? c.value(3).longs() : null;
      steps = c.present(4) ? c.value(4).longs() : null;
    }
    if (s == null) {
      return c.one(c.type(0), null);
    }
    SliceSpec spec = SliceSpec.of(s, starts, ends, axes, steps);
    if (c.value(0) != null) {
      return c.one(ConstEval.slice(c.value(0), spec));
    }
    return c.one(c.type(0), spec.outShape());
  }

  private static TensorInfo[] pad(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    long[] pads = ShapeInference.padAmounts(c.node(), s.length, c.value(1), c.present(3) ? c.value(3) : null,
        c.opset());
    if (pads == null) {
      return c.one(c.type(0), ShapeContext.unknownDims(s.length));
    }
    long[] o = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      o[i] = s[i] < 0 ? -1 : s[i] + pads[i] + pads[i + s.length];
    }
    return c.one(c.type(0), o);
  }

  private static TensorInfo[] expand(ShapeContext c) {
    Const sc = c.value(1);
    if (sc == null) {
      return c.one(c.type(0), null);
    }
    long[] o = ShapeInference.broadcast(c.shape(0), sc.longs());
    Const v = c.value(0);
    if (v != null && o != null && Shapes.numel(o) <= Const.MAX_ELEMENTS) {
      return c.one(ConstEval.expand(v, o));
    }
    return c.one(c.type(0), o);
  }

  private static TensorInfo[] tile(ShapeContext c) {
    long[] s = c.shape(0);
    Const rc = c.value(1);
    if (s == null || rc == null) {
      return c.one(c.type(0), s == null ? null : ShapeContext.unknownDims(s.length));
    }
    long[] r = rc.longs();
    long[] o = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      o[i] = s[i] < 0 ? -1 : s[i] * r[i];
    }
    return c.one(c.type(0), o);
  }

  private static TensorInfo[] gather(ShapeContext c) {
    long[] s = c.shape(0);
    long[] is = c.shape(1);
    if (s == null || is == null) {
      return c.one(c.type(0), null);
    }
    int ax = ShapeInference.axis(c.node().attrInt("axis", 0), s.length);
    long[] o = new long[s.length - 1 + is.length];
    int j = 0;
    for (int i = 0; i < ax; i++) {
      o[j++] = s[i];
    }
    for (long d : is) {
      o[j++] = d;
    }
    for (int i = ax + 1; i < s.length; i++) {
      o[j++] = s[i];
    }
    if (c.value(0) != null && c.value(1) != null) {
      return c.one(ConstEval.gather(c.value(0), c.value(1), ax, o));
    }
    return c.one(c.type(0), o);
  }

  /**
   * GatherND: indices [..., k] pick slices of data after its first batch_dims axes, so the output
   * is indices.shape[:-1] + data.shape[batch_dims + k:].
   */
  private static TensorInfo[] gatherNd(ShapeContext c) {
    long[] s = c.shape(0);
    long[] is = c.shape(1);
    if (s == null || is == null || is.length == 0 || is[is.length - 1] < 0) {
      return c.one(c.type(0), null);
    }
    int batch = (int) c.node().attrInt("batch_dims", 0);
    int k = (int) is[is.length - 1];
    if (batch + k > s.length) {
      throw new IllegalArgumentException("index tuples of length " + k + " after " + batch
          + " batch axes do not fit data of rank " + s.length);
    }
    long[] o = new long[is.length - 1 + s.length - batch - k];
    System.arraycopy(is, 0, o, 0, is.length - 1);
    System.arraycopy(s, batch + k, o, is.length - 1, s.length - batch - k);
    return c.one(c.type(0), o);
  }

  private static TensorInfo[] resize(ShapeContext c) {
    long[] s = c.shape(0);
    if (s == null) {
      return c.one(c.type(0), null);
    }
    ResizeSpec spec = ResizeSpec.of(c.node(), s, c.all(), c.opset());
    return c.one(c.type(0), spec == null ? ShapeContext.unknownDims(s.length) : spec.outShape());
  }
}
