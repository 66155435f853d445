package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.output.BatchSettings;
import gradcam3d.output.CaseFolders;
import gradcam3d.output.CohortTables;
import gradcam3d.output.BatchTable;
import gradcam3d.output.CompletedResult;
import gradcam3d.output.HtmlReportWriter;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.Written;
import gradcam3d.pipeline.BatchRunner;
import gradcam3d.pipeline.CaseListing;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.Settings;
import gradcam3d.pipeline.Shard;
import gradcam3d.report.BatchIndexWriter;
import gradcam3d.report.IndexRow;
import gradcam3d.window.SlidingWindowExplainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * gradcam3d batch: the same explanation for many volumes. The model is compiled once (once per
 * distinct input shape); a failing case is reported and the others go on.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Explains many volumes with one model, layer(s), method and target: one folder per case "
        + "under --out (the files 'explain' writes) and batch.csv with one row per case. The model is "
        + "compiled once and reused; a case that fails is reported and the others go on."},
    footer = {"", "Targets and the other shared options: see 'gradcam3d explain --help'.", "", "Example:",
        "  gradcam3d batch --model unet.onnx --inputs-dir scans/ --label-suffix _label \\",
        "      --layer up2 --target 1 --out results/",
        "", "A job array (SLURM): each task runs one share into one folder, then one merge joins the tables:",
        "  gradcam3d batch ... --shard $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT --resume --out results/",
        "  gradcam3d batch --merge results/ [more folders] --out results/",
        "", "Exit codes: 0 all cases done, 1 some case failed (listed on stderr and in batch.csv)."})
final class BatchCommand implements Callable<Integer> {
  @Mixin
  ExplanationOptions explanation;

  @Option(names = "--input", paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "A case (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd, .npy, or a DICOM series folder); repeat.")
  List<Path> inputs = new ArrayList<>();

  @Option(names = "--inputs-dir", paramLabel = "DIR", converter = Converters.FilePath.class,
      description = "Every .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd and .npy file in DIR is a case (label files "
          + "excluded; not the data files of .nhdr/.mhd headers), and so is every subfolder holding DICOM files "
          + "(a file with 'DICM' at byte 128, i.e. DICOM Part 10, with or without .dcm).")
  Path inputsDir;

  @Option(names = "--series", paramLabel = "UID",
      description = "Every DICOM case: the series to read (its SeriesInstanceUID) when an input folder holds several; "
          + "without it such a folder is refused with the list of its series. Default: the folder's only series.")
  String series;

  @Option(names = "--label-suffix", paramLabel = "SUFFIX",
      description = "Each case's true label is the file next to it with SUFFIX before the extension "
          + "(case1.nii.gz -> case1" + "SUFFIX.nii.gz; a DICOM folder case1/ -> case1SUFFIX.nii.gz, .nrrd, .mha, ...); "
          + "reports the CAM's mass inside the label.")
  String labelSuffix;

  @Option(names = "--labels-dir", paramLabel = "DIR", converter = Converters.FilePath.class,
      description = "The Medical Segmentation Decathlon / nnU-Net layout (imagesTs/ and labelsTs/): each case's "
          + "label is DIR/NAME.nii.gz (any volume extension), and nnU-Net's channel files NAME_0000, NAME_0001, ... "
          + "in --inputs-dir are one case with those channels in that order. Instead of --label-suffix.")
  Path labelsDir;

  @Option(names = "--out", required = true, paramLabel = "DIR", converter = Converters.OutFolder.class,
      description = "Output folder: one folder per case (named after its file, made safe and unique) and "
          + "batch.csv.")
  Path out;

  @Option(names = "--report", description = "Also write report.html per case and index.html: every case with a "
      + "thumbnail, its numbers and a link to its report (open it in a browser, no server needed).")
  boolean report;

  @Option(names = "--methods", split = ",", paramLabel = "M1,M2,...", converter = Converters.Method.class,
      description = "Explain every case with each of these methods, each at each --layer separately (input-space "
          + "methods once, without a layer), into <case>/<method>_<layer>/: a cohort comparison in one run, with "
          + "--metrics a row per case, method and layer in metrics.csv (default: --method, its layers "
          + "aggregated, into <case>/).")
  List<gradcam3d.cam.CamMethod> methods = new ArrayList<>();

  @Mixin
  MetricsSwitch metrics;

