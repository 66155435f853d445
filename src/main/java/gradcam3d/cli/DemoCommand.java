package gradcam3d.cli;

import gradcam3d.AtomicFiles;
import gradcam3d.CacheFolder;
import gradcam3d.Gradcam3dException;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.output.ConsoleReport;
import gradcam3d.output.HtmlReportWriter;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultFolder;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.Written;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.Settings;
import gradcam3d.volume.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * gradcam3d demo: explains the bundled 3D U-Net (spheres = class 1, cubes = class 2) on an unseen
 * volume, with its true label to judge the map by.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Explains the bundled demo model, a small 3D U-Net trained to segment spheres (class 1) "
        + "and cubes (class 2), on demo case 1 for class 1 at layer up2 with Grad-CAM, and reports how much "
        + "of the map lies on the true spheres. Writes the CAM NIfTI, pictures and summary.json."},
    footer = {"", "Then open gradcam3d-demo/report.html in a browser, look at gradcam3d-demo/overlay.png, or load the "
        + "case and cam.nii.gz in ITK-SNAP / 3D Slicer."})
final class DemoCommand implements Callable<Integer> {
  static final String RESOURCES = "/gradcam3d/demo/";

  @Option(names = "--out", defaultValue = "gradcam3d-demo", paramLabel = "DIR", converter = Converters.OutFolder.class,
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--case", defaultValue = "1", paramLabel = "N", converter = CaseNumber.class,
      description = "Demo volume 1, 2 or 3 (default: ${DEFAULT-VALUE}).")
  int caseNumber;

  @Option(names = "--layer", defaultValue = "up2", description = "Layer (default: ${DEFAULT-VALUE}).",
      converter = Converters.LayerSpecText.class)
  LayerSpec layer;

  @Option(names = "--method", defaultValue = "gradcam", converter = Converters.Method.class,
      description = "Method (default: ${DEFAULT-VALUE}).")
  CamMethod method;

  @Option(names = "--target", defaultValue = "1", description = "Target (default: ${DEFAULT-VALUE}, the spheres).")
  String target;

  @Option(names = "--threads", paramLabel = "N", converter = Converters.Threads.class,
      description = "ONNX Runtime threads (default: all cores).")
  Integer threads;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** 1, 2 or 3. */
  static final class CaseNumber implements picocli.CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String v) {
      Integer n = new Converters.Positive().convert(v);
      if (n > 3) {
        throw new picocli.CommandLine.TypeConversionException("must be 1, 2 or 3, not " + n);
      }
      return n;
    }
  }

  @Override
  public Integer call() throws IOException {
    ResultFolder.check(out, List.of());
    // the bundled files go into the tool's own cache (nothing is written outside it and --out)
    Path work = CacheFolder.root().resolve("demo");
    Path model = extract("demo_unet3d.onnx", work);
    Path volume = extract("demo_case" + caseNumber + ".nii.gz", work);
    Path label = extract("demo_case" + caseNumber + "_label.nii.gz", work);
    PrintWriter err = spec.commandLine().getErr();
    Settings settings = Settings.of(model, List.of(layer)).withModelName("bundled demo_unet3d.onnx")
        .withMethod(method).withTargets(List.of(Target.parse(target))).withLayout(Layout.ZYX)
        .withProgress(quiet.progress(err));
    if (threads != null) {
      settings = settings.withThreads(threads);
    }
    CaseInput input = new CaseInput(List.of(volume), label,
        List.of("bundled demo_case" + caseNumber + ".nii.gz"), "bundled demo_case" + caseNumber + "_label.nii.gz");
    try (ExplanationPipeline pipeline = new ExplanationPipeline(settings)) {
      CaseResult r = pipeline.run(input);
      Written w = ResultWriter.write(r, OutputSettings.into(out));
      if (!quiet.quiet) {
        PrintWriter o = spec.commandLine().getOut();
        o.println("gradcam3d demo: bundled 3D U-Net (spheres = class 1, cubes = class 2), demo case " + caseNumber);
        ConsoleReport.print(o, r, w, out);
        o.println("  open     " + out.resolve(HtmlReportWriter.FILE) + " in a browser (offline, one file), look at "
            + out.resolve("overlay.png") + ", or load the case with cam.nii.gz in ITK-SNAP / 3D Slicer");
      }
    }
    return 0;
  }

  /** The bundled file in {@code dir}, copied there unless a copy of the same bytes is there already. */
  private static Path extract(String name, Path dir) throws IOException {
    byte[] bytes;
    try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new Gradcam3dException("the demo resource " + name + " is missing from the build");
      }
      bytes = in.readAllBytes();
    }
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || !Arrays.equals(Files.readAllBytes(p), bytes)) {
      AtomicFiles.write(p, out -> out.write(bytes));
    }
    return p;
  }
}
