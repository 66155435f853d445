package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.cam.Progress;
import gradcam3d.cam.methods.IntegratedGradients;
import gradcam3d.cam.methods.Lrp;
import gradcam3d.cam.methods.OcclusionSensitivity;
import gradcam3d.cam.methods.SmoothGrad;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.Settings;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.window.SlidingWindowExplainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A Java caller starting from the library's factories gets what the command line gives when the
 * options are left out: the command line's parsed defaults against {@link Settings#of}, the
 * methods' no-argument constructors, {@link SlidingWindowExplainer.Settings#of} and
 * {@link RuntimeOptions#defaults()}; and every command's option specs (their default values, or
 * the "(default: X)" their help states when the option has none so that leaving it out can be
 * told apart) against the same library values.
 */
class DefaultsAgreeTest {
  private static final Path MODEL = Path.of("model.onnx");

  private static ExplainCommand explain(String... extra) {
    ExplainCommand cmd = new ExplainCommand();
    List<String> args = new ArrayList<>(List.of("--model", MODEL.toString(), "--input", "scan.nii.gz",
        "--out", "out"));
    args.addAll(List.of(extra));
    new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
    return cmd;
  }

  @Test
  void settingsOfIsTheCommandLinesExplanation() {
    Settings cli = explain("--layer", "down3").explanation.settings(false, Progress.NONE);
    Settings lib = Settings.of(MODEL, LayerSpec.names("down3"));
    assertEquals(lib.method().name(), cli.method().name());
    assertEquals(lib.score(), cli.score());
    assertEquals(lib.modelOutput(), cli.modelOutput());
    assertEquals(lib.layout(), cli.layout());
    assertEquals(lib.normalization(), cli.normalization());
    assertEquals(lib.threads(), cli.threads());
    assertEquals(lib.batchSize(), cli.batchSize());
    assertEquals(2, lib.batchSize(), "the documented perturbation batch");
    assertEquals(lib.targets(), cli.targets());
    assertNull(cli.window());
    gradcam3d.metrics.Evaluation.Settings metrics = gradcam3d.metrics.Evaluation.Settings.defaults();
    assertEquals(metrics, explain("--layer", "down3", "--metrics").metrics.settings(cli.batchSize()),
        "--metrics without its options: the library's default evaluation at the explanation's batch");
    assertEquals(RuntimeOptions.defaults().threads(), lib.threads(), "one default thread count");
    assertEquals(Runtime.getRuntime().availableProcessors(), lib.threads(), "--threads' help: all cores");
  }

  @Test
  void methodConstructorsTakeTheCommandLinesParameters() {
    SmoothGrad sg = assertInstanceOf(SmoothGrad.class, explain("--method", "smoothgrad").explanation.method());
    assertEquals(new SmoothGrad().samples(), sg.samples());
    assertEquals(new SmoothGrad().noise(), sg.noise());
    assertEquals(25, sg.samples());
    assertEquals(0.15, sg.noise());

    IntegratedGradients ig = assertInstanceOf(IntegratedGradients.class,
        explain("--method", "integrated-gradients").explanation.method());
    assertEquals(new IntegratedGradients().steps(), ig.steps());
    assertEquals(new IntegratedGradients().baseline(), ig.baseline());
    assertEquals(32, ig.steps());
    assertEquals(IntegratedGradients.Baseline.ZERO, ig.baseline());

    OcclusionSensitivity occ = assertInstanceOf(OcclusionSensitivity.class,
        explain("--method", "occlusion").explanation.method());
    OcclusionSensitivity lib = new OcclusionSensitivity();
    assertArrayEquals(lib.size(), occ.size());
    assertEquals(lib.overlap(), occ.overlap());
    assertEquals(lib.mode(), occ.mode());
    assertEquals(lib.budget(), occ.budget());

    Lrp lrp = assertInstanceOf(Lrp.class, explain("--method", "lrp").explanation.method());
    assertEquals(new Lrp().lrpRules(), lrp.lrpRules());
  }