  @Mixin
  TableOptions tables;

  @Option(names = "--atlas-suffix", paramLabel = "SUFFIX",
      description = "Each case's atlas is the file next to it with SUFFIX before the extension (like "
          + "--label-suffix); with it or --atlas, atlas.csv and atlas.png hold the cohort's label x class matrix "
          + "(mean and spread of each label's share of the map over the cases).")
  String atlasSuffix;

  @Mixin
  WindowOptions windows;

  @Mixin
  PictureOptions pictures;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--shard", paramLabel = "I/N", converter = Converters.ShardValue.class,
      description = "Process only the I-th of N deterministic shares of the cases (sorted by path, dealt "
          + "round-robin), for job arrays; writes batch-shard-I-of-N.csv, so all shares may share one --out.")
  Shard shard;

  @Option(names = "--resume", arity = "0..1", fallbackValue = "redo", paramLabel = "redo|strict",
      converter = Converters.ResumeValue.class,
      description = "Skip cases whose folder already holds a complete result of the same settings: a summary.json "
          + "(a regular file of at most 1 MB) recording the same model (by its bytes), layers, method and its "
          + "options, targets, score, layout, normalisation, windows, label suffix, metrics, report and pictures, "
          + "and listing regular files inside the case folder that exist; their rows come from that summary. "
          + "Other cases are explained again (the count and reasons are printed); with 'strict', a case made with "
          + "other settings stops the batch before anything is written (exit 2).")
  Converters.Resume resume;

  @Override
  public Integer call() throws IOException {
    if (labelSuffix != null && labelSuffix.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Invalid value for option '--label-suffix': needs at least one character");
    }
    if (labelSuffix != null && labelsDir != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--label-suffix and --labels-dir name the labels two ways; give one");
    }
    Shard share = shard == null ? Shard.ALL : shard;
    // a share names folders from the whole list in stable order, so every share agrees on them
    List<CaseListing.Listed> listed = listed();
    List<CaseListing.Listed> cases = shard == null ? listed
        : Shard.stableOrder(listed, c -> c.files().get(0).toString());
    List<String> names = CaseFolders.names(cases.stream().map(c -> Path.of(c.name())).toList());
    Path table = out.resolve(BatchTable.fileName(share.index(), share.count()));
    for (Path c : cases.stream().flatMap(k -> k.files().stream()).toList()) {
      if (c.toAbsolutePath().normalize().equals(table.toAbsolutePath().normalize())) {
        throw new Gradcam3dException("--out " + out + " would overwrite the input " + c + " with "
            + table.getFileName());
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = quiet.progress(err);
    Settings settings = settings(progress);
    List<Run> runs = runs(settings);
    tables.load();
    BatchTable rows = new BatchTable();
    CohortTables cohort = new CohortTables(runs.size() > 1);
    int failed = 0;
    int mine = 0;
    int skipped = 0;
    Map<String, Integer> redone = new java.util.TreeMap<>();
    List<IndexRow> index = new ArrayList<>();
    // every case records its settings, so a later --resume can tell what it may keep; with
    // 'strict' a case made with other settings stops the batch before anything is written
    List<List<CompletedResult.Check>> earlier = new ArrayList<>();
    for (Run run : runs) {
      BatchSettings expected = resume == null ? null : batchSettings(run.settings());
      earlier.add(earlierResults(cases, runNames(names, run), share, expected));
    }
    int held = (cases.size() - share.index() + share.count()) / share.count();
    progress.start("cases", (long) held * runs.size());
    for (int ri = 0; ri < runs.size(); ri++) {
      Run run = runs.get(ri);
      CaseSink sink = new CaseSink(run, runNames(names, run), names, cases, earlier.get(ri), rows, cohort, index,
          redone, err);
      try (ExplanationPipeline pipeline = new ExplanationPipeline(run.settings(),
          metrics.settings(run.settings().batchSize()))) {
        BatchRunner.Tally t = new BatchRunner(pipeline).run(java.util.stream.IntStream.range(0, cases.size())
            .boxed().toList(), share, sink, progress);
        mine += t.cases();
        failed += t.failed();
        skipped += t.kept();
      }
    }
    progress.finish();
    // the cohort's tables: metrics.csv with --metrics, atlas.csv and atlas.png with an atlas
    String suffix = shard == null ? "" : "-shard-" + share.index() + "-of-" + share.count();
    List<String> cohortFiles = new ArrayList<>();
    if (cohort.hasMetrics()) {
      cohort.writeMetrics(out.resolve(withSuffix(CohortTables.METRICS, suffix)));
      cohortFiles.add(withSuffix(CohortTables.METRICS, suffix));
    }
    if (cohort.hasAtlas()) {
      cohort.writeAtlas(out.resolve(withSuffix(CohortTables.ATLAS_CSV, suffix)),
          out.resolve(withSuffix(CohortTables.ATLAS_PNG, suffix)));
      cohortFiles.add(withSuffix(CohortTables.ATLAS_CSV, suffix));
      cohortFiles.add(withSuffix(CohortTables.ATLAS_PNG, suffix));
    }
    Path indexFile = out.resolve(BatchTable.indexName(share.index(), share.count()));
    // the table and the index appear together (a stopped run leaves both or neither)
    rows.write(table, indexFile, report ? BatchIndexWriter.page("gradcam3d batch: "
        + out.toAbsolutePath().normalize().getFileName() + (shard == null ? "" : " (share " + share + ")"), index,
        cohort.charts()) : null);
    if (!quiet.quiet) {
      int again = redone.values().stream().mapToInt(Integer::intValue).sum();
      String resumed = skipped == 0 && again == 0 ? "" : " (" + String.join("; ", java.util.stream.Stream.of(
          skipped > 0 ? skipped + " completed earlier" : null,
          again > 0 ? again + " redone: " + String.join(", ", redone.entrySet().stream()
              .map(e -> e.getValue() + " " + e.getKey()).toList()) : null)
          .filter(java.util.Objects::nonNull).toList()) + ")";
      spec.commandLine().getOut().printf("gradcam3d batch: %d of %d %s explained%s%s; table in %s%s%s%n",
          mine - failed, mine, runs.size() > 1 ? "case runs (" + runs.size() + " methods and layers)" : "cases",
          resumed, shard == null ? "" : " (share " + share + " of " + cases.size() + " cases)", table,
          cohortFiles.isEmpty() ? "" : ", cohort tables " + String.join(", ", cohortFiles),
          report ? ", pages in " + indexFile : "");
    }
    return failed == 0 ? 0 : Main.EXIT_USER_ERROR;
  }

  /** The explanation's settings (of --method; --methods make runs of them). */
  Settings settings(Progress progress) {
    return explanation.settings(false, progress)
        .withWindow(windows.settings(spec, false, metrics.on(), explanation.nnunetWindow()));
  }

  /** Every case of --input and --inputs-dir with its label and atlas. */
  private List<CaseListing.Listed> listed() throws IOException {
    return CaseListing.of(inputs, inputsDir, labelSuffix, labelsDir, java.util.Arrays.asList(labelSuffix, atlasSuffix));
  }

  /** Every case of --input and --inputs-dir, as the batch's runner opens them. */
  List<BatchRunner.Case> listedCases() throws IOException {
    List<CaseListing.Listed> listed = listed();
    List<String> names = CaseFolders.names(listed.stream().map(c -> Path.of(c.name())).toList());
    return java.util.stream.IntStream.range(0, listed.size())
        .mapToObj(i -> BatchRunner.Case.of(names.get(i), listed.get(i), series)).toList();
  }

  /**
   * This batch as {@link #call} runs it with one method, without --resume or --shard, through
   * {@code runner} (over a pipeline of {@link #settings}): each case written into its folder under
   * --out as call() writes it (through the sink {@code watch} wraps), then batch.csv. What
   * {@code gradcam3d bench --batch} times.
   */
  BatchRunner.Tally runWith(BatchRunner runner, Settings settings,
      java.util.function.UnaryOperator<BatchRunner.Sink<Integer, CompletedResult, ResultWriter.Prepared>> watch)
      throws IOException {
    List<CaseListing.Listed> cases = listed();
    List<String> names = CaseFolders.names(cases.stream().map(c -> Path.of(c.name())).toList());
    Run run = runs(settings).get(0);
    tables.load();
    BatchTable rows = new BatchTable();
    CaseSink sink = new CaseSink(run, runNames(names, run), names, cases,
        java.util.Collections.nCopies(cases.size(), null), rows, new CohortTables(false), new ArrayList<>(),
        new java.util.TreeMap<>(), spec.commandLine().getErr());
    BatchRunner.Tally t = runner.run(java.util.stream.IntStream.range(0, cases.size()).boxed().toList(), Shard.ALL,
        watch.apply(sink), Progress.NONE);
    rows.write(out.resolve(BatchTable.fileName(Shard.ALL.index(), Shard.ALL.count())));
    return t;
  }

  /**
   * With --resume, each held case's folder judged against the settings of this run (null for the
   * cases of other shares, or without --resume). With 'strict', cases made with other settings
   * stop the batch here, before anything is written.
   */
  private List<CompletedResult.Check> earlierResults(List<CaseListing.Listed> cases, List<String> names, Shard share,
      BatchSettings expected) {
    List<CompletedResult.Check> checks = new ArrayList<>();
    Map<String, Integer> changed = new java.util.TreeMap<>();
    for (int i = 0; i < cases.size(); i++) {
      CompletedResult.Check c = expected != null && share.holds(i) ? CompletedResult.check(out.resolve(names.get(i)),
          expected) : null;
      checks.add(c);
      if (c != null && CompletedResult.settingsChanged(c)) {
        changed.merge(c.reason(), 1, Integer::sum);
      }
    }
    if (resume == Converters.Resume.STRICT && !changed.isEmpty()) {
      throw new gradcam3d.OptionValueException("--resume strict: " + changed.values().stream().mapToInt(
          Integer::intValue).sum() + " case(s) in " + out + " were made with other settings: " + String.join(", ",
          changed.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()) + "; give their settings, "
          + "--resume to redo them, or another --out");
    }
    return checks;
  }

  /** What decides each case's result, recorded in its summary.json for --resume. */
  private BatchSettings batchSettings(Settings s) {
    Map<String, String> v = new java.util.LinkedHashMap<>();
    v.put("model", BatchSettings.fingerprint(s.model()));
    v.put("layers", String.join(" | ", s.layers().stream().map(LayerSpec::toString).toList()));
    v.put("method", s.method().name() + (s.method().parameters().isEmpty() ? "" : " " + s.method().parameters())
        + (methods.isEmpty() ? " " + explanation.methodDescription() : ""));
    v.put("targets", String.join(" | ", s.targets().stream().map(Target::spec).toList()));
    v.put("score", s.score().name());
    v.put("model_output", Integer.toString(s.modelOutput()));
    v.put("layout", s.layout().name());
    v.put("normalize", s.normalization().toString());
    SlidingWindowExplainer.Settings w = s.window();
    v.put("window", w == null ? "none" : (w.auto() ? "auto" : java.util.Arrays.toString(w.window())) + " overlap "
        + w.overlap() + " blend " + w.blend() + " pad " + w.padValue() + " prediction " + w.keepPrediction());
    v.put("label_suffix", labelSuffix == null ? "none" : labelSuffix);
    v.put("metrics", metrics.on() ? String.valueOf(metrics.settings(s.batchSize())) : "off");
    v.put("report", Boolean.toString(report));
    v.put("pictures", pictures.describe());
    return new BatchSettings(v);
  }

  /**
   * One method at one layer (or its layers aggregated) over every case: the folder under each
   * case's folder (null: the case's folder itself), and its method and layer for the tables.
   */
  private record Run(Settings settings, String folder, String method, String layer) {}

  /** Without --methods: the one method with its layers; with it: each method at each layer. */
  private List<Run> runs(Settings base) {
    if (methods.isEmpty()) {
      return List.of(new Run(base, null, base.method().name(),
          String.join("+", explanation.layers.stream().map(LayerSpec::toString).toList())));
    }
    List<Run> out = new ArrayList<>();
    for (gradcam3d.cam.CamMethod m : methods) {
      m = explanation.configured(m);
      if (!m.takesLayers() || explanation.layers.isEmpty()) {
        out.add(new Run(base.withMethod(m).withLayers(List.of()), m.name(), m.name(), ""));
        continue;
      }
      for (LayerSpec layer : explanation.layers) {
        String name = layer.toString();
        out.add(new Run(base.withMethod(m).withLayers(List.of(layer)),
            gradcam3d.output.ComparisonWriter.folder(m.name(), name),
            m.name(), name));
      }
    }
    return out;
  }

  /** The case's atlas file: with --atlas-suffix, the file next to it; else --atlas (or null). */
  private Path atlas(Path c) {
    if (atlasSuffix == null) {
      return null;
    }
    return CaseListing.sibling(c, atlasSuffix, "atlas");
  }

  private static String withSuffix(String file, String suffix) {
    int dot = file.lastIndexOf('.');
    return file.substring(0, dot) + suffix + file.substring(dot);
  }

  /** Each case's folder for a run: the case's own, or the run's folder inside it. */
  private static List<String> runNames(List<String> names, Run run) {
    return run.folder() == null ? names : names.stream().map(n -> n + "/" + run.folder()).toList();
  }

  /**
   * One run's cases into their folders under --out: each case's files, its row of batch.csv, its
   * row of the index page and its share of the cohort tables; case {@code i} is position i of the
   * listing.
   */
  private final class CaseSink implements BatchRunner.Sink<Integer, CompletedResult, ResultWriter.Prepared> {
    private final Run run;
    private final BatchSettings recorded;
    private final List<String> runNames;
    private final List<String> names;
    private final List<CaseListing.Listed> cases;
    private final List<CompletedResult.Check> checks;
    private final BatchTable rows;
    private final CohortTables cohort;
    private final List<IndexRow> index;
    private final Map<String, Integer> redone;
    private final PrintWriter err;

    CaseSink(Run run, List<String> runNames, List<String> names, List<CaseListing.Listed> cases,
        List<CompletedResult.Check> checks, BatchTable rows, CohortTables cohort, List<IndexRow> index,
        Map<String, Integer> redone, PrintWriter err) {
      this.run = run;
      this.recorded = batchSettings(run.settings());
      this.runNames = runNames;
      this.names = names;
      this.cases = cases;
      this.checks = checks;
      this.rows = rows;
      this.cohort = cohort;
      this.index = index;
      this.redone = redone;
      this.err = err;
    }

    private OutputSettings output(int i) {
      return pictures.output(out.resolve(runNames.get(i)), false, false).withReport(report);
    }

    @Override
    public CompletedResult earlier(Integer i) {
      CompletedResult.Check check = checks.get(i);
      if (check != null && !check.complete() && !check.reason().equals("no summary.json")) {
        redone.merge(check.reason(), 1, Integer::sum);
      }
      return check == null ? null : check.result();
    }

    @Override
    public BatchRunner.Case open(Integer i) {
      return BatchRunner.Case.of(runNames.get(i), cases.get(i), series);
    }

    @Override
    public ResultWriter.Prepared prepare(Integer i, gradcam3d.pipeline.LoadedCase loaded) {
      pictures.checkFits(loaded, run.settings().layout());
      return ResultWriter.prepare(loaded, run.settings().layout(), output(i));
    }

    @Override
    public void explained(Integer i, CaseResult explained, ResultWriter.Prepared writers, double explainSeconds) {
      long w0 = System.nanoTime();
      String name = runNames.get(i);
      CaseResult r = tables.apply(explained, atlas(cases.get(i).files().get(0)));
      Written written = ResultWriter.write(r, output(i), List.of(recorded.writer()), writers);
      double seconds = explainSeconds + (System.nanoTime() - w0) / 1e9;
      rows.explained(name, r, seconds);
      cohort.add(names.get(i), run.method(), run.layer(), r);
      if (!report) {
        return; // the index page's rows (each holding its case's overlay.png) are for --report only
      }
      CaseResult.TargetSummary t = r.targets().get(0);
      LabelOverlap l = r.label();
      index.add(new IndexRow(name, written.files().contains(HtmlReportWriter.FILE)
          ? name + "/" + HtmlReportWriter.FILE : null, BatchTable.thumbnail(out.resolve(name)),
          t.description(), t.regionVoxels(), l == null ? null : l.massInside(), Map.of(), seconds, null));
    }

    @Override
    public void kept(Integer i, CompletedResult done, double seconds) {
      String name = runNames.get(i);
      rows.completed(name, done);
      if (report) {
        index.add(BatchTable.indexRow(out, name, done));
      }
      cohort.addCompleted(names.get(i), run.method(), run.layer(), out.resolve(name));
    }

    @Override
    public void failed(Integer i, String error, double seconds) {
      String name = runNames.get(i);
      err.println("error: " + name + ": " + error);
      rows.failed(name, error, seconds);
      if (report) {
        index.add(new IndexRow(name, null, null, null, null, null, Map.of(), seconds, error));
      }
    }
  }
}
