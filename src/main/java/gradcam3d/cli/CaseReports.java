package gradcam3d.cli;

import gradcam3d.cam.Explanation;
import gradcam3d.render.RenderOptions;
import gradcam3d.report.CaseReport;
import gradcam3d.report.CaseReportWriter;
import gradcam3d.report.ReportGrid;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Volume;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An explanation of one volume as the report package's input: the model input (first channel),
 * one map per layer plus the aggregate, the target region when it lies on the input grid, and the
 * label mask. Only this class knows both sides, so the report stays independent of the pipeline.
 */
final class CaseReports {
  static final String FILE = "report.html";

  private CaseReports() {}

  static void write(Volume volume, Explanation e, FloatTensor labelMask, Map<String, Object> summary,
      RenderOptions render, Path html) {
    ReportGrid grid = ReportGrid.of(volume);
    List<CaseReport.NamedMap> maps = new ArrayList<>();
    String method = String.valueOf(summary.get("method"));
    for (Explanation.LayerMap l : e.layers()) {
      maps.add(new CaseReport.NamedMap(l.layer().spec() + " · " + method, nifti(grid, l.cam().slice0(0), volume)));
    }
    if (e.layers().size() > 1) {
      maps.add(0, new CaseReport.NamedMap("aggregate · " + method, nifti(grid, e.cam().slice0(0), volume)));
    }
    FloatTensor cam = e.cam().slice0(0);
    float[] target = e.region() != null && Arrays.equals(e.region().slice0(0).shape(), cam.shape())
        ? nifti(grid, e.region().slice0(0), volume) : null;
    float[] label = labelMask == null ? null : nifti(grid, labelMask, volume);
    Object inputs = summary.get("inputs"); // as the user named them (the demo's are bundled resources)
    String title = "gradcam3d · " + method + " · " + (inputs instanceof List<?> l && !l.isEmpty()
        ? String.join(" + ", l.stream().map(String::valueOf).toList()) : volume.source());
    CaseReport report = new CaseReport(title, grid, nifti(grid, volume.tensor().slice0(0), volume), maps, target,
        label, summary);
    CaseReportWriter.write(report, render.colormap(), render.opacity(), html);
  }

  private static float[] nifti(ReportGrid grid, FloatTensor spatial, Volume volume) {
    return grid.niftiOrder(spatial, volume.layout());
  }
}
