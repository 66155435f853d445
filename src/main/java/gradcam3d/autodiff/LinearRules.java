package gradcam3d.autodiff;

import gradcam3d.graph.ConvGeometry;
import gradcam3d.graph.EinsumSpec;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Conv, ConvTranspose, MatMul, Gemm, Einsum: gradients with respect to the data input. */
final class LinearRules {
  private LinearRules() {}

  static void register(Map<String, VjpRule> t) {
    t.put("Conv", LinearRules::conv);
    t.put("ConvTranspose", LinearRules::convTranspose);
    t.put("MatMul", LinearRules::matmul);
    t.put("Gemm", LinearRules::gemm);
    t.put("Einsum", LinearRules::einsum);
  }

  private static long[] spatial(long[] shape) {
    return Arrays.copyOfRange(shape, 2, shape.length);
  }

  /**
   * dX of Conv: the transposed convolution of dY with W. With stride 1 it is itself a Conv with
   * flipped, in/out-swapped weights, which ONNX Runtime runs far faster than ConvTranspose in 3D;
   * strided convolutions use ConvTranspose, whose input (dY) is s^d times smaller.
   */
  private static void conv(VjpContext c) {
    c.requireOnly(0);
    GraphBuilder b = c.b();
    long[] xs = c.shape(c.x(0));
    long[] ws = c.shape(c.x(1));
    long group = c.node().attrInt("group", 1);
    ConvGeometry g = ConvGeometry.forward(c.node(), spatial(xs), spatial(ws));
    int r = g.rank();
    long[] padsT = new long[2 * r];
    boolean stride1Ok = g.isUnitStride();
    for (int i = 0; i < r; i++) {
      padsT[i] = g.dilations[i] * (g.kernel[i] - 1) - g.padBegin[i];
      padsT[i + r] = g.dilations[i] * (g.kernel[i] - 1) - g.padEnd[i];
      stride1Ok &= padsT[i] >= 0 && padsT[i + r] >= 0;
    }
    // with stride 1 the output of the flipped conv has exactly X's size only if nothing was cut
    long[] ys = c.shape(c.y(0));
    for (int i = 0; i < r && stride1Ok; i++) {
      stride1Ok = ys[i + 2] + padsT[i] + padsT[i + r] - g.dilations[i] * (g.kernel[i] - 1) == xs[i + 2];
    }
    String dx;
    if (stride1Ok) {
      String wt = flippedWeights(c, c.x(1), ws, group);
      dx = b.op("Conv", List.of(c.dy(), wt), Attributes.of("group", group),
          Attributes.of("dilations", g.dilations), Attributes.of("pads", padsT),
          Attributes.of("strides", ones(r)), Attributes.of("kernel_shape", g.kernel));
    } else {
      long[] outPad = new long[r];
      for (int i = 0; i < r; i++) {
        long full = g.strides[i] * (ys[i + 2] - 1) + g.dilations[i] * (g.kernel[i] - 1) + 1
            - g.padBegin[i] - g.padEnd[i];
        outPad[i] = xs[i + 2] - full;
      }
      boolean fits = true;
      for (int i = 0; i < r; i++) {
        fits &= outPad[i] >= 0 && outPad[i] < Math.max(g.strides[i], g.dilations[i]);
      }
      if (!fits) {
        throw c.unsupported("its geometry cannot be inverted with ConvTranspose (output_padding "
            + Arrays.toString(outPad) + ")");
      }
      dx = b.op("ConvTranspose", List.of(c.dy(), c.x(1)), Attributes.of("group", group),
          Attributes.of("dilations", g.dilations), Attributes.of("pads", g.pads()),
          Attributes.of("strides", g.strides), Attributes.of("kernel_shape", g.kernel),
          Attributes.of("output_padding", outPad));
    }
    c.grad(0, dx);
  }

