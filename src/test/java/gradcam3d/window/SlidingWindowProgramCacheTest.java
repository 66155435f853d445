package gradcam3d.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradcam3d.testing.ProgramCacheFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With the program cache on, both passes' programs are stored (pass 1's scores and cut tensors, pass
 * 2's from the layer): a second explanation compiles nothing and gives the same floats, for pass 2
 * from the layer and from the input (whose pass 1 has no cut outputs: another entry).
 */
class SlidingWindowProgramCacheTest {
  @RegisterExtension
  final ProgramCacheFolder programs = new ProgramCacheFolder();




  private List<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(programs.path())) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().toList();
    }
  }

  @Test
  void bothPassesAreCachedAndGiveTheSameFloats() throws IOException {
    SlidingFixtures.Case c = SlidingFixtures.cases().get(0);
    SlidingWindowLanesTest.Run first = SlidingWindowLanesTest.explain(c, "gradcam", 2, 1, true);
    List<String> stored = entries();
    // pass 1 (scores + cut) and pass 2 from the layer
    assertEquals(2, stored.size(), stored.toString());
    SlidingWindowLanesTest.Run second = SlidingWindowLanesTest.explain(c, "gradcam", 2, 1, true);
    assertEquals(stored, entries(), "nothing compiled again");
    assertArrayEquals(first.result().explanation().cam().data(), second.result().explanation().cam().data());
    assertArrayEquals(first.result().segmentation().toFloatTensor().data(),
        second.result().segmentation().toFloatTensor().data());
    // pass 2 from the input: its pass 1 returns no cut tensors, a program of its own
    SlidingWindowLanesTest.Run fromInput = SlidingWindowLanesTest.explain(c, "gradcam", 2, 1, false);
    List<String> withInput = entries();
    assertEquals(4, withInput.size(), withInput.toString());
    SlidingWindowLanesTest.Run again = SlidingWindowLanesTest.explain(c, "gradcam", 2, 1, false);
    assertEquals(withInput, entries(), "nothing compiled again");
    assertArrayEquals(fromInput.result().explanation().cam().data(), again.result().explanation().cam().data());
    assertArrayEquals(first.result().explanation().cam().data(), fromInput.result().explanation().cam().data(),
        "pass 2 from the layer and from the input agree");
  }
}
