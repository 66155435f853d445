package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.pipeline.Settings;
import gradcam3d.window.SlidingWindowExplainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
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
}
