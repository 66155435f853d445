package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientSpec;
import gradcam3d.cam.CamMethods;
import gradcam3d.render.Colormap;
import gradcam3d.render.RenderOptions;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** gradcam3d explain: one model, one input, one method, one or more layers. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Computes a Grad-CAM-family heatmap of a model's decision on the whole input volume "
        + "and writes it as .npy, as NIfTI aligned with the input (open it over the scan in ITK-SNAP, "
        + "3D Slicer or FSLeyes), as pictures and as summary.json.",
        "",
        "Find layer names with: gradcam3d layers MODEL.onnx --input-shape 1,1,64,64,64"},
    footer = {"",
        "Targets (--target), coordinates in tensor axis order, box ends exclusive:",
        "  2                      class 2 summed over the voxels the model predicts as 2 (default form)",
        "  2:mask=gt.nii.gz       class 2 summed inside a mask file (voxels > 0), e.g. the ground truth",
        "  2:box=z0,y0,x0,z1,y1,x1   class 2 inside a box",
        "  2:voxel=z,y,x          class 2 at one voxel",
        "  2:all                  class 2 over the whole volume (MONAI's semantics)",
        "  3 / argmax             classifiers: class 3 / each sample's top class (the default)",
        "",
        "Examples:",
        "  gradcam3d explain --model unet.onnx --input ct.nii.gz --layer down3 --target 1 --out out/",
        "  gradcam3d explain --model unet.onnx --input t1.nii.gz --input flair.nii.gz --normalize zscore \\",
        "      --layer encoder@2 --method gradcam++ --target 2:mask=gt.nii.gz --out out/",
        "  gradcam3d explain --model nnunet.onnx --input x.npy --layer decoder.0 --model-output 1 \\",
        "      --layer encoder.2 --target 1 --save-layer-cam --save-tensors --out out/",
        "",
        "Exit codes: 0 done, 1 a problem with the input (message on stderr), 2 bad options."})
