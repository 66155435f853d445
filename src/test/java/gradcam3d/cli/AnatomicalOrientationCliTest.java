package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.AxisMap;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.NiftiWriter;
import gradcam3d.volume.Orientation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One scene (the demo's case 1, stored RAS) written again as LPS and with permuted axes (PIR: a
 * sagittal-style storage), each file holding the same voxels at the same world positions. With
 * --orient RAS the model sees the same array for all three, so the maps are equal: then the
 * pictures must be byte-identical, the maps written back on each file's own grid must equal the
 * RAS map after reorientation, and summary.json's display letters must be the anatomical ones.
 */
class AnatomicalOrientationCliTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo");
  private static final List<String> STORAGES = List.of("RAS", "LPS", "PIR");

  @TempDir
  static Path tmp;


  @BeforeAll
  static void writeTheSceneThreeWays() {
    NiftiImage ras = NiftiReader.read(DEMO.resolve("demo_case1.nii.gz"));
    NiftiImage label = NiftiReader.read(DEMO.resolve("demo_case1_label.nii.gz"));
    for (String codes : STORAGES) {
      store(ras, codes, tmp.resolve(codes + ".nii.gz"));
      store(label, codes, tmp.resolve(codes + "_label.nii.gz"));
    }
  }

  /** The image's voxels stored in another orientation: same world position for every voxel. */
  static void store(NiftiImage image, String codes, Path file) {
    long[] nifti = image.header().shape();
    AxisMap map = Orientation.of(image.header().affine(), 3).to(Orientation.parse(codes));
    // NIfTI data (i fastest) is a ZYX tensor (k, j, i) in C order
    FloatTensor zyx = new FloatTensor(image.data(), new long[] {1, nifti[2], nifti[1], nifti[0]});
    FloatTensor moved = map.inTensorOrder(Layout.ZYX).apply(zyx);
    NiftiHeader header = image.header().withShape(map.shapeAfter(nifti)).withAffine(map.affineAfter(image.header().affine(), nifti));
    new NiftiWriter().write(new NiftiImage(file.toString(), header, moved.data()), file);
  }

  static Cli.Run explain(String codes, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("explain", "--model", DEMO.resolve("demo_unet3d.onnx").toString(),
        "--input", tmp.resolve(codes + ".nii.gz").toString(), "--label", tmp.resolve(codes + "_label.nii.gz").toString(),
        "--layer", "up2", "--target", "1", "--threads", "2", "--out", tmp.resolve("out-" + codes + String.join("", more)).toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void theSameSceneStoredThreeWaysGivesTheSamePicturesAndMapsWithOrientRas() throws Exception {
    Map<String, Cli.Run> runs = new java.util.LinkedHashMap<>();
    for (String codes : STORAGES) {
      Cli.Run r = explain(codes, "--orient", "RAS");
      assertEquals(0, r.exit(), codes + ": " + r);
      runs.put(codes, r);
    }
    Path ras = tmp.resolve("out-RAS--orientRAS");
    for (String codes : STORAGES) {
      Path out = tmp.resolve("out-" + codes + "--orientRAS");
      assertArrayEquals(Files.readAllBytes(ras.resolve("overlay.png")), Files.readAllBytes(out.resolve("overlay.png")),
          codes + ": overlay.png");
      assertArrayEquals(Files.readAllBytes(ras.resolve("montage.png")), Files.readAllBytes(out.resolve("montage.png")),
          codes + ": montage.png");
      // the map back on the file's own grid and geometry; reoriented to RAS it is the RAS run's map
      NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
      NiftiImage input = NiftiReader.read(tmp.resolve(codes + ".nii.gz"));
      assertArrayEquals(input.header().shape(), cam.header().shape());
      double[][] a = input.header().affine();
      double[][] b = cam.header().affine();
      for (int row = 0; row < 4; row++) {
        assertArrayEquals(a[row], b[row], 1e-6);
      }
      Path back = tmp.resolve(codes + "-cam-as-ras.nii.gz");
      store(cam, "RAS", back);
      assertArrayEquals(NiftiReader.read(ras.resolve("cam.nii.gz")).data(), NiftiReader.read(back).data(), codes);
      Map<String, Object> summary = summary(out);
      assertEquals(((Map<?, ?>) summary(ras).get("label")).get("cam_mass_inside_label"),
          ((Map<?, ?>) summary.get("label")).get("cam_mass_inside_label"), "the label overlap is the same");
      @SuppressWarnings("unchecked")
      Map<String, Object> pre = (Map<String, Object>) summary.get("preprocessing");
      if (!codes.equals("RAS")) {
        assertTrue(pre.toString().contains("from=" + codes) && pre.toString().contains("axcodes=RAS"), pre.toString());
      }
    }
  }

  @Test
  void panelLettersAreAnatomicalWhateverTheStorage() throws Exception {
    String expected = "{convention=radiological, oblique_degrees=0, panels={axial={top=A, bottom=P, left=R, right=L}, "
        + "coronal={top=S, bottom=I, left=R, right=L}, sagittal={top=S, bottom=I, left=A, right=P}}}";
    for (String codes : STORAGES) {
      Cli.Run r = explain(codes, "--no-report");
      assertEquals(0, r.exit(), r.toString());
      assertEquals(expected, summary(tmp.resolve("out-" + codes + "--no-report")).get("display").toString(), codes);
    }
    Cli.Run neuro = explain("LPS", "--display", "neurological");
    assertEquals(0, neuro.exit(), neuro.toString());
    assertEquals("{convention=neurological, oblique_degrees=0, panels={axial={top=A, bottom=P, left=L, right=R}, "
        + "coronal={top=S, bottom=I, left=L, right=R}, sagittal={top=S, bottom=I, left=A, right=P}}}",
        summary(tmp.resolve("out-LPS--displayneurological")).get("display").toString());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> summary(Path out) throws Exception {
    return (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
  }
}
