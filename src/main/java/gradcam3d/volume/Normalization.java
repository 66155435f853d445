package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Intensity normalisation applied to a (C, *S) input before the model sees it, each channel on its
 * own: {@code none}, {@code zscore} (mean 0, population std 1), {@code minmax} (to [0, 1]) or
 * {@code window:LO,HI} (clip to [LO, HI], then to [0, 1], as CT windows are used).
 */
public final class Normalization {
  private static final String VALID_FORMS =
      "none, zscore, minmax or window:LO,HI with LO < HI (e.g. window:-160,240)";

  private enum Kind { NONE, ZSCORE, MINMAX, WINDOW }

  public static final Normalization NONE = new Normalization(Kind.NONE, 0, 0);

  private final Kind kind;
  private final double low;
  private final double high;

  private Normalization(Kind kind, double low, double high) {
    this.kind = kind;
    this.low = low;
    this.high = high;
  }

  public static Normalization parse(String spec) {
    String text = spec.trim().toLowerCase(Locale.ROOT);
    if (text.equals("none")) {
      return NONE;
    }
    if (text.equals("zscore")) {
      return new Normalization(Kind.ZSCORE, 0, 0);
    }
    if (text.equals("minmax")) {
      return new Normalization(Kind.MINMAX, 0, 0);
    }
    if (text.startsWith("window:")) {
      String[] bounds = text.substring("window:".length()).split(",");
      if (bounds.length == 2) {
        try {
          double lo = Double.parseDouble(bounds[0].trim());
          double hi = Double.parseDouble(bounds[1].trim());
          if (lo < hi && Double.isFinite(lo) && Double.isFinite(hi)) {
            return new Normalization(Kind.WINDOW, lo, hi);
          }
        } catch (NumberFormatException e) {
          // reported below with the valid forms
        }
      }
    }
    throw new Gradcam3dException("unknown normalisation '" + spec + "'; valid forms are "
        + VALID_FORMS + ".");
  }

  /**
   * What one channel's normalisation does to a value x: (clamp(x, low, high) - shift) * scale,
   * with the channel's statistics (mean, std, range) fitted. Pictures and the report show the scan
   * in its own units and the model's value beside it through this.
   */
  public record Linear(double low, double high, double shift, double scale) {
    public static final Linear IDENTITY = new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 1);

    public double apply(double x) {
      return (Math.min(Math.max(x, low), high) - shift) * scale;
    }
  }

  /** A new (C, *S) tensor; axis 0 is channels. */
  public FloatTensor apply(FloatTensor channelsFirst) {
    return apply(channelsFirst, fitted(channelsFirst));
  }

  /** The channels normalised with parameters fitted before ({@link #fitted}). */
  public static FloatTensor apply(FloatTensor channelsFirst, List<Linear> perChannel) {
    float[] in = channelsFirst.data();
    float[] out = new float[in.length];
    int channels = (int) channelsFirst.dim(0);
    int block = in.length / channels;
    for (int c = 0; c < channels; c++) {
      Linear l = perChannel.get(c);
      boolean clamp = l.low() > Double.NEGATIVE_INFINITY || l.high() < Double.POSITIVE_INFINITY;
      for (int i = c * block; i < (c + 1) * block; i++) {
        double v = clamp ? Math.min(Math.max(in[i], l.low()), l.high()) : in[i];
        out[i] = (float) ((v - l.shift()) * l.scale());
      }
    }
    return new FloatTensor(out, channelsFirst.shape());
  }

  /** Each channel's parameters for this input. */
  public List<Linear> fitted(FloatTensor channelsFirst) {
    float[] in = channelsFirst.data();
    int channels = (int) channelsFirst.dim(0);
    int block = in.length / channels;
    List<Linear> out = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      out.add(fitChannel(in, c * block, block));
    }
    return out;
  }

  private Linear fitChannel(float[] in, int from, int count) {
    switch (kind) {
      case ZSCORE -> {
        double sum = 0;
        for (int i = from; i < from + count; i++) {
          sum += in[i];
        }
        double mean = sum / count;
        double squares = 0;
        for (int i = from; i < from + count; i++) {
          squares += (in[i] - mean) * (in[i] - mean);
        }
        double std = Math.sqrt(squares / count);
        // a constant channel is only centred
        return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, mean, std > 0 ? 1 / std : 1);
      }
      case MINMAX -> {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + count; i++) {
          min = Math.min(min, in[i]);
          max = Math.max(max, in[i]);
        }
        // a constant channel becomes zeros
        return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, min, max > min ? 1 / (max - min) : 0);
      }
      case WINDOW -> {
        return new Linear(low, high, low, 1 / (high - low));
      }
      default -> {
        return Linear.IDENTITY;
      }
    }
  }

  /** The canonical spec text, e.g. "window:-160.0,240.0". */
  @Override
  public String toString() {
    return kind == Kind.WINDOW
        ? "window:" + low + "," + high
        : kind.name().toLowerCase(Locale.ROOT);
  }
}
