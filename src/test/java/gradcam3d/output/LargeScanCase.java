package gradcam3d.output;

import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerResolver;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.pipeline.Settings;
import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiDatatype;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiTestWriter;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A CT-sized case without a model: a synthetic scan of 512 x 512 x 300 voxels of 0.7 x 0.7 x 1 mm
 * stored LPS as int16 HU (air, a body ellipse with noise, a bone ring, an organ), a smooth map with
 * two blobs, a spherical target region and a label; written to a temporary .nii (about 150 MB,
 * never kept) and read as the CLI reads a scan.
 */
final class LargeScanCase {
  static final int NX = 512;
  static final int NY = 512;
  static final int NZ = 300;

  private LargeScanCase() {}

  static CaseResult make(Path tmp) {
    int n = NX * NY * NZ;
    float[] hu = new float[n];
    IntStream.range(0, NZ).parallel().forEach(k -> {
      long seed = 0x9E3779B97F4A7C15L * (k + 1);
      for (int j = 0, q = k * NX * NY; j < NY; j++) {
        for (int i = 0; i < NX; i++, q++) {
          double ex = (i - 256) / 200.0;
          double ey = (j - 250) / 150.0;
          double r = ex * ex + ey * ey;
          seed = seed * 6364136223846793005L + 1442695040888963407L;
          int noise = (int) ((seed >>> 40) % 41) - 20;
          double v = r > 1 ? -1000 : r > 0.85 ? 700 : 40;
          if (sq((i - 300) / 60.0) + sq((j - 220) / 50.0) + sq((k - 150) / 40.0) < 1) {
            v = 120;
          }
          hu[q] = (float) (v + noise);
        }
      }
    });
    NiftiHeader h = new NiftiHeader().withShape(NX, NY, NZ)
        .withAffine(new double[][] {{-0.7, 0, 0, 180}, {0, -0.7, 0, 180}, {0, 0, 1, -150}});
    Path scan = tmp.resolve("ct.nii");
    new NiftiTestWriter().datatype(NiftiDatatype.INT16).write(new NiftiImage("ct", h, hu), scan);
    Volume v = VolumeIO.read(scan, Layout.ZYX, 3);
    // tensor (Z, Y, X) = NIfTI (k, j, i): the same flat order as above
    float[] cam = new float[n];
    float[] region = new float[n];
    float[] label = new float[n];
    IntStream.range(0, NZ).parallel().forEach(k -> {
      for (int j = 0, q = k * NX * NY; j < NY; j++) {
        for (int i = 0; i < NX; i++, q++) {
          double a = sq((i - 300) / 70.0) + sq((j - 220) / 60.0) + sq((k - 150) / 45.0);
          double b = sq((i - 180) / 40.0) + sq((j - 300) / 40.0) + sq((k - 100) / 30.0);
          cam[q] = (float) Math.min(1, Math.exp(-a) + 0.6 * Math.exp(-b));
          region[q] = sq(i - 300) + sq(j - 220) + sq((k - 150) * 1.4) < 45 * 45 ? 1 : 0;
          label[q] = sq(i - 310) + sq(j - 215) + sq((k - 150) * 1.4) < 40 * 40 ? 1 : 0;
        }
      }
    });
    long[] spatial = {NZ, NY, NX};
    long[] shape = {1, NZ, NY, NX};
    FloatTensor c = new FloatTensor(cam, shape);
    long[] layerShape = {1, 8, NZ, NY, NX};
    List<Explanation.LayerMap> layers = List.of(new Explanation.LayerMap(
        new LayerResolver.Layer("up2", "up2", 0, "t2"), layerShape, null, c, null, null, null, false));
    Explanation e = new Explanation(layers, c, new FloatTensor(new float[] {1}, 1), new long[] {100},
        new FloatTensor(new float[] {0, 100}, 1, 2), new FloatTensor(region, shape), List.of(Target.parse("1")),
        new long[] {1, 2, NZ, NY, NX}, new GradientEngine.CompileStats(0, 0, 0, "off"), 0, 0, null);
    Settings st = Settings.of(Path.of("model.onnx"), LayerSpec.names("up2")).withTargets(List.of(Target.parse("1")))
        .withLayout(Layout.ZYX);
    LabelOverlap overlap = new LabelOverlap("label.nii.gz", 1, 0.5, 0.1, new FloatTensor(label, spatial));
    return new CaseResult(st, CaseInput.of(scan), new LoadedCase(v.batch(), v), e, overlap, null, 0);
  }

  private static double sq(double x) {
    return x * x;
  }
}
