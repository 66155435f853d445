package gradcam3d.testing;

import gradcam3d.graph.Graph;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.OperatorSetIdProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds small ONNX models (a few nodes) for gradient checks. */
public final class OpGraph {
  private final int opset;
  private final GraphProto.Builder g = GraphProto.newBuilder().setName("test");
  private final Map<String, FloatTensor> inputs = new LinkedHashMap<>();
  private final List<String> outputs = new ArrayList<>();
  private final Random rng;
  private int counter;

  public OpGraph(int opset, long seed) {
    this.opset = opset;
    this.rng = new Random(seed);
  }

  public Random rng() {
    return rng;
  }

  /** A differentiated float input with the given values. */
  public String input(String name, FloatTensor value) {
    g.addInput(Graph.valueInfo(name, DataTypes.FLOAT, value.shape()));
    inputs.put(name, value);
    return name;
  }

  /** A differentiated input with uniform(-1, 1) values, none closer than 0.05 to zero. */
  public String input(String name, long... shape) {
    return input(name, Values.awayFromZero(rng, shape));
  }

  public String constant(FloatTensor value) {
    String name = "c" + (counter++);
    g.addInitializer(TensorProtos.ofFloats(name, value.data(), value.shape()));
    return name;
  }

  public String constant(long... shapeThenRandom) {
    return constant(Values.uniform(rng, shapeThenRandom, -1, 1));
  }

  public String ints(long... values) {
    String name = "i" + (counter++);
    g.addInitializer(TensorProtos.ofLongs(name, values, values.length));
    return name;
  }

  public String intTensor(long[] values, long... shape) {
    String name = "i" + (counter++);
    g.addInitializer(TensorProtos.ofLongs(name, values, shape));
    return name;
  }

  public String scalarInts(long v) {
    String name = "i" + (counter++);
    g.addInitializer(TensorProtos.ofLongs(name, new long[] {v}));
    return name;
  }

  public String floats(float... values) {
    return constant(new FloatTensor(values, values.length));
  }

  public String node(String op, List<String> in, AttributeProto... attrs) {
    return nodeMulti(op, in, 1, attrs).get(0);
  }

  public List<String> nodeMulti(String op, List<String> in, int outs, AttributeProto... attrs) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < outs; i++) {
      names.add("t" + (counter++));
    }
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(names.get(0))
        .addAllInput(in).addAllOutput(names);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    g.addNode(n);
    return names;
  }

  public OpGraph output(String name) {
    outputs.add(name);
    return this;
  }

  public Map<String, FloatTensor> inputs() {
    return inputs;
  }

  public ModelProto model() {
    GraphProto.Builder gb = g.clone();
    for (String o : outputs) {
      gb.addOutput(gradcam3d.onnx.proto.Onnx.ValueInfoProto.newBuilder().setName(o)
          .setType(gradcam3d.onnx.proto.Onnx.TypeProto.newBuilder().setTensorType(
              gradcam3d.onnx.proto.Onnx.TypeProto.Tensor.newBuilder().setElemType(DataTypes.FLOAT))));
    }
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("gradcam3d-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(gb).build();
  }

  /** n copies of v (pads, strides, kernel sizes). */
  public static long[] filled(int n, long v) {
    long[] r = new long[n];
    java.util.Arrays.fill(r, v);
    return r;
  }

  /** A data shape [batch, c, *spatial], the spatial sizes taken cyclically from {@code sizes}. */
  public static long[] dataShape(long batch, int spatial, long c, long... sizes) {
    long[] s = new long[spatial + 2];
    s[0] = batch;
    s[1] = c;
    for (int i = 0; i < spatial; i++) {
      s[i + 2] = sizes[i % sizes.length];
    }
    return s;
  }

  /** Convolution weights [cout, cinPerGroup, k, k...]. */
  public static long[] kernelShape(long cout, long cinPerGroup, int spatial, long k) {
    long[] s = filled(spatial + 2, k);
    s[0] = cout;
    s[1] = cinPerGroup;
    return s;
  }

  /** Random test values. */
  public static final class Values {
    private Values() {}

    public static FloatTensor uniform(Random rng, long[] shape, double lo, double hi) {
      float[] d = new float[(int) Shapes.numel(shape)];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) (lo + (hi - lo) * rng.nextDouble());
      }
      return new FloatTensor(d, shape);
    }

    public static FloatTensor awayFromZero(Random rng, long[] shape) {
      float[] d = new float[(int) Shapes.numel(shape)];
      for (int i = 0; i < d.length; i++) {
        double v;
        do {
          v = 2 * rng.nextDouble() - 1;
        } while (Math.abs(v) < 0.05);
        d[i] = (float) v;
      }
      return new FloatTensor(d, shape);
    }

    /** Distinct values at least 0.05 apart, shuffled: no near-ties for max/argmax ops. */
    public static FloatTensor distinct(Random rng, long[] shape) {
      int n = (int) Shapes.numel(shape);
      float[] d = new float[n];
      for (int i = 0; i < n; i++) {
        d[i] = (float) (-1 + 0.05 * i + 0.02);
      }
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        float t = d[i];
        d[i] = d[j];
        d[j] = t;
      }
      return new FloatTensor(d, shape);
    }

    public static FloatTensor positive(Random rng, long[] shape) {
      return uniform(rng, shape, 0.5, 2.0);
    }
  }
}
