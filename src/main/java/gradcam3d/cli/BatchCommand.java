package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import gradcam3d.output.CaseFolders;
import gradcam3d.output.CsvTable;
import gradcam3d.output.HtmlReportWriter;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.Written;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.Settings;
import gradcam3d.render.Figures;
import gradcam3d.report.BatchIndexWriter;
import gradcam3d.report.IndexRow;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        "", "Exit codes: 0 all cases done, 1 some case failed (listed on stderr and in batch.csv)."})
final class BatchCommand implements Callable<Integer> {
  static final String INDEX = "index.html";

  @Mixin
  ExplanationOptions explanation;

  @Option(names = "--input", paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "A case (.nii, .nii.gz or .npy); repeat.")
  List<Path> inputs = new ArrayList<>();

  @Option(names = "--inputs-dir", paramLabel = "DIR", converter = Converters.FilePath.class,
      description = "Every .nii, .nii.gz and .npy file in DIR is a case (label files excluded).")
  Path inputsDir;

  @Option(names = "--label-suffix", paramLabel = "SUFFIX",
      description = "Each case's true label is the file next to it with SUFFIX before the extension "
          + "(case1.nii.gz -> case1" + "SUFFIX.nii.gz); reports the CAM's mass inside the label.")
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
  PictureOptions pictures;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (labelSuffix != null && labelSuffix.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Invalid value for option '--label-suffix': needs at least one character");
    }
    List<Path> cases = cases();
    List<String> names = CaseFolders.names(cases);
    Path table = out.resolve("batch.csv");
    for (Path c : cases) {
      if (c.toAbsolutePath().normalize().equals(table.toAbsolutePath().normalize())) {
        throw new Gradcam3dException("--out " + out + " would overwrite the input " + c + " with batch.csv");
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = quiet.progress(err);
    Settings settings = explanation.settings(false, progress);
    CsvTable rows = new CsvTable(List.of("case", "status", "class", "region_voxels", "target_value",
        "cam_mass_in_label", "label_share", "seconds", "error"));
    int failed = 0;
    List<IndexRow> index = new ArrayList<>();
    try (ExplanationPipeline pipeline = new ExplanationPipeline(settings, metrics.settings(settings.batchSize()))) {
      progress.start("cases", cases.size());
      for (int i = 0; i < cases.size(); i++) {
        Path c = cases.get(i);
        String name = names.get(i);
        long t0 = System.nanoTime();
        try {
          OutputSettings output = pictures.output(out.resolve(name), false, false).withReport(report);
          CaseResult r = pipeline.run(CaseInput.of(List.of(c), label(c)),
              loaded -> pictures.checkFits(loaded, settings.layout()));
          Written written = ResultWriter.write(r, output);
          CaseResult.TargetSummary t = r.targets().get(0);
          LabelOverlap l = r.label();
          rows.add(List.of(name, "ok", Integer.toString(t.explainedClass()), Long.toString(t.regionVoxels()),
              String.format(Locale.ROOT, "%.6g", t.value()), l == null ? "" : fmt(l.massInside()),
              l == null ? "" : fmt(l.labelShare()), seconds(t0), ""));
          index.add(new IndexRow(name, written.files().contains(HtmlReportWriter.FILE)
              ? name + "/" + HtmlReportWriter.FILE : null, thumbnail(out.resolve(name)), t.description(),
              t.regionVoxels(), l == null ? null : l.massInside(), Map.of(), (System.nanoTime() - t0) / 1e9, null));
        } catch (Gradcam3dException e) {
          failed++;
          err.println("error: " + name + ": " + e.getMessage());
          rows.add(List.of(name, "failed", "", "", "", "", "", seconds(t0), e.getMessage()));
          index.add(new IndexRow(name, null, null, null, null, null, Map.of(), (System.nanoTime() - t0) / 1e9,
              e.getMessage()));
        }
        progress.advance(1);
      }
      progress.finish();
    }
    rows.write(table);
    if (report) {
      BatchIndexWriter.write("gradcam3d batch: " + out.toAbsolutePath().normalize().getFileName(), index,
          out.resolve(INDEX));
    }
    if (!quiet.quiet) {
      spec.commandLine().getOut().printf("gradcam3d batch: %d of %d cases explained; table in %s%s%n",
          cases.size() - failed, cases.size(), table, report ? ", pages in " + out.resolve(INDEX) : "");
    }
    return failed == 0 ? 0 : Main.EXIT_USER_ERROR;
  }

  /** The case's overlay picture, shown small in the index; none without pictures. */
  private static byte[] thumbnail(Path caseDir) throws IOException {
    Path png = caseDir.resolve(Figures.OVERLAY_PNG);
    return Files.isRegularFile(png) ? Files.readAllBytes(png) : null;
  }

  private static String seconds(long t0) {
    return String.format(Locale.ROOT, "%.2f", (System.nanoTime() - t0) / 1e9);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private List<Path> cases() throws IOException {
    List<Path> all = new ArrayList<>(inputs);
    if (inputsDir != null) {
      if (!Files.isDirectory(inputsDir)) {
        throw new Gradcam3dException("--inputs-dir " + inputsDir + " is not a folder");
      }
      try (Stream<Path> s = Files.list(inputsDir)) {
        s.filter(p -> VolumeIO.isVolumeFile(p) && !Files.isDirectory(p)
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
    Path l = c.resolveSibling(stem + labelSuffix + n.substring(stem.length()));
    if (!Files.exists(l)) {
      throw new Gradcam3dException("no label file " + l + " for case " + c.getFileName());
    }
    return l;
  }
}
