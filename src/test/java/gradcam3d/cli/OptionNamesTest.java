package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.cam.methods.Dff;
import gradcam3d.cam.methods.EigenCam;
import gradcam3d.cam.methods.OcclusionMode;
import gradcam3d.cam.methods.OcclusionSensitivity;
import gradcam3d.cam.methods.RefineCam;
import gradcam3d.cam.methods.SmoothGrad;
import gradcam3d.pipeline.CaseListing;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.Settings;
import gradcam3d.pipeline.Shard;
import gradcam3d.window.SlidingWindowExplainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Library errors name settings by typed keys; the command line renders each as one of its own options. */
class OptionNamesTest {
  @Test
  void everySettingIsRenderedAsAnExistingOption() {
    Set<String> options = new TreeSet<>();
    CommandLine all = Main.commandLine(new String[0]);
    for (CommandLine sub : all.getSubcommands().values()) {
      for (OptionSpec o : sub.getCommandSpec().options()) {
        options.addAll(List.of(o.names()));
      }
    }
    List<String> unknown = new ArrayList<>();
    for (Setting s : Setting.values()) {
      if (!options.contains(s.label())) {
        unknown.add(s + " -> " + s.label());
      }
    }
    assertEquals(List.of(), unknown, "settings whose rendering names no option of any command");
    assertEquals("--batch-size", Setting.BATCH_SIZE.label());
  }

  @Test
  void libraryErrorsCarryTheSettingTheyAreAbout() {
    Gradcam3dException threads = assertThrows(Gradcam3dException.class, () -> Settings.checkThreads(0));
    assertEquals(Setting.THREADS, threads.setting());
    assertEquals("--threads must be between 1 and " + Settings.MAX_THREADS + ", not 0", threads.getMessage());
    Gradcam3dException overlap = assertThrows(Gradcam3dException.class,
        () -> SlidingWindowExplainer.Settings.checkOverlap(1.5));
    assertEquals(Setting.OVERLAP, overlap.setting());
    assertEquals("--overlap must be in [0, 1), not 1.5", overlap.getMessage());
    assertEquals(null, new Gradcam3dException("a file problem").setting());
  }

  /**
   * Library errors that used to spell option names themselves read the same on the command line
   * now that they name settings by key (the texts as before issue 25), and carry the key.
   */
  @Test
  void libraryErrorsReadAsTheyDidWithOptionNamesSpelledOut() {
    assertError(Setting.SHARD, "--shard must be I/N with 1 <= I <= N, not 0/2", () -> new Shard(0, 2));
    assertError(Setting.SAMPLES, "--samples must be at least 1, not 0", () -> new SmoothGrad(0, 0.1, 7L));
    assertError(Setting.CONCEPTS, "--concepts must be at least 1, not 0", () -> new Dff(0));
    assertError(Setting.REFINE_BASE, "--refine-base must be a method computed in the graph (gradcam, hirescam, "
        + "gradcam-elementwise, gradcam++, xgradcam, layercam, fem, random-cam, finer-cam), not eigencam",
        () -> RefineCam.over(new EigenCam()));
    assertError(Setting.OCCLUSION_BUDGET, "give --occlusion-overlap or --occlusion-budget, not both: the budget "
        + "chooses the overlap", () -> new OcclusionSensitivity(new long[] {4}, 0.5, OcclusionMode.GAUSSIAN, 10L));
    assertError(Setting.INPUT, "no cases: give --input FILE (repeatable) or --inputs-dir DIR",
        () -> CaseListing.of(List.of(), null, null, null, List.of()));
    assertEquals("--metrics is not available with --window: its perturbed forward passes score the whole volume in "
        + "one model run, which is what the windows avoid", ExplanationPipeline.METRICS_WITH_WINDOWS);
  }

  private static void assertError(Setting setting, String message, Executable call) {
    Gradcam3dException e = assertThrows(Gradcam3dException.class, call);
    assertEquals(message, e.getMessage());
    assertEquals(setting, e.setting());
  }
}
