package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every fixture case through the real command line, from .npy and from NIfTI inputs. */
class ExplainCliTest {
  @TempDir
  Path tmp;

  static Stream<Case> cases() {
    return Fixtures.cases().stream();
  }

  static List<String> args(Case c, Path input, Path out) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", c.model().toString(), "--input", input.toString(),
        "--layer", c.layerSpec(), "--method", c.method(), "--out", out.toString(), "--save-layer-cam",
        "--model-output", Integer.toString(c.modelOutput()), "--threads", "2", "--batch-size", "8", "--quiet"));
    if (c.isSegmentation()) {
      a.add("--target");
      a.add(c.maskKind().equals("mask") ? c.targetClass() + ":mask=" + c.maskNifti() : Integer.toString(c.targetClass()));
    }
    return a;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void npyInput(Case c) throws IOException {
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run(args(c, c.inputNpy(), out).toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    FloatTensor cam = Npy.read(out.resolve("cam.npy"));
    assertTrue(maxAbsDiff(cam, c.expected("cam")) <= 2e-3, c + ": cam.npy");
    FloatTensor ref = c.expected("cam_layer");
    assertTrue(maxAbsDiff(Npy.read(out.resolve("cam_layer.npy")), ref) <= 2e-3 * Math.max(1, maxAbs(ref)), c + ": cam_layer.npy");
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    assertEquals(c.method(), summary.get("method"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> targets = (List<Map<String, Object>>) summary.get("targets");
    if (c.targetValue() != null) {
      double total = targets.stream().mapToDouble(t -> ((Number) t.get("value")).doubleValue()).sum();
      assertEquals(c.targetValue(), total, 1e-4 * Math.max(1, Math.abs(c.targetValue())));
      assertTrue(((Number) targets.get(0).get("region_voxels")).longValue() > 0);
    } else {
      for (int b = 0; b < targets.size(); b++) {
        assertEquals((long) c.classes().get(b), ((Number) targets.get(b).get("class")).longValue());
      }
    }
    assertTrue(Files.exists(out.resolve(cam.dim(0) > 1 ? "sample_1/overlay.png" : "overlay.png")));
    try (Stream<Path> leftovers = Files.list(tmp)) {
      assertEquals(List.of(out), leftovers.toList(), "no temporary folders left behind");
    }
  }

  static Stream<Case> niftiCases() {
    return Fixtures.cases().stream().filter(c -> c.inputNifti() != null);
  }

  @ParameterizedTest
  @MethodSource("niftiCases")
  void niftiInputGivesAlignedNiftiCam(Case c) {
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run(args(c, c.inputNifti(), out).toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    FloatTensor ref = c.expected("cam").slice0(0);
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    NiftiImage input = NiftiReader.read(c.inputNifti());
    // NIfTI (i, j, k) = tensor (X, Y, Z): same voxel grid and geometry as the input
    long[] s = ref.shape();
    assertArrayEquals(new long[] {s[2], s[1], s[0]}, cam.shape());
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(input.header().affine()[row], cam.header().affine()[row], 1e-6);
    }
    double err = 0;
    for (int z = 0; z < s[0]; z++) {
      for (int y = 0; y < s[1]; y++) {
        for (int x = 0; x < s[2]; x++) {
          float want = ref.data()[(int) ((z * s[1] + y) * s[2] + x)];
          err = Math.max(err, Math.abs(cam.get(x, y, z) - want));
        }
      }
    }
    assertTrue(err <= 2e-3, c + ": cam.nii.gz max|diff| " + err);
  }
}
