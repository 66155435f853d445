package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import java.nio.file.Path;
import java.util.List;

/**
 * The maps as NumPy arrays: cam.npy [B, *S]; with several layers also cam_i.npy; on request
 * cam_layer(_i).npy, activation(_i).npy and gradient(_i).npy; for input-space methods the raw
 * signed attribution.npy [B, C, *S], the method's further arrays (NAME.npy) and its own stacks of maps as
 * NAME.npy [B, K, *S] (dff: concepts.npy); for LRP at a layer the relevance arriving there, relevance(_i).npy.
 */
final class NpyWriter implements OutputWriter {
  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
    Explanation e = r.explanation();
    put(e.cam(), "cam.npy", dir, w);
    if (e.attribution() != null) {
      put(e.attribution().values(), "attribution.npy", dir, w);
      // the method's further arrays, e.g. occlusion's sensitivity.npy
      e.attribution().arrays().forEach((name, t) -> put(t, name + ".npy", dir, w));
    }
    if (e.extras() != null) {
      e.extras().maps().forEach((name, maps) -> put(maps, name + ".npy", dir, w));
    }
    List<Explanation.LayerMap> layers = e.layers();
    for (int i = 0; i < layers.size(); i++) {
      Explanation.LayerMap l = layers.get(i);
      String sfx = layers.size() > 1 ? "_" + i : "";
      if (layers.size() > 1) {
        put(l.cam(), "cam" + sfx + ".npy", dir, w);
      }
      if (o.saveLayerCam()) {
        put(l.camLayer(), "cam_layer" + sfx + ".npy", dir, w);
      }
      if (o.saveTensors()) {
        put(l.activation(), "activation" + sfx + ".npy", dir, w);
        put(l.gradient(), "gradient" + sfx + ".npy", dir, w);
      }
      if (e.relevance() != null && e.attribution() == null) {
        // LRP at a layer: the relevance arriving at it [B, C, *layer]
        put(l.gradient(), "relevance" + sfx + ".npy", dir, w);
      }
    }
  }

  private static void put(FloatTensor t, String name, Path dir, Written w) {
    if (t != null) {
      Npy.write(t, dir.resolve(name));
      w.add(name);
    }
  }
}
