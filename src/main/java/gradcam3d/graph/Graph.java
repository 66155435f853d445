package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.OperatorSetIdProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.onnx.proto.Onnx.TensorShapeProto;
import gradcam3d.onnx.proto.Onnx.TypeProto;
import gradcam3d.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A mutable, analysable view of an ONNX graph: nodes in topological order, initializers (Constant
 * nodes are turned into initializers), graph inputs and outputs. Converts back to a ModelProto
 * that keeps the original model's IR version, opset imports, metadata and functions.
 */
public final class Graph {
  private final ModelProto template;
  private final List<Node> nodes;
  private final Map<String, TensorProto> initializers;
  private final List<ValueInfoProto> inputs;
  private final List<ValueInfoProto> outputs;

  private Graph(ModelProto template, List<Node> nodes, Map<String, TensorProto> initializers,
      List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
    this.template = template;
    this.nodes = nodes;
    this.initializers = initializers;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  public static Graph fromModel(ModelProto model) {
    GraphProto g = model.getGraph();
    Map<String, TensorProto> inits = new LinkedHashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    List<Node> nodes = new ArrayList<>();
    for (NodeProto p : g.getNodeList()) {
      if (p.getOpType().equals("Constant") && p.getDomain().isEmpty() && p.getOutputCount() == 1) {
        inits.put(p.getOutput(0), constantValue(p));
      } else {
        nodes.add(Node.fromProto(p));
      }
    }
    List<ValueInfoProto> ins = new ArrayList<>();
    for (ValueInfoProto v : g.getInputList()) {
      if (!inits.containsKey(v.getName())) {
        ins.add(v);
      }
    }
    ModelProto template = model.toBuilder().setGraph(g.toBuilder().clearNode().clearInitializer()
        .clearInput().clearOutput().clearValueInfo()).build();
    Graph graph = new Graph(template, nodes, inits, ins, new ArrayList<>(g.getOutputList()));
    graph.sortTopologically();
    return graph;
  }

  private static TensorProto constantValue(NodeProto p) {
    String name = p.getOutput(0);
    for (AttributeProto a : p.getAttributeList()) {
      switch (a.getName()) {
        case "value":
          return a.getT().toBuilder().setName(name).build();
        case "value_float":
          return TensorProtos.ofFloats(name, new float[] {a.getF()});
        case "value_floats": {
          float[] f = new float[a.getFloatsCount()];
          for (int i = 0; i < f.length; i++) {
            f[i] = a.getFloats(i);
          }
          return TensorProtos.ofFloats(name, f, f.length);
        }
        case "value_int":
          return TensorProtos.ofLongs(name, new long[] {a.getI()});
        case "value_ints": {
          long[] l = new long[a.getIntsCount()];
          for (int i = 0; i < l.length; i++) {
            l[i] = a.getInts(i);
          }
          return TensorProtos.ofLongs(name, l, l.length);
        }
        default:
          break;
      }
    }
    throw new Gradcam3dException("Constant node '" + p.getName() + "' has a value kind gradcam3d "
        + "does not read (" + p.getAttributeList().stream().map(AttributeProto::getName).toList() + ")");
  }

  /** An empty graph with one default-domain opset import, for graphs built from scratch. */
  public static Graph empty(int opset, String name) {
    ModelProto template = ModelProto.newBuilder().setIrVersion(8).setProducerName("gradcam3d")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(GraphProto.newBuilder().setName(name)).build();
    return new Graph(template, new ArrayList<>(), new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>());
  }

  public ModelProto toModel() {
    GraphProto.Builder g = template.getGraph().toBuilder();
    for (Node n : nodes) {
      g.addNode(n.toProto());
    }
    g.addAllInitializer(initializers.values());
    g.addAllInput(inputs);
    g.addAllOutput(outputs);
    return template.toBuilder().setGraph(g).build();
  }

  public Graph copy() {
    return new Graph(template, new ArrayList<>(nodes), new LinkedHashMap<>(initializers),
        new ArrayList<>(inputs), new ArrayList<>(outputs));
  }

  /** The opset version of the default ONNX domain. */
  public int opset() {
    for (OperatorSetIdProto o : template.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        return (int) o.getVersion();
      }
    }
    return 1;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, TensorProto> initializers() {
    return initializers;
  }

  public List<ValueInfoProto> inputs() {
    return inputs;
  }

  public List<ValueInfoProto> outputs() {
    return outputs;
  }

  public List<String> inputNames() {
    return inputs.stream().map(ValueInfoProto::getName).toList();
  }

  public List<String> outputNames() {
    return outputs.stream().map(ValueInfoProto::getName).toList();
  }

  /** Declared element type of a graph input or output (FLOAT when undeclared). */
  public static int elemType(ValueInfoProto v) {
    return v.getType().hasTensorType() ? v.getType().getTensorType().getElemType() : DataTypes.FLOAT;
  }

  /** Declared shape of a graph input or output; -1 for symbolic or missing dimensions. */
  public static long[] declaredShape(ValueInfoProto v) {
    if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
      return null;
    }
    TensorShapeProto s = v.getType().getTensorType().getShape();
    long[] d = new long[s.getDimCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = s.getDim(i).hasDimValue() && s.getDim(i).getDimValue() > 0 ? s.getDim(i).getDimValue() : -1;
    }
    return d;
  }

