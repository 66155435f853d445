package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.CacheFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Checks on a bench run's temporary folder ({@link BenchFolder}). */
final class BenchFolders {
  private BenchFolders() {}

  /** {@code work} was a folder {@code prefix...} in the tool's cache, and none such is left there. */
  static void assertGoneFromCache(Path work, String prefix) throws IOException {
    assertEquals(CacheFolder.root().toAbsolutePath().normalize(), work.getParent().toAbsolutePath().normalize());
    assertTrue(work.getFileName().toString().startsWith(prefix), work.toString());
    assertFalse(Files.exists(work), "the temporary folder is deleted: " + work);
    try (Stream<Path> left = Files.list(CacheFolder.root())) {
      assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList(),
          "bench folders left in the cache");
    }
  }
}
