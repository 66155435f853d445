package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.report.CaseReport;
import gradcam3d.report.CaseReportWriter;
import gradcam3d.report.ReportGrid;
import gradcam3d.report.ValueRange;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import gradcam3d.volume.Volume;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * report.html for a single-volume case: the model input (first channel), one map per layer plus
 * the aggregate, the target region when it lies on the input grid, the label, and the summary.
 * Only this class knows both the pipeline's result and the report package's input. The volumes
 * are compressed while the other formats are written; the summary, which lists those, comes last.
 */
public final class HtmlReportWriter implements OutputWriter {
  public static final String FILE = "report.html";

  /** The report without its summary, and its compressed data block. */
  private record Encoded(CaseReport report, CaseReportWriter.Data data) {}

  private Background<Encoded> encoding;
  private Background<CaseReportWriter.DataEncoder> scan;

  /** The scan is put in the display frame and compressed while the maps are computed. */
  @Override
  public Background<?> beginInput(LoadedCase loaded, Layout layout, OutputSettings o) {
    Volume scan = loaded.scan();
    if (!o.report() || scan == null || loaded.batch().dim(0) != 1) {
      return null;
    }
    DisplayGrid grid = DisplayGrid.of(DisplayFrame.of(loaded, layout, o.render()));
    this.scan = Background.start("report-scan", () -> {
      DisplayGrid.Measured shown = grid.applyScan(scan.tensor().view0(0));
      return new CaseReportWriter.DataEncoder(shown.values().data(), shown.range());
    });
    return this.scan;
  }

  @Override
  public Background<?> begin(CaseResult r, OutputSettings o, Path dir) {
    Volume scan = r.loaded().scan();
    if (!o.report() || scan == null || r.loaded().batch().dim(0) != 1) {
      return null;
    }
    Background<CaseReportWriter.DataEncoder> early = this.scan;
    encoding = Background.start("report", () -> {
      List<ValueRange> mapRanges = new ArrayList<>();
      Shown shown = volumes(r, o, early, mapRanges);
      return new Encoded(shown.report(), shown.scan().finish(shown.report(), mapRanges));
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
    CaseReport report = new CaseReport(v.title(), v.grid(), v.image(), v.maps(), v.target(), v.label(), summary,
        v.intensity());
    CaseReportWriter.write(report, o.render().colormap(), o.render().opacity(), dir.resolve(FILE), e.data());
  }

  /** What the page shows, and its scan as compressed. */
  private record Shown(CaseReport report, CaseReportWriter.DataEncoder scan) {}

  /**
   * What the page shows, in the pictures' display frame, without the summary: the scan in its own
   * intensities, the maps, the target region and the label on the scan's grid. The label's blocks
   * (which only the page shows) come first, the scan last ({@code early}: its encoder, started
   * when the scan was loaded, or null), so that little waits for the scan's compression. Each
   * map's range is added to {@code mapRanges}.
   */
  private static Shown volumes(CaseResult r, OutputSettings o, Background<CaseReportWriter.DataEncoder> early,
      List<ValueRange> mapRanges) throws IOException {
    Explanation e = r.explanation();
    // a large scan in blocks (DisplayGrid), as the pictures show it: the page stays a few MB
    DisplayGrid frame = DisplayGrid.of(DisplayFrame.of(r.loaded(), r.settings().layout(), o.render()));
    ReportGrid grid = grid(frame);
    float[] label = r.label() == null ? null : frame.apply(r.label().mask(), true).data();
    String method = r.settings().method().name();
    List<CaseReport.NamedMap> maps = new ArrayList<>();
    // each map's range is found with its blocks
    BiConsumer<String, FloatTensor> addMap = (name, map) -> {
      DisplayGrid.Measured shown = frame.applyMeasured(map, false);
      maps.add(new CaseReport.NamedMap(name, shown.values().data()));
      mapRanges.add(shown.range());
    };
    if (e.layers().size() > 1) {
      addMap.accept("aggregate · " + method, e.cam().view0(0));
    }
    for (Explanation.LayerMap l : e.layers()) {
      addMap.accept(l.layer().spec() + " · " + method, l.cam().view0(0));
    }
    if (e.extras() != null) {
      // a method's own maps one by one (dff: "concept 0", "concept 1", ...), in the same map switch
      e.extras().maps().forEach((name, stack) -> {
        FloatTensor first = stack.view0(0);
        String singular = name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
        for (int k = 0; k < first.dim(0); k++) {
          addMap.accept(singular + " " + k + " · " + method, first.slice0(k));
        }
      });
    }
    float[] target = e.region() != null && Arrays.equals(e.region().view0(0).shape(), e.cam().view0(0).shape())
        ? frame.apply(e.region().view0(0), true).data()
        : r.windows() != null && r.windows().regionClass() >= 0
        ? frame.applyClass(r.windows().segmentation(), r.windows().regionClass()).data() : null;
    CaseReportWriter.DataEncoder scan;
    if (early != null) {
      scan = early.join();
    } else {
      DisplayGrid.Measured image = frame.applyScan(r.loaded().scan().tensor().view0(0));
      scan = new CaseReportWriter.DataEncoder(image.values().data(), image.range());
    }
    String title = "gradcam3d · " + method + " · " + String.join(" + ", r.input().names());
    List<Normalization.Linear> intensity = r.loaded().intensity();
    // the model's value beside the scan's, where the two differ
    Normalization.Linear first = intensity == null ? null : intensity.get(0);
    return new Shown(new CaseReport(title, grid, scan.image(), maps, target, label, null,
        first == null || first.equals(Normalization.Linear.IDENTITY) ? null : first), scan);
  }

  /**
   * The report's grid: the shown grid's axes in NIfTI order (X, Y, Z), where each comes from in
   * the scan, and, for a scan stored in blocks, what is stored.
   */
  static ReportGrid grid(DisplayGrid shown) {
    DisplayFrame frame = shown.frame();
    long[] figure = shown.shape();
    int rank = figure.length;
    int[] dims = {1, 1, 1};
    double[] spacing = {1, 1, 1};
    int[] stored = {0, 1, 2};
    boolean[] flip = new boolean[3];
    List<Integer> step = new ArrayList<>(List.of(1, 1, 1));
    List<Long> full = new ArrayList<>(List.of(1L, 1L, 1L));
    double[] shownSpacing = shown.spacing();
    for (int a = 0; a < rank; a++) {
      dims[a] = Math.toIntExact(figure[rank - 1 - a]);
      spacing[a] = shownSpacing == null ? 1 : shownSpacing[rank - 1 - a];
      stored[a] = frame.stored().source()[a];
      flip[a] = frame.stored().flip()[a];
      step.set(a, shown.step()[rank - 1 - a]);
      full.set(a, shown.full()[rank - 1 - a]);
    }
    double[][] affine = shown.affine() != null ? shown.affine()
        : new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    Map<String, Object> sampled = null;
    if (!shown.fullResolution()) {
      sampled = new LinkedHashMap<>();
      sampled.put("step", step);
      sampled.put("dims", full);
      sampled.put("note", String.format(Locale.ROOT, "Large scan: stored at %d x %d x %d of its %d x %d x %d voxels"
          + " (blocks of %d x %d x %d, i x j x k): scan and maps as block means, target and label where any voxel"
          + " of a block is inside. The map files (cam.npy, cam.nii.gz) keep every voxel.", dims[0], dims[1], dims[2],
          full.get(0), full.get(1), full.get(2), step.get(0), step.get(1), step.get(2)));
    }
    return new ReportGrid(dims, spacing, affine, stored, flip, frame.display().forViewer(rank == 2), sampled);
  }
}
