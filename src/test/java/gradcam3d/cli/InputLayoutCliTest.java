package gradcam3d.cli;

import static gradcam3d.testing.Tensors.maxAbs;
import static gradcam3d.testing.Tensors.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.Json;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.testing.Fixtures.Case;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.NiftiWriter;
import gradcam3d.volume.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How inputs reach the model through the real command line: several 3D NIfTI files as channels,
 * {@code --layout xyz}, and {@code --normalize zscore}, checked against the PyTorch reference maps
 * of the fixture cases.
 */
class InputLayoutCliTest {
  /** 2 input channels, 4D NIfTI input (channels on the 4th axis), target class 1 at encoder.2. */
  private static final Case NNUNET = fixture("nnunet_like3d__encoder-2__gradcam");
  /** 1 input channel, 3D NIfTI input, target class 2 at down3. */
  private static final Case SEED = fixture("seed_unet3d__down3__gradcam");

  @TempDir
  Path tmp;

  private static Case fixture(String name) {
    return Fixtures.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static Cli.Run explain(Case c, List<Path> inputs, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("explain", "--model", c.model().toString()));
    for (Path input : inputs) {
      a.add("--input");
      a.add(input.toString());
    }
    a.addAll(List.of("--layer", c.layerSpec(), "--target", Integer.toString(c.targetClass()), "--out", out.toString(),
        "--save-layer-cam", "--quiet", "--threads", "2"));
    a.addAll(Arrays.asList(extra));
    return Cli.run(a.toArray(String[]::new));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> summary(Path out) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
  }

  @SuppressWarnings("unchecked")
  private static double targetValue(Path out) throws IOException {
    List<Map<String, Object>> targets = (List<Map<String, Object>>) summary(out).get("targets");
    return ((Number) targets.get(0).get("value")).doubleValue();
  }

  private static List<Long> longs(Object jsonList) {
    List<Long> r = new ArrayList<>();
    for (Object o : (List<?>) jsonList) {
      r.add(((Number) o).longValue());
    }
    return r;
  }

