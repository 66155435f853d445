package gradcam3d.testing;

import gradcam3d.runtime.ProgramCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The program cache on, in a fresh folder per test (as the launcher turns it on), and the
 * property as it was afterwards: {@code @RegisterExtension final ProgramCacheFolder cache = new ProgramCacheFolder();}.
 */
public final class ProgramCacheFolder implements BeforeEachCallback, AfterEachCallback {
  private String saved;
  private Path root;

  /** The cache's folder (created by the cache when it first stores a program). */
  public Path path() {
    return root.resolve("programs");
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    saved = System.getProperty(ProgramCache.PROPERTY);
    root = Files.createTempDirectory("gradcam3d-programs");
    System.setProperty(ProgramCache.PROPERTY, path().toString());
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (saved == null) {
      System.clearProperty(ProgramCache.PROPERTY);
    } else {
      System.setProperty(ProgramCache.PROPERTY, saved);
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
