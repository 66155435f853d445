package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import java.util.Arrays;

/**
 * The exact sampling of a Resize/Upsample node: mode, coordinate transform, per-axis scales and
 * output sizes. {@link #matrix(int)} gives the interpolation matrix M[out][in] of one axis, which is
 * how ONNX Runtime computes the output (edge values are repeated outside the input), so the
 * adjoint of the whole Resize is the product of the transposed per-axis matrices.
 */
public final class ResizeSpec {
  public final String mode;
  public final String transform;
  public final String nearestMode;
  public final double cubicA;
  public final boolean excludeOutside;
  public final long[] inShape;
  public final long[] outShape;
  public final double[] scales;

  private ResizeSpec(String mode, String transform, String nearestMode, double cubicA,
      boolean excludeOutside, long[] inShape, long[] outShape, double[] scales) {
    this.mode = mode;
    this.transform = transform;
    this.nearestMode = nearestMode;
    this.cubicA = cubicA;
    this.excludeOutside = excludeOutside;
    this.inShape = inShape;
    this.outShape = outShape;
    this.scales = scales;
  }

  /** The spec of a Resize or Upsample node, or null when its sizes/scales are not known. */
  public static ResizeSpec of(Node n, long[] inShape, TensorInfo[] in, int opset) {
    int r = inShape.length;
    String mode = n.attrString("mode", "nearest");
    String transform;
    String nearest;
    double[] scales = null;
    long[] sizes = null;
    if (n.opType().equals("Upsample") || opset < 11) {
      transform = "asymmetric";
      nearest = "floor";
      float[] sa = n.attrFloats("scales");
      if (sa != null) {
        scales = new double[r];
        for (int i = 0; i < r; i++) {
          scales[i] = sa[i];
        }
      } else {
        TensorInfo s = in.length > 1 ? in[1] : null;
        if (s == null || s.value() == null) {
          return null;
        }
        scales = s.value().reals();
      }
    } else {
      transform = n.attrString("coordinate_transformation_mode", "half_pixel");
      nearest = n.attrString("nearest_mode", "round_prefer_floor");
      TensorInfo si = in.length > 2 ? in[2] : null;
      TensorInfo zi = in.length > 3 ? in[3] : null;
      if (si != null && si.rank() == 1 && si.shape()[0] > 0) {
        if (si.value() == null) {
          return null;
        }
        scales = si.value().reals();
      } else if (zi != null) {
        if (zi.value() == null) {
          return null;
        }
        sizes = zi.value().longs();
      } else {
        return null;
      }
      long[] axes = n.attrInts("axes");
      if (axes != null) {
        double[] fullScales = new double[r];
        long[] fullSizes = inShape.clone();
        Arrays.fill(fullScales, 1);
        for (int i = 0; i < axes.length; i++) {
          int a = ShapeInference.axis(axes[i], r);
          if (scales != null) {
            fullScales[a] = scales[i];
          } else {
            fullSizes[a] = sizes[i];
          }
        }
        if (scales != null) {
          scales = fullScales;
        } else {
          sizes = fullSizes;
        }
      }
      if (sizes != null && !n.attrString("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
        throw new Gradcam3dException(n.describe() + ": keep_aspect_ratio_policy other than stretch "
            + "is not supported");
      }
      if (n.attrInt("antialias", 0) != 0) {
        throw new Gradcam3dException(n.describe() + ": antialiased Resize is not supported");
      }
    }
    long[] out = new long[r];
    double[] sc = new double[r];
    for (int i = 0; i < r; i++) {
      if (scales != null) {
        sc[i] = scales[i];
        out[i] = inShape[i] < 0 ? -1 : (long) Math.floor(inShape[i] * scales[i] + 1e-9);
      } else {
        out[i] = sizes[i];
        sc[i] = inShape[i] <= 0 ? 1 : (double) sizes[i] / inShape[i];
      }
    }
    // ONNX Runtime computes coordinates in float32 with the float32 scale
    for (int i = 0; i < r; i++) {
      sc[i] = (float) sc[i];
    }
    return new ResizeSpec(mode, transform, nearest, n.attrFloat("cubic_coeff_a", -0.75f),
        n.attrInt("exclude_outside", 0) != 0, inShape.clone(), out, sc);
  }

  public long[] outShape() {
    return outShape.clone();
  }

  /** True when the axis is not resampled at all (same size, identity sampling). */
  public boolean isIdentity(int axis) {
    if (inShape[axis] != outShape[axis]) {
      return false;
    }
    double[][] m = matrix(axis);
    for (int o = 0; o < m.length; o++) {
      for (int i = 0; i < m[o].length; i++) {
        if (Math.abs(m[o][i] - (o == i ? 1 : 0)) > 1e-7) {
          return false;
        }
      }
    }
    return true;
  }

  /** Source coordinate of output position {@code x} along an axis. */
  double source(int axis, long x) {
    double s = scales[axis];
    long lin = inShape[axis];
    long lout = outShape[axis];
    switch (transform) {
      case "half_pixel":
        return (x + 0.5) / s - 0.5;
      case "pytorch_half_pixel":
        return lout > 1 ? (x + 0.5) / s - 0.5 : 0;
      case "align_corners":
        return lout == 1 ? 0 : x * (double) (lin - 1) / (lout - 1);
      case "asymmetric":
        return x / s;
      case "tf_half_pixel_for_nn":
        return (x + 0.5) / s;
      case "half_pixel_symmetric": {
        double adjustment = lout / (s * lin);
        double center = lin / 2.0;
        double offset = center * (1 - adjustment);
        return offset + (x + 0.5) / s - 0.5;
      }
      default:
        throw new Gradcam3dException("Resize coordinate transformation '" + transform
            + "' is not supported");
    }
  }

  /** Interpolation matrix M[out][in] of one axis. */
  public double[][] matrix(int axis) {
    int lin = (int) inShape[axis];
    int lout = (int) outShape[axis];
    double[][] m = new double[lout][lin];
    for (int o = 0; o < lout; o++) {
      double x = (float) source(axis, o);
      switch (mode) {
        case "nearest": {
          long i;
          switch (nearestMode) {
            case "round_prefer_ceil": i = (long) Math.floor(x + 0.5); break;
            case "floor": i = (long) Math.floor(x); break;
            case "ceil": i = (long) Math.ceil(x); break;
            default: i = (long) Math.ceil(x - 0.5); break; // round_prefer_floor
          }
          m[o][clamp(i, lin)] = 1;
          break;
        }
        case "linear": {
          double xc = Math.max(0, Math.min(x, lin - 1));
          int i0 = (int) Math.floor(xc);
          int i1 = Math.min(i0 + 1, lin - 1);
          double w1 = xc - i0;
          m[o][i0] += 1 - w1;
          m[o][i1] += w1;
          break;
        }
        case "cubic": {
          int i0 = (int) Math.floor(x);
          double t = x - i0;
          double a = cubicA;
          double[] w = {
              ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
              ((a + 2) * t - (a + 3)) * t * t + 1,
              ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
              ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a};
          double sum = 0;
          for (int k = 0; k < 4; k++) {
            int idx = i0 - 1 + k;
            if (excludeOutside && (idx < 0 || idx >= lin)) {
              w[k] = 0;
            }
            sum += w[k];
          }
          for (int k = 0; k < 4; k++) {
            m[o][clamp(i0 - 1 + k, lin)] += excludeOutside ? w[k] / sum : w[k];
          }
          break;
        }
        default:
          throw new Gradcam3dException("Resize mode '" + mode + "' is not supported");
      }
    }
    return m;
  }

  private static int clamp(long i, int len) {
    return (int) Math.max(0, Math.min(len - 1, i));
  }
}
