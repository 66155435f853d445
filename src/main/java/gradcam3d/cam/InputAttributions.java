package gradcam3d.cam;

import gradcam3d.runtime.SeedHead;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The host side of the input-space methods: the gradient at x comes from the explainer's first run;
 * a method's gradient path runs through the same compiled program in batches of at most
 * {@code batchSize} points. Along the path the target is the first run's effective seed (the
 * region fixed from the unperturbed prediction, gate off), so every point scores the same
 * function T and integrated gradients' completeness is meaningful.
 */
final class InputAttributions {
  private InputAttributions() {}

  /** Attribution [B, C, *S] and, for a path from a baseline, the relative completeness gap per sample. */
  record Result(FloatTensor attribution, double[] completenessGap) {}

  static Result compute(CamMethod.InputSpace m, GradientEngine engine, String inputKey, FloatTensor x,
      GradientEngine.Result first, int batchSize, FloatTensor camFactor) {
    FloatTensor gradAtX = first.gradient(0);
    FloatTensor seeds = first.floats(SeedHead.EFFECTIVE_SEED);
    float[] targets = first.targetValues().data();
    int batch = (int) x.dim(0);
    List<FloatTensor> parts = new ArrayList<>();
    double[] gaps = null;
    for (int b = 0; b < batch; b++) {
      FloatTensor xb = one(x, b);
      GradientPath path = m.path(xb, b);
      FloatTensor g;
      if (path == null) {
        g = one(gradAtX, b);
      } else {
        float[] startTarget = new float[1];
        g = alongPath(engine, inputKey, path, one(seeds, b), batchSize, startTarget);
        if (path.baseline() != null) {
          gaps = gaps == null ? new double[batch] : gaps;
          FloatTensor a = m.attribution(xb, path, g);
          double sum = 0;
          for (float v : a.data()) {
            sum += v;
          }
          double delta = targets[b] - startTarget[0];
          gaps[b] = (sum - delta) / Math.abs(targets[b]);
        }
      }
      parts.add(m.attribution(xb, path, g).slice0(0));
    }
    FloatTensor attribution = FloatTensor.stack(parts);
    if (camFactor != null) {
      attribution = Channels.timesMap(attribution, camFactor);
    }
    return new Result(attribution, gaps);
  }

  /** sum_k w_k dT/dx(points_k) [1, C, *S]; the target at points_0 goes to {@code startTarget}. */
  private static FloatTensor alongPath(GradientEngine engine, String inputKey, GradientPath path, FloatTensor seed,
      int batchSize, float[] startTarget) {
    int n = path.size();
    int chunks = (n + batchSize - 1) / batchSize;
    int per = (n + chunks - 1) / chunks;  // near-equal batches: at most two compiled shapes
    long[] pointShape = path.points().shape();
    int size = (int) Shapes.numel(Arrays.copyOfRange(pointShape, 1, pointShape.length));
    int seedSize = seed.size();
    double[] acc = new double[size];
    float[] pts = path.points().data();
    for (int start = 0; start < n; start += per) {
      int count = Math.min(per, n - start);
      long[] cs = pointShape.clone();
      cs[0] = count;
      FloatTensor chunk = new FloatTensor(Arrays.copyOfRange(pts, start * size, (start + count) * size), cs);
      float[] seeds = new float[count * seedSize];
      for (int k = 0; k < count; k++) {
        System.arraycopy(seed.data(), 0, seeds, k * seedSize, seedSize);
      }
      long[] ss = seed.shape().clone();
      ss[0] = count;
      long[] gateShape = {count, ss[1]};
      GradientEngine.Result r = engine.run(Map.of(inputKey, chunk),
          new GradientEngine.Seed(new FloatTensor(seeds, ss), FloatTensor.zeros(gateShape)));
      float[] g = r.gradient(0).data();
      for (int k = 0; k < count; k++) {
        double w = path.weights()[start + k];
        for (int i = 0; i < size; i++) {
          acc[i] += w * g[k * size + i];
        }
      }
      if (start == 0) {
        startTarget[0] = r.targetValues().data()[0];
      }
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = (float) acc[i];
    }
    long[] os = pointShape.clone();
    os[0] = 1;
    return new FloatTensor(out, os);
  }

  /** Sample b of [B, ...] as [1, ...]. */
  static FloatTensor one(FloatTensor t, int b) {
    long[] s = t.shape().clone();
    s[0] = 1;
    return t.slice0(b).reshape(s);
  }

  /** ReLU: the map on the input grid as the resize stage gives it. */
  static FloatTensor relu(FloatTensor t) {
    float[] d = t.data();
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = Math.max(0f, d[i]);
    }
    return new FloatTensor(out, t.shape());
  }
}
