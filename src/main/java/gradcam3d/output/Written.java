package gradcam3d.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the writers of one result have written so far, in order: file names relative to the
 * result folder and, per sample, where its pictures are. The summary writer lists them.
 */
public final class Written {
  /**
   * One sample's pictures: file names, the slices shown, the montage step and slices (null: no
   * montage), and whether and why the target region was outlined.
   */
  public record Pictures(String overlay, int z, int y, int x, String montage, Integer montageEvery,
      String montageAxis, List<Integer> montageSlices, Map<String, Object> contour) {}

  private final List<String> files = new ArrayList<>();
  private final List<Pictures> pictures = new ArrayList<>();
  private final Map<String, Object> summaryEntries = new java.util.LinkedHashMap<>();
  private final long start = System.nanoTime();

  /** An entry a writer adds to summary.json (e.g. the settings a batch records for --resume). */
  void summaryEntry(String key, Object value) {
    summaryEntries.put(key, value);
  }

  Map<String, Object> summaryEntries() {
    return summaryEntries;
  }

  void add(String file) {
    files.add(file);
  }

  void add(Pictures p) {
    pictures.add(p);
  }

  public List<String> files() {
    return List.copyOf(files);
  }

  public List<Pictures> pictures() {
    return List.copyOf(pictures);
  }

  /** Milliseconds since writing began. */
  double elapsedMs() {
    return (System.nanoTime() - start) / 1e6;
  }
}
