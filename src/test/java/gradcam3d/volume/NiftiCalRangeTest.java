package gradcam3d.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cal_min and cal_max, found from the floats' order keys, against Math.min and Math.max folded
 * over the finite values, bit for bit: random maps of negatives and positives of every
 * magnitude, signed zeros, NaN and infinities, and maps with no finite value.
 */
class NiftiCalRangeTest {
  @TempDir
  Path dir;

  @Test
  void rangeIsMathMinAndMaxOverTheFiniteValues() throws Exception {
    Random r = new Random(23);
    for (int trial = 0; trial < 40; trial++) {
      float[] data = new float[1 + r.nextInt(500)];
      for (int i = 0; i < data.length; i++) {
        int kind = r.nextInt(trial % 8 == 0 ? 2 : trial % 4 == 0 ? 3 : 10);
        data[i] = switch (kind) {
          case 0 -> Float.NaN;
          case 1 -> r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
          case 2 -> r.nextBoolean() ? 0f : -0f;
          case 3 -> -Float.MAX_VALUE * r.nextFloat();
          case 4 -> Float.MIN_VALUE * (r.nextBoolean() ? 1 : -1);
          default -> (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(20) - 10));
        };
      }
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      boolean any = false;
      for (float v : data) {
        if (Float.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
          any = true;
        }
      }
      Path file = dir.resolve("range.nii");
      new NiftiWriter().write(new NiftiImage("t", new NiftiHeader().withShape(data.length, 1, 1), data), file);
      ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(Float.floatToRawIntBits(any ? max : 0), Float.floatToRawIntBits(raw.getFloat(124)), "cal_max, trial " + trial);
      assertEquals(Float.floatToRawIntBits(any ? min : 0), Float.floatToRawIntBits(raw.getFloat(128)), "cal_min, trial " + trial);
      Files.delete(file);
    }
  }
}
