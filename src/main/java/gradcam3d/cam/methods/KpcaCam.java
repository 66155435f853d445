package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * KPCA-CAM (Karmani et al. 2024; pytorch-grad-cam kpca_cam.py, utils get_2d_projection_kernel with
 * sklearn KernelPCA): per sample the layer's voxels as N points in R^C, centred per channel; the
 * projection on their first kernel principal component, u * sqrt(lambda) ({@link KernelPca}:
 * exact in float64). Kernels as sklearn defines them: sigmoid tanh(gamma x.y + 1) (the default),
 * rbf exp(-gamma |x - y|^2), poly (gamma x.y + 1)^3, linear x.y, cosine x.y / (|x| |y|); gamma
 * defaults to 1 / C. The component's sign is arbitrary: the map is flipped when |min| > |max|, the
 * eigen methods' rule. Gradient-free. The kernel matrix is N x N, so the layer's voxel count
 * bounds it (a quarter of the heap).
 *
 * @param kernel the kernel
 * @param gamma the kernel's gamma, or null for 1 / channels (not used by linear and cosine)
 */
public record KpcaCam(Kernel kernel, Double gamma) implements CamMethod.OnHost {
  /** The kernels of sklearn's KernelPCA that pytorch-grad-cam passes through. */
  public enum Kernel {
    SIGMOID, RBF, POLY, LINEAR, COSINE;

    /** By name, case-insensitive; a clear error otherwise. */
    public static Kernel parse(String name) {
      for (Kernel k : values()) {
        if (k.name().equalsIgnoreCase(name.trim())) {
          return k;
        }
      }
      throw new OptionValueException(Setting.KPCA_KERNEL, Setting.KPCA_KERNEL.label()
          + " must be one of sigmoid, rbf, poly, linear, cosine, not '" + name + "'");
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public KpcaCam {
    if (gamma != null && !(gamma > 0 && Double.isFinite(gamma))) {
      throw new OptionValueException(Setting.KPCA_GAMMA, Setting.KPCA_GAMMA.label()
          + " must be a finite number > 0, not " + gamma);
    }
  }

  public KpcaCam() {
    this(Kernel.parse(MethodOptions.KPCA_KERNEL), null);
  }

  @Override
  public String name() {
    return "kpca-cam";
  }

  @Override
  public boolean usesGradients() {
    return false;
  }

  @Override
  public String notPerWindow() {
    return "its kernel principal component is one of the whole layer";
  }

  @Override
  public String notOneGraph() {
    return "its kernel eigenproblem is solved on the host in float64";
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kpca_kernel", kernel.toString());
    m.put("kpca_gamma", gamma == null ? "1/channels" : gamma);
    return m;
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new KpcaCam(Kernel.parse(o.kpcaKernel()), o.kpcaGamma());
  }

  @Override
  public FloatTensor camLayer(FloatTensor activation, FloatTensor gradient) {
    long[] s = activation.shape();
    int batch = (int) s[0];
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] out = new float[batch * voxels];
    for (int b = 0; b < batch; b++) {
      double[] p = component(activation, b).projection();
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double v : p) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      double sign = Math.abs(min) > Math.abs(max) ? -1 : 1;
      for (int v = 0; v < voxels; v++) {
        out[b * voxels + v] = (float) (sign * p[v]);
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  /** Sample b's component (before the sign rule): its projection, eigenvalue and the next Ritz value. */
  KernelPca.Component component(FloatTensor activation, int b) {
    long[] s = activation.shape();
    int channels = (int) s[1];
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(s, 2, s.length));
    float[] d = activation.data();
    int base = b * channels * voxels;
    double[][] x = new double[voxels][channels];
    for (int c = 0; c < channels; c++) {
      double mean = 0;
      for (int v = 0; v < voxels; v++) {
        mean += d[base + c * voxels + v];
      }
      mean /= voxels;
      for (int v = 0; v < voxels; v++) {
        x[v][c] = d[base + c * voxels + v] - mean;
      }
    }
    return KernelPca.top(x, kernel, gamma == null ? 1.0 / channels : gamma);
  }

  @Override
  public CamMethod.InGraph inGraph() {
    return null;
  }
}
