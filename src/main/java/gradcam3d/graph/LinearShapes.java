package gradcam3d.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Shapes of the linear ops: convolutions and matrix products. */
final class LinearShapes {
  private LinearShapes() {}

  static void register(Map<String, ShapeRule> t) {
    t.put("Conv", LinearShapes::conv);
    t.put("ConvTranspose", LinearShapes::convTranspose);
    t.put("MatMul", LinearShapes::matmul);
    t.put("Gemm", LinearShapes::gemm);
    t.put("Einsum", LinearShapes::einsum);
  }

  private static TensorInfo[] matmul(ShapeContext c) {
    long[] a = c.shape(0);
    long[] b = c.shape(1);
    if (a == null || b == null) {
      return c.one(c.type(0), null);
    }
    boolean va = a.length == 1;
    boolean vb = b.length == 1;
    long[] aa = va ? new long[] {1, a[0]} : a;
    long[] bb = vb ? new long[] {b[0], 1} : b;
    long[] batch = ShapeInference.broadcast(Arrays.copyOf(aa, aa.length - 2), Arrays.copyOf(bb, bb.length - 2));
    List<Long> o = new ArrayList<>();
    for (long d : batch) {
      o.add(d);
    }
    if (!va) {
      o.add(aa[aa.length - 2]);
    }
    if (!vb) {
      o.add(bb[bb.length - 1]);
    }
    return c.one(c.type(0), o.stream().mapToLong(Long::longValue).toArray());
  }

  private static TensorInfo[] gemm(ShapeContext c) {
    long[] a = c.shape(0);
    long[] b = c.shape(1);
    if (a == null || b == null) {
      return c.one(c.type(0), null);
    }
    long m = c.node().attrInt("transA", 0) != 0 ? a[1] : a[0];
    long n = c.node().attrInt("transB", 0) != 0 ? b[0] : b[1];
    return c.one(c.type(0), new long[] {m, n});
  }

  private static TensorInfo[] einsum(ShapeContext c) {
    long[][] shapes = c.shapes();
    for (long[] s : shapes) {
      if (s == null) {
        return c.one(c.type(0), null);
      }
    }
    EinsumSpec e = EinsumSpec.parse(c.node().attrString("equation", ""), shapes);
    return c.one(c.type(0), e.outputShape());
  }

  private static TensorInfo[] conv(ShapeContext c) {
    long[] x = c.shape(0);
    long[] w = c.shape(1);
    if (x == null) {
      return c.one(c.type(0), null);
    }
    long[] inSp = Arrays.copyOfRange(x, 2, x.length);
    long[] kernel = w == null ? null : Arrays.copyOfRange(w, 2, w.length);
    long[] sp = ConvGeometry.forward(c.node(), inSp, kernel).forwardOutput(inSp);
    return c.one(c.type(0), batchChannels(x[0], w == null ? -1 : w[0], sp));
  }

  private static TensorInfo[] convTranspose(ShapeContext c) {
    long[] x = c.shape(0);
    long[] w = c.shape(1);
    if (x == null || w == null) {
      return c.one(c.type(0), null);
    }
    long[] inSp = Arrays.copyOfRange(x, 2, x.length);
    long[] sp = ConvGeometry.transposed(c.node(), inSp, Arrays.copyOfRange(w, 2, w.length)).transposedOutput(inSp);
    return c.one(c.type(0), batchChannels(x[0], w[1] * c.node().attrInt("group", 1), sp));
  }

  /** [batch, channels, *spatial]. */
  static long[] batchChannels(long batch, long channels, long[] spatial) {
    long[] o = new long[spatial.length + 2];
    o[0] = batch;
    o[1] = channels;
    System.arraycopy(spatial, 0, o, 2, spatial.length);
    return o;
  }
}
