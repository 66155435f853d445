package gradcam3d.cli;

import gradcam3d.graph.Graph;
import gradcam3d.graph.LayerListing;
import gradcam3d.graph.LayerSuggestions;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import gradcam3d.tensor.Shapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** gradcam3d layers: the module paths of a model, as PyTorch names them, with their outputs. */
@Command(name = "layers", mixinStandardHelpOptions = true,
    description = {"Lists every module path found in an ONNX model (the names model.named_modules() "
        + "prints), with its output tensors: element index, shape and ONNX tensor name.",
        "Pass any of these to 'explain --layer': a module (down3), an element of a module that "
        + "returns a tuple/list (encoder@2), or a raw ONNX tensor name."},
    footer = {"", "Example: gradcam3d layers unet.onnx --input-shape 1,1,96,96,96"})
final class LayersCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.",
      converter = Converters.FilePath.class)
  Path model;

  @Option(names = "--input-shape", paramLabel = "[NAME=]B,C,D...", converter = Converters.InputShape.class,
      description = "Input shape, to print concrete output shapes (repeat for models with several inputs). "
          + "Without it, dynamic dimensions print as '?'.")
  List<Converters.NamedShape> inputShapes = List.of();

  @Option(names = "--suggest", description = "Rank the layers worth explaining instead of listing them all: for a "
      + "segmentation net its decoder block outputs at a quarter of the input resolution or finer (coarse to fine), "
      + "then the bottleneck; for a classifier its last feature map; one line of why each. Needs concrete input "
      + "sizes (--input-shape for a model with dynamic axes).")
  boolean suggest;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Graph g = Graph.fromModel(ModelIO.read(model));
    Map<String, long[]> shapes = parseShapes(spec.commandLine(), g, inputShapes);
    List<LayerListing.Row> rows = LayerListing.of(g, shapes);
    PrintWriter out = spec.commandLine().getOut();
    out.println("model: " + model + " (opset " + g.opset() + ")");
    for (ValueInfoProto v : g.inputs()) {
      long[] s = shapes.getOrDefault(v.getName(), Graph.declaredShape(v));
      out.println("input: '" + v.getName() + "' " + Shapes.format(s));
    }
    Map<String, TensorInfo> info = gradcam3d.graph.ShapeInference.infer(g, shapes);
    List<String> outs = g.outputNames();
    for (int i = 0; i < outs.size(); i++) {
      TensorInfo t = info.get(outs.get(i));
      out.println("output " + i + ": '" + outs.get(i) + "' " + Shapes.format(t == null ? null : t.shape())
          + (outs.size() > 1 ? "   (select with --model-output " + i + ")" : ""));
    }
    out.println();
    if (suggest) {
      return suggestions(out, g, shapes);
    }
    if (rows.isEmpty()) {
      out.println("No module scopes recorded in this model (node names carry no PyTorch scopes); "
          + "use raw ONNX tensor names as layers.");
      return 0;
    }
    int w = Math.max(6, rows.stream().mapToInt(r -> label(r).length()).max().orElse(6));
    int sw = Math.max(5, rows.stream().mapToInt(r -> Shapes.format(r.shape()).length()).max().orElse(5));
    out.println(pad("layer", w) + "  " + pad("shape", sw) + "  onnx tensor");
    for (LayerListing.Row r : rows) {
      out.println(pad(label(r), w) + "  " + pad(Shapes.format(r.shape()), sw) + "  " + r.tensor() + notes(r));
    }
    if (gradcam3d.graph.LayerResolver.recordsCallPaths(g)) {
      out.println();
      out.println("Note: " + gradcam3d.graph.LayerResolver.CALL_PATH_NOTE + ".");
    }
    return 0;
  }

  private int suggestions(PrintWriter out, Graph g, Map<String, long[]> shapes) {
    for (ValueInfoProto v : g.inputs()) {
      if (!Shapes.isKnown(shapes.getOrDefault(v.getName(), Graph.declaredShape(v)))) {
        throw new ParameterException(spec.commandLine(), "--suggest needs the input's sizes: this model's input '"
            + v.getName() + "' has dynamic axes; add --input-shape B,C,D,H,W");
      }
    }
    List<LayerSuggestions> ranked = LayerSuggestions.of(g, shapes);
    if (ranked.isEmpty()) {
      out.println("No module output is a feature map of the input's rank; list them all without --suggest.");
      return 0;
    }
    out.println("suggested layers, best first (explain --layer NAME):");
    int w = ranked.stream().mapToInt(r -> r.layer().length()).max().orElse(5);
    int sw = ranked.stream().mapToInt(r -> Shapes.format(r.shape()).length()).max().orElse(5);
    for (int i = 0; i < ranked.size(); i++) {
      LayerSuggestions r = ranked.get(i);
      out.println("  " + (i + 1) + ". " + pad(r.layer(), w) + "  " + pad(Shapes.format(r.shape()), sw) + "  " + r.why());
    }
    return 0;
  }

  private static String notes(LayerListing.Row r) {
    List<String> notes = new java.util.ArrayList<>();
    if (r.registeredName() != null) {
      notes.add("named_modules: " + r.registeredName());
    }
    if (r.foldedInto() != null) {
      notes.add("folded into " + r.foldedInto() + " by the exporter");
    }
    if (r.orderGuessed() && r.elements() > 1) {
      notes.add("element numbers guessed from the order of computation");
    }
    if (r.tokenView() != null) {
      notes.add(r.tokenView());
    }
    return notes.isEmpty() ? "" : "   (" + String.join("; ", notes) + ")";
  }

  private static String label(LayerListing.Row r) {
    return r.elements() > 1 ? r.module() + "@" + r.element() : r.module();
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }

  /** The shapes by input name; a shape without a name is the only input's (also for optimize). */
  static Map<String, long[]> parseShapes(picocli.CommandLine cl, Graph g, List<Converters.NamedShape> specs) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    List<String> names = g.inputNames();
    for (Converters.NamedShape s : specs) {
      String name = s.name();
      if (name == null && names.size() != 1) {
        throw new ParameterException(cl, "Invalid value for option '--input-shape': the model has "
            + names.size() + " inputs; write --input-shape NAME=B,C,...");
      }
      if (name == null) {
        name = names.get(0);
      } else if (!names.contains(name)) {
        throw new ParameterException(cl, "Invalid value for option '--input-shape': the model has "
            + "no input '" + name + "' (inputs: " + String.join(", ", names) + ")");
      }
      shapes.put(name, s.dims());
    }
    return shapes;
  }
}