final class ExplainCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "Input: .nii/.nii.gz (3D, or 4D with channels last) or .npy holding the model tensor "
          + "((C,*S), (B,C,*S) or (*S)). Repeat to stack files as channels (same voxel grid).")
  List<Path> inputs;

  @Option(names = "--layer", required = true, paramLabel = "NAME",
      description = "Module path as model.named_modules() prints it (down3, model.1.submodule), an element of a "
          + "tuple/list output (encoder@2), or an ONNX tensor name. Repeat for several layers: one map per "
          + "layer plus their aggregate.")
  List<String> layers;

  @Option(names = "--method", defaultValue = "gradcam", paramLabel = "METHOD",
      description = "One of: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      completionCandidates = MethodNames.class)
  String method;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "What to explain (see below). Repeat to give each sample of a batch its own target. "
          + "Default: argmax for classifiers; required for segmentation models.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--score", defaultValue = "logits", paramLabel = "logits|probabilities",
      description = "Sum raw outputs, or softmax (sigmoid for one channel) probabilities (default: ${DEFAULT-VALUE}).")
  String score;

  @Option(names = "--model-output", defaultValue = "0", paramLabel = "K",
      description = "Which output of a multi-output model (e.g. deep supervision) the target reads (default: 0).")
  int modelOutput;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--layout", defaultValue = "zyx", paramLabel = "zyx|xyz",
      description = "How NIfTI axes map to the model tensor: zyx = the NIfTI array reversed ([B,C,Z,Y,X], "
          + "SimpleITK/nnU-Net), xyz = NIfTI order (nibabel/MONAI) (default: ${DEFAULT-VALUE}).")
  String layout;

  @Option(names = "--normalize", defaultValue = "none", paramLabel = "MODE",
      description = "Intensity preprocessing the model expects: none, zscore, minmax or window:LO,HI "
          + "(default: ${DEFAULT-VALUE}).")
  String normalize;

  @Option(names = "--label", paramLabel = "FILE",
      description = "True label volume: the summary reports the share of the CAM's mass inside the "
          + "explained class's label.")
  Path label;

  @Option(names = "--save-layer-cam", description = "Also write cam_layer.npy: the map at layer resolution before ReLU.")
  boolean saveLayerCam;

  @Option(names = "--save-tensors", description = "Also write activation.npy and gradient.npy of the layer(s).")
  boolean saveTensors;

  @Option(names = "--no-pictures", description = "Do not write overlay.png and montage.png.")
  boolean noPictures;

  @Option(names = "--colormap", defaultValue = "jet", paramLabel = "NAME",
      description = "Colormap of the pictures: jet, turbo, viridis, inferno, gray (default: ${DEFAULT-VALUE}).")
  String colormap;

  @Option(names = "--opacity", defaultValue = "0.45", paramLabel = "A",
      description = "Heatmap opacity in the pictures, 0..1 (default: ${DEFAULT-VALUE}).")
  double opacity;

  @Option(names = "--slice", paramLabel = "AXIS=N", split = ",",
      description = "Slices of the overlay, e.g. z=10 or z=10,y=20 (default: through the CAM's peak).")
  List<String> slices = new ArrayList<>();

  @Option(names = "--montage-every", paramLabel = "N", description = "Montage of every N-th axial slice (default: about 16-24 tiles).")
  Integer montageEvery;

  @Option(names = "--no-contour", description = "Do not outline the target region in the pictures.")
  boolean noContour;

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads (default: all cores).")
  Integer threads;

  @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N",
      description = "Perturbed passes per batch for scorecam/ablationcam (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
  boolean quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Method names for the help text. */
  static final class MethodNames extends ArrayList<String> {
    MethodNames() {
      super(CamMethods.names());
    }
  }

  @Override
  public Integer call() {
    ExplainJob job = new ExplainJob();
    job.model = model;
    job.inputs = inputs;
    job.layers = layers;
    job.method = CamMethods.byName(method).name();
    job.targets = targets;
    job.score = parseScore(score);
    job.modelOutput = modelOutput;
    job.layout = Layout.parse(layout);
    job.normalization = Normalization.parse(normalize);
    job.label = label;
    job.out = out;
    job.saveLayerCam = saveLayerCam;
    job.saveTensors = saveTensors;
    job.pictures = !noPictures;
    job.render = renderOptions(colormap, opacity, slices, montageEvery, !noContour);
    if (threads != null) {
      job.threads = threads;
    }
    job.batchSize = batchSize;
    PrintWriter err = spec.commandLine().getErr();
    job.progress = ConsoleProgress.create(quiet, err);
    ExplainJob.Result r = job.run();
    if (!quiet) {
      Report.print(spec.commandLine().getOut(), r, out);
    }
    return 0;
  }

  static GradientSpec.Score parseScore(String s) {
    switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "logits": return GradientSpec.Score.LOGITS;
      case "probabilities": case "probs": return GradientSpec.Score.PROBABILITIES;
      default: throw new Gradcam3dException("--score must be logits or probabilities, not '" + s + "'");
    }
  }

  static RenderOptions renderOptions(String colormap, double opacity, List<String> slices, Integer every,
      boolean contour) {
    Integer z = null;
    Integer y = null;
    Integer x = null;
    for (String s : slices) {
      String[] kv = s.split("=");
      if (kv.length != 2) {
        throw new Gradcam3dException("--slice '" + s + "' must look like z=10");
      }
      int v;
      try {
        v = Integer.parseInt(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new Gradcam3dException("--slice '" + s + "' needs an integer slice index");
      }
      switch (kv[0].trim().toLowerCase(java.util.Locale.ROOT)) {
        case "z": z = v; break;
        case "y": y = v; break;
        case "x": x = v; break;
        default: throw new Gradcam3dException("--slice axis must be z, y or x, not '" + kv[0] + "'");
      }
    }
    try {
      return RenderOptions.defaults().withColormap(Colormap.byName(colormap)).withOpacity(opacity)
          .withSlices(z, y, x).withMontageEvery(every).withContour(contour);
    } catch (IllegalArgumentException e) {
      throw new Gradcam3dException(e.getMessage());
    }
  }
}
