package gradcam3d.output;

import gradcam3d.metrics.AtlasTable;
import gradcam3d.metrics.Evaluation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.render.HeatMap;
import gradcam3d.report.CohortCharts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A batch's cohort tables: metrics.csv (one row per case x method x layer with every metric's
 * headline numbers), atlas.csv and atlas.png (the label x class matrix: per atlas label and
 * explained class, the mean and standard deviation over cases of the label's share of the map's
 * mass, and of that share over its share of the volume), and the box plots index.html draws.
 */
public final class CohortTables {
  public static final String METRICS = "metrics.csv";
  public static final String ATLAS_CSV = "atlas.csv";
  public static final String ATLAS_PNG = "atlas.png";

  /** One explained case's metrics row. */
  private record MetricsRow(String caseName, String method, String layer, Map<String, Double> headline) {}

  /** One label of one case: its share of the map and that share over the label's volume share. */
  private record LabelShare(String name, double share, double enrichment) {}

  private final List<MetricsRow> metrics = new ArrayList<>();
  /** column (class, and method/layer when several) -> label value -> the cases' shares. */
  private final Map<String, TreeMap<Integer, List<LabelShare>>> atlas = new TreeMap<>();
  private final boolean severalRuns;

  /** @param severalRuns whether cases are explained by several methods or layers (then atlas columns name them) */
  public CohortTables(boolean severalRuns) {
    this.severalRuns = severalRuns;
  }

  /** Adds a case explained now. */
  public synchronized void add(String caseName, String method, String layer, CaseResult r) {
    Evaluation ev = r.metrics();
    if (ev != null && !ev.samples().isEmpty()) {
      metrics.add(new MetricsRow(caseName, method, layer, ev.samples().get(0).headline()));
    }
    if (r.tables() != null && r.tables().atlas() != null) {
      int cls = r.explanation().explainedClass(0);
      for (AtlasTable.Row row : r.tables().atlas().rows()) {
        addLabel(column(cls, method, layer), row.value(), new LabelShare(row.name(), row.share(), row.enrichment()));
      }
    }
  }

  /** Adds a case an earlier run completed in {@code folder}, from its summary.json (nothing if unreadable). */
  @SuppressWarnings("unchecked")
  public void addCompleted(String caseName, String method, String layer, Path folder) {
    try {
      if (gradcam3d.report.Json.parse(java.nio.file.Files.readString(folder.resolve(SummaryJsonWriter.FILE)))
          instanceof Map<?, ?> m) {
        addCompleted(caseName, method, layer, (Map<String, Object>) m);
      }
    } catch (java.io.IOException | RuntimeException e) {
      // a summary CompletedResult accepted but this cannot read: its row simply has no cohort numbers
    }
  }

  /** Adds a case an earlier run completed, from its summary.json. */
  @SuppressWarnings("unchecked")
  public synchronized void addCompleted(String caseName, String method, String layer, Map<String, Object> summary) {
    if (summary.get("metrics") instanceof Map<?, ?> m && m.get("samples") instanceof List<?> ss && !ss.isEmpty()
        && ((Map<String, Object>) ss.get(0)).get("headline") instanceof Map<?, ?> h) {
      Map<String, Double> headline = new LinkedHashMap<>();
      h.forEach((k, v) -> headline.put((String) k, v instanceof Number n ? n.doubleValue() : Double.NaN));
      metrics.add(new MetricsRow(caseName, method, layer, headline));
    }
    if (summary.get("atlas") instanceof Map<?, ?> a && a.get("labels") instanceof List<?> labels
        && summary.get("targets") instanceof List<?> ts && !ts.isEmpty()
        && ((Map<String, Object>) ts.get(0)).get("class") instanceof Number cls) {
      for (Object o : labels) {
        Map<String, Object> l = (Map<String, Object>) o;
        addLabel(column(cls.intValue(), method, layer), ((Number) l.get("value")).intValue(),
            new LabelShare((String) l.get("name"), number(l.get("share")), number(l.get("share_over_volume_share"))));
      }
    }
  }

