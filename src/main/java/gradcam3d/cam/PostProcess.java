package gradcam3d.cam;

import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.Attributes;
import gradcam3d.onnx.DataTypes;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract every method's map goes through: cam = ReLU(cam_layer), N-linear resize to the
 * input grid with half-pixel centres (align_corners=False), then min-max per sample to [0, 1]; a
 * map that is zero everywhere stays zero. Several layers: the mean of their final maps, min-maxed
 * again. Emitted as ONNX ops, either after the backward graph or as a small program of its own.
 */
public final class PostProcess {
  private PostProcess() {}

  /** cam_layer [B, *Sl] to cam [B, *S]. */
  public static String finish(GraphBuilder b, String camLayer, long[] inputSpatial) {
    return minMax(b, upsample(b, camLayer, inputSpatial));
  }

  /** ReLU(cam_layer) resized to the input grid, not yet normalised (sliding windows sum these). */
  public static String upsample(GraphBuilder b, String camLayer, long[] inputSpatial) {
    String x = b.op("Relu", camLayer);
    long[] s = b.shape(x);
    long[] layerSpatial = Arrays.copyOfRange(s, 1, s.length);
    if (!Arrays.equals(layerSpatial, inputSpatial)) {
      String u = b.unsqueeze(x, 1);
      long[] sizes = new long[inputSpatial.length + 2];
      sizes[0] = s[0];
      sizes[1] = 1;
      System.arraycopy(inputSpatial, 0, sizes, 2, inputSpatial.length);
      List<String> in = new ArrayList<>(List.of(u));
      if (b.opset() >= 13) {
        in.add("");
        in.add("");
      } else {
        in.add(b.constFloats(new float[0], 0));
        in.add(b.constFloats(new float[0], 0));
      }
      in.add(b.constLongs(sizes));
      String r = b.op("Resize", in, Attributes.of("mode", "linear"),
          Attributes.of("coordinate_transformation_mode", "half_pixel"));
      x = b.squeeze(r, 1);
    }
    return x;
  }

  /** Per-sample min-max over all but the first axis; all-zero samples stay zero. */
  public static String minMax(GraphBuilder b, String x) {
    long[] axes = GraphBuilder.range(1, b.rank(x));
    String shifted = b.sub(x, b.reduce("ReduceMin", x, axes, true));
    String max = b.reduce("ReduceMax", shifted, axes, true);
    String positive = b.op("Greater", max, b.scalarLike(0, max));
    String safe = b.where(positive, max, b.scalarLike(1, max));
    return b.where(positive, b.div(shifted, safe), shifted);
  }

  /** Mean of several final maps, normalised again. */
  public static String aggregate(GraphBuilder b, List<String> cams) {
    if (cams.size() == 1) {
      return cams.get(0);
    }
    String mean = b.mul(b.sum(cams), b.scalarLike(1.0 / cams.size(), cams.get(0)));
    return minMax(b, mean);
  }

  /** A compiled post-processing program for maps computed outside a graph (cached by shapes). */
  public static final class Program implements AutoCloseable {
    private final RuntimeOptions options;
    private final Map<String, OrtProgram> cache = new LinkedHashMap<>(8, 0.75f, true);

    public Program(RuntimeOptions options) {
      this.options = options;
    }

    /** Returns the final map of every cam_layer and, last, their aggregate. */
    public List<FloatTensor> run(List<FloatTensor> camLayers, long[] inputSpatial) {
      return run(camLayers, inputSpatial, true);
    }

    /** Returns ReLU(cam_layer) resized to the input grid for every cam_layer, not normalised. */
    public List<FloatTensor> upsampled(List<FloatTensor> camLayers, long[] inputSpatial) {
      return run(camLayers, inputSpatial, false);
    }

    private List<FloatTensor> run(List<FloatTensor> camLayers, long[] inputSpatial, boolean normalise) {
      StringBuilder key = new StringBuilder(normalise + Arrays.toString(inputSpatial));
      for (FloatTensor c : camLayers) {
        key.append(Arrays.toString(c.shape()));
      }
      OrtProgram p = cache.get(key.toString());
      if (p == null) {
        if (cache.size() >= 4) {
          String eldest = cache.keySet().iterator().next();
          cache.remove(eldest).close();
        }
        p = compile(camLayers, inputSpatial, normalise);
        cache.put(key.toString(), p);
      }
      Map<String, Object> feeds = new LinkedHashMap<>();
      for (int i = 0; i < camLayers.size(); i++) {
        feeds.put("cam_layer_" + i, camLayers.get(i));
      }
      List<String> outs = new ArrayList<>();
      for (int i = 0; i < camLayers.size(); i++) {
        outs.add("cam_" + i);
      }
      if (normalise) {
        outs.add("cam");
      }
      Map<String, Object> r = p.run(feeds, outs);
      List<FloatTensor> result = new ArrayList<>();
      for (String o : outs) {
        result.add((FloatTensor) r.get(o));
      }
      return result;
    }

    private OrtProgram compile(List<FloatTensor> camLayers, long[] inputSpatial, boolean normalise) {
      Graph g = Graph.empty(17, "postprocess");
      GraphBuilder b = new GraphBuilder(g, new HashMap<String, TensorInfo>(), "post/");
      List<String> cams = new ArrayList<>();
      for (int i = 0; i < camLayers.size(); i++) {
        String in = b.input("cam_layer_" + i, DataTypes.FLOAT, camLayers.get(i).shape());
        String cam = normalise ? finish(b, in, inputSpatial) : upsample(b, in, inputSpatial);
        b.opNamed("Identity", List.of(cam), List.of("cam_" + i));
        cams.add("cam_" + i);
      }
      for (String o : cams) {
        g.outputs().add(Graph.valueInfo(o, DataTypes.FLOAT, b.shape(o)));
      }
      if (normalise) {
        b.opNamed("Identity", List.of(aggregate(b, cams)), List.of("cam"));
        g.outputs().add(Graph.valueInfo("cam", DataTypes.FLOAT, b.shape("cam")));
      }
      return OrtProgram.create(g.toModel(), options, "the post-processing graph");
    }

    @Override
    public void close() {
      cache.values().forEach(OrtProgram::close);
      cache.clear();
    }
  }
}
