package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures.Case;
import gradcam3d.testing.ProgramCacheFolder;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture case explained twice through the real command line with the program cache on (as
 * the launcher runs it): the second run reads the compiled program from the cache and writes the
 * same maps, which still match PyTorch's.
 */
class ProgramCacheCliTest {
  @RegisterExtension
  final ProgramCacheFolder programs = new ProgramCacheFolder();

  @TempDir
  Path tmp;

  static Stream<Case> cases() {
    return ExplainCliTest.cases();
  }



  @SuppressWarnings("unchecked")
  private static String cacheState(Path out) throws IOException {
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    return (String) ((Map<String, Object>) summary.get("timings")).get("program_cache");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aSecondRunReadsTheProgramAndWritesTheSameMaps(Case c) throws IOException {
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    Cli.Run a = Cli.run(ExplainCliTest.args(c, c.inputNpy(), first).toArray(String[]::new));
    assertEquals(0, a.exit(), a.toString());
    Cli.Run b = Cli.run(ExplainCliTest.args(c, c.inputNpy(), second).toArray(String[]::new));
    assertEquals(0, b.exit(), b.toString());
    assertEquals("miss", cacheState(first), c.toString());
    assertEquals("hit", cacheState(second), c.toString());
    FloatTensor cam = Npy.read(second.resolve("cam.npy"));
    assertArrayEquals(Npy.read(first.resolve("cam.npy")).data(), cam.data(), c + ": cam.npy");
    assertArrayEquals(Npy.read(first.resolve("cam_layer.npy")).data(), Npy.read(second.resolve("cam_layer.npy")).data(),
        c + ": cam_layer.npy");
    assertTrue(maxAbsDiff(cam, c.expected("cam")) <= 2e-3, c + ": cam.npy against PyTorch");
  }
}
