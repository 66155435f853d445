package gradcam3d.graph;

import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One ONNX node: op type, named inputs/outputs ("" = absent optional) and attributes. */
public final class Node {
  private final String name;
  private final String opType;
  private final String domain;
  private final List<String> inputs;
  private final List<String> outputs;
  private final Map<String, AttributeProto> attributes;
  private final List<StringStringEntryProto> metadata;

  public Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
      Map<String, AttributeProto> attributes, List<StringStringEntryProto> metadata) {
    this.name = name;
    this.opType = opType;
    this.domain = domain == null ? "" : domain;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    this.metadata = List.copyOf(metadata);
  }

  public static Node fromProto(NodeProto p) {
    Map<String, AttributeProto> attrs = new LinkedHashMap<>();
    for (AttributeProto a : p.getAttributeList()) {
      attrs.put(a.getName(), a);
    }
    return new Node(p.getName(), p.getOpType(), p.getDomain(), p.getInputList(), p.getOutputList(),
        attrs, p.getMetadataPropsList());
  }

  public NodeProto toProto() {
    NodeProto.Builder b = NodeProto.newBuilder().setName(name).setOpType(opType)
        .addAllInput(inputs).addAllOutput(outputs).addAllAttribute(attributes.values())
        .addAllMetadataProps(metadata);
    if (!domain.isEmpty()) {
      b.setDomain(domain);
    }
    return b.build();
  }

  public String name() {
    return name;
  }

  public String opType() {
    return opType;
  }

  public String domain() {
    return domain;
  }

  public List<String> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  /** Input i, or "" when the node has fewer inputs (absent optional input). */
  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  public String output(int i) {
    return i < outputs.size() ? outputs.get(i) : "";
  }

  /** The node's attributes by name (LRP re-applies a layer's op with other weights). */
  public Map<String, AttributeProto> attributes() {
    return attributes;
  }

  public List<StringStringEntryProto> metadata() {
    return metadata;
  }

  public String metadata(String key) {
    for (StringStringEntryProto e : metadata) {
      if (e.getKey().equals(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  public boolean has(String attr) {
    return attributes.containsKey(attr);
  }

  public long attrInt(String attr, long dflt) {
    AttributeProto a = attributes.get(attr);
    return a == null ? dflt : a.getI();
  }

  public float attrFloat(String attr, float dflt) {
    AttributeProto a = attributes.get(attr);
    return a == null ? dflt : a.getF();
  }

  public String attrString(String attr, String dflt) {
    AttributeProto a = attributes.get(attr);
    return a == null ? dflt : a.getS().toStringUtf8();
  }

  /** An INTS attribute, or null when absent. */
  public long[] attrInts(String attr) {
    AttributeProto a = attributes.get(attr);
    if (a == null) {
      return null;
    }
    long[] r = new long[a.getIntsCount()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.getInts(i);
    }
    return r;
  }

  public float[] attrFloats(String attr) {
    AttributeProto a = attributes.get(attr);
    if (a == null) {
      return null;
    }
    float[] r = new float[a.getFloatsCount()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.getFloats(i);
    }
    return r;
  }

  public TensorProto attrTensor(String attr) {
    AttributeProto a = attributes.get(attr);
    return a == null || !a.hasT() ? null : a.getT();
  }

  public Node withInputs(List<String> newInputs) {
    return new Node(name, opType, domain, newInputs, outputs, attributes, metadata);
  }

  public Node withOutputs(List<String> newOutputs) {
    return new Node(name, opType, domain, inputs, newOutputs, attributes, metadata);
  }

  /** Where the node is, for error messages: its op type, name and module scope. */
  public String describe() {
    String scope = ModuleScopes.modulePath(this);
    return opType + " node '" + (name.isEmpty() ? outputs.get(0) : name) + "'"
        + (scope == null || scope.isEmpty() ? "" : " in module '" + scope + "'");
  }

  @Override
  public String toString() {
    return opType + "(" + String.join(", ", inputs) + ") -> " + String.join(", ", outputs);
  }
}
