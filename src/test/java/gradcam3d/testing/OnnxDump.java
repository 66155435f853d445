package gradcam3d.testing;

import gradcam3d.graph.Graph;
import gradcam3d.graph.Node;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an ONNX model's nodes (graph.json: op, inputs, outputs, int/float/string attributes) and
 * float initializers (one .npy each, names in initializers.tsv) for reference scripts run by a
 * Python without the onnx package (src/test/resources/methods_next/float64/lrp_float64.py).
 * Usage: java -cp target/classes:target/test-classes:... gradcam3d.testing.OnnxDump MODEL.onnx DIR
 */
public final class OnnxDump {
  private OnnxDump() {}

  public static void main(String[] args) throws IOException {
    Graph g = Graph.fromModel(ModelIO.read(Path.of(args[0])));
    Path out = Files.createDirectories(Path.of(args[1]));
    StringBuilder sb = new StringBuilder("[\n");
    for (Node n : g.nodes()) {
      sb.append("{\"op\": \"").append(n.opType()).append("\", \"in\": ").append(quoted(n.inputs()))
          .append(", \"out\": ").append(quoted(n.outputs())).append(", \"attr\": {");
      int k = 0;
      for (AttributeProto a : n.attributes().values()) {
        sb.append(k++ > 0 ? ", " : "").append('"').append(a.getName()).append("\": ");
        switch (a.getType()) {
          case INTS -> sb.append(a.getIntsList());
          case FLOATS -> sb.append(a.getFloatsList());
          case STRING -> sb.append('"').append(a.getS().toStringUtf8()).append('"');
          case FLOAT -> sb.append(a.getF());
          case INT -> sb.append(a.getI());
          default -> sb.append("null");
        }
      }
      sb.append("}},\n");
    }
    sb.setLength(sb.length() - 2);
    Files.writeString(out.resolve("graph.json"), sb.append("\n]\n").toString());
    StringBuilder names = new StringBuilder();
    for (Map.Entry<String, TensorProto> e : g.initializers().entrySet()) {
      TensorProto t = e.getValue();
      String file = e.getKey().replaceAll("[^A-Za-z0-9]", "_");
      long[] dims = TensorProtos.dims(t);
      float[] values;
      if (DataTypes.isFloating(t.getDataType())) {
        values = TensorProtos.toFloats(t);
      } else {
        long[] v = TensorProtos.toLongs(t);
        values = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          values[i] = v[i];
        }
      }
      Npy.write(new FloatTensor(values, dims.length == 0 ? new long[] {1} : dims), out.resolve(file + ".npy"));
      names.append(e.getKey()).append('\t').append(file).append('\n');
    }
    Files.writeString(out.resolve("initializers.tsv"), names.toString());
  }

  private static String quoted(java.util.List<String> names) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < names.size(); i++) {
      sb.append(i > 0 ? ", " : "").append('"').append(names.get(i)).append('"');
    }
    return sb.append(']').toString();
  }
}
