package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.List;

/**
 * What the explanation explains: a score T read from the model output.
 * <ul>
 *   <li>segmentation: the sum of class-c scores over a region: the voxels the model predicts as c
 *       (default), a mask, a box, one voxel, or the whole volume;</li>
 *   <li>classification: the score of a class, or of each sample's top class (argmax).</li>
 * </ul>
 * Spelled {@code 2}, {@code 2:mask=FILE}, {@code 2:box=z0,y0,x0,z1,y1,x1} (ends exclusive),
 * {@code 2:voxel=z,y,x}, {@code 2:all}, {@code argmax}; coordinates in tensor axis order.
 */
public record Target(Kind kind, int classIndex, String maskFile, long[] coords, FloatTensor mask) {

  /** How the region of a target is chosen. */
  public enum Kind {
    PREDICTED, MASK, BOX, VOXEL, ALL, ARGMAX
  }

  public static final String FORMS = "CLASS, CLASS:mask=FILE, CLASS:box=z0,y0,x0,z1,y1,x1, "
      + "CLASS:voxel=z,y,x, CLASS:all or argmax";

  public static Target parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("argmax")) {
      return new Target(Kind.ARGMAX, -1, null, null, null);
    }
    String cls = t.contains(":") ? t.substring(0, t.indexOf(':')) : t;
    String rest = t.contains(":") ? t.substring(t.indexOf(':') + 1) : "";
    int k;
    try {
      k = Integer.parseInt(cls.trim());
    } catch (NumberFormatException e) {
      throw new Gradcam3dException("target '" + text + "' does not start with a class number; use " + FORMS);
    }
    if (k < 0) {
      throw new Gradcam3dException("target class " + k + " is negative");
    }
    if (rest.isEmpty()) {
      return new Target(Kind.PREDICTED, k, null, null, null);
    }
    if (rest.equals("all")) {
      return new Target(Kind.ALL, k, null, null, null);
    }
    if (rest.startsWith("mask=")) {
      String file = rest.substring(5);
      if (file.isBlank()) {
        throw new Gradcam3dException("target '" + text + "' names no mask file");
      }
      return new Target(Kind.MASK, k, file, null, null);
    }
    if (rest.startsWith("box=")) {
      return new Target(Kind.BOX, k, null, numbers(text, rest.substring(4)), null);
    }
    if (rest.startsWith("voxel=")) {
      return new Target(Kind.VOXEL, k, null, numbers(text, rest.substring(6)), null);
    }
    throw new Gradcam3dException("target '" + text + "' is not understood; use " + FORMS);
  }

  private static long[] numbers(String text, String list) {
    try {
      return Arrays.stream(list.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
    } catch (NumberFormatException e) {
      throw new Gradcam3dException("target '" + text + "' has a coordinate that is not an integer");
    }
  }

  /** The same target with its mask file read (spatial shape of the model output). */
  public Target withMask(FloatTensor m) {
    return new Target(kind, classIndex, maskFile, coords, m);
  }

  public String describe() {
    switch (kind) {
      case PREDICTED: return "class " + classIndex + " where the model predicts it";
      case MASK: return "class " + classIndex + " inside mask " + maskFile;
      case BOX: return "class " + classIndex + " inside box " + Arrays.toString(coords);
      case VOXEL: return "class " + classIndex + " at voxel " + Arrays.toString(coords);
      case ALL: return "class " + classIndex + " over the whole volume";
      case ARGMAX: return "each sample's top-scoring class";
      default: return kind.toString();
    }
  }

  /** The text form, as parsed. */
  public String spec() {
    switch (kind) {
      case PREDICTED: return Integer.toString(classIndex);
      case MASK: return classIndex + ":mask=" + maskFile;
      case BOX: return classIndex + ":box=" + join(coords);
      case VOXEL: return classIndex + ":voxel=" + join(coords);
      case ALL: return classIndex + ":all";
      default: return "argmax";
    }
  }

  private static String join(long[] v) {
    return String.join(",", Arrays.stream(v).mapToObj(Long::toString).toList());
  }

  /**
   * The run-time seed for a batch: sample b uses {@code targets.get(b)} (or the only target for
   * every sample). {@code outputShape} is the model output [B, K, *S] or [B, K].
   */
  public static GradientEngine.Seed seed(List<Target> targets, long[] outputShape) {
    int batch = (int) outputShape[0];
    int classes = (int) outputShape[1];
    long[] spatial = Arrays.copyOfRange(outputShape, 2, outputShape.length);
    int voxels = (int) Shapes.numel(spatial);
    if (targets.size() != 1 && targets.size() != batch) {
      throw new Gradcam3dException(targets.size() + " targets given for a batch of " + batch
          + "; give one target for all samples or one per sample");
    }
    FloatTensor weights = FloatTensor.zeros(outputShape);
    FloatTensor gate = FloatTensor.zeros(batch, classes);
    for (int b = 0; b < batch; b++) {
      Target t = targets.size() == 1 ? targets.get(0) : targets.get(b);
      t.check(outputShape);
      if (t.kind == Kind.ARGMAX) {
        for (int k = 0; k < classes; k++) {
          Arrays.fill(weights.data(), (b * classes + k) * voxels, (b * classes + k + 1) * voxels, 1f);
          gate.data()[b * classes + k] = 1f;
        }
        continue;
      }
      int base = (b * classes + t.classIndex) * voxels;
      switch (t.kind) {
        case PREDICTED:
          Arrays.fill(weights.data(), base, base + voxels, 1f);
          gate.data()[b * classes + t.classIndex] = 1f;
          break;
        case ALL:
          Arrays.fill(weights.data(), base, base + voxels, 1f);
          break;
        case MASK: {
          float[] m = t.mask.data();
          int off = t.mask.size() == voxels ? 0 : b * voxels;
          for (int v = 0; v < voxels; v++) {
            weights.data()[base + v] = m[off + v] > 0 ? 1f : 0f;
          }
          break;
        }
        case BOX:
        case VOXEL: {
          int r = spatial.length;
          long[] lo = Arrays.copyOfRange(t.coords, 0, r);
          long[] hi = new long[r];
          for (int a = 0; a < r; a++) {
            hi[a] = t.kind == Kind.BOX ? t.coords[a + r] : t.coords[a] + 1;
          }
          long[] str = Shapes.strides(spatial);
          for (int v = 0; v < voxels; v++) {
            boolean inside = true;
            for (int a = 0; a < r && inside; a++) {
              long c = (v / str[a]) % spatial[a];
              inside = c >= lo[a] && c < hi[a];
            }
            if (inside) {
              weights.data()[base + v] = 1f;
            }
          }
          break;
        }
        default:
          throw new IllegalStateException(t.kind.toString());
      }
    }
    return new GradientEngine.Seed(weights, gate);
  }

  /** Fails with a specific message when this target does not fit the model output. */
  public void check(long[] outputShape) {
    int classes = (int) outputShape[1];
    long[] spatial = Arrays.copyOfRange(outputShape, 2, outputShape.length);
    boolean segmentation = spatial.length > 0;
    if (kind == Kind.ARGMAX) {
      if (segmentation) {
        throw new Gradcam3dException("target 'argmax' is for classifiers; this model segments (output "
            + Shapes.format(outputShape) + "): choose a class, e.g. --target 1");
      }
      return;
    }
    if (classIndex >= classes) {
      throw new Gradcam3dException("target class " + classIndex + " does not exist: the model output "
          + Shapes.format(outputShape) + " has classes 0.." + (classes - 1));
    }
    if (!segmentation && kind != Kind.PREDICTED) {
      throw new Gradcam3dException("target '" + spec() + "' names a region, but this model classifies "
          + "(output " + Shapes.format(outputShape) + "); use --target CLASS or --target argmax");
    }
    if (segmentation && kind == Kind.PREDICTED) {
      return;
    }
    int r = spatial.length;
    if (kind == Kind.MASK) {
      if (mask == null) {
        throw new IllegalStateException("mask file " + maskFile + " was not read");
      }
      long[] ms = mask.shape();
      boolean ok = Arrays.equals(ms, spatial)
          || (ms.length == r + 1 && ms[0] == outputShape[0] && Arrays.equals(Arrays.copyOfRange(ms, 1, ms.length), spatial));
      if (!ok) {
        throw new Gradcam3dException("target mask " + maskFile + " has shape " + Shapes.format(ms)
            + " but the model output grid is " + Shapes.format(spatial));
      }
    }
    if (kind == Kind.BOX || kind == Kind.VOXEL) {
      int need = kind == Kind.BOX ? 2 * r : r;
      if (coords.length != need) {
        throw new Gradcam3dException("target '" + spec() + "' needs " + need + " coordinates for a "
            + r + "-D output grid " + Shapes.format(spatial));
      }
      for (int a = 0; a < r; a++) {
        long lo = coords[a];
        long hi = kind == Kind.BOX ? coords[a + r] : lo + 1;
        if (lo < 0 || hi > spatial[a] || lo >= hi) {
          throw new Gradcam3dException("target '" + spec() + "' is outside the output grid "
              + Shapes.format(spatial) + " along axis " + a + " (needs 0 <= start < end <= " + spatial[a] + ")");
        }
      }
    }
  }
}
