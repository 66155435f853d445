package gradcam3d.optimize;

import gradcam3d.graph.ConvGeometry;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ConvTranspose as ordinary convolutions on its input, one per output phase, whose results are
 * interleaved by Reshapes + Transposes (the polyphase or sub-pixel form). ONNX Runtime runs 3D
 * ConvTranspose several times slower than Conv of the same arithmetic; the rewrite is exact (the
 * same products are summed, only in another order).
 *
 * <p>Per spatial axis with stride s and begin padding p: output o = s*m + r (phase r) receives
 * X[i] * W[k] for o = s*i + k - p, i.e. k = s*j + c with c = (r + p) mod s and i = m + t - j,
 * t = floor((r + p) / s). So phase r is a stride-1 correlation of X with the taps W[c], W[c + s],
 * ... reversed, reading input offsets t - j. All phases run as one Conv whose output channels are
 * (group, channel, phase): the kernel window covers every phase's offsets, taps a phase does not
 * use are zero. When that padding would multiply the arithmetic (kernel 3, stride 2: 8 phases of
 * 1 to 8 taps in 3D), each phase gets its own Conv with exactly its taps instead.
 */
final class PolyphaseConvTranspose {
  private PolyphaseConvTranspose() {}

  /**
   * ONNX Runtime's Conv costs about (im2col element + one multiply-add per output channel) per
   * kernel tap, input channel and position; this is the im2col part in multiply-adds, measured on
   * the bench model (few output channels make im2col dominate, and the single Conv wins).
   */
  private static final double IM2COL_COST = 16;

  /** Rewrites one ConvTranspose node in place; false when its form is not handled (left as is). */
  static boolean rewrite(GraphBuilder b, Node n) {
    if (!n.opType().equals("ConvTranspose") || !n.domain().isEmpty() || b.opset() < 11) {
      return false;
    }
    String x = n.input(0);
    String w = n.input(1);
    TensorProto weight = b.graph().initializers().get(w);
    TensorInfo xi = b.infos().get(x);
    TensorInfo yi = b.infos().get(n.output(0));
    if (weight == null || weight.getDataType() != DataTypes.FLOAT || xi == null || yi == null
        || xi.type() != DataTypes.FLOAT || !xi.hasKnownShape() || !yi.hasKnownShape()) {
      return false;
    }
    String bias = n.input(2);
    if (!bias.isEmpty() && b.graph().initializers().get(bias) == null) {
      return false;
    }
    long[] xs = xi.shape();
    long[] ws = TensorProtos.dims(weight);
    int d = xs.length - 2;
    if (d < 1 || ws.length != xs.length) {
      return false;
    }
    long[] inSpatial = Arrays.copyOfRange(xs, 2, xs.length);
    ConvGeometry geo = ConvGeometry.transposed(n, inSpatial, Arrays.copyOfRange(ws, 2, ws.length));
    for (int a = 0; a < d; a++) {
      if (geo.dilations[a] != 1 || geo.padBegin[a] < 0 || geo.kernel[a] != ws[2 + a]) {
        return false;
      }
    }
    long[] outSpatial = Arrays.copyOfRange(yi.shape(), 2, xs.length);
    if (!Arrays.equals(outSpatial, geo.transposedOutput(inSpatial))) {
      return false;
    }
    Phases ph = new Phases(geo, inSpatial, outSpatial);
    int group = (int) n.attrInt("group", 1);
    long cout = ws[1] * n.attrInt("group", 1);
    String y = ph.unifiedCost(cout) <= ph.perPhaseCost(cout)
        ? unified(b, x, weight, bias, group, ph)
        : perPhase(b, x, weight, bias, group, ph);
    if (!Arrays.equals(b.shape(y), yi.shape())) {
      y = b.slice(y, new long[d], outSpatial, GraphBuilder.range(2, 2 + d), null);
    }
    b.replace(n, new Node(n.name(), "Identity", "", List.of(y), List.of(n.output(0)),
        java.util.Map.of(), n.metadata()));
    return true;
  }

