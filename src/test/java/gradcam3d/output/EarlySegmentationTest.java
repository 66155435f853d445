package gradcam3d.output;

import static gradcam3d.testing.Folders.names;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.pipeline.Settings;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.GridChain;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Npy;
import gradcam3d.window.SlidingWindowExplainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writers' work on a sliding-window segmentation, started as soon as it is final
 * (segmentation.npy, the pictures' contour decision): the same files as writing it all at the
 * end, and a failure leaves no result and no staging folder.
 */
class EarlySegmentationTest {
  static final Path ROOT = Path.of("src/test/resources/fixtures/sliding");
  static final Path MODEL = ROOT.resolve("models/seed_unet3d_sw.onnx");
  static final Path NIFTI = ROOT.resolve("inputs/seed_unet3d_sw.nii.gz");

  @TempDir
  Path tmp;

  /** One explanation, its writers prepared and given the segmentation when it was final. */
  private record Early(CaseResult result, ResultWriter.Prepared writers, List<Labels> seen, List<Integer> classes) {}

  private static Early early;

  /** A predicted class (its region is the segmentation's voxels of the class), windows of 24 x 32 x 32. */
  static Settings settings() {
    return Settings.of(MODEL, LayerSpec.names("up2")).withTargets(List.of(Target.parse("2"))).withThreads(2)
        .withWindow(SlidingWindowExplainer.Settings.of(new long[] {24, 32, 32}).withOverlap(0.25).withWindowBatch(4)
            .withPrediction(true));
  }

  @BeforeAll
  static void explainOnce(@TempDir Path dir) {
    early = explain(settings(), OutputSettings.into(dir.resolve("out")), null);
  }

  /** Explains the NIfTI case, the writers prepared with {@code writers} (null: the usual ones). */
  private static Early explain(Settings s, OutputSettings o, List<OutputWriter> writers) {
    List<Labels> seen = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();
    ResultWriter.Prepared[] prepared = new ResultWriter.Prepared[1];
    List<Path> inputs = List.of(NIFTI, MODEL);
    try (ExplanationPipeline p = new ExplanationPipeline(s)) {
      CaseResult r = p.run(CaseInput.of(NIFTI), List.of(), null, (LoadedCase loaded) -> prepared[0] = writers == null
          ? ResultWriter.prepare(loaded, s.layout(), o, inputs)
          : ResultWriter.prepare(loaded, s.layout(), o, inputs, writers), (segmentation, regionClass) -> {
            seen.add(segmentation);
            classes.add(regionClass);
            prepared[0].segmentationFinal(segmentation, regionClass);
          });
      return new Early(r, prepared[0], seen, classes);
    }
  }

  @Test
  void theSegmentationSeenEarlyIsTheResultsAndTheArgmaxOfThePrediction() {
    CaseResult r = early.result();
    assertEquals(1, early.seen().size(), "seen once");
    Labels seen = early.seen().get(0);
    assertTrue(seen.isSameAs(r.windows().segmentation()), "the result's own labels, not a copy");
    assertEquals(List.of(2), early.classes());
    assertEquals(r.windows().regionClass(), early.classes().get(0));
    // against the blended prediction the result keeps: its argmax over classes, first maximum
    FloatTensor p = r.windows().prediction();
    int classes = (int) p.dim(1);
    int voxels = p.size() / classes;
    assertEquals(voxels, seen.size());
    int mismatches = 0;
    int[] perClass = new int[classes];
    for (int v = 0; v < voxels; v++) {
      int best = 0;
      for (int k = 1; k < classes; k++) {
        best = p.data()[k * voxels + v] > p.data()[best * voxels + v] ? k : best;
      }
      mismatches += best == seen.get(v) ? 0 : 1;
      perClass[best]++;
    }
    assertEquals(0, mismatches);
    assertTrue(perClass[2] > 0, "the class is predicted somewhere");
  }

  @Test
  void filesWrittenEarlyAreTheFilesWrittenAtTheEnd() throws Exception {
    Path out = early.writers().settings().out();
    Written w = ResultWriter.write(early.result(), early.writers().settings(), List.of(), early.writers());
    Path plain = tmp.resolve("plain");
    ResultWriter.write(early.result(), OutputSettings.into(plain));
    assertEquals(names(plain), names(out));
    assertTrue(w.files().containsAll(List.of("segmentation.npy", "segmentation.nii.gz", "overlay.png", "montage.png")),
        w.files().toString());
    for (String f : List.of("cam.npy", "cam.nii.gz", "segmentation.npy", "segmentation.nii.gz", "overlay.png",
        "montage.png")) {
      assertArrayEquals(Files.readAllBytes(plain.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
    }
    assertEquals(picturesOf(plain), picturesOf(out), "the contour decision in summary.json");
    // the early work ran on its own threads: segmentation.npy and the contour decision
    Map<String, double[]> ms = early.writers().millis();
    assertTrue(ms.get("Segmentation")[1] > 0 && ms.get("Picture")[1] > 0, ms.keySet().toString());
    Files.list(out.getParent()).forEach(f -> assertFalse(f.getFileName().toString().contains(".staging-"), f.toString()));
  }

  @Test
  void withResamplingNothingIsSeenEarlyAndTheResultIsWrittenAtTheEnd() throws Exception {
    Settings resampled = settings().withGrid(GridChain.none().then(new GridChain.Resample(new double[] {1.5, 1.5, 1.5})));
    Early e = explain(resampled, OutputSettings.into(tmp.resolve("resampled")), null);
    assertEquals(List.of(), e.seen(), "the scan's segmentation is made at the end from the prediction brought back");
    ResultWriter.write(e.result(), e.writers().settings(), List.of(), e.writers());
    long[] scan = e.result().loaded().scan().spatialShape();
    assertArrayEquals(new long[] {1, scan[0], scan[1], scan[2]},
        Npy.read(tmp.resolve("resampled").resolve("segmentation.npy")).shape());
  }

  @Test
  void aFailedEarlyWorkIsTheOneLineErrorAndLeavesNoFolder() {
    Path out = tmp.resolve("failed");
    List<OutputWriter> writers = List.of(new SegmentationWriter(), new FailingEarly(), new PictureWriter());
    Early e = explain(settings(), OutputSettings.into(out), writers);
    assertTrue(stagingFolders().size() == 1, "segmentation.npy went into a staging folder: " + stagingFolders());
    Gradcam3dException x = assertThrows(Gradcam3dException.class,
        () -> ResultWriter.write(e.result(), e.writers().settings(), List.of(), e.writers()));
    assertEquals(FailingEarly.MESSAGE, x.getMessage());
    e.writers().discard();
    assertFalse(Files.exists(out));
    assertEquals(List.of(), stagingFolders());
  }

  @Test
  void aCaseFailingAfterTheEarlyWorkLeavesNoStagingFolder() {
    Path out = tmp.resolve("discarded");
    Early e = explain(settings(), OutputSettings.into(out), null);
    assertEquals(1, stagingFolders().size(), "opened for segmentation.npy");
    // the case fails before it is written (as an empty region would): the caller discards the writers
    e.writers().discard();
    assertFalse(Files.exists(out));
    assertEquals(List.of(), stagingFolders());
  }

  private List<Path> stagingFolders() {
    try (var s = Files.list(tmp)) {
      return s.filter(f -> f.getFileName().toString().contains(".staging-")).toList();
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private static Object picturesOf(Path out) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    return summary.get("pictures");
  }

  /** Early work that writes a file and then fails, as a full disk would. */
  private static final class FailingEarly implements OutputWriter {
    static final String MESSAGE = "cannot write early.bin: no space left on device";
    private Background<Void> work;

    @Override
    public Background<?> beginSegmentation(LoadedCase loaded, Layout layout, Labels segmentation, int regionClass,
        OutputSettings settings, Supplier<Path> staging) {
      Path dir = staging.get();
      assertNotNull(dir);
      work = Background.start("failing", () -> {
        Files.write(dir.resolve("early.bin"), new byte[] {1, 2, 3});
        throw new Gradcam3dException(MESSAGE);
      });
      return work;
    }

    @Override
    public void write(CaseResult result, OutputSettings settings, Path dir, Written written) throws java.io.IOException {
      work.join();
    }
  }
}
