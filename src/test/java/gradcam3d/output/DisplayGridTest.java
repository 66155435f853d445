package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.report.ValueRange;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.AxisMap;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shown grid's blocks against the full-resolution frame and a plain block mean / maximum. */
class DisplayGridTest {
  private static final Path DEMO = Path.of("src/main/resources/gradcam3d/demo/demo_case1.nii.gz");

  @TempDir
  Path tmp;

  @Test
  void smallVolumesAreShownAsTheFrameShowsThem() {
    Volume v = VolumeIO.read(DEMO, Layout.ZYX, 3);
    DisplayFrame frame = DisplayFrame.of(v, Layout.ZYX, v.spatialShape(), false, null);
    DisplayGrid grid = DisplayGrid.of(frame);
    assertTrue(grid.fullResolution());
    FloatTensor scan = v.tensor().view0(0);
    assertArrayEquals(frame.apply(scan).data(), grid.apply(scan, false).data());
    assertArrayEquals(frame.spacing(), grid.spacing());
  }

  /**
   * An array without geometry in Z, Y, X order is shown in its own order: at full resolution the
   * grid gives the volume itself (no copy of a scan-sized array) and, for a class, its 0/1 mask,
   * the same values as the frame's mapping of them.
   */
  @Test
  void arraysInTheirOwnOrderAreShownWithoutACopy() {
    long[] shape = {4, 5, 6};
    float[] values = new float[4 * 5 * 6];
    gradcam3d.tensor.Labels labels = gradcam3d.tensor.Labels.zeros(3, shape);
    for (int i = 0; i < values.length; i++) {
      values[i] = (i * 7) % 11 - 3;
      labels.set(i, i % 3);
    }
    FloatTensor map = new FloatTensor(values, shape);
    DisplayFrame frame = DisplayFrame.of(null, Layout.ZYX, shape, false, null);
    DisplayGrid grid = DisplayGrid.of(frame);
    assertTrue(grid.fullResolution() && frame.map().isIdentity());
    FloatTensor shown = grid.apply(map, false);
    assertSame(values, shown.data());
    assertArrayEquals(frame.apply(map).data(), shown.data());
    float[] mask = new float[values.length];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = i % 3 == 2 ? 1f : 0f;
    }
    assertArrayEquals(frame.apply(new FloatTensor(mask, shape)).data(), grid.applyClass(labels, 2).data());
  }

  @Test
  void blocksOfAPermutedFlippedScanAreMeansAndMaximaOfTheFrameGrid() {
    // stored PIR and read as XYZ tensors: the frame permutes and flips every axis
    Path pir = tmp.resolve("pir.nii.gz");
    OutputsUnchangedTest.store(NiftiReader.read(DEMO), "PIR", pir);
    Volume v = VolumeIO.read(pir, Layout.XYZ, 3);
    DisplayFrame frame = DisplayFrame.of(v, Layout.XYZ, v.spatialShape(), false, null);
    long[] full = frame.map().shapeAfter(frame.tensorShape());
    // a budget that needs blocks of 2 and 3 voxels along some axes (48 x 48 x 40 with 1 x 1 x 1.5 mm)
    DisplayGrid grid = DisplayGrid.of(frame, 48L * 48 * 40 / 5);
    assertTrue(!grid.fullResolution());
    FloatTensor scan = v.tensor().view0(0);
    float[] reference = frame.apply(scan).data();
    float[] mask = new float[reference.length];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = i % 97 == 0 ? 1 : 0; // isolated voxels: every block holding one is inside
    }
    FloatTensor maskTensor = frame.map().inverse().apply(new FloatTensor(mask, full));
    assertArrayEquals(mask, frame.apply(maskTensor).data());
    long[] shown = grid.shape();
    int[] s = grid.step();
    float[] means = grid.apply(scan, false).data();
    float[] maxima = grid.apply(maskTensor, true).data();
    assertEquals(shown[0] * shown[1] * shown[2], means.length);
    for (int a = 0, o = 0; a < shown[0]; a++) {
      for (int b = 0; b < shown[1]; b++) {
        for (int c = 0; c < shown[2]; c++, o++) {
          double sum = 0;
          int n = 0;
          float top = 0;
          for (int z = a * s[0]; z < Math.min(full[0], (a + 1) * s[0]); z++) {
            for (int y = b * s[1]; y < Math.min(full[1], (b + 1) * s[1]); y++) {
              for (int x = c * s[2]; x < Math.min(full[2], (c + 1) * s[2]); x++) {
                int i = (int) ((z * full[1] + y) * full[2] + x);
                sum += reference[i];
                n++;
                top = Math.max(top, mask[i]);
              }
            }
          }
          assertEquals(sum / n, means[o], 1e-4 * Math.max(1, Math.abs(sum / n)), "block " + a + "," + b + "," + c);
          assertEquals(top, maxima[o], "mask block " + a + "," + b + "," + c);
        }
      }
    }
    // block centres: spacing times the step, and the affine moved to the first block's centre
    double[] spacing = grid.spacing();
    for (int d = 0; d < 3; d++) {
      assertEquals(frame.spacing()[d] * s[d], spacing[d], 1e-12);
      assertEquals(Math.min(full[d] - 1, (s[d] - 1) / 2), grid.fullIndex(d, 0));
      assertEquals(1, grid.shownIndex(d, s[d]));
    }
    double[][] a = frame.affine();
    double[][] g = grid.affine();
    for (int r = 0; r < 3; r++) {
      double origin = a[r][3];
      for (int d = 0; d < 3; d++) {
        origin += a[r][2 - d] * (s[d] - 1) / 2.0;
      }
      assertEquals(origin, g[r][3], 1e-9);
    }
    System.out.println("shown " + Arrays.toString(shown) + " steps " + Arrays.toString(s));
  }

  /**
   * Blocks of 2 along lines read forwards, backwards and across (the written-out pair loops and
   * the general one), odd sizes (a last block of one voxel), NaN and infinities (blocks summed
   * again without them): bit for bit the mean of the finite voxels added in voxel order in double,
   * and the maximum of the non-NaN voxels (0 for none).
   */
  @Test
  void blockMeansSkipNonFiniteVoxelsBitForBitAlongEveryLineDirection() {
    long[] tensorShape = {5, 7, 9};
    DisplayFrame arrayOrder = DisplayFrame.of(null, Layout.ZYX, tensorShape, false, null);
    Random random = new Random(27);
    float[] values = new float[5 * 7 * 9];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * 100);
    }
    values[3] = Float.NaN;
    values[40] = Float.POSITIVE_INFINITY;
    values[41] = Float.NEGATIVE_INFINITY;
    values[100] = Float.NaN;
    values[101] = Float.NaN; // with [100]: a whole pair of one line
    values[250] = Float.NEGATIVE_INFINITY;
    FloatTensor tensor = new FloatTensor(values, tensorShape);
    AxisMap[] maps = {AxisMap.identity(3), new AxisMap(new int[] {0, 1, 2}, new boolean[] {true, false, true}),
        new AxisMap(new int[] {2, 0, 1}, new boolean[] {false, true, false})};
    for (AxisMap map : maps) {
      DisplayFrame frame = new DisplayFrame(map, arrayOrder.display(), null, null, arrayOrder.stored(), tensorShape);
      long[] full = map.shapeAfter(tensorShape);
      DisplayGrid grid = DisplayGrid.of(frame, 3L * 4 * 5);
      assertArrayEquals(new int[] {2, 2, 2}, grid.step(), "blocks of 2 for " + map);
      float[] figure = frame.apply(tensor).data();
      float[] means = grid.apply(tensor, false).data();
      float[] maxima = grid.apply(tensor, true).data();
      long[] shown = grid.shape();
      int nonFinite = 0;
      for (int a = 0, o = 0; a < shown[0]; a++) {
        for (int b = 0; b < shown[1]; b++) {
          for (int c = 0; c < shown[2]; c++, o++) {
            double sum = 0;
            int n = 0;
            float top = Float.NEGATIVE_INFINITY;
            boolean finite = true;
            for (int z = 2 * a; z < Math.min(full[0], 2 * a + 2); z++) {
              for (int y = 2 * b; y < Math.min(full[1], 2 * b + 2); y++) {
                for (int x = 2 * c; x < Math.min(full[2], 2 * c + 2); x++) {
                  float v = figure[(int) ((z * full[1] + y) * full[2] + x)];
                  if (Float.isFinite(v)) {
                    sum += v;
                    n++;
                  } else {
                    finite = false;
                  }
                  if (v > top) {
                    top = v;
                  }
                }
              }
            }
            nonFinite += finite ? 0 : 1;
            String at = map + " block " + a + "," + b + "," + c;
            assertEquals(n == 0 ? Float.NaN : (float) (sum / n), means[o], at);
            assertEquals(top == Float.NEGATIVE_INFINITY ? 0 : top, maxima[o], at);
          }
        }
      }
      assertTrue(nonFinite >= 4, "blocks with NaN or infinities: " + nonFinite);
      // the range found row by row with the blocks is the one a pass over the shown values finds
      // (record equality compares the floats bit for bit: -0.0 is not 0.0)
      assertEquals(ValueRange.of(means), grid.applyMeasured(tensor, false).range(), "range of the means, " + map);
      assertEquals(ValueRange.of(maxima), grid.applyMeasured(tensor, true).range(), "range of the maxima, " + map);
      assertArrayEquals(means, grid.applyMeasured(tensor, false).values().data());
      float[] nanFirst = values.clone();
      for (int i : new int[] {0, 1, 9, 10, 63, 64, 72, 73, 8, 17, 71, 80}) {
        nanFirst[i] = Float.NaN; // a block of NaN: at the corner of the first shown row for one map or another
      }
      nanFirst[200] = -0.0f;
      nanFirst[201] = 0.0f;
      FloatTensor withNaN = new FloatTensor(nanFirst, tensorShape);
      assertEquals(ValueRange.of(grid.apply(withNaN, false).data()), grid.applyMeasured(withNaN, false).range(),
          "range with a NaN block, " + map);
      // a class of a segmentation: the maxima of that class's 0/1 mask, with its one voxel at
      // each place in turn (every position in a block; new volumes each time: blocks are kept per volume)
      for (int at = 0; at < values.length; at++) {
        Labels labels = Labels.zeros(3, tensorShape);
        float[] classOne = new float[values.length];
        for (int i = 0; i < values.length; i++) {
          labels.set(i, i == at ? 1 : i % 7 == 0 ? 2 : 0);
        }
        classOne[at] = 1;
        float[] expected = grid.apply(new FloatTensor(classOne, tensorShape), true).data();
        assertArrayEquals(expected, grid.applyClass(labels, 1).data(), "class 1 at voxel " + at + " of " + map);
      }
    }
  }

  /** Block means (finite voxels, added in voxel order in double) and maxima (non-NaN, 0 for none) of the figure grid, by definition. */
  private static float[][] blocksByDefinition(float[] figure, long[] full, long[] shown, int[] s) {
    int count = (int) (shown[0] * shown[1] * shown[2]);
    float[] means = new float[count];
    float[] maxima = new float[count];
    for (int a = 0, o = 0; a < shown[0]; a++) {
      for (int b = 0; b < shown[1]; b++) {
        for (int c = 0; c < shown[2]; c++, o++) {
          double sum = 0;
          int n = 0;
          float top = Float.NEGATIVE_INFINITY;
          for (int z = a * s[0]; z < Math.min(full[0], (a + 1) * s[0]); z++) {
            for (int y = b * s[1]; y < Math.min(full[1], (b + 1) * s[1]); y++) {
              for (int x = c * s[2]; x < Math.min(full[2], (c + 1) * s[2]); x++) {
                float v = figure[(int) ((z * full[1] + y) * full[2] + x)];
                if (Float.isFinite(v)) {
                  sum += v;
                  n++;
                }
                if (v > top) {
                  top = v;
                }
              }
            }
          }
          means[o] = n == 0 ? Float.NaN : (float) (sum / n);
          maxima[o] = top == Float.NEGATIVE_INFINITY ? 0 : top;
        }
      }
    }
    return new float[][] {means, maxima};
  }

  /**
   * The fused 2 x 2 x 2 reductions (pieces of +0.0 left as they are, means measured for their range
   * as they are made) against the definition, bit for bit: lines of 131 voxels (pieces of 32
   * blocks, a last piece of one block and a last block one voxel wide), whole rows and single
   * pieces of +0.0, -0.0 where the rest is +0.0 (a mask's -0.0 maximum stays -0.0), NaN and
   * infinities, read forwards, backwards and across; the range (least, greatest, first greatest)
   * is that of a pass over the means, also where the greatest mean is a 0.0 of a skipped piece.
   */
  @Test
  void fusedBlockReductionsEqualTheirDefinitionOverPiecesOfZeros() {
    long[] tensorShape = {5, 6, 131};
    int n = 5 * 6 * 131;
    DisplayFrame arrayOrder = DisplayFrame.of(null, Layout.ZYX, tensorShape, false, null);
    Random random = new Random(33);
    float[] sparse = new float[n];
    float[] negative = new float[n];
    for (int i = 0; i < n; i++) {
      int x = i % 131;
      int line = i / 131;
      // lines 0-3 all +0.0 (z 0, y 0..3: the first row of blocks is background), a blob across the
      // first two pieces of some lines, single voxels elsewhere
      boolean blob = line >= 8 && line < 20 && x >= 50 && x < 75;
      sparse[i] = line < 4 ? 0f : blob ? (float) random.nextGaussian() : random.nextInt(97) == 0 ? 1f : 0f;
      // values at most 0: the greatest mean is a 0.0, first met (read forwards) in the second piece of
      // the first row of blocks (lines 0, 1, 6, 7), whose first piece is below 0
      boolean firstRow = line == 0 || line == 1 || line == 6 || line == 7;
      negative[i] = firstRow ? (x < 64 ? -1f - x : 0f) : blob ? -Math.abs((float) random.nextGaussian()) - 0.5f : 0f;
    }
    sparse[4 * 131 + 100] = -0.0f; // alone among +0.0: its block is computed, its maximum is -0.0
    for (int i = 9 * 131 + 64; i < 9 * 131 + 66; i++) {
      sparse[i] = -0.0f; // a whole block of -0.0 at the start of a piece (with line 8's +0.0)
    }
    sparse[10 * 131 + 70] = Float.NaN;
    sparse[11 * 131 + 3] = Float.POSITIVE_INFINITY;
    sparse[12 * 131 + 130] = Float.NEGATIVE_INFINITY; // in a last block one voxel wide
    sparse[20 * 131 + 127] = Float.NaN;
    sparse[21 * 131 + 127] = Float.NaN; // with the line above: a block of NaN and +0.0
    AxisMap[] maps = {AxisMap.identity(3), new AxisMap(new int[] {0, 1, 2}, new boolean[] {true, false, true}),
        new AxisMap(new int[] {1, 0, 2}, new boolean[] {false, true, true}),
        new AxisMap(new int[] {2, 0, 1}, new boolean[] {false, true, false})};
    for (float[] values : new float[][] {sparse, negative, new float[n]}) {
      FloatTensor tensor = new FloatTensor(values, tensorShape);
      for (AxisMap map : maps) {
        DisplayFrame frame = new DisplayFrame(map, arrayOrder.display(), null, null, arrayOrder.stored(), tensorShape);
        long[] full = map.shapeAfter(tensorShape);
        // 3 x 3 x 66 blocks: 2 x 2 x 2 voxels each, whatever the axis order
        DisplayGrid grid = DisplayGrid.of(frame, 3L * 3 * 66);
        String at = map.toString() + (values == negative ? " (values at most 0)" : "");
        assertArrayEquals(new int[] {2, 2, 2}, grid.step(), "blocks of 2 for " + at);
        float[][] expected = blocksByDefinition(frame.apply(tensor).data(), full, grid.shape(), grid.step());
        DisplayGrid.Measured means = grid.applyMeasured(tensor, false);
        float[] maxima = grid.apply(tensor, true).data();
        // assertArrayEquals on floats compares bits (but NaN's): -0.0 is not 0.0
        assertArrayEquals(expected[0], means.values().data(), "means, " + at);
        assertArrayEquals(expected[1], maxima, "maxima, " + at);
        assertEquals(ValueRange.of(expected[0]), means.range(), "range of the means, " + at);
      }
    }
  }

  /**
   * A large scan's gray window from the voxels gathered while it is reduced ({@link
   * DisplayGrid#applyScan}) is the window of the whole scan, and the samples are the voxels the
   * window reads (every step-th in the tensor's own order), for lines read forwards and backwards,
   * blocks of 2 and of 3; where the shown lines cross the tensor's, none are gathered.
   */
  @Test
  void aScansGrayWindowFromItsBlocksSamplesIsTheWindowOfTheWholeScan() {
    long[] tensorShape = {12, 300, 601}; // 2.16 million voxels: the window reads every 2nd
    int n = 12 * 300 * 601;
    Random random = new Random(61);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = random.nextInt(50) == 0 ? Float.NaN : (float) Math.round(random.nextGaussian() * 300);
    }
    values[0] = -0.0f;
    values[2] = Float.POSITIVE_INFINITY;
    int every = gradcam3d.render.GrayWindow.sampleStep(n);
    assertEquals(2, every);
    gradcam3d.render.GrayWindow whole = gradcam3d.render.GrayWindow.robust(values);
    FloatTensor scan = new FloatTensor(values, tensorShape);
    DisplayFrame arrayOrder = DisplayFrame.of(null, Layout.ZYX, tensorShape, false, null);
    AxisMap[] alongLines = {AxisMap.identity(3), new AxisMap(new int[] {1, 0, 2}, new boolean[] {true, false, true})};
    for (AxisMap map : alongLines) {
      DisplayFrame frame = new DisplayFrame(map, arrayOrder.display(), null, null, arrayOrder.stored(), tensorShape);
      for (long budget : new long[] {n / 8, n / 27}) {
        DisplayGrid grid = DisplayGrid.of(frame, budget);
        String at = map + ", blocks " + Arrays.toString(grid.step());
        DisplayGrid.Measured shown = grid.applyScan(scan);
        float[] samples = shown.samples();
        assertEquals((n + every - 1) / every, samples.length, at);
        for (int k = 0; k < samples.length; k++) {
          if (Float.floatToRawIntBits(values[k * every]) != Float.floatToRawIntBits(samples[k])) {
            assertEquals(values[k * every], samples[k], "sample " + k + ", " + at);
          }
        }
        assertEquals(whole, gradcam3d.render.GrayWindow.robustOfSamples(samples), at);
        // the blocks and range are those of the scan without samples (another reduction: another key)
        DisplayGrid.Measured plain = grid.applyMeasured(scan, false);
        assertArrayEquals(plain.values().data(), shown.values().data(), at);
        assertEquals(plain.range(), shown.range(), at);
      }
    }
    AxisMap across = new AxisMap(new int[] {2, 0, 1}, new boolean[] {false, false, false});
    DisplayFrame frame = new DisplayFrame(across, arrayOrder.display(), null, null, arrayOrder.stored(), tensorShape);
    assertEquals(null, DisplayGrid.of(frame, n / 8).applyScan(scan).samples(), "lines across the tensor's");
  }
}
