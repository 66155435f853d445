package gradcam3d.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** What a folder holds, for tests of what was (not) written. */
public final class Folders {
  private Folders() {}

  /** The names of a folder's entries, sorted. */
  public static Set<String> names(Path dir) throws IOException {
    Set<String> s = new TreeSet<>();
    try (var l = Files.list(dir)) {
      l.forEach(p -> s.add(p.getFileName().toString()));
    }
    return s;
  }
}
