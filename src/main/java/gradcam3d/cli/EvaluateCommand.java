package gradcam3d.cli;

import gradcam3d.output.ConsoleReport;
import gradcam3d.output.EvaluationWriter;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.Written;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.InputPrefetch;
import gradcam3d.pipeline.Settings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** gradcam3d evaluate: explains one input and measures how faithful and how localised the map is. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Explains one input like 'explain' and measures the map with the metrics of --metrics "
        + "(default: deletion and insertion curves with random-order references, agreement with a mask, spread; "
        + "groups faithfulness, robustness, localisation, complexity, randomisation, axiomatic, all: Quantus' "
        + "metrics in 3D and pytorch-grad-cam's). Prints the forward passes and explanation re-runs they cost "
        + "and an estimated time first. Writes cam.npy (and cam.nii.gz), summary.json, evaluate.json and "
        + "curves.png into --out."},
    footer = {"", "Targets and the other shared options: see 'gradcam3d explain --help'.",
        MetricsOptions.DEFINITIONS,
        "Examples:",
        "  gradcam3d evaluate --model unet.onnx --input ct.nii.gz --label gt.nii.gz --layer up2 --target 1 \\",
        "      --out eval/",
        "  gradcam3d evaluate --model unet.onnx --input ct.nii.gz --layer up2 --target 1 --baseline mean \\",
        "      --steps 11 --sanity --sanity-steps 4 --out eval/",
        "  gradcam3d evaluate --model unet.onnx --input ct.nii.gz --label gt.nii.gz --layer up2 --target 1 \\",
        "      --metrics faithfulness,localisation --metric-param faithfulness-correlation.runs=100 --out eval/",
        "", "Exit codes: 0 done, 1 a problem with the input (message on stderr), 2 bad options."})
final class EvaluateCommand implements Callable<Integer> {
  @Mixin
  ExplanationOptions explanation;

  @Mixin
  CaseOptions caseOptions;

  @Mixin
  MetricsOptions metricsOptions;

  @Mixin
  TableOptions tables;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Settings settings = explanation.settings(false, quiet.progress(spec.commandLine().getErr()));
    caseOptions.checkOut(settings, tables.read());
    tables.load();
    CaseInput input = caseOptions.input();
    // the input is read while the model is
    InputPrefetch prefetch = InputPrefetch.start(input);
    try (ExplanationPipeline pipeline = new ExplanationPipeline(settings,
        metricsOptions.settings(settings.batchSize()))) {
      OutputSettings output = caseOptions.output(caseOptions.out);
      ResultWriter.Prepared[] writers = new ResultWriter.Prepared[1];
      CaseResult r = tables.apply(pipeline.run(input, prefetch,
          loaded -> writers[0] = ResultWriter.prepare(loaded, settings.layout(), output)), null);
      Written w = ResultWriter.write(r, output, List.of(new EvaluationWriter()), writers[0]);
      if (!quiet.quiet) {
        ConsoleReport.print(spec.commandLine().getOut(), r, w, caseOptions.out);
      }
    }
    return 0;
  }
}
