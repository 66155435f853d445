package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.report.CaseReport;
import gradcam3d.report.CaseReportWriter;
import gradcam3d.report.ReportGrid;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Volume;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * report.html for a single-volume case: the model input (first channel), one map per layer plus
 * the aggregate, the target region when it lies on the input grid, the label, and the summary.
 * Only this class knows both the pipeline's result and the report package's input. The volumes
 * are compressed while the other formats are written; the summary, which lists those, comes last.
 */
public final class HtmlReportWriter implements OutputWriter {
  public static final String FILE = "report.html";

  /** The report without its summary, and its compressed data block. */
  private record Encoded(CaseReport report, byte[] data) {}

  private Background<Encoded> encoding;
  private Background<CaseReportWriter.DataEncoder> scan;

  /** The scan is put in report order and compressed while the maps are computed. */
  @Override
  public Background<?> beginInput(LoadedCase loaded, Layout layout, OutputSettings o) {
    Volume volume = loaded.volume();
    if (!o.report() || volume == null || loaded.batch().dim(0) != 1) {
      return null;
    }
    scan = Background.start("report-scan", () ->
        new CaseReportWriter.DataEncoder(nifti(ReportGrid.of(volume), volume.tensor().view0(0), volume)));
    return scan;
  }

  @Override
  public Background<?> begin(CaseResult r, OutputSettings o, Path dir) {
    Volume volume = r.loaded().volume();
    if (!o.report() || volume == null || r.loaded().batch().dim(0) != 1) {
      return null;
    }
    Background<CaseReportWriter.DataEncoder> early = scan;
    encoding = Background.start("report", () -> {
      CaseReportWriter.DataEncoder encoder = early != null ? early.join() : null;
      CaseReport report = volumes(r, volume, encoder == null ? null : encoder.image());
      encoder = encoder != null ? encoder : new CaseReportWriter.DataEncoder(report.image());
      return new Encoded(report, encoder.finish(report));
    });
    return encoding;
  }

  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) throws IOException {
    if (encoding == null) {
      return;
    }
    Encoded e = encoding.join();
    w.add(FILE); // before the summary is taken, so that the page's summary lists itself as summary.json will
    Map<String, Object> summary = SummaryJsonWriter.summary(r, o, w);
    CaseReport v = e.report();
    CaseReport report = new CaseReport(v.title(), v.grid(), v.image(), v.maps(), v.target(), v.label(), summary);
    CaseReportWriter.write(report, o.render().colormap(), o.render().opacity(), dir.resolve(FILE), e.data());
  }

  /** What the page shows, in NIfTI voxel order, without the summary ({@code scan}: in that order already, or null). */
  private static CaseReport volumes(CaseResult r, Volume volume, float[] scan) {
    Explanation e = r.explanation();
    ReportGrid grid = ReportGrid.of(volume);
    String method = r.settings().method().name();
    List<CaseReport.NamedMap> maps = new ArrayList<>();
    if (e.layers().size() > 1) {
      maps.add(new CaseReport.NamedMap("aggregate · " + method, nifti(grid, e.cam().view0(0), volume)));
    }
    for (Explanation.LayerMap l : e.layers()) {
      maps.add(new CaseReport.NamedMap(l.layer().spec() + " · " + method, nifti(grid, l.cam().view0(0), volume)));
    }
    FloatTensor cam = e.cam().view0(0);
    float[] target = e.region() != null && Arrays.equals(e.region().view0(0).shape(), cam.shape())
        ? nifti(grid, e.region().view0(0), volume) : null;
    float[] label = r.label() == null ? null : nifti(grid, r.label().mask(), volume);
    String title = "gradcam3d · " + method + " · " + String.join(" + ", r.input().names());
    float[] image = scan != null ? scan : nifti(grid, volume.tensor().view0(0), volume);
    return new CaseReport(title, grid, image, maps, target, label, null);
  }

  private static float[] nifti(ReportGrid grid, FloatTensor spatial, Volume volume) {
    return grid.niftiOrder(spatial, volume.layout());
  }
}
