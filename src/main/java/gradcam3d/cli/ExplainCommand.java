package gradcam3d.cli;

import gradcam3d.output.ConsoleReport;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultFolder;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.StandaloneFile;
import gradcam3d.output.Written;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.InputPrefetch;
import gradcam3d.pipeline.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import gradcam3d.cam.Explainer;
import gradcam3d.metrics.Evaluation;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import picocli.CommandLine.Spec;

/** gradcam3d explain: one model, one input, one method, one or more layers. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Computes a Grad-CAM-family heatmap of a model's decision on the whole input volume "
        + "and writes it as .npy, as NIfTI aligned with the input (NRRD or MetaImage for such inputs; open it over the scan in ITK-SNAP, "
        + "3D Slicer or FSLeyes), as pictures and as summary.json.",
        "",
        "Find layer names with: gradcam3d layers MODEL.onnx --input-shape 1,1,64,64,64 (--suggest ranks them)",
        "Match the training preprocessing: MONAI --layout xyz --orient RAS [--resample ...] [--normalize ...], "
            + "nnU-Net/SimpleITK --layout zyx; see the README's 'From your framework to gradcam3d'."},
    footer = {"",
        "Targets (--target), coordinates in tensor axis order, box ends exclusive:",
        "  2                      class 2 summed over the voxels the model predicts as 2 (default form)",
        "  2:mask=gt.nii.gz       class 2 summed inside a mask file (voxels > 0), e.g. the ground truth",
        "  2:box=z0,y0,x0,z1,y1,x1   class 2 inside a box",
        "  2:voxel=z,y,x          class 2 at one voxel",
        "  2:all                  class 2 over the whole volume (MONAI's semantics)",
        "  3 / argmax             classifiers: class 3 / each sample's top class (the default)",
        "",
        "shapley-cam: weights mean_space(G - 0.5 H A), H A the Hessian-vector product of T by the gradient graph",
        "  differentiated again (exactly 0, i.e. Grad-CAM, through ReLU/max-pool/linear layers to logits; non-zero",
        "  through InstanceNorm/GroupNorm, softmax or sigmoid scores). Cost: forward + backward + a second backward.",
        "lrp: layer-wise relevance propagation (zennit's composites, --composite) on the ONNX graph: the target's seed",
        "  propagated to the input (attribution.npy = input relevance; map = its channel sum) or, with --layer, to",
        "  the layer (relevance.npy; map = channel sum). summary.json 'conservation': relevance arrived / starting",
        "  relevance and / T. Cost: forward + one modified backward (1-4 extra convolutions per Conv).",
        "",
        "Examples:",
        "  gradcam3d explain --model unet.onnx --input ct.nii.gz --layer down3 --target 1 --out out/",
        "  gradcam3d explain --model unet.onnx --input t1.nii.gz --input flair.nii.gz --normalize zscore \\",
        "      --layer encoder@2 --method gradcam++ --target 2:mask=gt.nii.gz --out out/",
        "  gradcam3d explain --model nnunet.onnx --input x.npy --layer decoder.0 --model-output 1 \\",
        "      --layer encoder.2 --target 1 --save-layer-cam --save-tensors --out out/",
        "  gradcam3d explain --model unet96.onnx --input ct.nii.gz --layer down3 --target 1 \\",
        "      --window 96,96,96 --overlap 0.5 --out out/        (a scan larger than the model's window)",
        "  gradcam3d explain --model unet.onnx --input ct.nii.gz --method lrp --composite epsilon-gamma-box \\",
        "      --target 1 --out out/                                  (input relevance)",
        "  gradcam3d explain --model unet.onnx --input ct.nii.gz --method occlusion --occlusion-size 16 \\",
        "      --occlusion-budget 600 --target 1 --out out/        (MONAI's occlusion sensitivity, <= 600 passes)",
        "",
        MetricsOptions.DEFINITIONS,
        "Exit codes: 0 done, 1 a problem with the input (message on stderr), 2 bad options."})
final class ExplainCommand implements Callable<Integer> {
  @Mixin
  ExplanationOptions explanation;

  @Option(names = "--input", required = true, paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "Input: .nii/.nii.gz (3D, or 4D with channels last), .nrrd/.nhdr (NRRD, detached data "
          + "file beside it), .mha/.mhd (MetaImage), a DICOM series (its folder, or one .dcm file of it; "
          + "uncompressed or JPEG, see --series), or .npy holding the model tensor ((C,*S), (B,C,*S) or (*S)). "
          + "Maps are written in the input's format (cam.nrrd, cam.mha; cam.nii.gz for NIfTI and DICOM). "
          + "Repeat to stack files as channels (same voxel grid).")
  List<Path> inputs;

  @Option(names = "--series", paramLabel = "UID",
      description = "The DICOM series to read (its SeriesInstanceUID) when an input folder holds several; "
          + "without it such a folder is refused with the list of its series. Default: the folder's only series.")
  String series;

  @Option(names = "--out", required = true, paramLabel = "DIR", converter = Converters.OutFolder.class,
      description = "Output folder: a new or empty folder, or an earlier result, which is replaced as a whole "
          + "once the new one is complete. It may not hold the inputs.")
  Path out;

  @Option(names = "--label", paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "True label volume: the summary reports the share of the CAM's mass inside the "
          + "explained class's label.")
  Path label;

  @Option(names = "--save-layer-cam", description = "Also write cam_layer.npy: the map at layer resolution before ReLU.")
  boolean saveLayerCam;

  @Option(names = "--save-tensors", description = "Also write activation.npy and gradient.npy of the layer(s).")
  boolean saveTensors;

  @Option(names = "--export-graph", paramLabel = "FILE.onnx", converter = Converters.OnnxOutFile.class,
      description = "Also write the compiled explanation (model, target, backward pass, CAM arithmetic) as a "
          + "standalone ONNX model: inputs the model input, gc3d_seed and gc3d_gate; outputs cam_layer_0 and "
          + "resized_0 (before min-max; eigen methods too), or for input-space methods dT/dx.")
  Path exportGraph;

  @Option(names = "--force", description = "Let --export-graph replace an existing file (never an input of the run).")
  boolean force;

  @Option(names = "--save-model-grid", description = "Also write model_grid/: the model's input (after --orient, "
      + "--resample and --normalize) and the maps on the model's grid with its affine, to check the preprocessing in a "
      + "viewer; the usual outputs stay on the scan's own grid.")
  boolean saveModelGrid;

  @Option(names = "--no-report", description = "Do not write report.html, the page to explore the map in a browser.")
  boolean noReport;

  @Mixin
  MetricsSwitch metrics;

  @Mixin
  TableOptions tables;

  @Mixin
  WindowOptions windows;

  @Mixin
  PictureOptions pictures;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  private final PipelineSource pipelines;

  ExplainCommand() {
    this(PipelineSource.FRESH);
  }

  ExplainCommand(PipelineSource pipelines) {
    this.pipelines = pipelines;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Settings settings = explanation.settings(saveTensors, quiet.progress(err))
        .withWindow(windows.settings(spec, saveLayerCam || saveTensors, metrics.on(), explanation.nnunetWindow()));
    if (exportGraph != null && settings.window() != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--export-graph writes one compiled "
          + "explanation of the whole input; it is not available with --window");
    }
    OutputSettings output = pictures.output(out, saveLayerCam, saveTensors).withReport(!noReport)
        .withModelGrid(saveModelGrid);
    CaseInput input = CaseInput.of(inputs, label).withSeries(series);
    List<Path> read = new ArrayList<>(inputs);
    read.addAll(explanation.modelFiles());
    read.add(label);
    read.addAll(explanation.maskFiles());
    read.addAll(tables.read());
    ResultFolder.check(out, read);
    tables.load();
    if (exportGraph != null) {
      Explainer.requireOneGraph(settings.method());
      StandaloneFile.check("--export-graph", exportGraph, read, out, force,
          exportGraph.resolveSibling(exportGraph.getFileName() + ModelIO.EXTERNAL_DATA_SUFFIX));
    }
    // the input is read while the model is
    InputPrefetch prefetch = InputPrefetch.start(input);
    ExplanationPipeline pipeline = pipelines.open(settings, metrics.settings(settings.batchSize()));
    Throwable failure = null;
    // the writers start on the input (gray window, compressed scan) while the maps are computed,
    // and on a sliding-window segmentation (segmentation.npy, the contour) as soon as it is final
    ResultWriter.Prepared[] writers = new ResultWriter.Prepared[1];
    try {
      CaseResult r = tables.apply(pipeline.run(input, settings.targets(), prefetch, loaded -> {
        pictures.checkFits(loaded, settings.layout());
        writers[0] = ResultWriter.prepare(loaded, settings.layout(), output, read);
      }, (segmentation, regionClass) -> writers[0].segmentationFinal(segmentation, regionClass)), null);
      ModelProto graph = exportGraph == null ? null : pipeline.compiledGraph(r.loaded());
      Written w = ResultWriter.write(r, output, List.of(), writers[0]);
      if (graph != null) {
        // inline unless protobuf's 2 GB limit forces external data
        ModelIO.write(graph, exportGraph, graph.getSerializedSize() < ModelIO.MAX_MODEL_BYTES ? Long.MAX_VALUE : 1024);
      }
      if (!quiet.quiet) {
        ConsoleReport.print(spec.commandLine().getOut(), r, w, out);
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      try {
        if (writers[0] != null) {
          writers[0].discard(); // a result that failed before it was written leaves no staging folder
        }
      } finally {
        pipelines.release(pipeline, failure);
      }
    }
    return 0;
  }

  /** Where the pipeline comes from: a new one per run, or one that {@code gradcam3d serve} keeps open. */
  interface PipelineSource {
    /** A new pipeline for every run, closed after it. */
    PipelineSource FRESH = new PipelineSource() {
      @Override
      public ExplanationPipeline open(Settings settings, Evaluation.Settings metrics) {
        return new ExplanationPipeline(settings, metrics);
      }

      @Override
      public void release(ExplanationPipeline pipeline, Throwable failure) {
        pipeline.close();
      }
    };

    ExplanationPipeline open(Settings settings, Evaluation.Settings metrics);

    /** The run is over; {@code failure} is what it threw, or null. */
    void release(ExplanationPipeline pipeline, Throwable failure);
  }
}
