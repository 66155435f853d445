package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LabelOverlap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * batch.csv: one row per case of a batch (explained now, completed by an earlier run, or
 * failed). A share of a job array writes {@code batch-shard-I-of-N.csv} instead, so that all
 * shares can write into one folder; {@link #merge} joins the tables of shares into one batch.csv.
 */
public final class BatchTable {
  public static final String FILE = "batch.csv";
  public static final List<String> HEADER = List.of("case", "status", "class", "region_voxels", "target_value",
      "cam_mass_in_label", "label_share", "seconds", "error");
  private static final Pattern SHARD_FILE = Pattern.compile("batch-shard-(\\d+)-of-(\\d+)\\.csv");

  private final CsvTable table = new CsvTable(HEADER);

  /** The table's file name for share {@code index} of {@code count}; batch.csv for a whole batch. */
  public static String fileName(int index, int count) {
    return count == 1 ? FILE : "batch-shard-" + index + "-of-" + count + ".csv";
  }

  public void explained(String name, CaseResult r, double seconds) {
    CaseResult.TargetSummary t = r.targets().get(0);
    LabelOverlap l = r.label();
    table.add(List.of(name, "ok", Integer.toString(t.explainedClass()), Long.toString(t.regionVoxels()),
        value(t.value()), l == null ? "" : share(l.massInside()), l == null ? "" : share(l.labelShare()),
        seconds(seconds), ""));
  }

  /** A case an earlier run completed: what its summary.json recorded, with its time then. */
  public void completed(String name, CompletedResult c) {
    table.add(List.of(name, "ok", Integer.toString(c.explainedClass()), Long.toString(c.regionVoxels()),
        value(c.targetValue()), c.massInLabel() == null ? "" : share(c.massInLabel()),
        c.labelShare() == null ? "" : share(c.labelShare()), seconds(c.totalMs() / 1000), ""));
  }

  public void failed(String name, String error, double seconds) {
    table.add(List.of(name, "failed", "", "", "", "", "", seconds(seconds), error));
  }

  public void write(Path file) {
    table.write(file);
  }

  /**
   * Joins the batch tables found in {@code dirs} (batch.csv and every batch-shard-I-of-N.csv) into
   * {@code out}/batch.csv: rows sorted by case, the case column the case folder's path relative
   * to {@code out}. Fails, writing nothing, if a table is not a batch table, a share of a job
   * array is missing, or two tables list the same case folder. Returns the number of rows.
   */
  public static int merge(List<Path> dirs, Path out) {
    List<Path> tables = new ArrayList<>();
    TreeMap<Integer, Set<Integer>> sharesSeen = new TreeMap<>();
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        throw new Gradcam3dException("--merge " + d + " is not a folder");
      }
      try (Stream<Path> s = Files.list(d)) {
        for (Path p : s.sorted().toList()) {
          String n = p.getFileName().toString();
          Matcher m = SHARD_FILE.matcher(n);
          if (m.matches()) {
            sharesSeen.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new HashSet<>())
                .add(Integer.parseInt(m.group(1)));
            tables.add(p);
          } else if (n.equals(FILE) && !p.toAbsolutePath().normalize()
              .equals(out.resolve(FILE).toAbsolutePath().normalize())) {
            tables.add(p);
          }
        }
      } catch (IOException e) {
        throw new Gradcam3dException("cannot list " + d + ": " + e.getMessage(), e);
      }
    }
    if (tables.isEmpty()) {
      throw new Gradcam3dException("no batch.csv or batch-shard-I-of-N.csv in " + dirs);
    }
    sharesSeen.forEach((count, seen) -> {
      for (int i = 1; i <= count; i++) {
        if (!seen.contains(i)) {
          throw new Gradcam3dException("share " + i + " of " + count + " is missing (no batch-shard-" + i + "-of-"
              + count + ".csv in " + dirs + "); run it, or merge without the other shares' tables");
        }
      }
    });
    TreeMap<String, List<String>> rows = new TreeMap<>();
    Path base = out.toAbsolutePath().normalize();
    for (Path t : tables) {
      CsvTable csv = read(t);
      if (!csv.header().equals(HEADER)) {
        throw new Gradcam3dException(t + " is not a gradcam3d batch table (header " + csv.header() + ")");
      }
      Path dir = t.toAbsolutePath().normalize().getParent();
      for (List<String> r : csv.body()) {
        String folder = base.relativize(dir.resolve(r.get(0)).normalize()).toString().replace('\\', '/');
        List<String> row = new ArrayList<>(r);
        row.set(0, folder);
        if (rows.put(folder, row) != null) {
          throw new Gradcam3dException("case " + folder + " is listed by two tables (last " + t + ")");
        }
      }
    }
    CsvTable merged = new CsvTable(HEADER);
    rows.values().forEach(merged::add);
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot create " + out + ": " + e.getMessage(), e);
    }
    merged.write(out.resolve(FILE));
    return rows.size();
  }

  private static CsvTable read(Path t) {
    try {
      return CsvTable.parse(Files.readString(t, StandardCharsets.UTF_8), t.toString());
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read " + t + ": " + e.getMessage(), e);
    }
  }

  private static String value(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  private static String share(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f", s);
  }
}
