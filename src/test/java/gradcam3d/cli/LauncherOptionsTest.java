package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar} runs with the memory settings of {@code bin/gradcam3d} unless the user chose a
 * heap or collector: the relaunched child gets the launcher's options, read here from the script.
 */
class LauncherOptionsTest {
  @Test
  void theRelaunchedChildUsesTheLaunchersOptions() throws Exception {
    String script = Files.readString(Path.of("bin/gradcam3d"));
    Matcher m = Pattern.compile("opts=\\(\\$\\{GRADCAM3D_JAVA_OPTS:-([^}]*)}\\)").matcher(script);
    assertTrue(m.find(), "bin/gradcam3d sets its default JVM options");
    assertEquals(Arrays.asList(m.group(1).trim().split("\\s+")), Relaunch.LAUNCHER_OPTIONS);
  }

  @Test
  void optionsAreAddedOnlyWhenTheUserChoseNoHeapOrCollector() {
    List<String> none = List.of("-Dfoo=bar");
    List<String> added = Relaunch.withLauncherMemory(none);
    assertEquals(Relaunch.LAUNCHER_OPTIONS.size() + 1, added.size());
    assertTrue(added.contains("-XX:+UseSerialGC") && added.get(added.size() - 1).equals("-Dfoo=bar"), added.toString());
    for (List<String> chosen : List.of(List.of("-Xmx2g"), List.of("-XX:+UseG1GC"), List.of("-XX:MaxRAMPercentage=50"),
        List.of("-XX:MaxHeapFreeRatio=50"))) {
      assertEquals(chosen, Relaunch.withLauncherMemory(chosen));
    }
  }
}
