package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.autodiff.GradientProgram.LayerGradient;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.MethodFlow;
import gradcam3d.cam.Normalise;
import gradcam3d.cam.PredictedClassTarget;
import gradcam3d.cam.Request;
import gradcam3d.cam.ResizeProgram;
import gradcam3d.cam.Target;
import gradcam3d.cam.TargetRegions;
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
 * {@link Dff}'s flow: one run of the layer's program for the explained target (activations and
 * their gradient), one per class for its score's gradient, the factorisation of each sample on
 * the host, and the concepts' maps resized to the input grid.
 */
final class DffFlow implements MethodFlow {
  private final Request request;
  private final int concepts;
  private final GradientEngine engine;
  private final ResizeProgram resize;

  DffFlow(ModelProto model, Request request, int concepts, RuntimeOptions options) {
    this.request = request;
    this.concepts = concepts;
    GradientEngine.Config cfg = request.programAt(request.layers()).tensors(true, false)
        .extension(p -> p.addOutput(SeedHead.EFFECTIVE_SEED), "effective-seed").build();
    this.engine = new GradientEngine(model, cfg, options);
    this.resize = new ResizeProgram(options);
  }

  @Override
  public GradientEngine engine() {
    return engine;
  }

  /** Class j's score for every sample: summed where the model predicts j (segmentation), or its logit. */
  private static GradientEngine.Seed classSeed(int j, long[] os) {
    int batch = (int) os[0];
    int classes = (int) os[1];
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(os, 2, os.length));
    FloatTensor weights = FloatTensor.zeros(os);
    FloatTensor gate = FloatTensor.zeros(batch, classes);
    for (int b = 0; b < batch; b++) {
      int base = (b * classes + j) * voxels;
      Arrays.fill(weights.data(), base, base + voxels, 1f);
      gate.data()[b * classes + j] = os.length > 2 ? 1f : 0f;
    }
    return new GradientEngine.Seed(weights, gate);
  }

  @Override
  public Explanation explainResized(Map<String, long[]> shapes, Map<String, FloatTensor> inputs, List<Target> targets,
      boolean releaseMemory) {
    long[] os = engine.outputShape(shapes);
    int classes = (int) os[1];
    GradientEngine.Result r = engine.run(shapes, inputs, Target.seed(targets, os), false);
    List<Target> perSample = TargetRegions.perSample(targets, os[0]);
    TargetRegions.check(r, perSample, os);
    LayerGradient layer = r.layers().get(0);
    FloatTensor a = r.activation(0);
    long[] s = a.shape();
    int batch = (int) s[0];
    int channels = (int) s[1];
    long[] spatial = Arrays.copyOfRange(s, 2, s.length);
    int voxels = (int) Shapes.numel(spatial);
    if (concepts > Math.min(channels, voxels)) {
      throw new OptionValueException(Setting.CONCEPTS, Setting.CONCEPTS.label() + " " + concepts
          + " is more than layer '" + layer.layer().label()
          + "' has channels (" + channels + ") or voxels (" + voxels + ")");
    }
    // each class's score gradient; a class the target already is (for every sample) is not run again
    double runMs = r.runMs();
    List<FloatTensor> classGradients = new ArrayList<>();
    float[] classScores = new float[classes * batch];
    float[] classRegions = new float[classes * batch];
    for (int j = 0; j < classes; j++) {
      boolean same = targets.size() == 1 && targets.get(0).equals(new PredictedClassTarget(j));
      GradientEngine.Result rj = same ? r
          : engine.run(shapes, inputs, classSeed(j, os), releaseMemory && j == classes - 1);
      runMs += same ? 0 : rj.runMs();
      classGradients.add(rj.gradient(0));
      for (int b = 0; b < batch; b++) {
        classScores[j * batch + b] = rj.targetValues().data()[b];
        classRegions[j * batch + b] = rj.regionVoxels().data()[b * classes + j];
      }
    }
    long t0 = System.nanoTime();
    float[] camLayer = new float[batch * voxels];
    float[] conceptMaps = new float[batch * concepts * voxels];
    List<Object> samples = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      Factorised f = factorise(a, b);
      double[] target = contributions(r.gradient(0), b, f);
      int best = 0;
      for (int k = 1; k < concepts; k++) {
        best = target[k] > target[best] ? k : best;
      }
      for (int v = 0; v < voxels; v++) {
        camLayer[b * voxels + v] = (float) f.nmf.h()[best][v];
      }
      for (int k = 0; k < concepts; k++) {
        for (int v = 0; v < voxels; v++) {
          conceptMaps[(b * concepts + k) * voxels + v] = (float) f.nmf.h()[k][v];
        }
      }
      Map<String, Object> sample = new LinkedHashMap<>();
      sample.put("sample", b);
      sample.put("relative_error", f.nmf.relativeError());
      sample.put("iterations", f.nmf.iterations());
      sample.put("map_concept", best);
      sample.put("target_contribution", list(target));
      List<Object> perClass = new ArrayList<>();
      for (int j = 0; j < classes; j++) {
        double[] c = contributions(classGradients.get(j), b, f);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class", j);
        m.put("score", (double) classScores[j * batch + b]);
        if (os.length > 2) {
          m.put("region_voxels", Math.round(classRegions[j * batch + b]));
        }
        m.put("contribution", list(c));
        m.put("share", shares(c));
        perClass.add(m);
      }
      sample.put("classes", perClass);
      samples.add(sample);
    }
    FloatTensor camLayerT = new FloatTensor(camLayer, Shapes.concat(new long[] {batch}, spatial));
    FloatTensor flat = new FloatTensor(conceptMaps, Shapes.concat(new long[] {(long) batch * concepts}, spatial));
    List<FloatTensor> resized = resize.run(List.of(camLayerT, flat), inputSpatial(shapes));
    long[] in = inputSpatial(shapes);
    FloatTensor conceptStack = Normalise.perSampleInPlace(resized.get(1))
        .reshape(Shapes.concat(new long[] {batch, concepts}, in));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("concepts", concepts);
    summary.put("layer", layer.layer().label());
    summary.put("nmf", "NNDSVD start, HALS updates, activations minus each channel's minimum");
    summary.put("samples", samples);
    Explanation.LayerMap map = new Explanation.LayerMap(layer.layer(), layer.shape(), camLayerT, resized.get(0),
        request.keepTensors() ? a : null, request.keepTensors() ? r.gradient(0) : null, null, null);
    return TargetRegions.explanation(r, perSample, os, List.of(map), runMs, (System.nanoTime() - t0) / 1e6, null,
        new Explanation.Extras(Map.of("concepts", conceptStack), summary));
  }

  private static long[] inputSpatial(Map<String, long[]> shapes) {
    long[] s = shapes.values().iterator().next();
    return Arrays.copyOfRange(s, 2, s.length);
  }

  /** One sample's factorisation: the activations minus their channel minima, X = W H. */
  record Factorised(double[] offset, Nmf.Result nmf) {}

  private Factorised factorise(FloatTensor a, int b) {
    long[] s = a.shape();
    int channels = (int) s[1];
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(s, 2, s.length));
    float[] d = a.data();
    double[][] x = new double[channels][voxels];
    double[] offset = new double[channels];
    for (int c = 0; c < channels; c++) {
      int base = (b * channels + c) * voxels;
      double min = Double.POSITIVE_INFINITY;
      for (int v = 0; v < voxels; v++) {
        min = Math.min(min, d[base + v]);
      }
      offset[c] = min;
      for (int v = 0; v < voxels; v++) {
        x[c][v] = d[base + v] - min;
      }
    }
    return new Factorised(offset, Nmf.factorise(x, concepts));
  }

  /** contribution_k = sum over channels and voxels of G * W_k H_k, for sample b. */
  private double[] contributions(FloatTensor gradient, int b, Factorised f) {
    long[] s = gradient.shape();
    int channels = (int) s[1];
    int voxels = (int) Shapes.numel(Arrays.copyOfRange(s, 2, s.length));
    float[] g = gradient.data();
    double[][] w = f.nmf.w();
    double[][] h = f.nmf.h();
    double[] out = new double[concepts];
    for (int k = 0; k < concepts; k++) {
      double sum = 0;
      for (int v = 0; v < voxels; v++) {
        double gw = 0;
        for (int c = 0; c < channels; c++) {
          gw += g[(b * channels + c) * voxels + v] * w[c][k];
        }
        sum += gw * h[k][v];
      }
      out[k] = sum;
    }
    return out;
  }

  /** contribution / sum |contribution|, or null when every concept contributes 0. */
  private static List<Double> shares(double[] c) {
    double total = 0;
    for (double v : c) {
      total += Math.abs(v);
    }
    if (total == 0) {
      return null;
    }
    List<Double> out = new ArrayList<>();
    for (double v : c) {
      out.add(v / total);
    }
    return out;
  }

  private static List<Double> list(double[] v) {
    List<Double> out = new ArrayList<>();
    for (double e : v) {
      out.add(e);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      resize.close();
    }
  }
}
