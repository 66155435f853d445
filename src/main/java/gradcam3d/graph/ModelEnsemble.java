package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nnU-Net's test-time mirroring and its ensemble of folds as one ONNX model, so that the gradient
 * program differentiates the averaged prediction exactly (nnunetv2 inference/predict_from_raw_data.py:
 * _internal_maybe_mirror_and_predict averages the network's outputs on the input flipped over every
 * non-empty combination of the mirror axes, flipped back, with the unflipped one; predict_logits_from_
 * preprocessed_data averages the folds). The model's graph is copied once per fold and mirror
 * (tensors and nodes renamed {@code /fold1/mirror3/...}, {@code fold1.mirror3.NAME}; a fold's weights
 * shared by its mirrors, renamed {@code fold1.NAME}), the input flipped for each mirror, each output
 * flipped back (outputs with the input's rank; others, such as class scores, as they are) and all
 * copies averaged (Mean) into outputs named as the model's.
 *
 * <p>A layer {@code L} becomes one joint tensor named {@code L}: the copies' activations at L, each
 * flipped back into the input's orientation, concatenated along the channel axis; each copy reads
 * its own part back (Split, flipped again). Its value and gradient are those of every copy side by
 * side, so a CAM of the joint layer is the CAM of the ensemble with the layer's channels of all
 * copies as one layer: for Grad-CAM, ReLU of the sum over copies of each copy's weighted
 * activations, each weight the copy's own gradient divided by the number of copies. For identical
 * copies this is exactly the single model's map; the prediction the target reads is the average.
 */
public final class ModelEnsemble {
  private static final String PREFIX = "gc3d_ensemble/";

  private ModelEnsemble() {}

  /**
   * The non-empty combinations of {@code axes} in nnU-Net's order (itertools.combinations of 1, then
   * 2, ... axes), after the empty one (the unflipped input).
   */
  public static List<int[]> mirrors(int[] axes) {
    List<int[]> out = new ArrayList<>();
    out.add(new int[0]);
    for (int size = 1; size <= axes.length; size++) {
      combinations(axes, size, 0, new int[size], 0, out);
    }
    return out;
  }

  private static void combinations(int[] axes, int size, int from, int[] picked, int n, List<int[]> out) {
    if (n == size) {
      out.add(picked.clone());
      return;
    }
    for (int i = from; i < axes.length; i++) {
      picked[n] = axes[i];
      combinations(axes, size, i + 1, picked, n + 1, out);
    }
  }

  /**
   * The averaged model of {@code folds} (one or more models of the same input and outputs) with
   * mirroring over the spatial axes {@code mirrorAxes} (0 = the first spatial axis; empty: none),
   * exposing each of {@code layers} (module paths, elements or tensor names, resolved in every fold)
   * as a joint tensor named as the layer.
   */
  public static ModelProto build(List<ModelProto> folds, int[] mirrorAxes, List<LayerSpec> layers) {
    List<Graph> graphs = new ArrayList<>();
    for (ModelProto m : folds) {
      graphs.add(Graph.fromModel(m));
    }
    Graph first = graphs.get(0);
    check(graphs, mirrorAxes);
    String input = first.inputNames().get(0);
    long[] inputShape = Graph.declaredShape(first.inputs().get(0));
    int rank = inputShape.length;
    List<int[]> mirrors = mirrors(mirrorAxes);
    Set<String> layerNames = new HashSet<>();
    List<String> joints = new ArrayList<>();
    List<List<String>> layerTensors = new ArrayList<>();
    for (LayerSpec spec : layers) {
      String joint = spec.name().trim();
      if (!layerNames.add(joint)) {
        throw new Gradcam3dException("layer '" + joint + "' is given twice");
      }
      List<String> perFold = new ArrayList<>();
      for (int k = 0; k < graphs.size(); k++) {
        Graph g = graphs.get(k);
        String t = new LayerResolver(g, ModuleIndex.of(g)).resolve(spec).tensor();
        if (g.inputNames().contains(t)) {
          throw new Gradcam3dException("layer '" + joint + "' is the model input; input-space methods take no layer");
        }
        perFold.add(t);
      }
      joints.add(joint);
      layerTensors.add(perFold);
    }

    Graph out = first.copy();
    out.nodes().clear();
    out.initializers().clear();
    out.outputs().clear();
    for (int k = 0; k < graphs.size(); k++) {
      String foldTag = graphs.size() > 1 ? "fold" + k : "";
      for (Map.Entry<String, TensorProto> e : graphs.get(k).initializers().entrySet()) {
        String name = foldTag.isEmpty() ? e.getKey() : foldTag + "." + e.getKey();
        out.initializers().put(name, e.getValue().toBuilder().setName(name).build());
      }
    }
    // every node goes in through the builder, which infers its outputs (spatial sizes may be unknown)
    Map<String, TensorInfo> info = ShapeInference.infer(out, Map.of());
    GraphBuilder b = new GraphBuilder(out, info, PREFIX);
    // the input flipped for each mirror (computed once, shared by the folds)
    List<String> flipped = new ArrayList<>();
    for (int[] mirror : mirrors) {
      flipped.add(flipWith(b, input, mirror));
    }
    // copy (k, m): its tensors renamed; what its nodes read instead of a layer tensor is filled in below
    Map<String, String> readAs = new HashMap<>();
    List<String> copyTags = new ArrayList<>();
    List<Map<String, String>> renames = new ArrayList<>();
    for (int k = 0; k < graphs.size(); k++) {
      Graph g = graphs.get(k);
      String foldTag = graphs.size() > 1 ? "fold" + k : "";
      for (int m = 0; m < mirrors.size(); m++) {
        String tag = join(foldTag, mirrors.size() > 1 ? "mirror" + m : "");
        Map<String, String> rename = new HashMap<>();
        rename.put("", "");
        rename.put(g.inputNames().get(0), flipped.get(m));
        for (String init : g.initializers().keySet()) {
          rename.put(init, foldTag.isEmpty() ? init : foldTag + "." + init);
        }
        for (Node n : g.nodes()) {
          for (String o : n.outputs()) {
            rename.put(o, renamed(o, tag));
          }
        }
        for (Node n : g.nodes()) {
          List<String> ins = n.inputs().stream().map(rename::get).toList();
          List<String> outs = n.outputs().stream().map(rename::get).toList();
          b.add(new Node(n.name().isEmpty() ? "" : renamed(n.name(), tag), n.opType(), n.domain(), ins,
              outs, n.attributes(), scopes(n.metadata(), tag)));
        }
        copyTags.add(tag);
        renames.add(rename);
      }
    }
    // each layer: every copy's activation in the input's orientation, side by side along the channels
    for (int j = 0; j < joints.size(); j++) {
      List<String> parts = new ArrayList<>();
      long[] channels = new long[graphs.size() * mirrors.size()];
      boolean known = true;
      for (int c = 0; c < channels.length; c++) {
        int k = c / mirrors.size();
        int m = c % mirrors.size();
        String a = renames.get(c).get(layerTensors.get(j).get(k));
        long[] s = info.containsKey(a) ? info.get(a).shape() : null;
        if (s == null || s.length != rank) {
          throw new Gradcam3dException("layer '" + joints.get(j) + "' is not a [batch, channels, spatial...] tensor "
              + "of the input's rank " + rank + "; mirroring and folds join convolutional layers");
        }
        channels[c] = s[1];
        known &= s[1] > 0;
        parts.add(flipWith(b, a, mirrors.get(m)));
      }
      String joint = b.opNamed("Concat", parts, List.of(joints.get(j)), Attributes.of("axis", 1L)).get(0);
      List<String> back = known ? b.split(joint, 1, channels) : equalSplit(b, joint, channels.length);
      for (int c = 0; c < channels.length; c++) {
        int k = c / mirrors.size();
        int m = c % mirrors.size();
        readAs.put(renames.get(c).get(layerTensors.get(j).get(k)), flipWith(b, back.get(c), mirrors.get(m)));
      }
    }
    // the copies read their parts of the joint layers
    Set<String> joinNodes = new HashSet<>();
    for (Node n : out.nodes()) {
      if (n.name().startsWith(PREFIX) || n.outputs().stream().anyMatch(joints::contains)) {
        joinNodes.add(n.name());
      }
    }
    List<Node> nodes = out.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (joinNodes.contains(n.name()) || n.inputs().stream().noneMatch(readAs::containsKey)) {
        continue;
      }
      nodes.set(i, n.withInputs(n.inputs().stream().map(t -> readAs.getOrDefault(t, t)).toList()));
    }
    // every output: each copy's flipped back, averaged
    for (int o = 0; o < first.outputs().size(); o++) {
      ValueInfoProto declared = first.outputs().get(o);
      long[] os = Graph.declaredShape(declared);
      boolean spatial = os != null && os.length == rank;
      List<String> values = new ArrayList<>();
      for (int c = 0; c < copyTags.size(); c++) {
        int k = c / mirrors.size();
        int m = c % mirrors.size();
        String y = renames.get(c).get(graphs.get(k).outputNames().get(o));
        y = readAs.getOrDefault(y, y);
        values.add(spatial ? flipWith(b, y, mirrors.get(m)) : y);
      }
      b.opNamed("Mean", values, List.of(declared.getName()));
      out.outputs().add(declared);
    }
    out.sortTopologically();
    return out.toModel();
  }

  private static void check(List<Graph> graphs, int[] mirrorAxes) {
    Graph first = graphs.get(0);
    long[] shape = Graph.declaredShape(first.inputs().get(0));
    for (int k = 0; k < graphs.size(); k++) {
      Graph g = graphs.get(k);
      String which = graphs.size() > 1 ? "fold " + k + " (model file " + (k + 1) + ")" : "the model";
      if (g.inputs().size() != 1) {
        throw new Gradcam3dException(which + " has " + g.inputs().size() + " inputs; mirroring and folds take "
            + "models with one input");
      }
      long[] s = Graph.declaredShape(g.inputs().get(0));
      if (s == null || shape == null || s.length != shape.length || s.length < 3) {
        throw new Gradcam3dException(which + " takes input " + gradcam3d.tensor.Shapes.format(s) + " but fold 0 takes "
            + gradcam3d.tensor.Shapes.format(shape) + "; the folds must take the same input");
      }
      if (g.outputs().size() != first.outputs().size()) {
        throw new Gradcam3dException(which + " has " + g.outputs().size() + " outputs but fold 0 has "
            + first.outputs().size() + "; the folds must be the same network");
      }
      if (g.opset() != first.opset()) {
        throw new Gradcam3dException(which + " uses opset " + g.opset() + " but fold 0 uses " + first.opset()
            + "; export every fold with the same opset");
      }
      for (Node n : g.nodes()) {
        for (AttributeProto a : n.attributes().values()) {
          if (a.hasG() || a.getGraphsCount() > 0) {
            throw new Gradcam3dException(which + " has control flow (" + n.describe() + "); mirroring and folds "
                + "copy plain graphs");
          }
        }
      }
    }
    if (mirrorAxes.length > 0 && first.opset() < 10) {
      throw new Gradcam3dException("mirroring flips with Slice steps, which need opset 10 or later; this model "
          + "uses opset " + first.opset());
    }
    for (int a : mirrorAxes) {
      if (a < 0 || a >= shape.length - 2) {
        throw new Gradcam3dException("mirror axis " + a + " is not a spatial axis of the input "
            + gradcam3d.tensor.Shapes.format(shape) + " (0 to " + (shape.length - 3) + ")");
      }
    }
  }

  /** {@code x} flipped over the spatial axes (a Slice with step -1 per axis, as torch.flip exports). */
  private static String flipWith(GraphBuilder b, String x, int[] axes) {
    if (axes.length == 0) {
      return x;
    }
    long[] starts = new long[axes.length];
    long[] ends = new long[axes.length];
    long[] steps = new long[axes.length];
    long[] ax = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      starts[i] = -1;
      ends[i] = -Long.MAX_VALUE;
      steps[i] = -1;
      ax[i] = axes[i] + 2;
    }
    return b.slice(x, starts, ends, ax, steps);
  }

  private static List<String> equalSplit(GraphBuilder b, String x, int parts) {
    AttributeProto axis = Attributes.of("axis", 1L);
    if (b.opset() >= 18) {
      return b.opMulti("Split", List.of(x), parts, axis, Attributes.of("num_outputs", (long) parts));
    }
    return b.opMulti("Split", List.of(x), parts, axis);
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
  }

  /** A copy's name: scoped names get the tag as outer scopes, others a dotted prefix. */
  static String renamed(String name, String tag) {
    if (tag.isEmpty()) {
      return name;
    }
    return name.startsWith("/") ? "/" + tag + name : tag.replace('/', '.') + "." + name;
  }

  /** The exporter's module scopes (pkg.torch.onnx.name_scopes) under the copy's tag. */
  private static List<StringStringEntryProto> scopes(List<StringStringEntryProto> metadata, String tag) {
    if (tag.isEmpty()) {
      return metadata;
    }
    List<StringStringEntryProto> out = new ArrayList<>();
    for (StringStringEntryProto e : metadata) {
      if (!e.getKey().equals(ModuleScopes.NAME_SCOPES_KEY)) {
        out.add(e);
        continue;
      }
      List<String> scopes = ModuleScopes.parsePythonList(e.getValue());
      List<String> next = new ArrayList<>();
      next.add("");
      String path = "";
      for (String part : tag.split("/")) {
        path = path.isEmpty() ? part : path + "." + part;
        next.add(path);
      }
      for (int i = 0; i < scopes.size(); i++) {
        String s = scopes.get(i);
        if (i == scopes.size() - 1) {
          next.add(s); // the node's own name
        } else if (!s.isEmpty()) {
          next.add(path + "." + s);
        }
      }
      StringBuilder text = new StringBuilder("[");
      for (int i = 0; i < next.size(); i++) {
        text.append(i == 0 ? "" : ", ").append('\'')
            .append(next.get(i).replace("\\", "\\\\").replace("'", "\\'")).append('\'');
      }
      out.add(e.toBuilder().setValue(text.append(']').toString()).build());
    }
    return out;
  }
}
