package gradcam3d.report;

import gradcam3d.Gradcam3dException;
import gradcam3d.volume.Normalization;
import java.util.List;
import java.util.Map;

/**
 * What one explanation's report.html shows, independent of how the explanation was computed: the
 * scan, one or more named maps (layers, methods, aggregate), the target region and the true label
 * as masks, and the summary (model, layer, target, timings, metrics) as JSON-like fields. Every
 * array holds one value per voxel of {@code grid}, in NIfTI voxel order (see {@link ReportGrid}).
 *
 * @param target the explained region (non-zero = inside), or null
 * @param label the true label of the explained class (non-zero = inside), or null
 * @param summary values {@link Json} can write: maps, lists, strings, numbers
 * @param intensity what the model's normalisation did to the scan's values (the readout shows both), or null
 */
public record CaseReport(String title, ReportGrid grid, float[] image, List<NamedMap> maps, float[] target,
    float[] label, Map<String, Object> summary, Normalization.Linear intensity) {

  /** A report whose scan values are what the model saw. */
  public CaseReport(String title, ReportGrid grid, float[] image, List<NamedMap> maps, float[] target,
      float[] label, Map<String, Object> summary) {
    this(title, grid, image, maps, target, label, summary, null);
  }

  /** One map to switch to, e.g. "up2 · gradcam" or "aggregate". */
  public record NamedMap(String name, float[] values) {}

  public CaseReport {
    if (maps.isEmpty()) {
      throw new Gradcam3dException("a report needs at least one map");
    }
    maps = List.copyOf(maps);
    summary = summary == null ? Map.of() : summary;
    requireSize("the scan", image, grid);
    for (NamedMap m : maps) {
      requireSize("the map " + m.name(), m.values(), grid);
    }
    if (target != null) {
      requireSize("the target region", target, grid);
    }
    if (label != null) {
      requireSize("the label", label, grid);
    }
  }

  private static void requireSize(String what, float[] values, ReportGrid grid) {
    if (values.length != grid.voxels()) {
      throw new Gradcam3dException(what + " has " + values.length + " voxels but the report's volume has "
          + grid.voxels());
    }
  }
}
