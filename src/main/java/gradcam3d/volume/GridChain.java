package gradcam3d.volume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid steps between a scan as stored and the grid the model was trained on, declared once
 * (from options or a preprocessing file) and applied per scan ({@link #apply}): reorientation to
 * axis codes (MONAI's Orientationd: axes permuted and flipped, nothing resampled) and resampling
 * to voxel sizes (MONAI's Spacingd). Intensity steps are not grid steps ({@link Normalization}). Every output is mapped back through the same chain,
 * so maps land on the scan's own grid.
 */
public final class GridChain {
  /** One declared step. */
  public sealed interface Step permits Orient, Resample {
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

  /** The chain applied to one scan: the model-grid volume and how to map between the grids. */
  public GridMapping apply(Volume scan) {
    return GridMapping.of(scan, this);
  }

  @Override
  public String toString() {
    return steps.toString();
  }
}