  private static double number(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private String column(int cls, String method, String layer) {
    return "class " + cls + (severalRuns ? " " + method + (layer.isEmpty() ? "" : " " + layer) : "");
  }

  private void addLabel(String column, int value, LabelShare s) {
    atlas.computeIfAbsent(column, k -> new TreeMap<>()).computeIfAbsent(value, k -> new ArrayList<>()).add(s);
  }

  public boolean hasMetrics() {
    return !metrics.isEmpty();
  }

  public boolean hasAtlas() {
    return !atlas.isEmpty();
  }

  /** The headline names over all rows, in first-seen order. */
  private List<String> metricNames() {
    Set<String> names = new LinkedHashSet<>();
    metrics.forEach(r -> names.addAll(r.headline().keySet()));
    return new ArrayList<>(names);
  }

  /** metrics.csv: case, method, layer, then one column per headline number (empty when undefined). */
  public void writeMetrics(Path file) {
    List<String> names = metricNames();
    List<String> header = new ArrayList<>(List.of("case", "method", "layer"));
    header.addAll(names);
    CsvTable t = new CsvTable(header);
    for (MetricsRow r : sorted()) {
      List<String> row = new ArrayList<>(List.of(r.caseName(), r.method(), r.layer()));
      for (String n : names) {
        Double v = r.headline().get(n);
        row.add(v == null || !Double.isFinite(v) ? "" : String.format(Locale.ROOT, "%.6g", v));
      }
      t.add(row);
    }
    t.write(file);
  }

  private List<MetricsRow> sorted() {
    List<MetricsRow> rows = new ArrayList<>(metrics);
    rows.sort((a, b) -> {
      int c = a.caseName().compareTo(b.caseName());
      return c != 0 ? c : (a.method() + " " + a.layer()).compareTo(b.method() + " " + b.layer());
    });
    return rows;
  }

  /** The label x column matrix: rows (value, name), per column the mean and standard deviation of the share. */
  private record Matrix(List<Integer> values, List<String> names, List<String> columns, double[][] mean, double[][] sd,
      double[][] meanEnrichment, double[][] sdEnrichment, int[][] cases) {}

  private Matrix matrix() {
    TreeMap<Integer, String> names = new TreeMap<>();
    atlas.values().forEach(byValue -> byValue.forEach((v, shares) -> names.putIfAbsent(v, shares.get(0).name())));
    List<Integer> values = new ArrayList<>(names.keySet());
    List<String> columns = new ArrayList<>(atlas.keySet());
    int nr = values.size();
    int nc = columns.size();
    double[][] mean = new double[nr][nc];
    double[][] sd = new double[nr][nc];
    double[][] meanE = new double[nr][nc];
    double[][] sdE = new double[nr][nc];
    int[][] cases = new int[nr][nc];
    for (int r = 0; r < nr; r++) {
      for (int c = 0; c < nc; c++) {
        List<LabelShare> shares = atlas.get(columns.get(c)).getOrDefault(values.get(r), List.of());
        cases[r][c] = shares.size();
        double[] ms = meanSd(shares.stream().mapToDouble(LabelShare::share).toArray());
        double[] me = meanSd(shares.stream().mapToDouble(LabelShare::enrichment).toArray());
        mean[r][c] = ms[0];
        sd[r][c] = ms[1];
        meanE[r][c] = me[0];
        sdE[r][c] = me[1];
      }
    }
    return new Matrix(values, new ArrayList<>(names.values()), columns, mean, sd, meanE, sdE, cases);
  }

  /** Mean and sample standard deviation (n - 1; NaN for fewer than two values) of the finite values. */
  static double[] meanSd(double[] v) {
    double[] f = java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
    if (f.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double m = 0;
    for (double d : f) {
      m += d / f.length;
    }
    double ss = 0;
    for (double d : f) {
      ss += (d - m) * (d - m);
    }
    return new double[] {m, f.length < 2 ? Double.NaN : Math.sqrt(ss / (f.length - 1))};
  }

  /** atlas.csv and atlas.png. */
  public void writeAtlas(Path csv, Path png) {
    Matrix m = matrix();
    CsvTable t = new CsvTable(List.of("label", "name", "column", "cases", "mean_share", "sd_share",
        "mean_share_over_volume_share", "sd_share_over_volume_share"));
    for (int r = 0; r < m.values().size(); r++) {
      for (int c = 0; c < m.columns().size(); c++) {
        if (m.cases()[r][c] == 0) {
          continue;
        }
        t.add(List.of(Integer.toString(m.values().get(r)), m.names().get(r), m.columns().get(c),
            Integer.toString(m.cases()[r][c]), num(m.mean()[r][c]), num(m.sd()[r][c]), num(m.meanEnrichment()[r][c]),
            num(m.sdEnrichment()[r][c])));
      }
    }
    t.write(csv);
    gradcam3d.AtomicFiles.write(png, out -> out.write(atlasPng(m)));
  }

  private static byte[] atlasPng(Matrix m) {
    return HeatMap.png("map mass by atlas label: mean share over cases (sd)", m.names(), m.columns(), m.mean(),
        m.sd());
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
  }

  /** What index.html draws: box plots per metric and group (method and layer), the atlas heat map. */
  public CohortCharts charts() {
    List<CohortCharts.Box> boxes = new ArrayList<>();
    for (String name : metricNames()) {
      Map<String, List<Double>> byGroup = new TreeMap<>();
      for (MetricsRow r : metrics) {
        Double v = r.headline().get(name);
        if (v != null && Double.isFinite(v)) {
          byGroup.computeIfAbsent((r.method() + " " + r.layer()).strip(), k -> new ArrayList<>()).add(v);
        }
      }
      byGroup.forEach((g, values) -> boxes.add(CohortCharts.Box.of(name, g, values)));
    }
    byte[] png = hasAtlas() ? atlasPng(matrix()) : null;
    return new CohortCharts(boxes, png);
  }

  /**
   * Joins the metrics tables of a job array's shares (metrics-shard-I-of-N.csv, and metrics.csv
   * other than {@code out}'s) found in {@code dirs} into {@code out}/metrics.csv: the union of
   * their columns, rows sorted by case, method and layer. Returns the rows; writes nothing when
   * there are none.
   */
  public static int mergeMetrics(List<Path> dirs, Path out) {
    java.util.regex.Pattern shard = java.util.regex.Pattern.compile("metrics-shard-\\d+-of-\\d+\\.csv");
    List<CsvTable> tables = new ArrayList<>();
    Path target = out.resolve(METRICS).toAbsolutePath().normalize();
    for (Path d : dirs) {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(d)) {
        for (Path f : files.sorted().toList()) {
          String n = f.getFileName().toString();
          if (shard.matcher(n).matches() || (n.equals(METRICS) && !f.toAbsolutePath().normalize().equals(target))) {
            tables.add(CsvTable.parse(java.nio.file.Files.readString(f, java.nio.charset.StandardCharsets.UTF_8),
                f.toString()));
          }
        }
      } catch (java.io.IOException e) {
        throw new gradcam3d.Gradcam3dException("cannot read the metrics tables in " + d + ": " + e.getMessage(), e);
      }
    }
    if (tables.isEmpty()) {
      return 0;
    }
    Set<String> columns = new LinkedHashSet<>();
    tables.forEach(t -> columns.addAll(t.header()));
    List<String> header = new ArrayList<>(columns);
    List<List<String>> rows = new ArrayList<>();
    for (CsvTable t : tables) {
      for (List<String> r : t.body()) {
        List<String> row = new ArrayList<>();
        for (String c : header) {
          int i = t.header().indexOf(c);
          row.add(i < 0 || i >= r.size() ? "" : r.get(i));
        }
        rows.add(row);
      }
    }
    rows.sort((a, b) -> String.join("\u0000", a.subList(0, 3)).compareTo(String.join("\u0000", b.subList(0, 3))));
    CsvTable merged = new CsvTable(header);
    rows.forEach(merged::add);
    merged.write(out.resolve(METRICS));
    return rows.size();
  }
}
