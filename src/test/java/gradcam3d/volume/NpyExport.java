package gradcam3d.volume;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.Npy.Order;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a test: writes .npy files with {@link Npy#write} for NumPy to check, by hand, with
 * src/test/resources/npy/check_java_npy.py (the suite itself needs no Python):
 *
 * <pre>
 * mvn -q -B test-compile
 * java -cp target/classes:target/test-classes gradcam3d.volume.NpyExport /tmp/java-npy
 * python3 src/test/resources/npy/check_java_npy.py /tmp/java-npy
 * </pre>
 */
public final class NpyExport {
  private NpyExport() {}

  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "java-npy");
    int count = 0;
    for (String code : NpyFormulas.CODES) {
      FloatTensor t = new FloatTensor(NpyFormulas.array(code), NpyFormulas.SHAPE);
      for (String endian : List.of("<", ">")) {
        for (Order order : Order.values()) {
          String name = "java_" + code + (endian.equals("<") ? "_le" : "_be")
              + (order == Order.C ? "_c" : "_f") + ".npy";
          Npy.write(t, dir.resolve(name), endian + code, order);
          count++;
        }
      }
    }
    // rounding: the inputs as float32, and the same values written as float16 and int8
    float[] halves = {2049, 2051, 1f / 3, 0.1f, 3 * 0x1p-26f, 0x1p-25f, 3 * 0x1p-25f, 65519, 1e-8f, -2.5e-8f,
        1000.25f, 1000.75f, 0x1p-24f, -65504, Float.NaN, Float.NEGATIVE_INFINITY};
    write(halves, dir.resolve("java_rounding_f2_input.npy"), "<f4");
    write(halves, dir.resolve("java_rounding_f2.npy"), "<f2");
    float[] ints = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.49999997f, -0.50000006f, 126.5f, -128.5f, 127.4f};
    write(ints, dir.resolve("java_rounding_i1_input.npy"), "<f4");
    write(ints, dir.resolve("java_rounding_i1.npy"), "|i1");
    float[] big = {0, 1, 0x1p63f, 0x1p64f - 0x1p40f};
    write(big, dir.resolve("java_rounding_u8_input.npy"), "<f4");
    write(big, dir.resolve("java_rounding_u8.npy"), ">u8");
    // 0-d, default format
    Npy.write(new FloatTensor(new float[] {-2.5f}), dir.resolve("java_scalar_default.npy"));
    count += 7;
    System.out.println("wrote " + count + " files to " + dir);
  }

  private static void write(float[] values, Path file, String descr) {
    Npy.write(new FloatTensor(values, values.length), file, descr);
  }
}
