package gradcam3d.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradcam3d.runtime.GradientEngine;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A target restricted to a window of the output grid seeds exactly the window's crop of the
 * whole-volume seed, and a weighted one that crop times the weight.
 */
class TargetWindowTest {
  private static final long[] FULL = {1, 3, 12, 20, 16};
  private static final long[] START = {3, 5, 0};
  private static final long[] SIZE = {6, 8, 8};
  private static final long[] WINDOW = {1, 3, 6, 8, 8};

  /** [1, K, *S] cropped to the window. */
  private static float[] crop(float[] full) {
    float[] out = new float[3 * 6 * 8 * 8];
    int i = 0;
    for (int k = 0; k < 3; k++) {
      for (int z = 0; z < 6; z++) {
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            out[i++] = full[((k * 12 + z + 3) * 20 + y + 5) * 16 + x];
          }
        }
      }
    }
    return out;
  }

  private static FloatTensor mask() {
    Random r = new Random(7);
    float[] m = new float[12 * 20 * 16];
    for (int i = 0; i < m.length; i++) {
      m[i] = r.nextFloat() < 0.2 ? 1 : 0;
    }
    return new FloatTensor(m, 12, 20, 16);
  }

  private static void assertCropped(Target whole) {
    GradientEngine.Seed full = Target.seed(List.of(whole), FULL);
    Optional<Target> local = whole.restrictTo(START, SIZE);
    assertTrue(local.isPresent(), whole.spec());
    GradientEngine.Seed window = Target.seed(List.of(local.get()), WINDOW);
    assertArrayEquals(crop(full.weights().data()), window.weights().data(), whole.spec());
    assertArrayEquals(full.gate().data(), window.gate().data(), whole.spec());
  }

  @Test
  void everyKindSeedsTheCropOfItsWholeVolumeSeed() {
    assertCropped(Target.parse("1:box=2,3,4,10,20,16"));
    assertCropped(Target.parse("2:voxel=4,6,7"));
    assertCropped(Target.parse("1:all"));
    assertCropped(Target.parse("2"));
    assertCropped(Target.parse("0:mask=m.npy").withMask(mask()));
  }

  @Test
  void aWindowThatMissesTheRegionHasNoTarget() {
    assertEquals(Optional.empty(), Target.parse("1:box=0,0,0,2,2,2").restrictTo(START, SIZE));
    assertEquals(Optional.empty(), Target.parse("1:voxel=11,19,15").restrictTo(START, SIZE));
    FloatTensor corner = FloatTensor.zeros(12, 20, 16);
    corner.data()[0] = 1;
    assertEquals(Optional.empty(), Target.parse("1:mask=m.npy").withMask(corner).restrictTo(START, SIZE));
  }

  @Test
  void aWeightedWindowScalesTheSeedVoxelByVoxel() {
    float[] w = new float[6 * 8 * 8];
    for (int i = 0; i < w.length; i++) {
      w[i] = (i % 7) / 7f;
    }
    FloatTensor weight = new FloatTensor(w, 6, 8, 8);
    Target whole = Target.parse("1:box=2,3,4,10,20,16");
    Target local = whole.restrict(START, SIZE, weight).orElseThrow();
    // the box in the window's coordinates: z 2..10 and y 3..20 clipped to the window, x 4..16 to 4..8
    assertEquals("1:box=0,0,4,6,8,8", local.spec());
    float[] expected = crop(Target.seed(List.of(whole), FULL).weights().data());
    for (int k = 0; k < 3; k++) {
      for (int v = 0; v < w.length; v++) {
        expected[k * w.length + v] *= w[v];
      }
    }
    assertArrayEquals(expected, Target.seed(List.of(local), WINDOW).weights().data());
  }

  /**
   * A mask cropped to windows that reach past the volume on any side (sliding windows pad the
   * scan) holds the mask's values inside and zeros outside, voxel for voxel.
   */
  @Test
  void maskCropsReachingOutsideTheVolumeMatchAVoxelByVoxelCrop() {
    Random rnd = new Random(7);
    long[] shape = {2, 9, 11, 13};
    float[] m = new float[2 * 9 * 11 * 13];
    for (int i = 0; i < m.length; i++) {
      m[i] = rnd.nextFloat() < 0.1 ? 1 : 0;
    }
    MaskTarget mask = new MaskTarget(1, "m.nii.gz", new FloatTensor(m, shape));
    long[] size = {5, 6, 7};
    for (long[] start : new long[][] {{-2, -3, -4}, {0, 0, 0}, {6, 8, 9}, {3, -2, 10}, {-4, 7, 2}}) {
      float[] want = new float[2 * 5 * 6 * 7];
      boolean any = false;
      for (int b = 0, i = 0; b < 2; b++) {
        for (long z = start[0]; z < start[0] + 5; z++) {
          for (long y = start[1]; y < start[1] + 6; y++) {
            for (long x = start[2]; x < start[2] + 7; x++, i++) {
              if (z >= 0 && z < 9 && y >= 0 && y < 11 && x >= 0 && x < 13) {
                want[i] = m[(int) (((b * 9 + z) * 11 + y) * 13 + x)];
                any |= want[i] > 0;
              }
            }
          }
        }
      }
      Optional<Target> got = mask.restrictTo(start, size);
      assertEquals(any, got.isPresent(), java.util.Arrays.toString(start));
      if (any) {
        FloatTensor crop = ((MaskTarget) got.get()).mask();
        assertArrayEquals(new long[] {2, 5, 6, 7}, crop.shape());
        assertArrayEquals(want, crop.data(), java.util.Arrays.toString(start));
      }
    }
  }
}
