package gradcam3d.output;

import gradcam3d.report.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
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
 *
 * <p>What a folder holds is not trusted: summary.json must be a regular file (not a link) of at
 * most {@link #MAX_SUMMARY_BYTES}, nested at most {@link Json#MAX_DEPTH} deep; each file it lists
 * must be a regular file inside the case folder (no link, no {@code ..}, no absolute path); and
 * for {@code --resume} it must record the same {@link BatchSettings} as the resumed run. Anything
 * else makes the case incomplete (with a one-line reason), never the batch fail.
 */
public record CompletedResult(String description, int explainedClass, long regionVoxels, double targetValue,
    Double massInLabel, Double labelShare, double totalMs) {

  /** A summary.json is a few kilobytes; a larger one is not ours. */
  public static final long MAX_SUMMARY_BYTES = 1 << 20;

  /** A case folder judged: its completed result, or why it is not one (a one-line reason). */
  public record Check(CompletedResult result, String reason) {
    public boolean complete() {
      return result != null;
    }

    static Check incomplete(String reason) {
      return new Check(null, reason);
    }
  }

  /** The completed result in a local case folder, or empty if it is missing, partial or invalid. */
  public static Optional<CompletedResult> read(Path folder) {
    return Optional.ofNullable(check(folder, null).result());
  }

  /**
   * Whether a local case folder holds a completed result made with {@code expected} settings
   * (null: any settings); never throws.
   */
  public static Check check(Path folder, BatchSettings expected) {
    try {
      Path summary = folder.resolve(SummaryJsonWriter.FILE);
      if (!Files.exists(summary, LinkOption.NOFOLLOW_LINKS)) {
        return Check.incomplete("no summary.json");
      }
      if (!Files.isRegularFile(summary, LinkOption.NOFOLLOW_LINKS)) {
        return Check.incomplete("summary.json is a link or not a file");
      }
      if (Files.size(summary) > MAX_SUMMARY_BYTES) {
        return Check.incomplete("summary.json is larger than " + (MAX_SUMMARY_BYTES >> 20) + " MB");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(summary, LinkOption.NOFOLLOW_LINKS)) {
        bytes = in.readNBytes((int) MAX_SUMMARY_BYTES + 1);
      }
      if (bytes.length > MAX_SUMMARY_BYTES) {
        return Check.incomplete("summary.json is larger than " + (MAX_SUMMARY_BYTES >> 20) + " MB");
      }
      Path inside = folder.toAbsolutePath().normalize();
      return check(new String(bytes, StandardCharsets.UTF_8), name -> isOwnFile(inside, name), expected);
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return Check.incomplete("summary.json is unreadable");
    }
  }

  /** A plain relative name of a regular file (not a link) inside {@code folder}. */
  private static boolean isOwnFile(Path folder, String name) {
    try {
      Path relative = Path.of(name);
      if (name.isEmpty() || relative.isAbsolute() || name.contains("\\")) {
        return false;
      }
      Path p = folder.resolve(relative).normalize();
      return p.startsWith(folder) && !p.equals(folder) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /**
   * The completed result a summary.json text describes, if valid; {@code present} says whether a
   * file the summary lists exists next to it (local or remote file systems).
   */
  public static Optional<CompletedResult> parse(String summaryJson, Predicate<String> present) {
    return Optional.ofNullable(check(summaryJson, present, null).result());
  }

  /** Same, with the reason when it is not one, and the settings it must record (null: any). */
  public static Check check(String summaryJson, Predicate<String> present, BatchSettings expected) {
    try {
      if (summaryJson.length() > MAX_SUMMARY_BYTES) {
        return Check.incomplete("summary.json is larger than " + (MAX_SUMMARY_BYTES >> 20) + " MB");
      }
      Object parsed;
      try {
        parsed = Json.parse(summaryJson);
      } catch (RuntimeException e) {
        return Check.incomplete("summary.json is unreadable");
      }
      if (!(parsed instanceof Map<?, ?> s) || !"gradcam3d".equals(s.get("tool"))
          || !(s.get("targets") instanceof List<?> ts) || ts.isEmpty() || !(ts.get(0) instanceof Map<?, ?> t)
          || !(s.get("files") instanceof List<?> files) || !(s.get("timings") instanceof Map<?, ?> timings)) {
        return Check.incomplete("summary.json is not a complete gradcam3d summary");
      }
      for (Object f : files) {
        if (!(f instanceof String name)) {
          return Check.incomplete("summary.json lists a file that is not a name");
        }
        if (!name.equals(SummaryJsonWriter.FILE) && !present.test(name)) {
          return Check.incomplete("a listed file is missing or not a regular file inside the case folder");
        }
      }
      if (expected != null) {
        List<String> changed = expected.differences(s.get(BatchSettings.KEY));
        if (!changed.isEmpty()) {
          return Check.incomplete("settings changed (" + String.join(", ", changed) + ")");
        }
      }
      Double inside = null;
      Double share = null;
      if (s.get("label") instanceof Map<?, ?> l) {
        inside = number(l.get("cam_mass_inside_label"));
        share = number(l.get("label_share_of_volume"));
      }
      return new Check(new CompletedResult(String.valueOf(t.get("description")),
          number(t.get("class")).intValue(), number(t.get("region_voxels")).longValue(), number(t.get("value")),
          inside, share, number(timings.get("total_ms"))), null);
    } catch (RuntimeException e) {
      return Check.incomplete("summary.json is not a complete gradcam3d summary");
    }
  }

  /** Whether a check failed only because the settings differ (what --resume strict refuses). */
  public static boolean settingsChanged(Check c) {
    return !c.complete() && c.reason().startsWith("settings changed");
  }

  private static Double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("not a number: " + v);
  }
}
