package gradcam3d.cli;

import gradcam3d.AtomicFiles;
import gradcam3d.Gradcam3dException;
import gradcam3d.cam.CamMethod;
import gradcam3d.output.CsvTable;
import gradcam3d.output.EvaluationWriter;
import gradcam3d.output.ResultFolder;
import gradcam3d.output.ResultWriter;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.Settings;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.metrics.MaskAgreement;
import gradcam3d.output.DisplayFrame;
import gradcam3d.render.ComparisonGrid;
import gradcam3d.render.RenderOptions;
import gradcam3d.render.CurveChart;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** gradcam3d compare: every method at every layer on one case, measured and ranked. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Explains one case with each method at each --layer (one map per pair, not aggregated; "
        + "refine-cam with all the layers at once, methods without a layer once), measures every map like 'evaluate', and writes compare.csv and compare.json (one row per method x "
        + "layer, best deletion AUC first, with times), curves.png (deletion and insertion curves, one line "
        + "per pair), grid.png (the maps over the same axial slice) and one folder per pair with its "
        + "explanation and summary.json."},
    footer = {"", "Targets and the other shared options: see 'gradcam3d explain --help'.",
        MetricsOptions.DEFINITIONS,
        "Example:",
        "  gradcam3d compare --model unet.onnx --input ct.nii.gz --label gt.nii.gz --target 1 \\",
        "      --methods gradcam,hirescam,layercam --layer down3 --layer up2 --out cmp/",
        "", "Exit codes: 0 done, 1 a problem with the input (message on stderr), 2 bad options."})
final class CompareCommand implements Callable<Integer> {
  static final String CSV = "compare.csv";
  static final String JSON = "compare.json";
  static final String CURVES = "curves.png";
  static final String GRID = "grid.png";
  /** The layer column of methods that take no layer. */
  static final String INPUT_ROW = "input";

  @Mixin
  ExplanationOptions explanation;

  @Option(names = "--methods", paramLabel = "M1,M2,...", converter = Converters.MethodList.class,
      description = "Methods to compare, separated by commas, each once (default: the --method value).")
  Converters.Methods methods;

  @Mixin
  CaseOptions caseOptions;

  @Mixin
  MetricsOptions metricsOptions;

  /** The output folder (from --out). */
  private Path out;

  @Mixin
  PictureOptions pictures;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** One method at one layer, measured. */
  private record Row(String method, String layer, CaseResult result, double seconds) {
    Evaluation.SampleMetrics metrics() {
      return result.metrics().samples().get(0);
    }

    double deletionAuc() {
      FaithfulnessCurves c = metrics().curves();
      return c == null ? Double.NaN : c.deletionAuc();
    }
  }

