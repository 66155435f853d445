package gradcam3d.pipeline;

import static gradcam3d.testing.SettingsEdits.withPrediction;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.metrics.Evaluation;
import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultWriter;
import gradcam3d.output.Written;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy;
import gradcam3d.window.SlidingWindowExplainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sliding windows through the library pipeline and the output writers, against the PyTorch references. */
class WindowedPipelineTest {
  static final Path ROOT = Path.of("src/test/resources/fixtures/sliding");
  static final Path MODEL = ROOT.resolve("models/seed_unet3d_sw.onnx");
  static final Path NIFTI = ROOT.resolve("inputs/seed_unet3d_sw.nii.gz");
  static final Path LABEL = ROOT.resolve("inputs/seed_unet3d_sw_mask.nii.gz");

  @TempDir
  Path tmp;

  static Settings settings() {
    return Settings.of(MODEL, LayerSpec.names("up2")).withTargets(List.of(Target.parse("2"))).withThreads(2)
        .withWindow(withPrediction(SlidingWindowExplainer.Settings.of(new long[] {24, 32, 32}).withOverlap(0.25)
            .withWindowBatch(4), true));
  }

  @Test
  void windowedCaseMatchesPytorchAndIsWrittenWithReportAndLabel() throws IOException {
    try (ExplanationPipeline p = new ExplanationPipeline(settings())) {
      CaseResult r = p.run(CaseInput.of(List.of(NIFTI), LABEL));
      assertNotNull(r.windows());
      FloatTensor ref = Npy.read(ROOT.resolve("cases/sw_up2_gaussian_overlap25/gradcam.cam.npy"));
      double err = maxAbsDiff(r.explanation().cam(), ref);
      assertTrue(err <= 2e-3, "cam max|diff| " + err);
      assertEquals(37.365707172812606, r.targets().get(0).value(), 1e-3 * 37.4);
      assertEquals(8, r.windows().windowsRun() + r.windows().windowsSkipped());
      // the label's share of the map, computed here from the map and the label array
      float[] cam = r.explanation().cam().data();
      float[] label = Npy.read(ROOT.resolve("inputs/seed_unet3d_sw_mask.npy")).data();
      double inside = 0;
      double total = 0;
      for (int v = 0; v < cam.length; v++) {
        total += cam[v];
        inside += Math.round(label[v]) == 2 ? cam[v] : 0;
      }
      assertEquals(inside / total, r.label().massInside(), 1e-6);

      Path out = tmp.resolve("out");
      Written w = ResultWriter.write(r, OutputSettings.into(out));
      for (String f : List.of("cam.npy", "cam.nii.gz", "segmentation.npy", "segmentation.nii.gz", "prediction.npy",
          "report.html", "summary.json")) {
        assertTrue(w.files().contains(f) || f.equals("summary.json"), f + " in " + w.files());
        assertTrue(Files.size(out.resolve(f)) > 0, f);
      }
      String summary = Files.readString(out.resolve("summary.json"));
      assertTrue(summary.contains("\"sliding_window\"") && summary.contains("\"windows_predict_ms\""), summary);
      assertTrue(Files.readString(out.resolve("report.html")).contains("up2"), "the report names the layer");
    }
  }

  @Test
  void metricsAreRefusedWithWindows() {
    String m = assertThrows(Gradcam3dException.class,
        () -> new ExplanationPipeline(settings(), Evaluation.Settings.defaults())).getMessage();
    assertTrue(m.contains("--metrics is not available with --window"), m);
  }
}
