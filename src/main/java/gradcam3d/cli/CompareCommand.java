package gradcam3d.cli;

import gradcam3d.cam.CamMethod;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.output.ComparisonWriter;
import gradcam3d.output.ResultFolder;
import gradcam3d.output.ResultWriter;
import gradcam3d.pipeline.Comparison;
import gradcam3d.pipeline.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * gradcam3d compare: every method at every layer on one case, measured and ranked; the flow is
 * {@link Comparison}, the files {@link ComparisonWriter}.
 */
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
  @Mixin
  ExplanationOptions explanation;

  @Option(names = "--methods", paramLabel = "M1,M2,...", converter = Converters.MethodList.class,
      description = "Methods to compare, separated by commas, each once (default: the --method value).")
  Converters.Methods methods;

  @Mixin
  CaseOptions caseOptions;

  @Mixin
  MetricsOptions metricsOptions;

  @Mixin
  PictureOptions pictures;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Path out = caseOptions.out;
    List<CamMethod> chosen = methods == null ? List.of(explanation.method) : methods.list();
    List<CamMethod> configured = chosen.stream().map(explanation::configured).toList();
    PrintWriter err = spec.commandLine().getErr();
    Settings base = explanation.settings(false, quiet.progress(err));
    caseOptions.checkOut(base);
    Evaluation.Settings how = metricsOptions.settings(base.batchSize());
    Comparison.check(base, configured, explanation.layers);
    List<Comparison.Pair> pairs;
    String slice;
    // everything goes into a staging folder that replaces --out only when the comparison is complete
    try (ResultFolder folder = ResultFolder.open(out, caseOptions.inputsAndModel(base))) {
      Path stage = folder.staging();
      // slice indices and the like are judged on the loaded input, before the first map
      pairs = Comparison.run(base, how, configured, explanation.layers, caseOptions.input(),
          loaded -> pictures.checkSlices(loaded, base.layout()),
          (method, layer, r) -> ResultWriter.write(r, caseOptions.output(stage.resolve(folder(method, layer)))));
      slice = ComparisonWriter.write(pairs, stage, base.layout(), pictures.renderOptions());
      folder.commit();
    }
    if (!quiet.quiet) {
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "gradcam3d compare: %d methods x %d layers, best deletion AUC first%n", chosen.size(),
          explanation.layers.size());
      for (Comparison.Pair r : pairs) {
        FaithfulnessCurves c = r.metrics().curves();
        if (c == null) {
          o.printf(Locale.ROOT, "  %-20s %-24s %.1f s%n", r.method(), r.layer(), r.seconds());
          continue;
        }
        o.printf(Locale.ROOT, "  %-20s %-24s deletion %.3f  insertion %.3f  (random %.3f / %.3f)  %.1f s%n",
            r.method(), r.layer(), c.deletionAuc(), c.insertionAuc(), c.randomDeletionAuc(), c.randomInsertionAuc(),
            r.seconds());
      }
      o.printf(Locale.ROOT, "  wrote    %s: %s, %s, %s, %s (axial slice %s), one folder per pair%n", out,
          ComparisonWriter.CSV, ComparisonWriter.JSON, ComparisonWriter.CURVES, ComparisonWriter.GRID, slice);
    }
    return 0;
  }

  /** A pair's folder name ({@link ComparisonWriter#folder}). */
  static String folder(String method, String layer) {
    return ComparisonWriter.folder(method, layer);
  }
}