  /** The phase arithmetic of every spatial axis. */
  private static final class Phases {
    final int d;
    final long[] s;
    final long[] k;
    final long[] in;
    /** Outputs per phase (the interleaved grid is s * m, cropped to the real output size). */
    final long[] m;
    /** Per axis and phase r: first kernel index c, number of taps, offset t of tap 0. */
    final long[][] c;
    final long[][] taps;
    final long[][] t;

    Phases(ConvGeometry g, long[] in, long[] out) {
      d = in.length;
      s = g.strides;
      k = g.kernel;
      this.in = in;
      m = new long[d];
      c = new long[d][];
      taps = new long[d][];
      t = new long[d][];
      for (int a = 0; a < d; a++) {
        m[a] = (out[a] + s[a] - 1) / s[a];
        int sa = (int) s[a];
        c[a] = new long[sa];
        taps[a] = new long[sa];
        t[a] = new long[sa];
        for (int r = 0; r < sa; r++) {
          long q = r + g.padBegin[a];
          c[a][r] = q % s[a];
          t[a][r] = q / s[a];
          taps[a][r] = Math.max(0, (k[a] - c[a][r] + s[a] - 1) / s[a]);
        }
      }
    }

    int phases() {
      int p = 1;
      for (long v : s) {
        p *= (int) v;
      }
      return p;
    }

    /** Phase index -> per-axis phase (row-major over the strides). */
    int[] phase(int p) {
      int[] r = new int[d];
      for (int a = d - 1; a >= 0; a--) {
        r[a] = (int) (p % s[a]);
        p /= (int) s[a];
      }
      return r;
    }

    /** Lowest input offset a phase reads on an axis. */
    long lo(int a, int r) {
      return t[a][r] - Math.max(taps[a][r], 1) + 1;
    }

    long hi(int a, int r) {
      return t[a][r];
    }

    long unifiedLo(int a) {
      long v = Long.MAX_VALUE;
      for (int r = 0; r < s[a]; r++) {
        v = Math.min(v, lo(a, r));
      }
      return v;
    }

    long unifiedHi(int a) {
      long v = Long.MIN_VALUE;
      for (int r = 0; r < s[a]; r++) {
        v = Math.max(v, hi(a, r));
      }
      return v;
    }

    /** Relative cost of one Conv over the union of all phases' taps (per input channel and position). */
    double unifiedCost(long cout) {
      double window = 1;
      for (int a = 0; a < d; a++) {
        window *= unifiedHi(a) - unifiedLo(a) + 1;
      }
      return window * (IM2COL_COST + cout * phases());
    }

    /** Relative cost of one Conv per phase with exactly its taps. */
    double perPhaseCost(long cout) {
      double taps = 1;
      for (int a = 0; a < d; a++) {
        long sum = 0;
        for (int r = 0; r < s[a]; r++) {
          sum += Math.max(this.taps[a][r], 1);
        }
        taps *= sum;
      }
      return taps * (IM2COL_COST + cout);
    }

  }

