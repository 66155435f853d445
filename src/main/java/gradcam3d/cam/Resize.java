package gradcam3d.cam;

import gradcam3d.graph.GraphBuilder;
import gradcam3d.onnx.Attributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one place that emits ONNX Resize: N-linear with half-pixel centres (PyTorch's
 * align_corners=False), for every opset the models use.
 */
public final class Resize {
  private Resize() {}

  /** x [N, C, *S] resized to {@code sizes} (all axes, N and C unchanged). */
  public static String linear(GraphBuilder b, String x, long[] sizes) {
    List<String> in = new ArrayList<>(List.of(x));
    if (b.opset() >= 13) {
      in.add("");
      in.add("");
    } else {
      // before opset 13 roi and scales are required inputs: empty tensors mean "use sizes"
      in.add(b.constFloats(new float[0], 0));
      in.add(b.constFloats(new float[0], 0));
    }
    in.add(b.constLongs(sizes));
    return b.op("Resize", in, Attributes.of("mode", "linear"),
        Attributes.of("coordinate_transformation_mode", "half_pixel"));
  }

  /** cam_layer [B, *Sl] to ReLU(cam_layer) on the input grid [B, *S] (not yet normalised). */
  public static String toInputGrid(GraphBuilder b, String camLayer, long[] inputSpatial) {
    String x = b.op("Relu", camLayer);
    long[] s = b.shape(x);
    long[] layerSpatial = Arrays.copyOfRange(s, 1, s.length);
    if (Arrays.equals(layerSpatial, inputSpatial)) {
      return x;
    }
    long[] sizes = new long[inputSpatial.length + 2];
    sizes[0] = s[0];
    sizes[1] = 1;
    System.arraycopy(inputSpatial, 0, sizes, 2, inputSpatial.length);
    return b.squeeze(linear(b, b.unsqueeze(x, 1), sizes), 1);
  }
}
