package gradcam3d.cam;

import gradcam3d.graph.Graph;
import gradcam3d.graph.GraphBuilder;
import gradcam3d.graph.TensorInfo;
import gradcam3d.onnx.DataTypes;
import gradcam3d.runtime.OrtProgram;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SessionCache;
import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resize stage for maps computed outside the explanation graph (eigen and perturbation
 * methods): ReLU and N-linear resize to the input grid, as a small compiled program of its own
 * (the same {@link Resize} emitter the in-graph methods use).
 */
public final class ResizeProgram implements AutoCloseable {
  private final RuntimeOptions options;
  private final SessionCache<OrtProgram> cache = new SessionCache<>();

  public ResizeProgram(RuntimeOptions options) {
    this.options = options;
  }

  /** ReLU(cam_layer_i) on the input grid, one per layer. */
  public List<FloatTensor> run(List<FloatTensor> camLayers, long[] inputSpatial) {
    StringBuilder key = new StringBuilder(Arrays.toString(inputSpatial));
    for (FloatTensor c : camLayers) {
      key.append(Arrays.toString(c.shape()));
    }
    OrtProgram p = cache.get(key.toString(), () -> compile(camLayers, inputSpatial));
    Map<String, Object> feeds = new LinkedHashMap<>();
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < camLayers.size(); i++) {
      feeds.put("cam_layer_" + i, camLayers.get(i));
      outs.add("resized_" + i);
    }
    Map<String, Object> r = p.run(feeds, outs);
    List<FloatTensor> result = new ArrayList<>();
    for (String o : outs) {
      result.add((FloatTensor) r.get(o));
    }
    return result;
  }

  private OrtProgram compile(List<FloatTensor> camLayers, long[] inputSpatial) {
    Graph g = Graph.empty(17, "resize");
    GraphBuilder b = new GraphBuilder(g, new HashMap<String, TensorInfo>(), "resize/");
    for (int i = 0; i < camLayers.size(); i++) {
      String in = b.input("cam_layer_" + i, DataTypes.FLOAT, camLayers.get(i).shape());
      String out = "resized_" + i;
      b.opNamed("Identity", List.of(Resize.toInputGrid(b, in, inputSpatial)), List.of(out));
      g.outputs().add(Graph.valueInfo(out, DataTypes.FLOAT, b.shape(out)));
    }
    return OrtProgram.create(g.toModel(), options, "the resize graph");
  }

  @Override
  public void close() {
    cache.close();
  }
}