  /** A value info with a fixed element type and shape (null shape = unknown rank). */
  public static ValueInfoProto valueInfo(String name, int elemType, long[] shape) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(elemType);
    if (shape != null) {
      TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
      for (long d : shape) {
        TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
        if (d >= 0) {
          db.setDimValue(d);
        }
        s.addDim(db);
      }
      t.setShape(s);
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(t)).build();
  }

  /** Tensor name -> the node producing it (graph inputs and initializers have none). */
  public Map<String, Node> producers() {
    Map<String, Node> m = new HashMap<>();
    for (Node n : nodes) {
      for (String o : n.outputs()) {
        if (!o.isEmpty()) {
          m.put(o, n);
        }
      }
    }
    return m;
  }

  /** Tensor name -> nodes reading it, in node order. */
  public Map<String, List<Node>> consumers() {
    Map<String, List<Node>> m = new HashMap<>();
    for (Node n : nodes) {
      for (String i : n.inputs()) {
        if (!i.isEmpty()) {
          m.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        }
      }
    }
    return m;
  }

  /** Every tensor name that exists in the graph (inputs, initializers, node outputs). */
  public Set<String> tensorNames() {
    Set<String> s = new HashSet<>(inputNames());
    s.addAll(initializers.keySet());
    for (Node n : nodes) {
      for (String o : n.outputs()) {
        if (!o.isEmpty()) {
          s.add(o);
        }
      }
    }
    return s;
  }

  /** Keeps only the nodes needed to compute the graph outputs; drops unused initializers. */
  public void prune() {
    sortTopologically();
    Set<String> needed = new HashSet<>(outputNames());
    List<Node> kept = new ArrayList<>();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      boolean used = false;
      for (String o : n.outputs()) {
        used |= needed.contains(o);
      }
      if (used) {
        kept.add(0, n);
        for (String in : n.inputs()) {
          if (!in.isEmpty()) {
            needed.add(in);
          }
        }
      }
    }
    nodes.clear();
    nodes.addAll(kept);
    initializers.keySet().retainAll(needed);
  }

  /** Orders nodes so every tensor is produced before it is read (Kahn's algorithm, stable). */
  public void sortTopologically() {
    Set<String> available = new HashSet<>(inputNames());
    available.addAll(initializers.keySet());
    available.add("");
    List<Node> pending = new ArrayList<>(nodes);
    List<Node> sorted = new ArrayList<>(nodes.size());
    Map<String, Node> producers = producers();
    boolean progress = true;
    while (!pending.isEmpty() && progress) {
      progress = false;
      List<Node> still = new ArrayList<>();
      for (Node n : pending) {
        boolean ready = true;
        for (String in : n.inputs()) {
          if (!available.contains(in)) {
            if (!producers.containsKey(in)) {
              throw new Gradcam3dException(n.describe() + " reads tensor '" + in
                  + "', which no node, input or initializer of the model provides");
            }
            ready = false;
            break;
          }
        }
        if (ready) {
          sorted.add(n);
          available.addAll(n.outputs());
          progress = true;
        } else {
          still.add(n);
        }
      }
      pending = still;
    }
    if (!pending.isEmpty()) {
      throw new Gradcam3dException("the model graph has a cycle through " + pending.get(0).describe());
    }
    nodes.clear();
    nodes.addAll(sorted);
  }
}
