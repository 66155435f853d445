package gradcam3d.output;

import gradcam3d.AtomicFiles;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.MaskAgreement;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.Comparison;
import gradcam3d.render.ComparisonGrid;
import gradcam3d.render.CurveChart;
import gradcam3d.render.RenderOptions;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A comparison's files ({@link Comparison}): compare.csv and compare.json (one row per method x
 * layer, in the comparison's order, with times), curves.png (deletion and insertion curves, one
 * line per pair) and grid.png (the maps over the same slice, in the pictures' display frame).
 * Each pair's own explanation goes into {@link #folder}.
 */
public final class ComparisonWriter {
  public static final String CSV = "compare.csv";
  public static final String JSON = "compare.json";
  public static final String CURVES = "curves.png";
  public static final String GRID = "grid.png";

  private static final List<String> HEADER = List.of("method", "layer", "deletion_auc", "insertion_auc",
      "random_deletion_auc", "random_insertion_auc", "mass_inside", "mass_inside_over_mask_share",
      "relevance_rank_accuracy", "peak_inside", "iou_otsu", "ioa_otsu", "map_mean", "fraction_above_0.5",
      "last_randomization_spearman", "seconds", "folder");

  private ComparisonWriter() {}

  /** A pair's folder name: method_layer, made safe. */
  public static String folder(String method, String layer) {
    return (method + "_" + layer).replaceAll("[^A-Za-z0-9._+@-]", "_");
  }

  /**
   * compare.csv, compare.json, curves.png and grid.png into {@code dir}; returns the grid's slice
   * as the model tensor's index (z=12).
   */
  public static String write(List<Comparison.Pair> pairs, Path dir, Layout layout, RenderOptions render) {
    writeTables(pairs, dir);
    List<CurveChart.Series> series = new ArrayList<>();
    List<FloatTensor> cams = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    CaseResult first = pairs.get(0).result();
    DisplayFrame frame = DisplayFrame.of(first.loaded(), layout, render);
    for (Comparison.Pair p : pairs) {
      FaithfulnessCurves c = p.metrics().curves();
      String name = p.method() + " " + p.layer();
      if (c != null && c.deletion() != null) {
        series.add(EvaluationWriter.series(name, c));
      }
      // cam [1, *S] as [*S]
      cams.add(frame.apply(p.result().explanation().cam().slice0(0)));
      labels.add(name);
    }
    if (!series.isEmpty()) {
      CurveChart.write(series, dir.resolve(CURVES), EvaluationWriter.yLabel(first.metrics()));
    }
    FloatTensor shown = first.loaded().scan() != null ? first.loaded().scan().batch() : first.loaded().batch();
    // input [1, C, *S]: channel 0 as [*S]
    FloatTensor image = frame.apply(shown.slice0(0).slice0(0));
    int figureSlice = ComparisonGrid.write(image, cams, labels, frame.spacing(), frame.affine(), frame.display(),
        frame.slicesInFigureOrder(render, layout), dir.resolve(GRID));
    return frame.storedSlice(figureSlice, layout);
  }

  private static void writeTables(List<Comparison.Pair> pairs, Path dir) {
    CsvTable csv = new CsvTable(HEADER);
    List<Object> json = new ArrayList<>();
    for (Comparison.Pair p : pairs) {
      Evaluation.SampleMetrics m = p.metrics();
      FaithfulnessCurves c = m.curves();
      MaskAgreement a = m.agreement();
      Evaluation ev = p.result().metrics();
      Double lastRho = ev.sanity() == null ? null : ev.sanity().steps().get(ev.sanity().steps().size() - 1).spearman();
      List<Object> cells = Arrays.asList(p.method(), p.layer(), c == null ? null : c.deletionAuc(),
          c == null ? null : c.insertionAuc(), c == null ? null : c.randomDeletionAuc(),
          c == null ? null : c.randomInsertionAuc(), a == null ? null : a.massInside(),
          a == null ? null : a.concentration(), a == null ? null : a.rankAccuracy(), a == null ? null : a.peakInside(),
          a == null ? null : a.overlaps().get("otsu").iou(), a == null ? null : a.overlaps().get("otsu").ioa(),
          m.complexity().mean(), m.complexity().fractionAboveHalf(), lastRho, p.seconds(),
          folder(p.method(), p.layer()));
      csv.add(cells.stream().map(ComparisonWriter::number).toList());
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("method", p.method());
      j.put("layer", p.layer());
      j.put("seconds", p.seconds());
      j.put("folder", folder(p.method(), p.layer()));
      j.put("metrics", ev.toJson());
      json.add(j);
    }
    csv.write(dir.resolve(CSV));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("sorted_by", "deletion_auc");
    doc.put("rows", json);
    AtomicFiles.write(dir.resolve(JSON), os -> os.write(Json.write(doc).getBytes(StandardCharsets.UTF_8)));
  }

  /** A cell's text before {@link CsvTable} quotes it: numbers to six digits, empty for none or not finite. */
  private static String number(Object v) {
    if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
      return "";
    }
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.6g", d);
    }
    return v.toString();
  }
}
