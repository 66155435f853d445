package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.GaussianBlur;
import java.util.Arrays;
import java.util.Locale;

/**
 * What replaces removed voxels in the deletion curve (and what insertion starts from), per
 * channel of one sample [1, C, *S]:
 * <ul>
 *   <li>{@code blur}: Gaussian blur with sigma {@value #SIGMA} voxels along every spatial axis,
 *       kernel truncated at {@value #TRUNCATE} sigma (radius 16) and normalised to sum 1, edges
 *       continued with the nearest voxel (scipy.ndimage.gaussian_filter mode 'nearest');</li>
 *   <li>{@code mean}: the channel's mean over the volume;</li>
 *   <li>{@code zero}: 0.</li>
 * </ul>
 */
public enum Baseline {
  BLUR, MEAN, ZERO;

  public static final double SIGMA = 4.0;
  public static final double TRUNCATE = 4.0;

  public static Baseline byName(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException("unknown baseline '" + name + "'; use blur, mean or zero");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The baseline volume of one sample x [1, C, *S]. */
  public FloatTensor of(FloatTensor x) {
    long[] shape = x.shape();
    int channels = (int) shape[1];
    int voxels = x.size() / channels / (int) shape[0];
    float[] out = new float[x.size()];
    float[] d = x.data();
    for (int c = 0; c < out.length / voxels; c++) {
      int base = c * voxels;
      switch (this) {
        case ZERO:
          break;
        case MEAN: {
          double s = 0;
          for (int v = 0; v < voxels; v++) {
            s += d[base + v];
          }
          Arrays.fill(out, base, base + voxels, (float) (s / voxels));
          break;
        }
        case BLUR: {
          float[] ch = Arrays.copyOfRange(d, base, base + voxels);
          float[] blurred = GaussianBlur.blur(ch, Arrays.copyOfRange(shape, 2, shape.length), SIGMA, TRUNCATE);
          System.arraycopy(blurred, 0, out, base, voxels);
          break;
        }
        default:
          throw new IllegalStateException(name());
      }
    }
    return new FloatTensor(out, shape);
  }
}
