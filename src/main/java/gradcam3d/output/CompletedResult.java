package gradcam3d.output;

import gradcam3d.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A case a previous run finished: its folder has a summary.json that parses, says it is
 * gradcam3d's, has a target, and every file it lists is there. summary.json is written last
 * ({@link ResultWriter}), so its presence and validity mean the whole result is. What it recorded
 * is kept so a resumed batch can report the case without explaining it again.
 */
public record CompletedResult(String description, int explainedClass, long regionVoxels, double targetValue,
    Double massInLabel, Double labelShare, double totalMs) {

  /** The completed result in a local case folder, or empty if it is missing, partial or invalid. */
  public static Optional<CompletedResult> read(Path folder) {
    Path summary = folder.resolve(SummaryJsonWriter.FILE);
    if (!Files.isRegularFile(summary)) {
      return Optional.empty();
    }
    try {
      String text = Files.readString(summary, StandardCharsets.UTF_8);
      return parse(text, f -> Files.isRegularFile(folder.resolve(f)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The completed result a summary.json text describes, if valid; {@code present} says whether a
   * file the summary lists exists next to it (local or remote file systems).
   */
  public static Optional<CompletedResult> parse(String summaryJson, Predicate<String> present) {
    try {
      if (!(Json.parse(summaryJson) instanceof Map<?, ?> s) || !"gradcam3d".equals(s.get("tool"))
          || !(s.get("targets") instanceof List<?> ts) || ts.isEmpty() || !(ts.get(0) instanceof Map<?, ?> t)
          || !(s.get("files") instanceof List<?> files) || !(s.get("timings") instanceof Map<?, ?> timings)) {
        return Optional.empty();
      }
      for (Object f : files) {
        if (!(f instanceof String name) || (!name.equals(SummaryJsonWriter.FILE) && !present.test(name))) {
          return Optional.empty();
        }
      }
      Double inside = null;
      Double share = null;
      if (s.get("label") instanceof Map<?, ?> l) {
        inside = number(l.get("cam_mass_inside_label"));
        share = number(l.get("label_share_of_volume"));
      }
      return Optional.of(new CompletedResult(String.valueOf(t.get("description")), number(t.get("class")).intValue(),
          number(t.get("region_voxels")).longValue(), number(t.get("value")), inside, share,
          number(timings.get("total_ms"))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("not a number: " + v);
  }
}
