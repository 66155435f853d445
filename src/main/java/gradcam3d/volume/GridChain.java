package gradcam3d.volume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid steps between a scan as stored and the grid the model was trained on, declared once
 * (from options or a preprocessing file) and applied per scan ({@link #apply}): reorientation to
 * axis codes (MONAI's Orientationd: axes permuted and flipped, nothing resampled) and resampling
 * to voxel sizes (MONAI's Spacingd); and nnU-Net v2's chain ({@code NnunetPlans}): transpose,
 * crop to the nonzero region, normalise (nnU-Net normalises on the cropped scan's grid, before
 * resampling: a {@link Normalize} step), resample as nnU-Net does. Other intensity normalisation is
 * not a grid step ({@link Normalization}, after the chain). Every output is mapped back through the
 * same chain, so maps land on the scan's own grid.
 */
public final class GridChain {
  /** One declared step. */
  public sealed interface Step permits Orient, Resample, Transpose, CropToNonzero, Normalize, NnunetResample {
    /** What summary.json records of it. */
    Map<String, Object> describe();
  }

  /** Reorient to axis codes such as RAS (no resampling). */
  public record Orient(Orientation codes) implements Step {
    @Override
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", "orient");
      m.put("axcodes", codes.codes());
      return m;
    }
  }

  /**
   * Resample to voxel sizes in mm along the (reoriented) voxel axes i, j, k, as MONAI's
   * Spacingd(pixdim, mode="bilinear", padding_mode="border") does ({@link SpacingGeometry}).
   */
  public record Resample(double[] pixdim) implements Step {
    public Resample {
      pixdim = pixdim.clone();
    }

    @Override
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", "resample");
      m.put("pixdim", pixdim.clone());
      m.put("mode", "bilinear");
      m.put("padding", "border");
      return m;
    }
  }

  /**
   * nnU-Net's transpose_forward: spatial axis d of the result is axis {@code axes[d]} of the scan
   * (tensor order, zyx for nnU-Net); undone by its inverse (transpose_backward).
   */
  public record Transpose(int[] axes) implements Step {
    public Transpose {
      axes = axes.clone();
      new AxisMap(axes, new boolean[axes.length]); // checks it is a permutation
    }

    @Override
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", "transpose");
      m.put("axes", java.util.Arrays.stream(axes).asLongStream().toArray());
      return m;
    }
  }

  /**
   * nnU-Net's crop_to_nonzero ({@link NonzeroCrop}): the bounding box of the voxels nonzero in any
   * channel; outputs are pasted back into it (zeros, i.e. background, outside).
   */
  public record CropToNonzero() implements Step {
    @Override
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", "crop_to_nonzero");
      return m;
    }
  }

  /**
   * Intensity normalisation at this point of the chain (nnU-Net normalises the cropped scan before
   * resampling; a masked scheme uses the crop's filled nonzero mask). The pipeline then adds none.
   */
  public record Normalize(Normalization normalization) implements Step {
    @Override
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", "normalize");
      m.put("scheme", normalization.toString());
      return m;
    }
  }

  /**
   * nnU-Net's resampling to the plans' spacing ({@link NnunetResampling}): the shape
   * compute_new_shape gives, data resampled with {@code data}'s orders, and every value mapped back
   * with {@code back}'s (the plans' resampling_fn_probabilities_kwargs); labels nearest both ways.
   *
   * @param spacing the target spacing in tensor order (after the transpose)
   */
  public record NnunetResample(double[] spacing, NnunetResampling.Orders data, NnunetResampling.Orders back)
      implements Step {
    public NnunetResample {
      spacing = spacing.clone();
    }

    @Override
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", "nnunet_resample");
      m.put("spacing", spacing.clone());
      m.put("order", data.order());
      m.put("order_z", data.orderZ());
      m.put("force_separate_z", data.forceSeparateZ());
      m.put("back_order", back.order());
      m.put("back_order_z", back.orderZ());
      return m;
    }
  }

  private static final GridChain NONE = new GridChain(List.of());

  private final List<Step> steps;

  private GridChain(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /** No grid steps: the model sees the scan's own grid. */
  public static GridChain none() {
    return NONE;
  }

  public static GridChain of(List<Step> steps) {
    return steps.isEmpty() ? NONE : new GridChain(steps);
  }

  /** This chain with one more step at the end. */
  public GridChain then(Step step) {
    List<Step> s = new ArrayList<>(steps);
    s.add(step);
    return new GridChain(s);
  }

  public List<Step> steps() {
    return steps;
  }

  public boolean isEmpty() {
    return steps.isEmpty();
  }

  /** Whether a step normalises intensities (then no normalisation follows the chain). */
  public boolean normalizes() {
    return steps.stream().anyMatch(s -> s instanceof Normalize);
  }

  /** Whether a step resamples (then outputs go back interpolated, and the segmentation from the prediction). */
  public boolean resamples() {
    return steps.stream().anyMatch(s -> s instanceof Resample || s instanceof NnunetResample);
  }

  /** The chain applied to one scan: the model-grid volume and how to map between the grids. */
  public GridMapping apply(Volume scan) {
    return GridMapping.of(scan, this);
  }

  @Override
  public String toString() {
    return steps.toString();
  }
}