  /** One Conv computing every phase; output channels ordered (group, channel, phase). */
  private static String unified(GraphBuilder b, String x, TensorProto weight, String bias, int group,
      Phases ph) {
    int d = ph.d;
    int phases = ph.phases();
    long[] lo = new long[d];
    long[] win = new long[d];
    for (int a = 0; a < d; a++) {
      lo[a] = ph.unifiedLo(a);
      win[a] = ph.unifiedHi(a) - lo[a] + 1;
    }
    float[] w = TensorProtos.toFloats(weight);
    long[] ws = TensorProtos.dims(weight);
    int cin = (int) ws[0];
    int cg = (int) ws[1];
    int cig = cin / group;
    int winSize = (int) Shapes.numel(win);
    float[] cw = new float[group * phases * cg * cig * winSize];
    for (int g = 0; g < group; g++) {
      for (int p = 0; p < phases; p++) {
        int[] taps = tapIndices(ws, ph, ph.phase(p), lo, win);
        for (int co = 0; co < cg; co++) {
          int oc = (g * cg + co) * phases + p;
          for (int ci = 0; ci < cig; ci++) {
            fillTaps(w, ws, g * cig + ci, co, taps, cw, (oc * cig + ci) * winSize);
          }
        }
      }
    }
    long[] cws = new long[2 + d];
    cws[0] = (long) group * phases * cg;
    cws[1] = cig;
    System.arraycopy(win, 0, cws, 2, d);
    Window view = window(b, x, ph, lo, win);
    List<String> in = new ArrayList<>(List.of(view.input(), b.constFloats(cw, cws)));
    if (!bias.isEmpty()) {
      float[] bv = TensorProtos.toFloats(b.graph().initializers().get(bias));
      float[] cb = new float[group * phases * cg];
      for (int c = 0; c < group * cg; c++) {
        Arrays.fill(cb, c * phases, (c + 1) * phases, bv[c]);
      }
      in.add(b.constFloats(cb, cb.length));
    }
    String conv = b.op("Conv", in, Attributes.of("group", (long) group), Attributes.of("pads", view.pads()));
    return interleave(b, conv, b.shape(x)[0] * group * cg, ph);
  }

  /** One Conv per phase with exactly that phase's taps, stacked as (channel, phase). */
  private static String perPhase(GraphBuilder b, String x, TensorProto weight, String bias, int group,
      Phases ph) {
    int d = ph.d;
    int phases = ph.phases();
    float[] w = TensorProtos.toFloats(weight);
    long[] ws = TensorProtos.dims(weight);
    int cin = (int) ws[0];
    int cg = (int) ws[1];
    int cig = cin / group;
    List<String> parts = new ArrayList<>();
    for (int p = 0; p < phases; p++) {
      int[] r = ph.phase(p);
      long[] lo = new long[d];
      long[] win = new long[d];
      for (int a = 0; a < d; a++) {
        lo[a] = ph.lo(a, r[a]);
        win[a] = ph.hi(a, r[a]) - lo[a] + 1;
      }
      int winSize = (int) Shapes.numel(win);
      float[] cw = new float[group * cg * cig * winSize];
      int[] taps = tapIndices(ws, ph, r, lo, win);
      for (int g = 0; g < group; g++) {
        for (int co = 0; co < cg; co++) {
          for (int ci = 0; ci < cig; ci++) {
            fillTaps(w, ws, g * cig + ci, co, taps, cw, ((g * cg + co) * cig + ci) * winSize);
          }
        }
      }
      long[] cws = new long[2 + d];
      cws[0] = (long) group * cg;
      cws[1] = cig;
      System.arraycopy(win, 0, cws, 2, d);
      Window view = window(b, x, ph, lo, win);
      List<String> in = new ArrayList<>(List.of(view.input(), b.constFloats(cw, cws)));
      if (!bias.isEmpty()) {
        in.add(bias);
      }
      String conv = b.op("Conv", in, Attributes.of("group", (long) group), Attributes.of("pads", view.pads()));
      parts.add(b.unsqueeze(conv, 2));
    }
    return interleave(b, b.concat(parts, 2), b.shape(x)[0] * group * cg, ph);
  }