  @Override
  public Integer call() {
    out = caseOptions.out;
    List<CamMethod> chosen = methods == null ? List.of(explanation.method) : methods.list();
    PrintWriter err = spec.commandLine().getErr();
    Settings base = explanation.settings(false, quiet.progress(err));
    caseOptions.checkOut(base);
    Evaluation.Settings how = metricsOptions.settings(base.batchSize());
    checkPairs(base, chosen);
    List<Row> rows = new ArrayList<>();
    String slice;
    // everything goes into a staging folder that replaces --out only when the comparison is complete
    try (ResultFolder folder = ResultFolder.open(out, caseOptions.inputsAndModel(base))) {
      Path stage = folder.staging();
      for (CamMethod listed : chosen) {
        CamMethod method = explanation.configured(listed);
        for (List<String> layers : layerRuns(method, explanation.layers)) {
          String layer = layers.isEmpty() ? INPUT_ROW : String.join("+", layers);
          Settings s = base.withMethod(method).withLayers(layers);
          long t0 = System.nanoTime();
          CaseResult r;
          try (ExplanationPipeline pipeline = new ExplanationPipeline(s, how)) {
            // slice indices and the like are judged on the loaded input, before the first map
            r = pipeline.run(caseOptions.input(), loaded -> pictures.checkSlices(loaded, s.layout()));
          }
          if (r.metrics().samples().size() != 1) {
            throw new Gradcam3dException("compare takes one case; the input holds a batch of "
                + r.metrics().samples().size());
          }
          ResultWriter.write(r, caseOptions.output(stage.resolve(folder(method.name(), layer))));
          rows.add(new Row(method.name(), layer, r, (System.nanoTime() - t0) / 1e9));
        }
      }
      rows.sort(Comparator.comparingDouble(Row::deletionAuc));
      slice = writeFigures(rows, stage, base);
      folder.commit();
    }
    if (!quiet.quiet) {
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "gradcam3d compare: %d methods x %d layers, best deletion AUC first%n", chosen.size(),
          explanation.layers.size());
      for (Row r : rows) {
        FaithfulnessCurves c = r.metrics().curves();
        if (c == null) {
          o.printf(Locale.ROOT, "  %-20s %-24s %.1f s%n", r.method(), r.layer(), r.seconds());
          continue;
        }
        o.printf(Locale.ROOT, "  %-20s %-24s deletion %.3f  insertion %.3f  (random %.3f / %.3f)  %.1f s%n",
            r.method(), r.layer(), c.deletionAuc(), c.insertionAuc(), c.randomDeletionAuc(), c.randomInsertionAuc(),
            r.seconds());
      }
      o.printf(Locale.ROOT, "  wrote    %s: %s, %s, %s, %s (axial slice %s), one folder per pair%n", out, CSV, JSON,
          CURVES, GRID, slice);
    }
    return 0;
  }

  /**
   * The layer sets a method is explained with, one row each: every layer alone; all of them at
   * once for a method that combines its layers (refine-cam); none for one that takes no layer
   * (input-space methods, fullgrad, occlusion) or when none is given (the explainer then says what
   * is missing).
   */
  static List<List<String>> layerRuns(CamMethod method, List<String> layers) {
    if (!method.takesLayers() || layers.isEmpty()) {
      return List.of(List.of());
    }
    if (method.combinesLayers()) {
      return List.of(layers);
    }
    return layers.stream().map(List::of).toList();
  }

  /**
   * Every method with every layer set it runs with, checked before anything is computed: a method
   * missing its layer, an unknown or ambiguous layer (bad option values, exit 2).
   */
  private void checkPairs(Settings base, List<CamMethod> chosen) {
    for (CamMethod listed : chosen) {
      CamMethod method = explanation.configured(listed);
      for (List<String> layers : layerRuns(method, explanation.layers)) {
        base.withMethod(method).withLayers(layers).checkRequest();
      }
    }
    gradcam3d.graph.Graph g = gradcam3d.graph.Graph.fromModel(gradcam3d.onnx.ModelIO.read(base.model()));
    gradcam3d.graph.LayerResolver layers = new gradcam3d.graph.LayerResolver(g, gradcam3d.graph.ModuleIndex.of(g));
    for (String layer : explanation.layers) {
      layers.resolve(layer);
    }
  }

  /**
   * compare.csv, compare.json, curves.png and grid.png into {@code dir}; returns the grid's slice
   * as the model tensor's index (z=12). The grid is drawn in the pictures' display frame.
   */
  private String writeFigures(List<Row> rows, Path dir, Settings base) {
    writeTables(rows, dir);
    List<CurveChart.Series> series = new ArrayList<>();
    List<FloatTensor> cams = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    RenderOptions render = pictures.renderOptions();
    CaseResult first = rows.get(0).result();
    DisplayFrame frame = DisplayFrame.of(first.loaded(), base.layout(), render);
    for (Row r : rows) {
      FaithfulnessCurves c = r.metrics().curves();
      String name = r.method() + " " + r.layer();
      if (c != null && c.deletion() != null) {
        series.add(EvaluationWriter.series(name, c));
      }
      cams.add(frame.apply(spatial(r.result().explanation().cam())));
      labels.add(name);
    }
    if (!series.isEmpty()) {
      CurveChart.write(series, dir.resolve(CURVES), EvaluationWriter.yLabel(first.metrics()));
    }
    FloatTensor shown = first.loaded().scan() != null ? first.loaded().scan().batch() : first.loaded().batch();
    FloatTensor image = frame.apply(firstChannel(shown));
    int figureSlice = ComparisonGrid.write(image, cams, labels, frame.spacing(), frame.affine(), frame.display(),
        frame.slicesInFigureOrder(render, base.layout()), dir.resolve(GRID));
    return frame.storedSlice(figureSlice, base.layout());
  }

  static String folder(String method, String layer) {
    return (method + "_" + layer).replaceAll("[^A-Za-z0-9._+@-]", "_");
  }

  private static final List<String> HEADER = List.of("method", "layer", "deletion_auc", "insertion_auc",
      "random_deletion_auc", "random_insertion_auc", "mass_inside", "mass_inside_over_mask_share",
      "relevance_rank_accuracy", "peak_inside", "iou_otsu", "ioa_otsu", "map_mean", "fraction_above_0.5",
      "last_randomization_spearman", "seconds", "folder");

  private void writeTables(List<Row> rows, Path dir) {
    CsvTable csv = new CsvTable(HEADER);
    List<Object> json = new ArrayList<>();
    for (Row r : rows) {
      Evaluation.SampleMetrics m = r.metrics();
      FaithfulnessCurves c = m.curves();
      MaskAgreement a = m.agreement();
      Evaluation ev = r.result().metrics();
      Double lastRho = ev.sanity() == null ? null : ev.sanity().steps().get(ev.sanity().steps().size() - 1).spearman();
      List<Object> cells = Arrays.asList(r.method(), r.layer(), c == null ? null : c.deletionAuc(),
          c == null ? null : c.insertionAuc(), c == null ? null : c.randomDeletionAuc(),
          c == null ? null : c.randomInsertionAuc(), a == null ? null : a.massInside(),
          a == null ? null : a.concentration(), a == null ? null : a.rankAccuracy(), a == null ? null : a.peakInside(),
          a == null ? null : a.overlaps().get("otsu").iou(), a == null ? null : a.overlaps().get("otsu").ioa(),
          m.complexity().mean(), m.complexity().fractionAboveHalf(), lastRho, r.seconds(), folder(r.method(), r.layer()));
      csv.add(cells.stream().map(CompareCommand::cell).toList());
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("method", r.method());
      j.put("layer", r.layer());
      j.put("seconds", r.seconds());
      j.put("folder", folder(r.method(), r.layer()));
      j.put("metrics", ev.toJson());
      json.add(j);
    }
    csv.write(dir.resolve(CSV));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("sorted_by", "deletion_auc");
    doc.put("rows", json);
    AtomicFiles.write(dir.resolve(JSON), os -> os.write(Json.write(doc).getBytes(StandardCharsets.UTF_8)));
  }

  private static String cell(Object v) {
    if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
      return "";
    }
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.6g", d);
    }
    return v.toString(); // quoted and neutralised by CsvTable
  }

  /** cam [1, *S] as [*S]. */
  private static FloatTensor spatial(FloatTensor cam) {
    return cam.slice0(0);
  }

  /** Input [1, C, *S]: channel 0 as [*S]. */
  private static FloatTensor firstChannel(FloatTensor x) {
    return x.slice0(0).slice0(0);
  }
}
