package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import gradcam3d.output.CaseFolders;
import gradcam3d.output.BatchTable;
import gradcam3d.output.CompletedResult;
import gradcam3d.output.HtmlReportWriter;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.Written;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.InputPrefetch;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.Settings;
import gradcam3d.pipeline.Shard;
import gradcam3d.report.BatchIndexWriter;
import gradcam3d.report.IndexRow;
import gradcam3d.volume.VolumeFormat;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  @Option(names = "--out", required = true, paramLabel = "DIR", converter = Converters.OutFolder.class,
      description = "Output folder: one folder per case (named after its file, made safe and unique) and "
          + "batch.csv.")
  Path out;

  @Option(names = "--report", description = "Also write report.html per case and index.html: every case with a "
      + "thumbnail, its numbers and a link to its report (open it in a browser, no server needed).")
  boolean report;

  @Mixin
  MetricsSwitch metrics;

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

  @Option(names = "--resume", description = "Skip cases whose folder already holds a complete result (a valid "
      + "summary.json listing files that exist); their rows come from that summary.")
  boolean resume;

  @Override
  public Integer call() throws IOException {
    if (labelSuffix != null && labelSuffix.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Invalid value for option '--label-suffix': needs at least one character");
    }
    Shard share = shard == null ? Shard.ALL : shard;
    // a share names folders from the whole list in stable order, so every share agrees on them
    List<Path> cases = shard == null ? cases() : Shard.stableOrder(cases(), Path::toString);
    List<String> names = CaseFolders.names(cases);
    Path table = out.resolve(BatchTable.fileName(share.index(), share.count()));
    for (Path c : cases) {
      if (c.toAbsolutePath().normalize().equals(table.toAbsolutePath().normalize())) {
        throw new Gradcam3dException("--out " + out + " would overwrite the input " + c + " with "
            + table.getFileName());
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = quiet.progress(err);
    Settings settings = explanation.settings(false, progress)
        .withWindow(windows.settings(spec, false, metrics.on, explanation.nnunetWindow()));
    BatchTable rows = new BatchTable();
    int failed = 0;
    int mine = 0;
    int skipped = 0;
    List<IndexRow> index = new ArrayList<>();
    try (ExplanationPipeline pipeline = new ExplanationPipeline(settings, metrics.settings(settings.batchSize()))) {
      progress.start("cases", (cases.size() - share.index() + share.count()) / share.count());
      // the next case's input is read while this one is explained (one case ahead at most)
      Path aheadCase = null;
      InputPrefetch ahead = null;
      for (int i = 0; i < cases.size(); i++) {
        if (!share.holds(i)) {
          continue;
        }
        mine++;
        Path c = cases.get(i);
        String name = names.get(i);
        long t0 = System.nanoTime();
        Optional<CompletedResult> done = resume ? CompletedResult.read(out.resolve(name)) : Optional.empty();
        if (done.isPresent()) {
          skipped++;
          rows.completed(name, done.get());
          index.add(BatchTable.indexRow(out, name, done.get()));
        } else {
          try {
            OutputSettings output = pictures.output(out.resolve(name), false, false).withReport(report);
            CaseInput input = CaseInput.of(List.of(c), label(c)).withSeries(series);
            InputPrefetch read = c.equals(aheadCase) ? ahead : InputPrefetch.start(input);
            int next = nextHeld(share, i, cases.size());
            aheadCase = next < 0 ? null : cases.get(next);
            ahead = next < 0 ? null : InputPrefetch.start(CaseInput.of(cases.get(next)).withSeries(series));
            ResultWriter.Prepared[] writers = new ResultWriter.Prepared[1];
            CaseResult r = pipeline.run(input, read, loaded -> {
              pictures.checkFits(loaded, settings.layout());
              writers[0] = ResultWriter.prepare(loaded, settings.layout(), output);
            });
            Written written = ResultWriter.write(r, output, List.of(), writers[0]);
            rows.explained(name, r, seconds(t0));
            CaseResult.TargetSummary t = r.targets().get(0);
            LabelOverlap l = r.label();
            index.add(new IndexRow(name, written.files().contains(HtmlReportWriter.FILE)
                ? name + "/" + HtmlReportWriter.FILE : null, BatchTable.thumbnail(out.resolve(name)), t.description(),
                t.regionVoxels(), l == null ? null : l.massInside(), Map.of(), seconds(t0), null));
          } catch (Gradcam3dException e) {
            failed++;
            err.println("error: " + name + ": " + e.getMessage());
            rows.failed(name, e.getMessage(), seconds(t0));
            index.add(new IndexRow(name, null, null, null, null, null, Map.of(), seconds(t0), e.getMessage()));
          }
        }
        progress.advance(1);
      }
      progress.finish();
    }
    rows.write(table);
    Path indexFile = out.resolve(BatchTable.indexName(share.index(), share.count()));
    if (report) {
      BatchIndexWriter.write("gradcam3d batch: " + out.toAbsolutePath().normalize().getFileName()
          + (shard == null ? "" : " (share " + share + ")"), index, indexFile);
    }
    if (!quiet.quiet) {
      spec.commandLine().getOut().printf("gradcam3d batch: %d of %d cases explained%s%s; table in %s%s%n",
          mine - failed, mine, skipped > 0 ? " (" + skipped + " completed earlier)" : "",
          shard == null ? "" : " (share " + share + " of " + cases.size() + " cases)", table,
          report ? ", pages in " + indexFile : "");
    }
    return failed == 0 ? 0 : Main.EXIT_USER_ERROR;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private List<Path> cases() throws IOException {
    List<Path> all = new ArrayList<>(inputs);
    if (inputsDir != null) {
      if (!Files.isDirectory(inputsDir)) {
        throw new Gradcam3dException("--inputs-dir " + inputsDir + " is not a folder");
      }
      try (Stream<Path> s = Files.list(inputsDir)) {
        s.filter(p -> ((VolumeIO.isVolumeFile(p) && !Files.isDirectory(p)) || VolumeFormat.isDicomFolder(p))
                && (labelSuffix == null || !CaseFolders.stem(p).endsWith(labelSuffix)))
            .sorted().forEach(all::add);
      }
    }
    if (all.isEmpty()) {
      throw new Gradcam3dException("no cases: give --input FILE (repeatable) or --inputs-dir DIR");
    }
    return all;
  }

  private Path label(Path c) {
    if (labelSuffix == null) {
      return null;
    }
    String n = c.getFileName().toString();
    String stem = CaseFolders.stem(c);
    if (Files.isDirectory(c)) {
      // a DICOM series folder: its label is a volume file beside it, named folder + SUFFIX + extension
      for (String ext : VolumeIO.EXTENSIONS) {
        Path l = c.resolveSibling(n + labelSuffix + ext);
        if (Files.isRegularFile(l)) {
          return l;
        }
      }
      throw new Gradcam3dException("no label file " + c.resolveSibling(n + labelSuffix) + ".nii.gz (or .nrrd, .mha, "
          + "...) for case " + n);
    }
    Path l = c.resolveSibling(stem + labelSuffix + n.substring(stem.length()));
    if (!Files.exists(l)) {
      throw new Gradcam3dException("no label file " + l + " for case " + c.getFileName());
    }
    return l;
  }

  /** The next case after {@code i} that this share explains, or -1. */
  private static int nextHeld(Shard share, int i, int cases) {
    for (int j = i + 1; j < cases; j++) {
      if (share.holds(j)) {
        return j;
      }
    }
    return -1;
  }
}
