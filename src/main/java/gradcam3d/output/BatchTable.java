package gradcam3d.output;

import gradcam3d.AtomicFiles;
import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.render.Figures;
import gradcam3d.report.BatchIndexWriter;
import gradcam3d.report.IndexRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * batch.csv: one row per case of a batch (explained now, completed by an earlier run, or
 * failed). A share of a job array writes {@code batch-shard-I-of-N.csv} instead, so that all
 * shares can write into one folder (and {@code index-shard-I-of-N.html} with reports);
 * {@link #merge} joins the tables of shares into one batch.csv, and their case pages into one
 * index.html when the cases have reports.
 */
public final class BatchTable {
  public static final String FILE = "batch.csv";
  public static final String INDEX = "index.html";
  public static final List<String> HEADER = List.of("case", "status", "class", "region_voxels", "target_value",
      "cam_mass_in_label", "label_share", "seconds", "error");
  private static final Pattern SHARD_FILE = Pattern.compile("batch-shard-(\\d+)-of-(\\d+)\\.csv");

  private final CsvTable table = new CsvTable(HEADER);

  /** The table's file name for share {@code index} of {@code count}; batch.csv for a whole batch. */
  public static String fileName(int index, int count) {
    return count == 1 ? FILE : "batch-shard-" + index + "-of-" + count + ".csv";
  }

  /** The batch index page's name for share {@code index} of {@code count}; index.html for a whole batch. */
  public static String indexName(int index, int count) {
    return count == 1 ? INDEX : "index-shard-" + index + "-of-" + count + ".html";
  }

  /** A case's overlay picture, shown small in the index; null without pictures. */
  public static byte[] thumbnail(Path caseDir) {
    Path png = caseDir.resolve(Figures.OVERLAY_PNG);
    try {
      return Files.isRegularFile(png) ? Files.readAllBytes(png) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The index row of a completed case folder {@code name} under {@code out}. */
  public static IndexRow indexRow(Path out, String name, CompletedResult c) {
    Path dir = out.resolve(name);
    String href = Files.isRegularFile(dir.resolve(HtmlReportWriter.FILE)) ? name + "/" + HtmlReportWriter.FILE : null;
    return new IndexRow(name, href, thumbnail(dir), c.description(), c.regionVoxels(), c.massInLabel(), Map.of(),
        c.totalMs() / 1000, null);
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
   * Writes the table, and the index page when {@code indexPage} is not null, as one step: a
   * stopped run leaves both or neither ({@link AtomicFiles#writeTogether}).
   */
  public void write(Path file, Path index, String indexPage) {
    writeTogether(table, file, index, indexPage);
  }

  private static void writeTogether(CsvTable t, Path file, Path index, String indexPage) {
    String text = t.text();
    java.util.Map<Path, AtomicFiles.Writer> files = new java.util.LinkedHashMap<>();
    files.put(file, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
    if (indexPage != null) {
      files.put(index, o -> o.write(indexPage.getBytes(StandardCharsets.UTF_8)));
    }
    AtomicFiles.writeTogether(files);
  }

  /**
   * Joins the batch tables found in {@code dirs} (batch.csv and every batch-shard-I-of-N.csv) into
   * {@code out}/batch.csv: rows sorted by case, the case column the case folder's path relative
   * to {@code out}. A folder's batch.csv beside share tables is an earlier merge of them and is
   * not read again, and a row two tables list identically is one row, so merging is idempotent:
   * a merged folder merges again, in place or into another folder. Fails, writing nothing, if a
   * table is not a batch table, a share of a job array is missing, or two tables list the same
   * case folder with different rows. Returns the number of rows.
   */
  public static int merge(List<Path> dirs, Path out) {
    List<Path> tables = new ArrayList<>();
    TreeMap<Integer, Set<Integer>> sharesSeen = new TreeMap<>();
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        throw new Gradcam3dException(Setting.MERGE, Setting.MERGE.label() + " " + d + " is not a folder");
      }
      try (Stream<Path> s = Files.list(d)) {
        Path whole = null;
        boolean shares = false;
        for (Path p : s.sorted().toList()) {
          String n = p.getFileName().toString();
          Matcher m = SHARD_FILE.matcher(n);
          if (m.matches()) {
            sharesSeen.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new HashSet<>())
                .add(Integer.parseInt(m.group(1)));
            tables.add(p);
            shares = true;
          } else if (n.equals(FILE) && !p.toAbsolutePath().normalize()
              .equals(out.resolve(FILE).toAbsolutePath().normalize())) {
            whole = p;
          }
        }
        // beside shares' tables, batch.csv is an earlier merge of them: the shares are the source
        if (whole != null && !shares) {
          tables.add(whole);
        }
      } catch (NumberFormatException e) {
        throw new Gradcam3dException(Setting.MERGE, Setting.MERGE.label() + " " + d
            + " holds a share table numbered beyond what can be counted");
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
        String folder;
        try {
          folder = base.relativize(dir.resolve(r.get(0)).normalize()).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) { // InvalidPathException, or a root another path cannot be relative to
          throw new Gradcam3dException(t + " names a case folder that is not a path");
        }
        List<String> row = new ArrayList<>(r);
        row.set(0, folder);
        List<String> before = rows.put(folder, row);
        // the same row twice (a merged table merged again with its sources) is one row
        if (before != null && !before.equals(row)) {
          throw new Gradcam3dException("case " + folder + " is listed by two tables with different rows (last "
              + t + ")");
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
    writeTogether(merged, out.resolve(FILE), out.resolve(INDEX), indexPage(rows.values(), out));
    return rows.size();
  }

  /** index.html over the merged rows, when any case has a report page; else null. */
  private static String indexPage(Collection<List<String>> rows, Path out) {
    List<IndexRow> index = new ArrayList<>();
    boolean reports = false;
    for (List<String> r : rows) {
      String folder = r.get(0);
      Optional<CompletedResult> done = CompletedResult.read(out.resolve(folder));
      if (r.get(1).equals("ok") && done.isPresent()) {
        IndexRow row = indexRow(out, folder, done.get());
        reports |= row.reportHref() != null;
        index.add(row);
      } else {
        String error = r.get(1).equals("ok") ? "no complete result in " + folder : r.get(HEADER.indexOf("error"));
        index.add(new IndexRow(folder, null, null, null, null, null, Map.of(), null, error));
      }
    }
    return reports ? BatchIndexWriter.page("gradcam3d batch: " + out.toAbsolutePath().normalize().getFileName(),
        index) : null;
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
