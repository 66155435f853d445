package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.util.Locale;

/**
 * How the spatial axes of the model tensor (C, *S) relate to the NIfTI data axes (i, j, k). NIfTI
 * stores i fastest, so its data in C order has shape (k, j, i): that is ZYX without any copying.
 */
public enum Layout {
  /** tensor[c, z, y, x] = nifti[x, y, z, c]: the NIfTI axes reversed (SimpleITK, nnU-Net). */
  ZYX,
  /** tensor[c, i, j, k] = nifti[i, j, k, c]: the NIfTI axes as they are (nibabel, MONAI). */
  XYZ;

  public static Layout parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException("unknown layout '" + text + "'; use ZYX (tensor axes are the"
          + " NIfTI axes reversed, as SimpleITK and nnU-Net) or XYZ (NIfTI order, as nibabel and"
          + " MONAI).");
    }
  }

  /** Sizes (or spacings) listed in NIfTI axis order (i first), in tensor axis order. */
  public long[] tensorAxes(long[] niftiOrder) {
    return this == XYZ ? niftiOrder.clone() : reversed(niftiOrder);
  }

  public double[] tensorAxes(double[] niftiOrder) {
    if (this == XYZ) {
      return niftiOrder.clone();
    }
    double[] r = new double[niftiOrder.length];
    for (int a = 0; a < r.length; a++) {
      r[a] = niftiOrder[r.length - 1 - a];
    }
    return r;
  }

  /** Sizes listed in tensor axis order, in NIfTI axis order (the inverse of tensorAxes). */
  public long[] niftiAxes(long[] tensorOrder) {
    return tensorAxes(tensorOrder);
  }

  /**
   * NIfTI data (i fastest, then j, k, channel) as a (C, *S) tensor's C-order data.
   *
   * @param niftiSpatial the 2 or 3 spatial sizes in NIfTI order
   */
  public float[] niftiToTensor(float[] data, int channels, long[] niftiSpatial) {
    return this == ZYX ? data : reverseSpatialAxes(data, channels, reversed(niftiSpatial));
  }

  /** A (C, *S) tensor's C-order data as NIfTI data (the inverse of niftiToTensor). */
  public float[] tensorToNifti(float[] data, int channels, long[] tensorSpatial) {
    return this == ZYX ? data : reverseSpatialAxes(data, channels, tensorSpatial);
  }

  /** A spatial tensor of this layout in (Z, Y, X) axis order, as pictures are drawn. */
  public FloatTensor toZyx(FloatTensor spatial) {
    if (this == ZYX) {
      return spatial;
    }
    return new FloatTensor(reverseSpatialAxes(spatial.data(), 1, spatial.shape()), reversed(spatial.shape()));
  }

  /** Sizes of this layout's tensor axes in (Z, Y, X) order. */
  public long[] toZyx(long[] tensorOrder) {
    return this == ZYX ? tensorOrder.clone() : reversed(tensorOrder);
  }

  /** Per-axis values (e.g. spacing) of this layout's tensor axes in (Z, Y, X) order. */
  public double[] toZyx(double[] tensorOrder) {
    return this == ZYX ? tensorOrder.clone() : ZYX.tensorAxes(tensorOrder);
  }

  private static long[] reversed(long[] axes) {
    long[] r = new long[axes.length];
    for (int a = 0; a < r.length; a++) {
      r[a] = axes[axes.length - 1 - a];
    }
    return r;
  }

  /**
   * For each channel, the C-order array of shape {@code spatial} with its axes reversed, i.e. the
   * same block read in Fortran order. Two-axis shapes work as (1, a, b).
   */
  private static float[] reverseSpatialAxes(float[] data, int channels, long[] spatial) {
    int n0 = spatial.length == 3 ? (int) spatial[0] : 1;
    int n1 = (int) spatial[spatial.length - 2];
    int n2 = (int) spatial[spatial.length - 1];
    int block = n0 * n1 * n2;
    float[] out = new float[data.length];
    for (int c = 0; c < channels; c++) {
      int base = c * block;
      for (int a = 0; a < n0; a++) {
        for (int b = 0; b < n1; b++) {
          for (int d = 0; d < n2; d++) {
            out[base + (d * n1 + b) * n0 + a] = data[base + (a * n1 + b) * n2 + d];
          }
        }
      }
    }
    return out;
  }
}
