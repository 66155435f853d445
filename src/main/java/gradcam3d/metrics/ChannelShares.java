package gradcam3d.metrics;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Which input channel (MRI sequence) the attribution used: per sample and channel c, the share
 * sum_v |A[c, v]| / sum_{c', v} |A[c', v]| of an input-space attribution A [B, C, *S] (saliency,
 * input x gradient, integrated gradients, ...; LRP's relevance once it exposes it as
 * {@code Explanation.attribution()}).
 */
public record ChannelShares(List<String> names, double[][] shares) {
  /**
   * @param names one per channel, or null for "channel 0", "channel 1", ...
   */
  public static ChannelShares of(FloatTensor attribution, List<String> names) {
    int batch = (int) attribution.dim(0);
    int channels = (int) attribution.dim(1);
    if (names != null && names.size() != channels) {
      throw new Gradcam3dException(Setting.CHANNEL_NAMES, Setting.CHANNEL_NAMES.label() + " gives " + names.size()
          + " names but the input has " + channels
          + " channel" + (channels == 1 ? "" : "s"));
    }
    List<String> n = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      n.add(names == null ? "channel " + c : names.get(c));
    }
    int voxels = attribution.size() / batch / channels;
    float[] d = attribution.data();
    double[][] out = new double[batch][channels];
    for (int b = 0; b < batch; b++) {
      double total = 0;
      for (int c = 0; c < channels; c++) {
        double s = 0;
        int base = (b * channels + c) * voxels;
        for (int v = 0; v < voxels; v++) {
          s += Math.abs(d[base + v]);
        }
        out[b][c] = s;
        total += s;
      }
      for (int c = 0; c < channels; c++) {
        out[b][c] = total == 0 ? Double.NaN : out[b][c] / total;
      }
    }
    return new ChannelShares(List.copyOf(n), out);
  }
}
