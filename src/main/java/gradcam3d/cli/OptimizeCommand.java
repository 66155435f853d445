package gradcam3d.cli;

import gradcam3d.graph.Graph;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.optimize.FastForm;
import gradcam3d.output.StandaloneFile;
import gradcam3d.tensor.Shapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** gradcam3d optimize: writes an exactly equivalent model that ONNX Runtime runs faster. */
@Command(name = "optimize", mixinStandardHelpOptions = true,
    description = {"Writes a model with the same outputs that ONNX Runtime runs faster: strided "
        + "ConvTranspose becomes convolutions on its input plus an interleave (polyphase form), PRelu "
        + "with one slope becomes LeakyRelu, shape arithmetic is folded for the given input shape.",
        "The written model takes exactly that input shape."},
    footer = {"", "Example: gradcam3d optimize unet.onnx unet.fast.onnx --input-shape 1,1,96,96,96",
        "Compare:  gradcam3d bench --model unet.onnx --input x.npy --layer down3"})
final class OptimizeCommand implements Callable<Integer> {
  /** Models larger than this keep their big weights in an external data file. */
  private static final long INLINE_LIMIT = 1L << 30;

  @Parameters(index = "0", paramLabel = "IN.onnx", description = "The ONNX model.",
      converter = Converters.FilePath.class)
  Path in;

  @Parameters(index = "1", paramLabel = "OUT.onnx", description = "Where to write the faster model.")
  Path out;

  @Option(names = "--input-shape", paramLabel = "[NAME=]B,C,D...", converter = Converters.InputShape.class,
      description = "Input shape the written model is fixed to (default: the shape the model declares).")
  List<Converters.NamedShape> inputShapes = List.of();

  @Option(names = "--force", description = "Replace OUT.onnx if it exists (never the input model).")
  boolean force;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    StandaloneFile.check("OUT.onnx", out, List.of(in), null, force,
        out.resolveSibling(out.getFileName() + ModelIO.EXTERNAL_DATA_SUFFIX));
    ModelProto model = ModelIO.read(in);
    Map<String, long[]> shapes = LayersCommand.parseShapes(spec.commandLine(), Graph.fromModel(model), inputShapes);
    FastForm.Optimized fast = FastForm.model(model, shapes);
    ModelProto m = fast.model();
    ModelIO.write(m, out, m.getSerializedSize() > INLINE_LIMIT ? 1 << 20 : Long.MAX_VALUE);
    PrintWriter w = spec.commandLine().getOut();
    StringBuilder inputs = new StringBuilder();
    for (var v : m.getGraph().getInputList()) {
      inputs.append(inputs.length() == 0 ? "" : ", ").append(v.getName()).append(' ')
          .append(Shapes.format(Graph.declaredShape(v)));
    }
    w.printf("gradcam3d: rewrote %d ConvTranspose node%s into convolutions (polyphase form), "
        + "%d single-slope PRelu into LeakyRelu%n", fast.report().convTransposes(),
        fast.report().convTransposes() == 1 ? "" : "s", fast.report().scalarPRelus());
    w.printf("  input    %s%n", inputs);
    w.printf("  wrote    %s (%d nodes, was %d)%n", out, m.getGraph().getNodeCount(),
        model.getGraph().getNodeCount());
    return 0;
  }
}
