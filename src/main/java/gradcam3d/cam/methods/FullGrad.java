package gradcam3d.cam.methods;

import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodFlow;
import gradcam3d.cam.Request;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;

/**
 * FullGrad (Srinivas and Fleuret 2019; pytorch-grad-cam fullgrad_cam.py) in ONNX terms, for any
 * number of spatial axes: the input term, the sum over input channels of
 * minmax(|x * dT/dx|), plus one term per bias of the graph: every Conv and ConvTranspose with a bias
 * input and every BatchNormalization the exporter left (bias B - mean * scale / sqrt(var + eps)),
 * term = sum over channels of minmax(resize(|bias_c * G_c|)), G = dT/d(the node's output). Each
 * min-max is per sample and channel over space (a constant channel gives 0) and comes AFTER the
 * N-linear resize to the input grid (pytorch-grad-cam rescales before its resize). A BatchNorm the
 * exporter folded into its Conv is that Conv's bias: one term, as the gradient at the Conv output
 * is the gradient at PyTorch's BatchNorm output. Gemm outputs have no spatial axes (their term
 * would be 0) and InstanceNorm/GroupNorm biases depend on the input: neither is a term. Only
 * nodes the target depends on count. The map is the sum of the terms, min-maxed per sample. All
 * of it is one compiled graph: one forward and one backward pass ({@link FullGradFlow}).
 */
public final class FullGrad implements CamMethod.OwnFlow {
  @Override
  public String name() {
    return "fullgrad";
  }

  @Override
  public boolean usesGradients() {
    return true;
  }

  @Override
  public boolean takesLayers() {
    return false;
  }

  @Override
  public String notPerWindow() {
    return "its terms are min-maxed per channel over the whole input";
  }

  @Override
  public MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
    return new FullGradFlow(model, request, options);
  }
}
