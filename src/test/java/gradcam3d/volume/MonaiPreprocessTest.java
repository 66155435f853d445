package gradcam3d.volume;

import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The preprocessing chain against MONAI 1.3.2 (src/test/resources/preprocess, made by the shared
 * fixtures' generator): LoadImage -> EnsureChannelFirst -> Orientation(RAS) -> Spacing(pixdim,
 * bilinear, border) -> ScaleIntensityRange(clip) or NormalizeIntensity(nonzero, channel_wise) on an
 * LPS and an oblique scan. The model input (MONAI's array: channel first, NIfTI order of the
 * reoriented grid, i.e. layout xyz) within 1e-4 (window) / 1e-3 (zscore), its affine within 1e-6,
 * and a model-grid map brought back onto the scan as MONAI inverts it within 1e-4.
 */
class MonaiPreprocessTest {
  private static final Path DIR = Path.of("src/test/resources/preprocess");

  @SuppressWarnings("unchecked")
  static Stream<Map<String, Object>> cases() throws Exception {
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("manifest.json")));
    return ((List<Map<String, Object>>) m.get("cases")).stream();
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void modelInputAndMapBackAreMonais(Map<String, Object> c) {
    Map<String, Object> chain = (Map<String, Object>) c.get("chain");
    List<Object> intensity = (List<Object>) chain.get("intensity");
    double[] pixdim = ((List<Number>) chain.get("pixdim")).stream().mapToDouble(Number::doubleValue).toArray();
    GridChain grid = GridChain.none().then(new GridChain.Orient(Orientation.parse((String) chain.get("axcodes"))))
        .then(new GridChain.Resample(pixdim));
    boolean window = intensity.get(0).equals("window");
    Normalization norm = window ? Normalization.parse("window:" + intensity.get(1) + "," + intensity.get(2) + ","
        + intensity.get(3) + "," + intensity.get(4)) : Normalization.parse("zscore:nonzero");
    Volume scan = VolumeIO.read(DIR.resolve((String) c.get("scan")), Layout.XYZ, 3);
    GridMapping mapping = grid.apply(scan);
    Volume model = mapping.model();
    FloatTensor input = norm.apply(model.tensor());
    FloatTensor expected = Npy.read(DIR.resolve((String) c.get("model_input")));
    assertArrayEquals(expected.shape(), input.shape(), "model grid shape");
    double inputError = maxAbsDiff(input, expected);
    double[][] affine = OrientationTest.matrix(c.get("model_affine"));
    double affineError = 0;
    for (int r = 0; r < 4; r++) {
      for (int k = 0; k < 4; k++) {
        affineError = Math.max(affineError, Math.abs(affine[r][k] - model.affine()[r][k]));
      }
    }
    FloatTensor map = Npy.read(DIR.resolve((String) c.get("model_map")));
    FloatTensor back = mapping.toScan(map.reshape(model.spatialShape()));
    FloatTensor onScan = Npy.read(DIR.resolve((String) c.get("map_on_scan")));
    double mapError = maxAbsDiff(back.reshape(onScan.shape()), onScan);
    System.out.printf("%-24s model input %.2e  affine %.2e  map on scan %.2e%n", c.get("name"), inputError, affineError,
        mapError);
    assertTrue(inputError <= (window ? 1e-4 : 1e-3), c.get("name") + ": model input max|diff| " + inputError);
    assertTrue(affineError <= 1e-6, c.get("name") + ": affine max|diff| " + affineError);
    assertTrue(mapError <= 1e-4, c.get("name") + ": map on scan max|diff| " + mapError);
  }
}
