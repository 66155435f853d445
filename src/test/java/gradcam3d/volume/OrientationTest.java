package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.Gradcam3dException;
import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Axis codes and reorientation against nibabel (io_orientation, ornt_transform, apply_orientation,
 * inv_ornt_aff: what MONAI's Orientationd does), from src/test/resources/volume/orientation
 * (generator beside it): RAS, LPS, a sagittal acquisition (ASR), PIR and two oblique affines.
 */
class OrientationTest {
  private static final Path REFERENCE = Path.of("src/test/resources/volume/orientation/orientation.json");

  @SuppressWarnings("unchecked")
  static Stream<Map<String, Object>> cases() throws IOException {
    Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(REFERENCE));
    return ((List<Map<String, Object>>) root.get("cases")).stream();
  }

  @SuppressWarnings("unchecked")
  static double[][] matrix(Object rows) {
    return ((List<List<Number>>) rows).stream()
        .map(r -> r.stream().mapToDouble(Number::doubleValue).toArray()).toArray(double[][]::new);
  }

  @SuppressWarnings("unchecked")
  static float[] floats(Object values) {
    List<Number> l = (List<Number>) values;
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = l.get(i).floatValue();
    }
    return f;
  }

  @SuppressWarnings("unchecked")
  static long[] longs(Object values) {
    return ((List<Number>) values).stream().mapToLong(Number::longValue).toArray();
  }

  /** The reference array: arange over (i, j, k) in C order, i.e. an XYZ tensor (1, 3, 4, 5). */
  static FloatTensor arange() {
    float[] d = new float[60];
    for (int i = 0; i < d.length; i++) {
      d[i] = i;
    }
    return new FloatTensor(d, new long[] {1, 3, 4, 5});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void axisCodesAndObliquityAreNibabels(Map<String, Object> c) {
    double[][] affine = matrix(c.get("affine"));
    assertEquals(c.get("codes"), Orientation.of(affine, 3).codes(), (String) c.get("name"));
    assertEquals(((Number) c.get("obliquity_degrees")).doubleValue(), Orientation.obliquityDegrees(affine), 1e-9);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reorientingToRasMovesVoxelsAndAffineAsNibabel(Map<String, Object> c) {
    double[][] affine = matrix(c.get("affine"));
    AxisMap map = Orientation.of(affine, 3).to(Orientation.parse("RAS"));
    FloatTensor ras = map.apply(arange());
    assertArrayEquals(concat(longs(c.get("ras_shape"))), ras.shape());
    assertArrayEquals(floats(c.get("ras_data")), ras.data());
    double[][] expected = matrix(c.get("ras_affine"));
    double[][] got = map.affineAfter(affine, new long[] {3, 4, 5});
    for (int r = 0; r < 4; r++) {
      assertArrayEquals(expected[r], got[r], 1e-9, "row " + r);
    }
    // exactly undone, and the new grid is RAS by the same rule
    assertArrayEquals(arange().data(), map.inverse().apply(ras).data());
    assertEquals("RAS", Orientation.of(got, 3).codes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void zyxTensorsGetTheSameVoxels(Map<String, Object> c) {
    // a ZYX tensor holds the NIfTI axes reversed: (1, k, j, i)
    double[][] affine = matrix(c.get("affine"));
    AxisMap map = Orientation.of(affine, 3).to(Orientation.parse("RAS"));
    FloatTensor zyx = AxisMap.reversal(3).apply(arange());
    FloatTensor viaZyx = map.inTensorOrder(Layout.ZYX).apply(zyx);
    assertArrayEquals(map.apply(arange()).data(), AxisMap.reversal(3).apply(viaZyx).data());
  }

  @Test
  void codesParseAndComposeAsAPermutationGroup() {
    assertEquals("LPS", Orientation.parse("lps").codes());
    AxisMap lpsToRas = Orientation.parse("LPS").to(Orientation.parse("RAS"));
    AxisMap rasToPir = Orientation.parse("RAS").to(Orientation.parse("PIR"));
    AxisMap direct = Orientation.parse("LPS").to(Orientation.parse("PIR"));
    assertEquals(direct, lpsToRas.then(rasToPir));
    assertTrue(lpsToRas.then(lpsToRas.inverse()).isIdentity());
    for (String bad : List.of("RRS", "RA", "XYZ", "RASP", "")) {
      if (bad.equals("RA")) {
        assertEquals(2, Orientation.parse(bad).rank());
        continue;
      }
      assertThrows(Gradcam3dException.class, () -> Orientation.parse(bad), bad);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aHeaderTakesAnAffineAsSformAndQform(Map<String, Object> c) {
    double[][] affine = matrix(c.get("affine"));
    NiftiHeader h = new NiftiHeader().withShape(3, 4, 5).withAffine(affine);
    double[][] s = h.affine();
    double[][] q = h.qformAffine();
    for (int r = 0; r < 4; r++) {
      assertArrayEquals(affine[r], s[r], 1e-12);
      assertArrayEquals(affine[r], q[r], 1e-9, "qform row " + r);
    }
  }

  private static long[] concat(long[] spatial) {
    long[] s = new long[spatial.length + 1];
    s[0] = 1;
    System.arraycopy(spatial, 0, s, 1, spatial.length);
    return s;
  }
}
