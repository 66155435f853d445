package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.graph.Cut;
import gradcam3d.graph.Graph;
import gradcam3d.graph.Specialization;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flow of a {@link CamMethod.Perturbation} method: the unperturbed pass gives the layers'
 * activations (and, when the method perturbs the layer, the tensors crossing the layer's cut),
 * a {@link PerturbationRunner} scores the perturbed copies, and each layer's map is the channels
 * weighted by the method's weights, summed on the host.
 */
final class PerturbationFlow extends HostMapFlow {
  private final CamMethod.Perturbation method;
  private final ModelProto model;
  private final RuntimeOptions options;
  private PerturbationRunner perturber;

  PerturbationFlow(CamMethod.Perturbation method, ModelProto model, Request request,
      RuntimeOptions options) {
    super(request, new GradientEngine(model, LayerPrograms.atLayers(request, method, true,
        p -> appendOutputs(p, method.perturbsLayer()), "perturbation-outputs:" + method.perturbsLayer()
            + "+effective-seed").build(), options), options);
    this.method = method;
    this.model = model;
    this.options = options;
  }

  /** The effective seed, and for a method that perturbs the layer the tensors crossing its cut. */
  private static void appendOutputs(GradientProgram p, boolean perturbsLayer) {
    p.addOutput(SeedHead.EFFECTIVE_SEED);
    if (!perturbsLayer) {
      return;
    }
    Graph g = p.builder().graph();
    String input = g.inputNames().get(0);
    for (LayerGradient l : p.layers()) {
      for (String t : Cut.of(g, l.activation()).boundary()) {
        if (!t.equals(input) && !t.startsWith("gc3d")) {
          p.addOutput(t);
        }
      }
    }
  }

  @Override
  LayerCams camLayers(Map<String, FloatTensor> inputs, GradientEngine.Result r) {
    PerturbationRunner runner = perturber(inputs, r);
    List<FloatTensor> camLayers = new ArrayList<>();
    List<float[][]> weights = new ArrayList<>();
    for (int i = 0; i < r.layers().size(); i++) {
      float[][] w = method.channelWeights(runner, i);
      weights.add(w);
      camLayers.add(weightedSum(w, r.activation(i)));
    }
    return new LayerCams(camLayers, weights);
  }

  /** The runner (opened on first use) fed this batch's unperturbed pass. */
  private PerturbationRunner perturber(Map<String, FloatTensor> inputs, GradientEngine.Result r) {
    if (inputs.size() != 1) {
      throw new Gradcam3dException(method.name() + " needs a model with a single input");
    }
    if (perturber == null) {
      Graph g = Graph.fromModel(model);
      List<String> tensors = r.layers().stream().map(LayerGradient::activation).toList();
      perturber = new PerturbationRunner(g, tensors, request.modelOutput(), request.score(),
          request.batchSize(), options, request.progress());
    }
    List<FloatTensor> acts = new ArrayList<>();
    Map<String, FloatTensor> boundaries = new LinkedHashMap<>();
    for (int i = 0; i < r.layers().size(); i++) {
      acts.add(r.activation(i));
    }
    if (method.perturbsLayer()) {
      Specialization sp = Specialization.of(Graph.fromModel(model), FloatTensor.shapesOf(inputs));
      for (LayerGradient l : r.layers()) {
        for (String t : Cut.of(sp.graph(), l.activation()).boundary()) {
          if (r.has(t)) {
            boundaries.put(t, r.floats(t));
          }
        }
      }
    }
    perturber.setBatch(new PerturbationRunner.Batch(inputs.values().iterator().next(), acts,
        r.floats(SeedHead.EFFECTIVE_SEED), r.targetValues(), boundaries));
    return perturber;
  }

  /** cam_layer = sum_c w[b][c] A[b, c]. */
  static FloatTensor weightedSum(float[][] w, FloatTensor a) {
    long[] s = a.shape();
    int batch = (int) s[0];
    int channels = (int) s[1];
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    int voxels = (int) Shapes.numel(spatial);
    float[] out = new float[batch * voxels];
    float[] d = a.data();
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        float wc = w[b][c];
        int base = (b * channels + c) * voxels;
        for (int v = 0; v < voxels; v++) {
          out[b * voxels + v] += wc * d[base + v];
        }
      }
    }
    return new FloatTensor(out, Shapes.concat(new long[] {batch}, spatial));
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      if (perturber != null) {
        perturber.close();
      }
    }
  }
}
