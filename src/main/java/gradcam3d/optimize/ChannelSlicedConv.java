package gradcam3d.optimize;

import gradcam3d.graph.Const;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.Node;
import gradcam3d.graph.SliceSpec;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Slice that keeps a range of a convolution's output channels (nothing else) as the
 * convolution of only those channels: its weights (and bias) sliced instead of its output. Each
 * output channel is computed from its own weights alone, so the kept channels are the same
 * products summed in the same order; the dropped channels are never computed.
 *
 * <p>Where it pays: the backward of a Concat along channels slices the gradient of its output
 * into one piece per input, and only inputs on a path from the layer need theirs. In a U-Net the
 * input gradient of the up-sampling convolution after a skip connection's Concat covers both
 * halves, of which the skip connection's half (from before the layer) is sliced away.
 */
final class ChannelSlicedConv {
  private ChannelSlicedConv() {}

  /**
   * Rewrites every Slice of the graph that keeps some output channels of a Conv or ConvTranspose
   * read by nothing else ({@code outputs}: tensors the caller reads, which stay computed);
   * returns how many. The convolution is removed, the sliced one takes the Slice's place.
   */
  static int rewriteAll(GraphBuilder b, Set<String> outputs) {
    Map<String, Node> producers = b.graph().producers();
    Map<String, List<Node>> consumers = b.graph().consumers();
    int rewritten = 0;
    for (Node n : List.copyOf(b.graph().nodes())) {
      if (!n.opType().equals("Slice") || !n.domain().isEmpty() || n.inputs().isEmpty()) {
        continue;
      }
      String y = n.input(0);
      Node conv = producers.get(y);
      if (conv == null || outputs.contains(y) || consumers.getOrDefault(y, List.of()).size() != 1) {
        continue;
      }
      long[] range = channelRange(b, n);
      if (range == null) {
        continue;
      }
      Node sliced = sliced(b, conv, range[0], range[1], n.output(0));
      if (sliced != null) {
        b.graph().nodes().remove(conv);
        b.replace(n, sliced);
        rewritten++;
      }
    }
    return rewritten;
  }

  /** The output channels [from, to) a Slice keeps when it slices nothing but axis 1 with step 1; else null. */
  private static long[] channelRange(GraphBuilder b, Node slice) {
    TensorInfo x = b.infos().get(slice.input(0));
    if (b.opset() < 10 || x == null || !x.hasKnownShape() || x.shape().length < 3 || slice.inputs().size() < 3) {
      return null;
    }
    long[] starts = longs(b, slice, 1);
    long[] ends = longs(b, slice, 2);
    long[] axes = slice.inputs().size() > 3 ? longs(b, slice, 3) : null;
    long[] steps = slice.inputs().size() > 4 ? longs(b, slice, 4) : null;
    if (starts == null || ends == null || (slice.inputs().size() > 3 && axes == null)
        || (slice.inputs().size() > 4 && steps == null)) {
      return null;
    }
    SliceSpec s = SliceSpec.of(x.shape(), starts, ends, axes, steps);
    long[] in = x.shape();
    for (int a = 0; a < in.length; a++) {
      boolean whole = s.start[a] == 0 && s.end[a] == in[a] && s.step[a] == 1;
      if (a != 1 && !whole) {
        return null;
      }
    }
    if (s.step[1] != 1 || s.start[1] >= s.end[1] || s.end[1] - s.start[1] == in[1]) {
      return null;
    }
    return new long[] {s.start[1], s.end[1]};
  }

  private static long[] longs(GraphBuilder b, Node n, int input) {
    String name = n.input(input);
    if (name.isEmpty()) {
      return null;
    }
    TensorInfo t = b.infos().get(name);
    Const c = t == null ? null : t.value();
    return c == null || c.isFloating() ? null : c.longs();
  }

  /**
   * {@code conv} computing only output channels [from, to) into {@code output}, or null when its
   * form is not handled: one group, float weights and bias that are initializers.
   */
  private static Node sliced(GraphBuilder b, Node conv, long from, long to, String output) {
    boolean transposed = conv.opType().equals("ConvTranspose");
    if (!conv.domain().isEmpty() || !(transposed || conv.opType().equals("Conv")) || conv.outputs().size() != 1
        || conv.attrInt("group", 1) != 1 || conv.inputs().size() < 2) {
      return null;
    }
    TensorProto w = b.graph().initializers().get(conv.input(1));
    String biasName = conv.inputs().size() > 2 ? conv.input(2) : "";
    TensorProto bias = biasName.isEmpty() ? null : b.graph().initializers().get(biasName);
    if (w == null || w.getDataType() != DataTypes.FLOAT || (!biasName.isEmpty()
        && (bias == null || bias.getDataType() != DataTypes.FLOAT))) {
      return null;
    }
    // output channels are the weight's axis 0 for Conv [M, C, k...], axis 1 for ConvTranspose [C, M, k...]
    int axis = transposed ? 1 : 0;
    long[] ws = TensorProtos.dims(w);
    List<String> in = new ArrayList<>(List.of(conv.input(0), b.constFloats(channels(TensorProtos.toFloats(w), ws,
        axis, from, to), slicedShape(ws, axis, from, to))));
    if (bias != null) {
      in.add(b.constFloats(Arrays.copyOfRange(TensorProtos.toFloats(bias), (int) from, (int) to), to - from));
    }
    return new Node(conv.name(), conv.opType(), "", in, List.of(output), conv.attributes(), conv.metadata());
  }

  private static long[] slicedShape(long[] shape, int axis, long from, long to) {
    long[] s = shape.clone();
    s[axis] = to - from;
    return s;
  }

  /** Entries [from, to) along {@code axis} of a row-major tensor. */
  private static float[] channels(float[] w, long[] shape, int axis, long from, long to) {
    long outer = 1;
    for (int a = 0; a < axis; a++) {
      outer *= shape[a];
    }
    long inner = 1;
    for (int a = axis + 1; a < shape.length; a++) {
      inner *= shape[a];
    }
    int block = (int) ((to - from) * inner);
    float[] out = new float[(int) (outer * block)];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(w, (int) ((o * shape[axis] + from) * inner), out, o * block, block);
    }
    return out;
  }
}
