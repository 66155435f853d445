package gradcam3d.volume;

/**
 * The grid MONAI's {@code Spacing(pixdim, diagonal=False)} resamples a volume onto (MONAI 1.3.2,
 * monai.data.utils.zoom_affine and compute_shape_offset with scale_extent=False): the input's
 * rotation kept (its affine's rotation-and-zoom matrix factored as rotation x upper-triangular by a
 * Cholesky factorisation) with the new voxel sizes; the shape that spans the input's voxel
 * centres (the rounded extent + 1 per axis); the origin at the input corner that is smallest
 * along every new axis, or, for an oblique change where no corner is, the two grids' centres
 * aligned. An input spacing within 1e-3 mm of the target is kept.
 *
 * @param affine the new grid's voxel-to-world affine (NIfTI order, 4x4)
 * @param shape the new grid's spatial shape, NIfTI order
 */
public record SpacingGeometry(double[][] affine, long[] shape) {
  /** MONAI's AFFINE_TOL. */
  static final double AFFINE_TOL = 1e-3;

  /** The grid of a 3D volume with {@code affine} and NIfTI shape {@code shape} resampled to {@code pixdim} mm. */
  public static SpacingGeometry of(double[][] affine, long[] shape, double[] pixdim) {
    int r = shape.length;
    double[] out = new double[r];
    for (int a = 0; a < r; a++) {
      double orig = Math.sqrt(affine[0][a] * affine[0][a] + affine[1][a] * affine[1][a] + affine[2][a] * affine[2][a]);
      double target = a < pixdim.length ? pixdim[a] : pixdim[pixdim.length - 1];
      out[a] = Math.abs(orig - target) <= AFFINE_TOL ? orig : target;
    }
    double[][] next = zoom(affine, out);
    // compute_shape_offset: the input's voxel-centre corners in the new grid's index space
    double[][] toNew = Resampler.multiply(Resampler.invert(next), affine);
    int corners = 1 << r;
    double[][] in = new double[corners][3];
    double[][] mapped = new double[corners][3];
    double[] lo = new double[r];
    double[] hi = new double[r];
    java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
    for (int c = 0; c < corners; c++) {
      // numpy's meshgrid(indexing="ij") order: the last axis changes fastest
      for (int a = 0; a < r; a++) {
        int bit = (c >> (r - 1 - a)) & 1;
        in[c][a] = bit == 0 ? 0 : shape[a] - 1;
      }
      for (int a = 0; a < r; a++) {
        double v = toNew[a][3];
        for (int b = 0; b < r; b++) {
          v += toNew[a][b] * in[c][b];
        }
        mapped[c][a] = v;
        lo[a] = Math.min(lo[a], v);
        hi[a] = Math.max(hi[a], v);
      }
    }
    long[] newShape = new long[r];
    for (int a = 0; a < r; a++) {
      newShape[a] = Math.round(hi[a] - lo[a] + 1.0); // numpy rounds halves to even; extents here are whole numbers +- rounding
    }
    double[] offset = null;
    for (int c = 0; c < corners && offset == null; c++) {
      boolean smallest = true;
      for (int a = 0; a < r; a++) {
        double least = Double.POSITIVE_INFINITY;
        for (int d = 0; d < corners; d++) {
          least = Math.min(least, mapped[d][a] - mapped[c][a]);
        }
        smallest &= Math.abs(least) <= 1e-8; // np.allclose(min_corner, 0, rtol=AFFINE_TOL): atol 1e-8
      }
      if (smallest) {
        offset = new double[3];
        for (int w = 0; w < 3; w++) {
          double v = affine[w][3];
          for (int b = 0; b < r; b++) {
            v += affine[w][b] * in[c][b];
          }
          offset[w] = v;
        }
      }
    }
    if (offset == null) {
      // no corner is the smallest (an oblique change): centres aligned, as MONAI writes it
      offset = new double[3];
      for (int w = 0; w < 3; w++) {
        double v = affine[w][3];
        for (int b = 0; b < r; b++) {
          v += affine[w][b] * shape[b] / 2.0 - next[w][b] * newShape[b] / 2.0;
        }
        offset[w] = v;
      }
    }
    for (int w = 0; w < 3; w++) {
      next[w][3] = offset[w];
    }
    return new SpacingGeometry(next, newShape);
  }

  /** zoom_affine(diagonal=False): the affine's rotation (rzs = rotation x zs, zs upper triangular) with the new sizes. */
  static double[][] zoom(double[][] affine, double[] sizes) {
    double[][] rzs = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        rzs[i][j] = affine[i][j];
      }
    }
    // zs = cholesky(rzs^T rzs)^T: upper triangular, positive diagonal
    double[][] g = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          g[i][j] += rzs[k][i] * rzs[k][j];
        }
      }
    }
    double[][] lower = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j <= i; j++) {
        double s = g[i][j];
        for (int k = 0; k < j; k++) {
          s -= lower[i][k] * lower[j][k];
        }
        lower[i][j] = i == j ? Math.sqrt(s) : s / lower[j][j];
      }
    }
    double[][] zs = new double[4][4];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        zs[i][j] = lower[j][i];
      }
    }
    zs[3][3] = 1;
    double[][] rzs4 = new double[4][4];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(rzs[i], 0, rzs4[i], 0, 3);
    }
    rzs4[3][3] = 1;
    double[][] rotation = Resampler.multiply(rzs4, Resampler.invert(zs));
    double[][] out = new double[4][4];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        out[i][j] = rotation[i][j] * Math.abs(sizes[j]) * Math.signum(zs[j][j]);
      }
    }
    out[3][3] = 1;
    return out;
  }
}
