package gradcam3d.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * One case to explain: its input files (stacked as channels), an optional true label, how
 * reports name them, and the DICOM series to take from a folder holding several (null: the only
 * one).
 */
public record CaseInput(List<Path> files, Path label, List<String> names, String labelName, String series) {
  public CaseInput {
    files = List.copyOf(files);
    names = names == null ? files.stream().map(Path::toString).toList() : List.copyOf(names);
    if (labelName == null && label != null) {
      labelName = label.toString();
    }
  }

  public CaseInput(List<Path> files, Path label, List<String> names, String labelName) {
    this(files, label, names, labelName, null);
  }

  /** The same case, its DICOM inputs read from series {@code uid} (null: the only one). */
  public CaseInput withSeries(String uid) {
    return new CaseInput(files, label, names, labelName, uid);
  }

  public static CaseInput of(List<Path> files, Path label) {
    return new CaseInput(files, label, null, null);
  }

  public static CaseInput of(Path file) {
    return of(List.of(file), null);
  }
}