  @Test
  void windowSettingsOfIsTheCommandLinesWindows() {
    ExplainCommand cmd = explain("--layer", "down3", "--window", "8,16,16");
    SlidingWindowExplainer.Settings cli = cmd.windows.settings(
        new CommandLine(cmd).getCommandSpec(), false, false);
    SlidingWindowExplainer.Settings lib = SlidingWindowExplainer.Settings.of(new long[] {8, 16, 16});
    assertArrayEquals(lib.window(), cli.window());
    assertEquals(lib.overlap(), cli.overlap());
    assertEquals(lib.blend(), cli.blend());
    assertEquals(lib.windowBatch(), cli.windowBatch());
    assertEquals(lib.padValue(), cli.padValue());
    assertEquals(lib.keepPrediction(), cli.keepPrediction());
  }

  /** The library's default of each option, as the option's default value or its help's "(default: X)". */
  private static Map<String, String> libraryDefaults() {
    Settings s = Settings.of(MODEL, LayerSpec.names("down3"));
    SlidingWindowExplainer.Settings w = SlidingWindowExplainer.Settings.of(new long[] {8, 8, 8});
    OcclusionSensitivity occ = new OcclusionSensitivity();
    Map<String, String> m = new TreeMap<>();
    m.put("--method", s.method().name());
    m.put("--score", s.score().name().toLowerCase(java.util.Locale.ROOT));
    m.put("--model-output", "" + s.modelOutput());
    m.put("--batch-size", "" + s.batchSize());
    m.put("--samples", "" + new SmoothGrad().samples());
    m.put("--noise", "" + new SmoothGrad().noise());
    m.put("--ig-steps", "" + new IntegratedGradients().steps());
    m.put("--ig-baseline", new IntegratedGradients().baseline().name().toLowerCase(java.util.Locale.ROOT));
    m.put("--occlusion-size", "" + occ.size()[0]);
    // null: the method places its windows with the default overlap
    m.put("--occlusion-overlap", "" + gradcam3d.Defaults.OCCLUSION_OVERLAP);
    m.put("--occlusion-mode", occ.mode().label());
    m.put("--overlap", "" + w.overlap());
    m.put("--blend", w.blend().name().toLowerCase(java.util.Locale.ROOT));
    m.put("--window-batch", "" + w.windowBatch());
    m.put("--pad-value", "" + (int) w.padValue());
    m.put("--lrp-epsilon", "" + new Lrp().lrpRules().epsilon());
    m.put("--lrp-gamma", "" + new Lrp().lrpRules().gamma());
    gradcam3d.metrics.Evaluation.Settings metrics = gradcam3d.metrics.Evaluation.Settings.defaults();
    m.put("--steps", "" + metrics.steps());
    m.put("--metric-seed", "" + metrics.seed());
    return m;
  }

  private static final Pattern STATED = Pattern.compile("\\(default: ([^,)]+)[,)]");

  @Test
  void everyCommandsOptionSpecsStateTheLibrarysDefaults() {
    Map<String, String> library = libraryDefaults();
    Map<String, Integer> seen = new TreeMap<>();
    List<String> disagree = new ArrayList<>();
    for (Object command : List.of(new ExplainCommand(), new BatchCommand(), new CompareCommand(),
        new BenchCommand())) {
      CommandLine.Model.CommandSpec spec = new CommandLine(command).getCommandSpec();
      for (OptionSpec o : spec.options()) {
        String expected = library.get(o.longestName());
        if (expected == null) {
          continue;
        }
        String stated = o.defaultValue();
        if (stated == null) {
          Matcher m = STATED.matcher(String.join(" ", o.description()));
          stated = m.find() ? m.group(1) : null;
        }
        seen.merge(o.longestName(), 1, Integer::sum);
        if (stated == null || !sameValue(expected, stated)) {
          disagree.add(spec.name() + " " + o.longestName() + ": command line " + stated + ", library " + expected);
        }
      }
    }
    assertEquals(List.of(), disagree);
    assertEquals(library.keySet(), seen.keySet(), "every library default is checked against some command");
    assertTrue(seen.get("--batch-size") >= 4, "explain, batch, compare and bench take --batch-size");
  }

  /** Equal as numbers when both are numbers (0.5 and 0.50, 1e-6 and 1.0E-6), else as text. */
  private static boolean sameValue(String a, String b) {
    try {
      return Double.parseDouble(a) == Double.parseDouble(b);
    } catch (NumberFormatException e) {
      return a.equalsIgnoreCase(b);
    }
  }
}
