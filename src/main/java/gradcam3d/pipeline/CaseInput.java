package gradcam3d.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * One case to explain: its input files (stacked as channels), an optional true label, and how
 * reports name them.
 */
public record CaseInput(List<Path> files, Path label, List<String> names, String labelName) {
  public CaseInput {
    files = List.copyOf(files);
    names = names == null ? files.stream().map(Path::toString).toList() : List.copyOf(names);
    if (labelName == null && label != null) {
      labelName = label.toString();
    }
  }

  public static CaseInput of(List<Path> files, Path label) {
    return new CaseInput(files, label, null, null);
  }

  public static CaseInput of(Path file) {
    return of(List.of(file), null);
  }
}
