package gradcam3d.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.graph.LayerSpec;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input files read ahead on another thread load exactly as files read in place, errors included. */
class InputPrefetchTest {
  @TempDir
  Path tmp;

  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");

  private static Settings demoSettings() {
    return Settings.of(DEMO.resolve("demo_unet3d.onnx"), LayerSpec.names("up2"))
        .withMethod(CamMethods.byName("gradcam"))
        .withTargets(List.of(Target.parse("1"))).withThreads(2);
  }

  @Test
  void prefetchedNiftiAndNpyLoadAsReadInPlace() {
    Case c = Fixtures.cases().stream().filter(k -> k.name().equals("seed_unet3d__down3__gradcam")).findFirst()
        .orElseThrow();
    for (CaseInput input : List.of(CaseInput.of(DEMO.resolve("demo_case1.nii.gz")),
        CaseInput.of(List.of(DEMO.resolve("demo_case1.nii.gz"), DEMO.resolve("demo_case2.nii.gz")), null))) {
      try (ExplanationPipeline p = new ExplanationPipeline(demoSettings())) {
        LoadedCase here = p.load(input);
        LoadedCase ahead = p.load(input, InputPrefetch.start(input));
        assertArrayEquals(here.batch().shape(), ahead.batch().shape());
        assertArrayEquals(here.batch().data(), ahead.batch().data());
        assertArrayEquals(here.volume().affine(), ahead.volume().affine());
        assertEquals(here.volume().source(), ahead.volume().source());
      }
    }
    Settings s = Settings.of(c.model(), LayerSpec.names(c.layerSpec()))
        .withTargets(List.of(Target.parse(Integer.toString(c.targetClass()))));
    try (ExplanationPipeline p = new ExplanationPipeline(s)) {
      CaseInput npy = CaseInput.of(c.inputNpy());
      assertArrayEquals(p.load(npy).batch().data(), p.load(npy, InputPrefetch.start(npy)).batch().data());
    }
  }

  @Test
  void aReadAheadIsTakenOnlyForTheSameUnchangedFiles() throws Exception {
    Path scan = tmp.resolve("scan.nii.gz");
    Files.copy(DEMO.resolve("demo_case1.nii.gz"), scan);
    CaseInput input = CaseInput.of(scan);
    try (ExplanationPipeline p = new ExplanationPipeline(demoSettings())) {
      float[] first = p.load(input).batch().data();
      // unchanged: the read ahead is what loads, once
      InputPrefetch ahead = InputPrefetch.readAhead(List.of(scan), null);
      InputPrefetch taken = InputPrefetch.start(input);
      assertSame(ahead, taken);
      assertArrayEquals(first, p.load(input, taken).batch().data());
      assertNotSame(ahead, InputPrefetch.start(input));
      // the file replaced by another scan meanwhile (another size): that one is read and loaded
      ahead = InputPrefetch.readAhead(List.of(scan), null);
      Files.copy(DEMO.resolve("demo_case2.nii.gz"), scan, StandardCopyOption.REPLACE_EXISTING);
      InputPrefetch changed = InputPrefetch.start(input);
      assertNotSame(ahead, changed);
      float[] second = p.load(CaseInput.of(DEMO.resolve("demo_case2.nii.gz"))).batch().data();
      assertArrayEquals(second, p.load(input, changed).batch().data());
      // other files, another series, a folder: each reads its own
      ahead = InputPrefetch.readAhead(List.of(scan), null);
      CaseInput other = CaseInput.of(DEMO.resolve("demo_case1.nii.gz"));
      InputPrefetch own = InputPrefetch.start(other);
      assertNotSame(ahead, own);
      assertArrayEquals(first, p.load(other, own).batch().data());
      ahead = InputPrefetch.readAhead(List.of(scan), "1.2.3");
      assertNotSame(ahead, InputPrefetch.start(input));
      assertNull(InputPrefetch.readAhead(List.of(tmp), null));
    }
  }

  @Test
  void anUnreadableFileFailsAtLoadWithItsOwnMessage() throws Exception {
    Path bad = tmp.resolve("broken.npy");
    Files.write(bad, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    CaseInput input = CaseInput.of(bad);
    try (ExplanationPipeline p = new ExplanationPipeline(demoSettings())) {
      String direct = assertThrows(Gradcam3dException.class, () -> p.load(input)).getMessage();
      InputPrefetch ahead = InputPrefetch.start(input);
      assertEquals(direct, assertThrows(Gradcam3dException.class, () -> p.load(input, ahead)).getMessage());
    }
  }
}
