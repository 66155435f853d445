package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which anatomical direction each voxel axis of a grid runs towards, as the axis codes of nibabel
 * and MONAI ("RAS": axis i towards the patient's Right, j Anterior, k Superior; "LPS" the
 * DICOM/ITK convention). For an affine it is the nearest such orientation, found as nibabel's
 * {@code io_orientation} does (the rotation closest to the affine by polar decomposition, then per
 * voxel axis the world axis it changes most, each world axis used once), so an oblique scan gets
 * the orientation of the anatomical axes it is closest to. World coordinates are RAS+ (NIfTI's).
 *
 * @param worldAxis for each voxel axis (NIfTI order i, j, k) the world axis: 0 = R/L, 1 = A/P, 2 = S/I
 * @param toward for each voxel axis +1 when its index grows towards R, A or S, -1 towards L, P or I
 */
public record Orientation(int[] worldAxis, int[] toward) {
  private static final String POSITIVE = "RAS";
  private static final String NEGATIVE = "LPI";

  public Orientation {
    if (worldAxis.length != toward.length || worldAxis.length < 1 || worldAxis.length > 3) {
      throw new IllegalArgumentException("an orientation has one code per axis, 1 to 3 axes");
    }
    boolean[] used = new boolean[3];
    for (int a = 0; a < worldAxis.length; a++) {
      if (worldAxis[a] < 0 || worldAxis[a] > 2 || used[worldAxis[a]] || Math.abs(toward[a]) != 1) {
        throw new IllegalArgumentException("not an orientation: " + Arrays.toString(worldAxis) + " "
            + Arrays.toString(toward));
      }
      used[worldAxis[a]] = true;
    }
    worldAxis = worldAxis.clone();
    toward = toward.clone();
  }

  /**
   * Axis codes such as "RAS", "LPS" or "PIR" (one letter per axis from R/L, A/P, S/I, each pair
   * once), as MONAI's {@code Orientationd(axcodes=...)} takes them.
   */
  public static Orientation parse(String codes) {
    String c = codes == null ? "" : codes.trim().toUpperCase(Locale.ROOT);
    int n = c.length();
    if (n < 2 || n > 3) {
      throw new Gradcam3dException("orientation '" + codes + "' must have 2 or 3 letters, one per axis, from"
          + " R/L, A/P and S/I (e.g. RAS, LPS)");
    }
    int[] axis = new int[n];
    int[] toward = new int[n];
    boolean[] used = new boolean[3];
    for (int a = 0; a < n; a++) {
      int p = POSITIVE.indexOf(c.charAt(a));
      int m = NEGATIVE.indexOf(c.charAt(a));
      if (p < 0 && m < 0) {
        throw new Gradcam3dException("orientation '" + codes + "': '" + c.charAt(a) + "' is not one of R, L,"
            + " A, P, S, I");
      }
      axis[a] = p >= 0 ? p : m;
      toward[a] = p >= 0 ? 1 : -1;
      if (used[axis[a]]) {
        throw new Gradcam3dException("orientation '" + codes + "' names the " + pair(axis[a])
            + " direction twice; use each of R/L, A/P and S/I once");
      }
      used[axis[a]] = true;
    }
    return new Orientation(axis, toward);
  }

  /** The nearest orientation of the first {@code rank} voxel axes of a voxel-to-RAS affine (3 or 4 rows). */
  public static Orientation of(double[][] affine, int rank) {
    double[][] rotation = nearestRotation(affine, rank);
    int[] axis = new int[rank];
    int[] toward = new int[rank];
    for (int in = 0; in < rank; in++) {
      int out = -1;
      double best = -1;
      for (int w = 0; w < 3; w++) {
        if (Math.abs(rotation[w][in]) > best) {
          best = Math.abs(rotation[w][in]);
          out = w;
        }
      }
      if (!(best > 0)) {
        throw new Gradcam3dException("the affine gives voxel axis " + in + " no direction in space");
      }
      axis[in] = out;
      toward[in] = rotation[out][in] < 0 ? -1 : 1;
      // each world axis once: the later voxel axes choose among the rest (nibabel's rule)
      Arrays.fill(rotation[out], 0);
    }
    return new Orientation(axis, toward);
  }

  /** Number of axes. */
  public int rank() {
    return worldAxis.length;
  }

  /** The axis codes, e.g. "RAS". */
  public String codes() {
    StringBuilder b = new StringBuilder();
    for (int a = 0; a < rank(); a++) {
      b.append(letter(worldAxis[a], toward[a]));
    }
    return b.toString();
  }

  /** The letter of a world direction: world axis 0..2, +1 (R, A, S) or -1 (L, P, I). */
  public static char letter(int world, int toward) {
    return (toward > 0 ? POSITIVE : NEGATIVE).charAt(world);
  }

  /**
   * How to index an array of this orientation to get one of {@code target}'s: for each target
   * axis the source axis and whether it runs backwards. Both must orient the same world axes.
   */
  public AxisMap to(Orientation target) {
    if (target.rank() != rank()) {
      throw new Gradcam3dException("cannot orient a " + rank() + "-axis image as " + target.codes()
          + " (" + target.rank() + " axes)");
    }
    int[] source = new int[rank()];
    boolean[] flip = new boolean[rank()];
    for (int d = 0; d < rank(); d++) {
      source[d] = -1;
      for (int a = 0; a < rank(); a++) {
        if (worldAxis[a] == target.worldAxis[d]) {
          source[d] = a;
          flip[d] = toward[a] != target.toward[d];
        }
      }
      if (source[d] < 0) {
        throw new Gradcam3dException("this image (" + codes() + ") has no axis along the " + pair(target.worldAxis[d])
            + " direction that " + target.codes() + " asks for");
      }
    }
    return new AxisMap(source, flip);
  }

  /**
   * The largest angle in degrees between a world axis and the voxel axis nearest to it (nibabel's
   * {@code obliquity}): 0 for a scan aligned with the anatomical axes.
   */
  public static double obliquityDegrees(double[][] affine) {
    double worst = 0;
    for (int w = 0; w < 3; w++) {
      double best = 0;
      for (int a = 0; a < 3; a++) {
        double size = Math.sqrt(affine[0][a] * affine[0][a] + affine[1][a] * affine[1][a] + affine[2][a] * affine[2][a]);
        if (size > 0) {
          best = Math.max(best, Math.abs(affine[w][a]) / size);
        }
      }
      worst = Math.max(worst, Math.toDegrees(Math.acos(Math.min(1, best))));
    }
    return worst;
  }

  private static String pair(int world) {
    return switch (world) {
      case 0 -> "left-right";
      case 1 -> "anterior-posterior";
      default -> "superior-inferior";
    };
  }

  /**
   * The rotation nearest to the affine's first {@code rank} columns scaled to unit length: the
   * orthogonal factor of its polar decomposition (Newton's iteration R <- (R + R^-T) / 2 for a
   * full 3x3; a 2-column block is completed by the cross product first).
   */
  static double[][] nearestRotation(double[][] affine, int rank) {
    double[][] m = new double[3][3];
    for (int c = 0; c < 3; c++) {
      double size = 0;
      for (int r = 0; r < 3; r++) {
        size += affine[r][c] * affine[r][c];
      }
      size = Math.sqrt(size);
      for (int r = 0; r < 3; r++) {
        m[r][c] = size > 0 ? affine[r][c] / size : 0;
      }
    }
    if (rank < 3 || Math.abs(det(m)) < 1e-12) {
      // a 2D grid's (or a degenerate) third column says nothing: the unit normal of the first two
      double[] n = {m[1][0] * m[2][1] - m[2][0] * m[1][1], m[2][0] * m[0][1] - m[0][0] * m[2][1],
          m[0][0] * m[1][1] - m[1][0] * m[0][1]};
      double size = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      if (size == 0) {
        return m;
      }
      for (int r = 0; r < 3; r++) {
        m[r][2] = n[r] / size;
      }
    }
    for (int iteration = 0; iteration < 100; iteration++) {
      double[][] inverseT = transpose(inverse(m));
      double change = 0;
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          double next = (m[r][c] + inverseT[r][c]) / 2;
          change = Math.max(change, Math.abs(next - m[r][c]));
          m[r][c] = next;
        }
      }
      if (change < 1e-15) {
        break;
      }
    }
    return m;
  }

  static double det(double[][] m) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  }

  private static double[][] inverse(double[][] m) {
    double d = det(m);
    double[][] r = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        int i1 = (j + 1) % 3;
        int i2 = (j + 2) % 3;
        int j1 = (i + 1) % 3;
        int j2 = (i + 2) % 3;
        r[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / d;
      }
    }
    return r;
  }

  private static double[][] transpose(double[][] m) {
    double[][] t = new double[3][3];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        t[c][r] = m[r][c];
      }
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Orientation other && Arrays.equals(worldAxis, other.worldAxis)
        && Arrays.equals(toward, other.toward);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(worldAxis) + Arrays.hashCode(toward);
  }

  @Override
  public String toString() {
    return codes();
  }
}