  /**
   * W [Cout, Cin/g, k...] to W' [Cin, Cout/g, k...]: channels swapped inside each group, every
   * spatial axis reversed. Computed here when W is an initializer, else with graph ops.
   */
  static String flippedWeights(VjpContext c, String w, long[] ws, long group) {
    GraphBuilder b = c.b();
    int r = ws.length - 2;
    long cout = ws[0];
    long cinG = ws[1];
    long coutG = cout / group;
    long k = Shapes.numel(Arrays.copyOfRange(ws, 2, ws.length));
    long[] outShape = ws.clone();
    outShape[0] = cinG * group;
    outShape[1] = coutG;
    TensorProto init = b.graph().initializers().get(w);
    if (init != null && init.getDataType() == DataTypes.FLOAT) {
      float[] src = TensorProtos.toFloats(init);
      float[] dst = new float[src.length];
      for (long gi = 0; gi < group; gi++) {
        for (long o = 0; o < coutG; o++) {
          for (long i = 0; i < cinG; i++) {
            long srcBase = ((gi * coutG + o) * cinG + i) * k;
            long dstBase = ((gi * cinG + i) * coutG + o) * k;
            for (long p = 0; p < k; p++) {
              dst[(int) (dstBase + k - 1 - p)] = src[(int) (srcBase + p)];
            }
          }
        }
      }
      // reversing the flat kernel index reverses every spatial axis at once
      return b.initializer(TensorProtos.ofFloats(b.fresh("flipped_" + w.replace('/', '_')), dst, outShape));
    }
    long[] grouped = new long[r + 3];
    grouped[0] = group;
    grouped[1] = coutG;
    grouped[2] = cinG;
    System.arraycopy(ws, 2, grouped, 3, r);
    String x = b.reshape(w, grouped);
    long[] perm = GraphBuilder.range(0, r + 3);
    perm[1] = 2;
    perm[2] = 1;
    x = b.transpose(x, perm);
    x = b.reshape(x, outShape);
    long[] starts = new long[r];
    long[] ends = new long[r];
    long[] steps = new long[r];
    Arrays.fill(starts, -1);
    Arrays.fill(ends, Long.MIN_VALUE);
    Arrays.fill(steps, -1);
    return b.slice(x, starts, ends, GraphBuilder.range(2, r + 2), steps);
  }

  private static long[] ones(int r) {
    long[] o = new long[r];
    Arrays.fill(o, 1);
    return o;
  }

  /** dX of ConvTranspose: a Conv of dY with the same weights and geometry. */
  private static void convTranspose(VjpContext c) {
    c.requireOnly(0);
    long[] xs = c.shape(c.x(0));
    long[] ws = c.shape(c.x(1));
    ConvGeometry g = ConvGeometry.transposed(c.node(), spatial(xs), spatial(ws));
    String dx = c.b().op("Conv", List.of(c.dy(), c.x(1)),
        Attributes.of("group", c.node().attrInt("group", 1)), Attributes.of("dilations", g.dilations),
        Attributes.of("pads", g.pads()), Attributes.of("strides", g.strides),
        Attributes.of("kernel_shape", g.kernel));
    c.grad(0, dx);
  }

  private static void matmul(VjpContext c) {
    GraphBuilder b = c.b();
    long[] as = c.shape(c.x(0));
    long[] bs = c.shape(c.x(1));
    String a = c.x(0);
    String bb = c.x(1);
    String dy = c.dy();
    if (as.length == 1 && bs.length == 1) {
      c.grad(0, b.mul(dy, bb));
      c.grad(1, b.mul(dy, a));
      return;
    }
    long[] as2 = as;
    long[] bs2 = bs;
    if (as.length == 1) {
      as2 = new long[] {1, as[0]};
      a = b.reshape(a, as2);
      dy = b.unsqueeze(dy, c.rank(dy) - 1);
    }
    if (bs.length == 1) {
      bs2 = new long[] {bs[0], 1};
      bb = b.reshape(bb, bs2);
      dy = b.unsqueeze(dy, c.rank(dy));
    }
    if (c.needs(0)) {
      String g = b.op("MatMul", dy, swapLast(b, bb));
      c.grad(0, b.reshape(b.unbroadcast(g, as2), as));
    }
    if (c.needs(1)) {
      String g = b.op("MatMul", swapLast(b, a), dy);
      c.grad(1, b.reshape(b.unbroadcast(g, bs2), bs));
    }
  }

