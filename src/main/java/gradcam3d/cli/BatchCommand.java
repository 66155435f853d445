package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Progress;
import gradcam3d.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
  @Mixin
  ExplanationOptions explanation;

  @Option(names = "--input", paramLabel = "FILE", description = "A case (.nii, .nii.gz or .npy); repeat.")
  List<Path> inputs = new ArrayList<>();

  @Option(names = "--inputs-dir", paramLabel = "DIR",
      description = "Every .nii, .nii.gz and .npy file in DIR is a case (label files excluded).")
  Path inputsDir;

  @Option(names = "--label-suffix", paramLabel = "SUFFIX",
      description = "Each case's true label is the file next to it with SUFFIX before the extension "
          + "(case1.nii.gz -> case1" + "SUFFIX.nii.gz); reports the CAM's mass inside the label.")
  String labelSuffix;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

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
    List<Path> cases = cases();
    ExplainJob job = explanation.job();
    pictures.configure(job);
    job.metrics = metrics.settings(job.batchSize);
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = quiet.progress(err);
    List<String> rows = new ArrayList<>();
    rows.add("case,status,class,region_voxels,target_value,cam_mass_in_label,label_share,seconds,error");
    int failed = 0;
    try (ExplainJob.Session session = job.open()) {
      progress.start("cases", cases.size());
      for (Path c : cases) {
        String name = caseName(c);
        long t0 = System.nanoTime();
        try {
          ExplainJob.Result r = session.explain(List.of(c), label(c), out.resolve(name));
          @SuppressWarnings("unchecked")
          Map<String, Object> t = ((List<Map<String, Object>>) r.summary().get("targets")).get(0);
          rows.add(String.format(Locale.ROOT, "%s,ok,%s,%s,%.6g,%s,%s,%.2f,", csv(name), t.get("class"),
              t.get("region_voxels"), (Double) t.get("value"), r.massInLabel() == null ? "" : fmt(r.massInLabel()),
              r.labelShare() == null ? "" : fmt(r.labelShare()), (System.nanoTime() - t0) / 1e9));
        } catch (Gradcam3dException e) {
          failed++;
          err.println("error: " + name + ": " + e.getMessage());
          rows.add(String.format(Locale.ROOT, "%s,failed,,,,,,%.2f,%s", csv(name), (System.nanoTime() - t0) / 1e9,
              csv(e.getMessage())));
        }
        progress.advance(1);
      }
      progress.finish();
    }
    Files.createDirectories(out);
    String table = String.join("\n", rows) + "\n";
    AtomicFiles.write(out.resolve("batch.csv"), os -> os.write(table.getBytes(StandardCharsets.UTF_8)));
    if (!quiet.quiet) {
      spec.commandLine().getOut().printf("gradcam3d batch: %d of %d cases explained; table in %s%n",
          cases.size() - failed, cases.size(), out.resolve("batch.csv"));
    }
    return failed == 0 ? 0 : Main.EXIT_USER_ERROR;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private List<Path> cases() throws IOException {
    List<Path> all = new ArrayList<>(inputs);
    if (inputsDir != null) {
      if (!Files.isDirectory(inputsDir)) {
        throw new Gradcam3dException("--inputs-dir " + inputsDir + " is not a folder");
      }
      try (Stream<Path> s = Files.list(inputsDir)) {
        s.filter(p -> isVolume(p) && (labelSuffix == null || !caseName(p).endsWith(labelSuffix)))
            .sorted().forEach(all::add);
      }
    }
    if (all.isEmpty()) {
      throw new Gradcam3dException("no cases: give --input FILE (repeatable) or --inputs-dir DIR");
    }
    List<String> names = all.stream().map(BatchCommand::caseName).toList();
    if (names.stream().distinct().count() != names.size()) {
      throw new Gradcam3dException("two cases share a file name; their output folders would collide");
    }
    return all;
  }

  private static boolean isVolume(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".nii") || n.endsWith(".nii.gz") || n.endsWith(".npy");
  }

  /** The file name without .nii, .nii.gz or .npy. */
  static String caseName(Path p) {
    String n = p.getFileName().toString();
    for (String ext : new String[] {".nii.gz", ".nii", ".npy"}) {
      if (n.toLowerCase(Locale.ROOT).endsWith(ext)) {
        return n.substring(0, n.length() - ext.length());
      }
    }
    return n;
  }

  private Path label(Path c) {
    if (labelSuffix == null) {
      return null;
    }
    String n = c.getFileName().toString();
    String stem = caseName(c);
    Path l = c.resolveSibling(stem + labelSuffix + n.substring(stem.length()));
    if (!Files.exists(l)) {
      throw new Gradcam3dException("no label file " + l + " for case " + c.getFileName());
    }
    return l;
  }
}