  private static void assertSameAffine(NiftiHeader want, NiftiHeader got) {
    double[][] a = want.affine();
    double[][] b = got.affine();
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(a[row], b[row], 1e-6, "affine row " + row);
    }
  }

  private static void assertMatchesReference(Case c, Path out) {
    FloatTensor cam = Npy.read(out.resolve("cam.npy"));
    FloatTensor ref = c.expected("cam");
    assertTrue(maxAbsDiff(cam, ref) <= 2e-3, c + ": cam.npy max|diff| " + maxAbsDiff(cam, ref));
    FloatTensor layerRef = c.expected("cam_layer");
    FloatTensor layer = Npy.read(out.resolve("cam_layer.npy"));
    assertTrue(maxAbsDiff(layer, layerRef) <= 2e-3 * Math.max(1, maxAbs(layerRef)), c + ": cam_layer.npy");
  }

  private static void assertCleanFailure(Cli.Run r, Path out, String... words) throws IOException {
    assertEquals(1, r.exit(), r.toString());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line only:\n" + err);
    assertTrue(err.startsWith("error: "), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    for (String w : words) {
      assertTrue(err.contains(w), "expected '" + w + "' in: " + err);
    }
    assertFalse(Files.exists(out), "no output folder after a failure");
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("partial")), "no temporary folders");
    }
  }

  // ------------------------------------------------------------- (a) channels from separate files

  /** The 4D fixture split into one 3D file per channel, same geometry: [c0, c1]. */
  private List<Path> splitChannels() {
    NiftiImage four = NiftiReader.read(NNUNET.inputNifti());
    long[] s = four.shape();
    assertArrayEquals(new long[] {32, 32, 16, 2}, s, "X, Y, Z, channels");
    int n = (int) (s[0] * s[1] * s[2]);
    List<Path> files = new ArrayList<>();
    for (int ch = 0; ch < 2; ch++) {
      float[] data = Arrays.copyOfRange(four.data(), ch * n, (ch + 1) * n); // channel is the slowest axis
      Path file = tmp.resolve("c" + ch + ".nii.gz");
      new NiftiWriter().write(new NiftiImage(file.toString(), four.header().withShape(s[0], s[1], s[2]), data), file);
      files.add(file);
    }
    return files;
  }

  @Test
  void splitFilesHoldTheTensorsChannels() {
    // the premise of the next tests: file c holds tensor channel c, NIfTI (x, y, z) = tensor (z, y, x)
    List<Path> files = splitChannels();
    FloatTensor x = Npy.read(NNUNET.inputNpy());
    assertArrayEquals(new long[] {1, 2, 16, 32, 32}, x.shape());
    for (int ch = 0; ch < 2; ch++) {
      NiftiImage image = NiftiReader.read(files.get(ch));
      assertArrayEquals(new long[] {32, 32, 16}, image.shape());
      FloatTensor channel = x.slice0(0).slice0(ch);
      for (int[] zyx : new int[][] {{0, 0, 0}, {3, 17, 29}, {15, 31, 31}, {9, 2, 20}}) {
        assertEquals(channel.data()[(zyx[0] * 32 + zyx[1]) * 32 + zyx[2]], image.get(zyx[2], zyx[1], zyx[0]),
            "channel " + ch + " at z,y,x " + Arrays.toString(zyx));
      }
      assertArrayEquals(channel.data(), image.data());
    }
  }

  @Test
  void twoNiftiFilesAsChannelsMatchTheReference() throws IOException {
    List<Path> files = splitChannels();
    Path out = tmp.resolve("out");
    Cli.Run r = explain(NNUNET, files, out);
    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.out(), "--quiet");
    assertMatchesReference(NNUNET, out);
    Map<String, Object> summary = summary(out);
    assertEquals(List.of(1L, 2L, 16L, 32L, 32L), longs(summary.get("input_shape")));
    assertEquals(List.of(files.get(0).toString(), files.get(1).toString()), summary.get("inputs"));
    assertEquals(NNUNET.targetValue(), targetValue(out), 1e-4 * Math.abs(NNUNET.targetValue()));

    // the NIfTI map: 3D, on the inputs' grid and geometry, NIfTI (x, y, z) = cam (z, y, x)
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    assertArrayEquals(new long[] {32, 32, 16}, cam.shape());
    assertSameAffine(NiftiReader.read(files.get(0)).header(), cam.header());
    assertSameAffine(NiftiReader.read(NNUNET.inputNifti()).header(), cam.header());
    FloatTensor ref = NNUNET.expected("cam").slice0(0);
    double err = 0;
    for (int z = 0; z < 16; z++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          err = Math.max(err, Math.abs(cam.get(x, y, z) - ref.data()[(z * 32 + y) * 32 + x]));
        }
      }
    }
    assertTrue(err <= 2e-3, "cam.nii.gz max|diff| " + err);
  }

  @Test
  void theOrderOfTheFilesIsTheOrderOfTheChannels() throws IOException {
    List<Path> files = splitChannels();
    Path out = tmp.resolve("swapped");
    Cli.Run r = explain(NNUNET, List.of(files.get(1), files.get(0)), out);
    assertEquals(0, r.exit(), r.toString());
    FloatTensor cam = Npy.read(out.resolve("cam.npy"));
    FloatTensor ref = NNUNET.expected("cam");
    assertArrayEquals(ref.shape(), cam.shape());
    assertTrue(maxAbsDiff(cam, ref) > 0.1, "swapped channels give another map; max|diff| " + maxAbsDiff(cam, ref));
    double value = targetValue(out);
    assertTrue(Math.abs(value - NNUNET.targetValue()) > 1, "target value " + value + " vs " + NNUNET.targetValue());
  }

  @Test
  void filesOnDifferentGridsAreRefused() throws IOException {
    List<Path> files = splitChannels();
    NiftiImage c1 = NiftiReader.read(files.get(1));
    // a different shape: the first 8 of 16 slices
    Path cropped = tmp.resolve("c1_cropped.nii.gz");
    new NiftiWriter().write(new NiftiImage("cropped", c1.header().withShape(32, 32, 8),
        Arrays.copyOf(c1.data(), 32 * 32 * 8)), cropped);
    Path out = tmp.resolve("out");
    assertCleanFailure(explain(NNUNET, List.of(files.get(0), cropped), out), out,
        "cannot use " + files.get(0) + " (shape [1, 16, 32, 32]) and " + cropped + " (shape [1, 8, 32, 32])",
        "as channels of one input: their shapes differ.");

    // the same shape, moved by 5 mm
    NiftiHeader moved = c1.header().copy();
    moved.srow[0][3] += 5;
    Path shifted = tmp.resolve("c1_shifted.nii.gz");
    new NiftiWriter().write(new NiftiImage("shifted", moved, c1.data()), shifted);
    assertCleanFailure(explain(NNUNET, List.of(files.get(0), shifted), out), out,
        "c1_shifted.nii.gz", "their affines differ by up to 5.0");
  }

  // ------------------------------------------------------------------------- (b) --layout xyz

  @Test
  void layoutXyzTakesTheNiftiArrayAsItIs() throws IOException {
    // a NIfTI whose array order is the tensor order: nifti[i = z, j = y, k = x] = tensor[z, y, x]
    FloatTensor x = Npy.read(SEED.inputNpy());
    assertArrayEquals(new long[] {1, 1, 24, 40, 32}, x.shape());
    int nz = 24;
    int ny = 40;
    int nx = 32;
    float[] nifti = new float[nz * ny * nx];
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int xx = 0; xx < nx; xx++) {
          nifti[z + nz * (y + ny * xx)] = x.data()[(z * ny + y) * nx + xx]; // i fastest
        }
      }
    }
    NiftiHeader header = NiftiReader.read(SEED.inputNifti()).header().withShape(nz, ny, nx);
    Path input = tmp.resolve("zyx_array.nii.gz");
    new NiftiWriter().write(new NiftiImage(input.toString(), header, nifti), input);

    Path out = tmp.resolve("out");
    Cli.Run r = explain(SEED, List.of(input), out, "--layout", "xyz");
    assertEquals(0, r.exit(), r.toString());
    assertMatchesReference(SEED, out);
    Map<String, Object> summary = summary(out);
    assertEquals("xyz", summary.get("layout"));
    assertEquals(List.of(1L, 1L, 24L, 40L, 32L), longs(summary.get("input_shape")));
    assertEquals(SEED.targetValue(), targetValue(out), 1e-4 * Math.max(1, Math.abs(SEED.targetValue())));
    assertTrue(Files.exists(out.resolve("overlay.png")));

    // the NIfTI map is in the input file's voxel order: cam.nii.gz (i, j, k) = cam[z = i, y = j, x = k]
    NiftiImage cam = NiftiReader.read(out.resolve("cam.nii.gz"));
    assertArrayEquals(new long[] {24, 40, 32}, cam.shape());
    assertSameAffine(header, cam.header());
    FloatTensor ref = SEED.expected("cam").slice0(0);
    double err = 0;
    for (int i = 0; i < nz; i++) {
      for (int j = 0; j < ny; j++) {
        for (int k = 0; k < nx; k++) {
          err = Math.max(err, Math.abs(cam.get(i, j, k) - ref.data()[(i * ny + j) * nx + k]));
        }
      }
    }
    assertTrue(err <= 2e-3, "cam.nii.gz max|diff| " + err);
    // and it is not flat: the peak of the reference is where the NIfTI map peaks
    int peak = argmax(ref.data());
    int pz = peak / (ny * nx);
    int py = (peak / nx) % ny;
    int px = peak % nx;
    assertEquals(1f, cam.get(pz, py, px), 2e-3);
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------------- (c) --normalize zscore

  @Test
  void zscoreNormalisesEachChannelBeforeTheModel() throws IOException {
    FloatTensor x = Npy.read(NNUNET.inputNpy());
    // each channel to mean 0 and population standard deviation 1, computed here independently
    int block = 16 * 32 * 32;
    float[] z = new float[x.size()];
    double[] means = new double[2];
    double[] stds = new double[2];
    for (int ch = 0; ch < 2; ch++) {
      double sum = 0;
      for (int i = ch * block; i < (ch + 1) * block; i++) {
        sum += x.data()[i];
      }
      double mean = sum / block;
      double squares = 0;
      for (int i = ch * block; i < (ch + 1) * block; i++) {
        squares += (x.data()[i] - mean) * (x.data()[i] - mean);
      }
      double std = Math.sqrt(squares / block);
      for (int i = ch * block; i < (ch + 1) * block; i++) {
        z[i] = (float) ((x.data()[i] - mean) / std);
      }
      means[ch] = mean;
      stds[ch] = std;
    }
    // the channels differ enough that per-channel and whole-volume z-scoring are not the same
    assertTrue(Math.abs(means[0] - means[1]) > 1e-3 || Math.abs(stds[0] / stds[1] - 1) > 0.05,
        Arrays.toString(means) + " " + Arrays.toString(stds));
    Path normalised = tmp.resolve("zscored.npy");
    Npy.write(new FloatTensor(z, x.shape()), normalised);

    Path byTool = tmp.resolve("zscore");
    Cli.Run r = explain(NNUNET, List.of(NNUNET.inputNpy()), byTool, "--normalize", "zscore");
    assertEquals(0, r.exit(), r.toString());
    Path byHand = tmp.resolve("by_hand");
    Cli.Run h = explain(NNUNET, List.of(normalised), byHand, "--normalize", "none");
    assertEquals(0, h.exit(), h.toString());

    assertEquals("zscore", summary(byTool).get("normalize"));
    assertEquals("none", summary(byHand).get("normalize"));
    FloatTensor camTool = Npy.read(byTool.resolve("cam.npy"));
    FloatTensor camHand = Npy.read(byHand.resolve("cam.npy"));
    assertTrue(maxAbsDiff(camTool, camHand) <= 1e-4, "zscore by the tool vs by hand: " + maxAbsDiff(camTool, camHand));
    FloatTensor layerTool = Npy.read(byTool.resolve("cam_layer.npy"));
    FloatTensor layerHand = Npy.read(byHand.resolve("cam_layer.npy"));
    assertTrue(maxAbsDiff(layerTool, layerHand) <= 1e-4 * Math.max(1, maxAbs(layerHand)), "cam_layer");
    assertEquals(targetValue(byHand), targetValue(byTool), 1e-4 * Math.max(1, Math.abs(targetValue(byHand))));

    // and it is not the unnormalised result (the reference is computed on the raw input)
    FloatTensor ref = NNUNET.expected("cam");
    assertTrue(maxAbsDiff(camTool, ref) > 0.1, "zscore changes the map; max|diff| " + maxAbsDiff(camTool, ref));
    assertTrue(Math.abs(targetValue(byTool) - NNUNET.targetValue()) > 1,
        targetValue(byTool) + " vs " + NNUNET.targetValue());
  }
}
