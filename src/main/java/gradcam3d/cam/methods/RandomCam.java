package gradcam3d.cam.methods;

import gradcam3d.cam.CamGraph;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodOptions;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Random-CAM, a sanity baseline (pytorch-grad-cam random_cam.py): cam = sum_c w_c A_c with channel
 * weights drawn uniformly from [-1, 1). Here the weights come from {@code seed} (java.util.Random,
 * one draw per channel in channel order) and are the same for every sample, window and layer of
 * the same channel count, so a batch gives each sample the map it gets alone and a run is
 * reproducible (pytorch-grad-cam draws new weights per sample and call). No gradient is needed.
 *
 * @param seed the seed of the weights
 */
public record RandomCam(long seed) implements CamMethod.InGraph {
  public RandomCam() {
    this(MethodOptions.SEED);
  }

  @Override
  public String name() {
    return "random-cam";
  }

  @Override
  public boolean usesGradients() {
    return false;
  }

  @Override
  public String notPerWindow() {
    return "it has no gradient to share the target between windows";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("seed", seed);
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new RandomCam(o.seed());
  }

  /** The weights of {@code channels} channels. */
  public float[] weights(int channels) {
    Random r = new Random(seed);
    float[] w = new float[channels];
    for (int c = 0; c < channels; c++) {
      w[c] = (float) (2 * r.nextDouble() - 1);
    }
    return w;
  }

  @Override
  public String camLayer(CamGraph g, String activation, String gradient) {
    long[] s = g.builder().shape(activation);
    long[] shape = new long[s.length];
    Arrays.fill(shape, 1);
    shape[1] = s[1];
    String w = g.builder().cast(g.builder().constFloats(weights((int) s[1]), shape), g.builder().type(activation));
    return g.sumChannels(g.mul(w, activation));
  }
}
