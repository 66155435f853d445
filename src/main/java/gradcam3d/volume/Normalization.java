package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Intensity normalisation applied to a (C, *S) input before the model sees it, each channel on
 * its own, with MONAI 1.3.2's semantics:
 * <ul>
 *   <li>{@code none};</li>
 *   <li>{@code zscore}: NormalizeIntensity, (x - mean) / std with the population std (a constant
 *       channel only centred); {@code zscore:nonzero}: NormalizeIntensity(nonzero=True), mean and
 *       std of the nonzero voxels, which alone are changed (zeros stay 0);</li>
 *   <li>{@code minmax}: to [0, 1];</li>
 *   <li>{@code window:A_MIN,A_MAX[,B_MIN,B_MAX]}: ScaleIntensityRange(clip=True), [A_MIN, A_MAX]
 *       to [B_MIN, B_MAX] (default [0, 1]), values outside clipped;</li>
 *   <li>{@code percentile:LO,HI[,B_MIN,B_MAX]}: ScaleIntensityRangePercentiles(clip=True), the
 *       window between the channel's LO-th and HI-th percentiles (numpy's linear interpolation).</li>
 * </ul>
 * A multi-channel input takes one form for every channel or one per channel ({@link #perChannel}).
 *
 * <p>nnU-Net v2's schemes ({@link #nnunet}, nnunetv2 preprocessing/normalization/
 * default_normalization_schemes.py) are made from a plans file, not parsed: CTNormalization (clip to
 * the dataset foreground's 0.5 and 99.5 percentiles, minus its mean, over max(std, 1e-8)),
 * ZScoreNormalization (this channel's mean and population std, eps 1e-8; with use_mask_for_norm only
 * inside the cropped scan's filled nonzero mask, the rest kept as it is), NoNormalization,
 * RescaleTo01Normalization ((x - min) / max(max - min, 1e-8)) and RGBTo01Normalization (x / 255,
 * values outside [0, 255] refused). The masked z-score needs the mask ({@link #fitted(FloatTensor,
 * boolean[])}, {@link #apply(FloatTensor, List, boolean[])}).
 */
public final class Normalization {
  private static final String VALID_FORMS = "none, zscore, zscore:nonzero, minmax, window:A_MIN,A_MAX[,B_MIN,B_MAX] "
      + "with A_MIN < A_MAX (e.g. window:-160,240) or percentile:LO,HI[,B_MIN,B_MAX] with 0 <= LO < HI <= 100";

  private enum Kind {
    NONE, ZSCORE, ZSCORE_NONZERO, MINMAX, WINDOW, PERCENTILE,
    NNUNET_CT, NNUNET_ZSCORE, NNUNET_ZSCORE_MASKED, NNUNET_NONE, NNUNET_RESCALE, NNUNET_RGB
  }

  /** nnU-Net's eps of float32 schemes. */
  private static final double NNUNET_EPS = 1e-8;

  public static final Normalization NONE = new Normalization(Kind.NONE, new double[0], List.of());

  private final Kind kind;
  /** window: a_min, a_max, b_min, b_max; percentile: lo, hi, b_min, b_max; nnunet CT: mean, std, p0.5, p99.5. */
  private final double[] args;
  /** One normalisation per channel (then kind is NONE and unused), or empty. */
  private final List<Normalization> channels;

  private Normalization(Kind kind, double[] args, List<Normalization> channels) {
    this.kind = kind;
    this.args = args;
    this.channels = List.copyOf(channels);
  }

  /**
   * What one channel's normalisation does to a value x: (clamp(x, low, high) - shift) * scale,
   * with the channel's statistics (mean, std, range, percentiles) fitted; with {@code keepZero}
   * a value of exactly 0 stays 0 (zscore:nonzero). Pictures and the report show the scan in its
   * own units and the model's value beside it through this.
   */
  public record Linear(double low, double high, double shift, double scale, boolean keepZero) {
    public static final Linear IDENTITY = new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 1, false);

    public Linear(double low, double high, double shift, double scale) {
      this(low, high, shift, scale, false);
    }

    public double apply(double x) {
      if (keepZero && x == 0) {
        return 0;
      }
      return (Math.min(Math.max(x, low), high) - shift) * scale;
    }
  }

  public static Normalization parse(String spec) {
    String text = spec.trim().toLowerCase(Locale.ROOT);
    switch (text) {
      case "none":
        return NONE;
      case "zscore":
        return new Normalization(Kind.ZSCORE, new double[0], List.of());
      case "zscore:nonzero":
        return new Normalization(Kind.ZSCORE_NONZERO, new double[0], List.of());
      case "minmax":
        return new Normalization(Kind.MINMAX, new double[0], List.of());
      default:
        break;
    }
    for (Kind k : new Kind[] {Kind.WINDOW, Kind.PERCENTILE}) {
      String prefix = k.name().toLowerCase(Locale.ROOT) + ":";
      if (!text.startsWith(prefix)) {
        continue;
      }
      double[] v = numbers(text.substring(prefix.length()));
      if (v != null && (v.length == 2 || v.length == 4)) {
        double[] a = v.length == 4 ? v : new double[] {v[0], v[1], 0, 1};
        boolean ok = a[0] < a[1] && (k == Kind.WINDOW || (a[0] >= 0 && a[1] <= 100));
        if (ok) {
          return new Normalization(k, a, List.of());
        }
      }
    }
    throw new Gradcam3dException("unknown normalisation '" + spec + "'; valid forms are " + VALID_FORMS + ".");
  }

  /**
   * One channel's nnU-Net v2 scheme by its class name (CTNormalization, ZScoreNormalization,
   * NoNormalization, RescaleTo01Normalization, RGBTo01Normalization), with the plans'
   * use_mask_for_norm and foreground_intensity_properties_per_channel entry (mean, std,
   * percentile_00_5, percentile_99_5; CTNormalization needs them).
   */
  public static Normalization nnunet(String scheme, boolean useMaskForNorm, Map<String, Double> properties) {
    switch (scheme) {
      case "CTNormalization" -> {
        double[] a = new double[4];
        String[] keys = {"mean", "std", "percentile_00_5", "percentile_99_5"};
        for (int i = 0; i < 4; i++) {
          Double v = properties == null ? null : properties.get(keys[i]);
          if (v == null || !Double.isFinite(v)) {
            throw new Gradcam3dException("CTNormalization needs the foreground intensity property '" + keys[i]
                + "' (a number) in the plans' foreground_intensity_properties_per_channel");
          }
          a[i] = v;
        }
        return new Normalization(Kind.NNUNET_CT, a, List.of());
      }
      case "ZScoreNormalization" -> {
        return new Normalization(useMaskForNorm ? Kind.NNUNET_ZSCORE_MASKED : Kind.NNUNET_ZSCORE, new double[0],
            List.of());
      }
      case "NoNormalization" -> {
        return new Normalization(Kind.NNUNET_NONE, new double[0], List.of());
      }
      case "RescaleTo01Normalization" -> {
        return new Normalization(Kind.NNUNET_RESCALE, new double[0], List.of());
      }
      case "RGBTo01Normalization" -> {
        return new Normalization(Kind.NNUNET_RGB, new double[0], List.of());
      }
      default -> throw new Gradcam3dException("unknown nnU-Net normalization scheme '" + scheme + "'; gradcam3d knows "
          + "CTNormalization, ZScoreNormalization, NoNormalization, RescaleTo01Normalization and RGBTo01Normalization");
    }
  }

  /** Whether channel {@code c}'s scheme normalises only inside the cropped scan's nonzero mask. */
  public boolean usesMask(int c) {
    Normalization n = channels.isEmpty() ? this : channels.get(c);
    return n.kind == Kind.NNUNET_ZSCORE_MASKED;
  }

  /** Whether any channel normalises only inside the nonzero mask. */
  public boolean usesMask() {
    return kind == Kind.NNUNET_ZSCORE_MASKED || channels.stream().anyMatch(n -> n.kind == Kind.NNUNET_ZSCORE_MASKED);
  }

  /** One normalisation per input channel, in order (a single one applies to every channel). */
  public static Normalization perChannel(List<Normalization> each) {
    if (each.isEmpty()) {
      return NONE;
    }
    if (each.size() == 1) {
      return each.get(0);
    }
    return new Normalization(Kind.NONE, new double[0], each);
  }

  private static double[] numbers(String list) {
    String[] parts = list.split(",");
    double[] v = new double[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        v[i] = Double.parseDouble(parts[i].trim());
        if (!Double.isFinite(v[i])) {
          return null;
        }
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return v;
  }

  /** A new (C, *S) tensor; axis 0 is channels. */
  public FloatTensor apply(FloatTensor channelsFirst) {
    return apply(channelsFirst, fitted(channelsFirst));
  }

  /** The channels normalised with parameters fitted before ({@link #fitted}). */
  public static FloatTensor apply(FloatTensor channelsFirst, List<Linear> perChannel) {
    if (perChannel.stream().allMatch(Linear.IDENTITY::equals)) {
      return channelsFirst; // nothing to do: no copy of a scan that may be a quarter of the heap
    }
    float[] in = channelsFirst.data();
    float[] out = new float[in.length];
    int channels = (int) channelsFirst.dim(0);
    int block = in.length / channels;
    for (int c = 0; c < channels; c++) {
      Linear l = perChannel.get(c);
      boolean clamp = l.low() > Double.NEGATIVE_INFINITY || l.high() < Double.POSITIVE_INFINITY;
      for (int i = c * block; i < (c + 1) * block; i++) {
        if (l.keepZero() && in[i] == 0) {
          continue;
        }
        double v = clamp ? Math.min(Math.max(in[i], l.low()), l.high()) : in[i];
        out[i] = (float) ((v - l.shift()) * l.scale());
      }
    }
    return new FloatTensor(out, channelsFirst.shape());
  }

  /**
   * The channels normalised with fitted parameters, a masked channel ({@link #usesMask}) only where
   * {@code mask} (one flag per voxel of a channel) is set, the rest kept as it is.
   */
  public FloatTensor apply(FloatTensor channelsFirst, List<Linear> perChannel, boolean[] mask) {
    Pointwise f = pointwise(perChannel, mask);
    float[] in = channelsFirst.data();
    float[] out = new float[in.length];
    int block = in.length / (int) channelsFirst.dim(0);
    for (int i = 0; i < in.length; i++) {
      out[i] = f.apply(i / block, i % block, in[i]);
    }
    return new FloatTensor(out, channelsFirst.shape());
  }

  /** One voxel's normalised value: channel c, voxel v (its index within the channel), stored value x. */
  @FunctionalInterface
  public interface Pointwise {
    float apply(int c, int v, float x);

    /** Voxels v .. v + n - 1 of channel c, stored at {@code in[from..]}, normalised into {@code out[at..]}. */
    default void row(int c, int v, float[] in, int from, double[] out, int at, int n) {
      for (int j = 0; j < n; j++) {
        out[at + j] = apply(c, v + j, in[from + j]);
      }
    }
  }

  /**
   * The normalisation voxel by voxel, as {@link #apply(FloatTensor, List, boolean[])} computes it,
   * for code that reads the input once without holding a normalised copy (nnU-Net's resampling).
   */
  public Pointwise pointwise(List<Linear> perChannel, boolean[] mask) {
    int count = perChannel.size();
    boolean[] masked = new boolean[count];
    boolean[] clamp = new boolean[count];
    for (int c = 0; c < count; c++) {
      masked[c] = mask != null && usesMask(c);
      Linear l = perChannel.get(c);
      clamp[c] = l.low() > Double.NEGATIVE_INFINITY || l.high() < Double.POSITIVE_INFINITY;
    }
    Linear[] linear = perChannel.toArray(new Linear[0]);
    return new Pointwise() {
      @Override
      public float apply(int c, int v, float x) {
        Linear l = linear[c];
        if (masked[c]) {
          // inside the mask every voxel, zeros too (holes, a channel's own zeros); outside as it is
          return mask[v] ? (float) ((x - l.shift()) * l.scale()) : x;
        }
        if (l.keepZero() && x == 0) {
          return 0f;
        }
        double d = clamp[c] ? Math.min(Math.max(x, l.low()), l.high()) : x;
        return (float) ((d - l.shift()) * l.scale());
      }

      @Override
      public void row(int c, int v, float[] in, int from, double[] out, int at, int n) {
        Linear l = linear[c];
        if (masked[c] || l.keepZero()) {
          for (int j = 0; j < n; j++) {
            out[at + j] = apply(c, v + j, in[from + j]);
          }
          return;
        }
        double low = clamp[c] ? l.low() : Double.NEGATIVE_INFINITY;
        double high = clamp[c] ? l.high() : Double.POSITIVE_INFINITY;
        double shift = l.shift();
        double scale = l.scale();
        for (int j = 0; j < n; j++) {
          double d = Math.min(Math.max(in[from + j], low), high);
          // the float the voxel-by-voxel form gives
          out[at + j] = (float) ((d - shift) * scale);
        }
      }
    };
  }

  /** Each channel's parameters, a masked channel's statistics taken inside {@code mask} (null: everywhere). */
  public List<Linear> fitted(FloatTensor channelsFirst, boolean[] mask) {
    return fitted(channelsFirst, mask, true);
  }

  /** Each channel's parameters for this input. */
  public List<Linear> fitted(FloatTensor channelsFirst) {
    return fitted(channelsFirst, null, false);
  }

  private List<Linear> fitted(FloatTensor channelsFirst, boolean[] mask, boolean withMask) {
    float[] in = channelsFirst.data();
    int count = (int) channelsFirst.dim(0);
    if (!channels.isEmpty() && channels.size() != count) {
      throw new Gradcam3dException(Setting.NORMALIZE, Setting.NORMALIZE.label() + " gives " + channels.size()
          + " normalisations, one per channel, but "
          + "the input has " + count + " channel" + (count == 1 ? "" : "s"));
    }
    int block = in.length / count;
    List<Linear> out = new ArrayList<>();
    for (int c = 0; c < count; c++) {
      Normalization n = channels.isEmpty() ? this : channels.get(c);
      out.add(withMask && n.kind == Kind.NNUNET_ZSCORE_MASKED ? n.fitMasked(in, c * block, block, mask)
          : n.fitChannel(in, c * block, block));
    }
    return out;
  }

  /**
   * ZScoreNormalization with use_mask_for_norm: mean and std of the voxels inside the mask. The
   * Linear keeps zeros (outside the mask every channel is zero), which describes it except in
   * filled holes; {@link #apply(FloatTensor, List, boolean[])} uses the mask itself.
   */
  private Linear fitMasked(float[] in, int from, int count, boolean[] mask) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < count; i++) {
      if (mask == null || mask[i]) {
        sum += in[from + i];
        n++;
      }
    }
    if (n == 0) {
      return Linear.IDENTITY;
    }
    double mean = sum / n;
    double squares = 0;
    for (int i = 0; i < count; i++) {
      if (mask == null || mask[i]) {
        squares += (in[from + i] - mean) * (in[from + i] - mean);
      }
    }
    double std = Math.sqrt(squares / n);
    return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, mean, 1 / Math.max(std, NNUNET_EPS),
        mask != null);
  }

  private Linear fitChannel(float[] in, int from, int count) {
    switch (kind) {
      case ZSCORE, ZSCORE_NONZERO -> {
        boolean nonzero = kind == Kind.ZSCORE_NONZERO;
        double sum = 0;
        long n = 0;
        for (int i = from; i < from + count; i++) {
          if (!nonzero || in[i] != 0) {
            sum += in[i];
            n++;
          }
        }
        if (n == 0) {
          return Linear.IDENTITY; // an all-zero channel stays as it is (MONAI returns it unchanged)
        }
        double mean = sum / n;
        double squares = 0;
        for (int i = from; i < from + count; i++) {
          if (!nonzero || in[i] != 0) {
            squares += (in[i] - mean) * (in[i] - mean);
          }
        }
        double std = Math.sqrt(squares / n);
        // a constant channel is only centred
        return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, mean, std > 0 ? 1 / std : 1, nonzero);
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
        return window(args[0], args[1], args[2], args[3]);
      }
      case PERCENTILE -> {
        double[] p = Percentiles.of(in, from, count, args[0], args[1]);
        return window(p[0], p[1], args[2], args[3]);
      }
      case NNUNET_CT -> {
        return new Linear(args[2], args[3], args[0], 1 / Math.max(args[1], NNUNET_EPS), false);
      }
      case NNUNET_ZSCORE, NNUNET_ZSCORE_MASKED -> {
        return fitMasked(in, from, count, null);
      }
      case NNUNET_RESCALE -> {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + count; i++) {
          min = Math.min(min, in[i]);
          max = Math.max(max, in[i]);
        }
        return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, min, 1 / Math.max(max - min, NNUNET_EPS));
      }
      case NNUNET_RGB -> {
        for (int i = from; i < from + count; i++) {
          if (!(in[i] >= 0 && in[i] <= 255)) {
            throw new Gradcam3dException("RGBTo01Normalization takes values in [0, 255] (8-bit RGB), but this channel "
                + "holds " + in[i] + "; the plans do not fit this scan");
          }
        }
        return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 1 / 255.0);
      }
      default -> {
        return Linear.IDENTITY;
      }
    }
  }

  /**
   * ScaleIntensityRange(a_min, a_max, b_min, b_max, clip=True): (x - a_min) / (a_max - a_min) *
   * (b_max - b_min) + b_min, clipped to [b_min, b_max], which is clamping x to [a_min, a_max].
   */
  private static Linear window(double aMin, double aMax, double bMin, double bMax) {
    if (!(aMax > aMin)) {
      // a percentile window of a constant channel: MONAI returns x - a_min + b_min, unclipped
      return new Linear(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, aMin - bMin, 1, false);
    }
    double scale = (bMax - bMin) / (aMax - aMin);
    double low = Math.min(aMin, aMax);
    double high = Math.max(aMin, aMax);
    // (clamp(x) - a_min) * scale + b_min = (clamp(x) - shift) * scale
    double shift = scale != 0 ? aMin - bMin / scale : aMin;
    return new Linear(low, high, shift, scale, false);
  }

  /** The canonical spec text, e.g. "window:-160.0,240.0,0.0,1.0"; per channel joined by ";". */
  @Override
  public String toString() {
    if (!channels.isEmpty()) {
      return String.join(";", channels.stream().map(Normalization::toString).toList());
    }
    return switch (kind) {
      case WINDOW, PERCENTILE -> kind.name().toLowerCase(Locale.ROOT) + ":" + args[0] + "," + args[1]
          + (args[2] == 0 && args[3] == 1 ? "" : "," + args[2] + "," + args[3]);
      case ZSCORE_NONZERO -> "zscore:nonzero";
      case NNUNET_CT -> "nnunet:CTNormalization(mean=" + args[0] + ",std=" + args[1] + ",clip=" + args[2] + ","
          + args[3] + ")";
      case NNUNET_ZSCORE -> "nnunet:ZScoreNormalization";
      case NNUNET_ZSCORE_MASKED -> "nnunet:ZScoreNormalization(use_mask_for_norm)";
      case NNUNET_NONE -> "nnunet:NoNormalization";
      case NNUNET_RESCALE -> "nnunet:RescaleTo01Normalization";
      case NNUNET_RGB -> "nnunet:RGBTo01Normalization";
      default -> kind.name().toLowerCase(Locale.ROOT);
    };
  }
}