  /**
   * Phase outputs [B, C * P, m...] (or [B, C, P, m...]) with channels ordered (channel, phase) ->
   * the interleaved grid [B, C, m * s...], {@code rows} = B * C. One axis at a time, each phase
   * axis s_a moves behind its grid axis m_a: [rows, s_a, s_rest, g * m_a, m_rest] -> [rows, s_rest,
   * g * m_a, s_a, m_rest], g the axes already interleaved. ONNX Runtime moves a single axis with
   * its fast transposes (whole rows of m_rest, and MLAS's 2-D transpose for the last axis); the
   * same permutation as one Transpose goes element by element, measured 3 to 6 times slower on
   * the bench model's 16 x 48^3 up-sampling (docs/benchmarks.md). Only data moves: exact.
   */
  private static String interleave(GraphBuilder b, String phases, long rows, Phases ph) {
    int d = ph.d;
    String y = phases;
    long done = 1;
    for (int a = 0; a < d; a++) {
      long sRest = 1;
      long mRest = 1;
      for (int c = a + 1; c < d; c++) {
        sRest *= ph.s[c];
        mRest *= ph.m[c];
      }
      if (ph.s[a] > 1) {
        y = b.reshape(y, rows, ph.s[a], sRest, done * ph.m[a], mRest);
        y = b.transpose(y, 0, 2, 3, 1, 4);
      }
      done *= ph.m[a] * ph.s[a];
    }
    long batch = b.shape(phases)[0];
    long[] grid = new long[2 + d];
    grid[0] = batch;
    grid[1] = rows / batch;
    for (int a = 0; a < d; a++) {
      grid[2 + a] = ph.m[a] * ph.s[a];
    }
    return b.reshape(y, grid);
  }

  /**
   * For each position of a phase's window (row-major over {@code win}), the flat index of the
   * kernel tap it reads, or -1 where the phase uses no tap: the same for every channel pair, so
   * it is worked out once per phase.
   */
  private static int[] tapIndices(long[] ws, Phases ph, int[] r, long[] lo, long[] win) {
    int d = ph.d;
    int winSize = (int) Shapes.numel(win);
    int[] taps = new int[winSize];
    int[] pos = new int[d];
    for (int v = 0; v < winSize; v++) {
      int rem = v;
      for (int a = d - 1; a >= 0; a--) {
        pos[a] = (int) (rem % win[a]);
        rem /= (int) win[a];
      }
      int kidx = 0;
      boolean used = true;
      for (int a = 0; a < d && used; a++) {
        long j = ph.t[a][r[a]] - (lo[a] + pos[a]);
        used = j >= 0 && j < ph.taps[a][r[a]];
        kidx = kidx * (int) ph.k[a] + (int) (ph.s[a] * j + ph.c[a][r[a]]);
      }
      taps[v] = used ? kidx : -1;
    }
    return taps;
  }

  /** The taps of weight[ci, co] at a phase's window positions ({@link #tapIndices}), zero where unused. */
  private static void fillTaps(float[] w, long[] ws, int ci, int co, int[] taps, float[] dst, int at) {
    int kernelSize = 1;
    for (int a = 2; a < ws.length; a++) {
      kernelSize *= (int) ws[a];
    }
    int base = (ci * (int) ws[1] + co) * kernelSize;
    for (int v = 0; v < taps.length; v++) {
      dst[at + v] = taps[v] >= 0 ? w[base + taps[v]] : 0f;
    }
  }

  /** What a phase Conv reads: the input (cropped where it reads less) and the Conv's pads. */
  private record Window(String input, long[] pads) {}

  /**
   * The input as the Conv must see it: zero-padded (Conv pads) or cropped (Slice) so that output m
   * of every phase reads offsets lo .. lo + win - 1 from input position m.
   */
  private static Window window(GraphBuilder b, String x, Phases ph, long[] lo, long[] win) {
    int d = ph.d;
    long[] pads = new long[2 * d];
    long[] starts = new long[d];
    long[] ends = new long[d];
    boolean crop = false;
    for (int a = 0; a < d; a++) {
      long first = lo[a];
      long last = ph.m[a] - 1 + lo[a] + win[a] - 1;
      pads[a] = Math.max(0, -first);
      pads[d + a] = Math.max(0, last - (ph.in[a] - 1));
      starts[a] = Math.max(0, first);
      ends[a] = Math.min(ph.in[a], last + 1);
      crop |= starts[a] > 0 || ends[a] < ph.in[a];
    }
    String v = crop ? b.slice(x, starts, ends, GraphBuilder.range(2, 2 + d), null) : x;
    return new Window(v, pads);
  }
}
