package gradcam3d.graph;

import gradcam3d.Gradcam3dException;

/**
 * Kernel, stride, dilation and explicit padding of a Conv, ConvTranspose or pooling node, with
 * auto_pad resolved from the real input size (per spatial axis).
 */
public final class ConvGeometry {
  public final long[] kernel;
  public final long[] strides;
  public final long[] dilations;
  public final long[] padBegin;
  public final long[] padEnd;
  public final long[] outputPadding;
  public final boolean ceilMode;

  private ConvGeometry(long[] kernel, long[] strides, long[] dilations, long[] padBegin,
      long[] padEnd, long[] outputPadding, boolean ceilMode) {
    this.kernel = kernel;
    this.strides = strides;
    this.dilations = dilations;
    this.padBegin = padBegin;
    this.padEnd = padEnd;
    this.outputPadding = outputPadding;
    this.ceilMode = ceilMode;
  }

  public int rank() {
    return kernel.length;
  }

  private static long[] orDefault(long[] v, int n, long dflt) {
    if (v == null || v.length == 0) {
      long[] r = new long[n];
      java.util.Arrays.fill(r, dflt);
      return r;
    }
    if (v.length != n) {
      throw new Gradcam3dException("attribute has " + v.length + " values, expected " + n);
    }
    return v;
  }

  /**
   * Geometry of a Conv or pooling node. {@code inSpatial}: the input's spatial sizes (may hold
   * -1 when unknown, then SAME padding cannot be resolved); {@code kernel}: from the weight shape
   * (Conv) or kernel_shape (pools).
   */
  public static ConvGeometry forward(Node n, long[] inSpatial, long[] kernel) {
    int r = inSpatial.length;
    long[] k = n.attrInts("kernel_shape") != null ? n.attrInts("kernel_shape") : kernel;
    if (k == null || k.length != r) {
      throw new Gradcam3dException(n.describe() + ": kernel shape unknown or of the wrong rank");
    }
    long[] s = orDefault(n.attrInts("strides"), r, 1);
    long[] d = orDefault(n.attrInts("dilations"), r, 1);
    long[] pads = orDefault(n.attrInts("pads"), 2 * r, 0);
    long[] pb = java.util.Arrays.copyOfRange(pads, 0, r);
    long[] pe = java.util.Arrays.copyOfRange(pads, r, 2 * r);
    String autoPad = n.attrString("auto_pad", "NOTSET");
    if (autoPad.equals("VALID")) {
      java.util.Arrays.fill(pb, 0);
      java.util.Arrays.fill(pe, 0);
    } else if (autoPad.startsWith("SAME")) {
      for (int i = 0; i < r; i++) {
        if (inSpatial[i] < 0) {
          pb[i] = -1;
          pe[i] = -1;
          continue;
        }
        long out = (inSpatial[i] + s[i] - 1) / s[i];
        long total = Math.max((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - inSpatial[i], 0);
        if (autoPad.equals("SAME_UPPER")) {
          pb[i] = total / 2;
          pe[i] = total - pb[i];
        } else {
          pe[i] = total / 2;
          pb[i] = total - pe[i];
        }
      }
    }
    boolean ceil = n.attrInt("ceil_mode", 0) != 0;
    return new ConvGeometry(k, s, d, pb, pe, new long[r], ceil);
  }

  /** Output spatial sizes of a Conv or pooling node (-1 where unknown). */
  public long[] forwardOutput(long[] inSpatial) {
    long[] out = new long[inSpatial.length];
    for (int i = 0; i < out.length; i++) {
      if (inSpatial[i] < 0 || padBegin[i] < 0) {
        out[i] = -1;
        continue;
      }
      long span = inSpatial[i] + padBegin[i] + padEnd[i] - ((kernel[i] - 1) * dilations[i] + 1);
      if (ceilMode) {
        long o = Math.floorDiv(span + strides[i] - 1, strides[i]) + 1;
        // a window that would start inside the end padding is dropped (PyTorch/ORT rule)
        if ((o - 1) * strides[i] >= inSpatial[i] + padBegin[i]) {
          o--;
        }
        out[i] = o;
      } else {
        out[i] = Math.floorDiv(span, strides[i]) + 1;
      }
    }
    return out;
  }

  /** Geometry of a ConvTranspose node whose input has spatial sizes {@code inSpatial}. */
  public static ConvGeometry transposed(Node n, long[] inSpatial, long[] kernel) {
    int r = inSpatial.length;
    long[] k = n.attrInts("kernel_shape") != null ? n.attrInts("kernel_shape") : kernel;
    long[] s = orDefault(n.attrInts("strides"), r, 1);
    long[] d = orDefault(n.attrInts("dilations"), r, 1);
    long[] op = orDefault(n.attrInts("output_padding"), r, 0);
    long[] pads = orDefault(n.attrInts("pads"), 2 * r, 0);
    long[] pb = java.util.Arrays.copyOfRange(pads, 0, r);
    long[] pe = java.util.Arrays.copyOfRange(pads, r, 2 * r);
    long[] outShape = n.attrInts("output_shape");
    String autoPad = n.attrString("auto_pad", "NOTSET");
    if (outShape != null && outShape.length > r) {
      outShape = java.util.Arrays.copyOfRange(outShape, outShape.length - r, outShape.length);
    }
    if (outShape == null && autoPad.startsWith("SAME")) {
      outShape = new long[r];
      for (int i = 0; i < r; i++) {
        outShape[i] = inSpatial[i] < 0 ? -1 : inSpatial[i] * s[i];
      }
    }
    if (autoPad.equals("VALID")) {
      java.util.Arrays.fill(pb, 0);
      java.util.Arrays.fill(pe, 0);
    }
    if (outShape != null) {
      for (int i = 0; i < r; i++) {
        if (inSpatial[i] < 0 || outShape[i] < 0) {
          pb[i] = -1;
          pe[i] = -1;
          continue;
        }
        long total = s[i] * (inSpatial[i] - 1) + op[i] + ((k[i] - 1) * d[i] + 1) - outShape[i];
        if (autoPad.equals("SAME_UPPER")) {
          pb[i] = total / 2;
          pe[i] = total - total / 2;
        } else {
          pb[i] = total - total / 2;
          pe[i] = total / 2;
        }
      }
    }
    return new ConvGeometry(k, s, d, pb, pe, op, false);
  }

  public long[] transposedOutput(long[] inSpatial) {
    long[] out = new long[inSpatial.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = inSpatial[i] < 0 || padBegin[i] < 0 ? -1
          : strides[i] * (inSpatial[i] - 1) + outputPadding[i] + ((kernel[i] - 1) * dilations[i] + 1)
              - padBegin[i] - padEnd[i];
    }
    return out;
  }

  public long[] pads() {
    long[] p = new long[2 * rank()];
    System.arraycopy(padBegin, 0, p, 0, rank());
    System.arraycopy(padEnd, 0, p, rank(), rank());
    return p;
  }

  public boolean isUnitStride() {
    for (long v : strides) {
      if (v != 1) {
        return false;
      }
    }
    return true;
  }
}
