package gradcam3d.metrics;

import gradcam3d.cam.Request;
import gradcam3d.cam.methods.CamMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.cam.Target;
import gradcam3d.graph.LayerSpec;
import gradcam3d.onnx.ModelIO;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.LabelNames;
import gradcam3d.volume.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-structure table on a synthetic label map, the label-name files, and per-channel shares. */
class AtlasTableTest {
  static final Path DIR = Path.of("src/test/resources/metrics/atlas");

  @Test
  void eachLabelGetsItsMassMeanShareAndEnrichment() {
    // 10 voxels: label 0 on 6 (map 0.1 each), label 1 on 3 (map 1, 1, 0.5), label 7 on 1 (map 0)
    float[] labels = {0, 0, 1, 1, 0, 7, 0, 1, 0, 0};
    float[] map = {0.1f, 0.1f, 1, 1, 0.1f, 0, 0.1f, 0.5f, 0.1f, 0.1f};
    AtlasTable t = AtlasTable.of(map, labels, Map.of(1, "liver"));
    double total = 0.6 + 2.5;
    assertEquals(total, t.totalMass(), 1e-6);
    assertEquals(List.of(0, 1, 7), t.rows().stream().map(AtlasTable.Row::value).toList());
    AtlasTable.Row liver = t.rows().get(1);
    assertEquals("liver", liver.name());
    assertEquals(3, liver.voxels());
    assertEquals(0.3, liver.volumeShare(), 1e-12);
    assertEquals(2.5, liver.mass(), 1e-6);
    assertEquals(2.5 / 3, liver.mean(), 1e-6);
    assertEquals(2.5 / total, liver.share(), 1e-6);
    assertEquals(2.5 / total / 0.3, liver.enrichment(), 1e-6);
    AtlasTable.Row background = t.rows().get(0);
    assertEquals("label 0", background.name());
    assertEquals(0.6 / total, background.share(), 1e-6);
    assertEquals(0.0, t.rows().get(2).share(), 0);
    assertThrows(Gradcam3dException.class, () -> AtlasTable.of(map, new float[3], Map.of()));
  }

  @Test
  void namesComeFromCsvOrAnItkSnapLabelFile(@TempDir Path tmp) throws Exception {
    assertEquals(Map.of(0, "Clear Label", 1, "liver", 2, "left kidney"), LabelNames.read(DIR.resolve(
        "labels_itksnap.txt")));
    assertEquals(Map.of(0, "background", 1, "liver", 2, "kidney, left"), LabelNames.read(DIR.resolve("labels.csv")));
    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "value,name\n1,liver\nspleen\n");
    Gradcam3dException e = assertThrows(Gradcam3dException.class, () -> LabelNames.read(bad));
    assertEquals(bad + " line 3: expected 'value,name' (CSV) or an ITK-SNAP label line, not 'spleen'", e.getMessage());
  }

  @Test
  void channelSharesOfTheNnUnetLikeFixtureMatchPyTorchsAttribution() {
    Path fx = Path.of("src/test/resources/fixtures");
    FloatTensor x = Npy.read(fx.resolve("inputs/nnunet_like3d.npy"));
    Request request = Request.of(List.of(), CamMethods.byName("input-x-gradient"), Target.parse("1"));
    Explanation e;
    try (Explainer ex = new Explainer(ModelIO.read(fx.resolve("models/nnunet_like3d.onnx")), request,
        new RuntimeOptions(2))) {
      e = ex.explain(Map.of("input", x));
    }
    ChannelShares java = ChannelShares.of(e.attribution().values(), List.of("t1", "flair"));
    // PyTorch's input x gradient of the same target (src/test/resources/attributions)
    float[] ref = Npy.read(Path.of("src/test/resources/attributions/nnunet_like3d/input-x-gradient.npy")).data();
    int voxels = ref.length / 2;
    double[] sums = new double[2];
    for (int c = 0; c < 2; c++) {
      for (int v = 0; v < voxels; v++) {
        sums[c] += Math.abs(ref[c * voxels + v]);
      }
    }
    assertEquals(List.of("t1", "flair"), java.names());
    for (int c = 0; c < 2; c++) {
      assertEquals(sums[c] / (sums[0] + sums[1]), java.shares()[0][c], 1e-4, "channel " + c);
    }
    assertEquals(1.0, java.shares()[0][0] + java.shares()[0][1], 1e-12);
    assertThrows(Gradcam3dException.class, () -> ChannelShares.of(e.attribution().values(), List.of("t1")));
  }
}