  private static String swapLast(GraphBuilder b, String x) {
    int r = b.rank(x);
    long[] perm = GraphBuilder.range(0, r);
    perm[r - 1] = r - 2;
    perm[r - 2] = r - 1;
    return b.transpose(x, perm);
  }

  private static void gemm(VjpContext c) {
    GraphBuilder b = c.b();
    float alpha = c.node().attrFloat("alpha", 1f);
    float beta = c.node().attrFloat("beta", 1f);
    long ta = c.node().attrInt("transA", 0);
    long tb = c.node().attrInt("transB", 0);
    String dy = c.dy();
    if (c.needs(0)) {
      String g = ta == 0
          ? b.op("Gemm", List.of(dy, c.x(1)), Attributes.of("alpha", alpha), Attributes.of("transB", tb == 0 ? 1L : 0L))
          : b.op("Gemm", List.of(c.x(1), dy), Attributes.of("alpha", alpha), Attributes.of("transA", tb),
              Attributes.of("transB", 1L));
      c.grad(0, g);
    }
    if (c.needs(1)) {
      String g = tb == 0
          ? b.op("Gemm", List.of(c.x(0), dy), Attributes.of("alpha", alpha), Attributes.of("transA", ta == 0 ? 1L : 0L))
          : b.op("Gemm", List.of(dy, c.x(0)), Attributes.of("alpha", alpha), Attributes.of("transA", 1L),
              Attributes.of("transB", ta));
      c.grad(1, g);
    }
    if (c.needs(2)) {
      String g = beta == 1f ? dy : b.mul(dy, b.scalarLike(beta, dy));
      c.grad(2, b.unbroadcast(g, c.shape(c.x(2))));
    }
  }

  /** Operand i's gradient: an Einsum of dY with the other operands, producing operand i's term. */
  private static void einsum(VjpContext c) {
    GraphBuilder b = c.b();
    int n = c.node().inputs().size();
    long[][] shapes = new long[n][];
    for (int i = 0; i < n; i++) {
      shapes[i] = c.shape(c.x(i));
    }
    EinsumSpec e = EinsumSpec.parse(c.node().attrString("equation", ""), shapes);
    for (int i = 0; i < n; i++) {
      if (!c.needs(i)) {
        continue;
      }
      String term = e.operands.get(i);
      for (int k = 0; k < term.length(); k++) {
        if (term.indexOf(term.charAt(k)) != k) {
          throw c.unsupported("operand " + i + " repeats index '" + term.charAt(k) + "' (a diagonal)");
        }
      }
      List<String> ops = new ArrayList<>(List.of(e.output));
      List<String> ins = new ArrayList<>(List.of(c.dy()));
      StringBuilder available = new StringBuilder(e.output);
      for (int j = 0; j < n; j++) {
        if (j != i) {
          ops.add(e.operands.get(j));
          ins.add(c.x(j));
          available.append(e.operands.get(j));
        }
      }
      // letters summed away only inside operand i come back by broadcasting
      StringBuilder kept = new StringBuilder();
      List<Long> missingAxes = new ArrayList<>();
      for (int k = 0; k < term.length(); k++) {
        if (available.indexOf(String.valueOf(term.charAt(k))) >= 0) {
          kept.append(term.charAt(k));
        } else {
          missingAxes.add((long) k);
        }
      }
      String g = b.op("Einsum", ins, Attributes.of("equation", EinsumSpec.equation(ops, kept.toString())));
      if (!missingAxes.isEmpty()) {
        g = b.unsqueeze(g, missingAxes.stream().mapToLong(Long::longValue).toArray());
      }
      // operands broadcast along size-1 axes get their gradient summed back
      long[] full = new long[term.length()];
      for (int k = 0; k < full.length; k++) {
        full[k] = e.sizes.get(term.charAt(k));
      }
      g = b.expand(g, full);
      c.grad(i, b.unbroadcast(g, shapes[i]));
    }
  }
}
