package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gradcam3d.onnx.DataTypes;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.TensorProtos;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.testing.Fixtures;
import gradcam3d.volume.NiftiHeader;
import gradcam3d.volume.NiftiImage;
import gradcam3d.volume.NiftiReader;
import gradcam3d.volume.NiftiTestWriter;
import gradcam3d.volume.NiftiWriter;
import gradcam3d.volume.Npy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutator of valid ONNX, NIfTI (.nii, .nii.gz) and .npy files: bit flips, truncations,
 * and edits of the fields readers trust (dims, datatypes, offsets, lengths, external data). Every
 * case must end in a result or a one-line {@link Gradcam3dException}: never another exception, a
 * case slower than {@link #MAX_CASE_MILLIS}, or more allocation than the stated bound, which is
 * {@link #BASE_ALLOCATION} plus a multiple of the input's size: 16x for .nii, .npy and ONNX (the
 * file, its decoded floats, protobuf's copies), 4 x 1032 x for .nii.gz (deflate expands at most
 * 1032 times and each stored byte may become a 4-byte float).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReaderFuzzTest {
  private static final int CASES = 2000;
  private static final long SEED = 20261128L;
  private static final long BASE_ALLOCATION = 16L << 20;
  private static final long MAX_CASE_MILLIS = 2000;

  @TempDir
  static Path tmp;

  private static byte[] nifti1;
  private static byte[] nifti2;
  private static byte[] npyFloat;
  private static byte[] npyInt;
  private static byte[] onnx;
  private static Path externalModel;

  @BeforeAll
  static void seeds() throws IOException {
    Random r = new Random(SEED);
    float[] voxels = new float[12 * 10 * 8];
    for (int i = 0; i < voxels.length; i++) {
      voxels[i] = (float) r.nextGaussian();
    }
    NiftiHeader h = new NiftiHeader().withShape(12, 10, 8);
    h.sformCode = 1;
    h.qformCode = 1;
    h.srow[0][3] = -5;
    h.pixdim[1] = 0.8;
    Path n1 = tmp.resolve("seed1.nii");
    new NiftiWriter().write(new NiftiImage("seed", h, voxels), n1);
    nifti1 = Files.readAllBytes(n1);
    Path n2 = tmp.resolve("seed2.nii");
    new NiftiTestWriter().version(2).write(new NiftiImage("seed", h, voxels), n2);
    nifti2 = Files.readAllBytes(n2);
    Path f = tmp.resolve("seed.npy");
    Npy.write(new FloatTensor(voxels, 8, 10, 12), f);
    npyFloat = Files.readAllBytes(f);
    npyInt = Files.readAllBytes(Path.of("src/test/resources/npy/i4_le_c.npy"));
    onnx = Files.readAllBytes(Fixtures.ROOT.resolve("models/cls2d.onnx"));
    externalModel = tmp.resolve("ext/model.onnx");
    ModelIO.write(ModelIO.read(Fixtures.ROOT.resolve("models/cls2d.onnx")), externalModel, 256);
  }

  // ------------------------------------------------------------------------------ the formats

  @Test
  void nifti() {
    run("nii", 16, (r, c) -> {
      byte[] seed = r.nextBoolean() ? nifti1 : nifti2;
      byte[] input = mutate(r, seed, niftiFields(seed == nifti1));
      return new Case(input, () -> NiftiReader.parse(input, "fuzz.nii"));
    });
  }

  @Test
  void niftiGz() {
    run("nii.gz", 4 * 1032, (r, c) -> {
      byte[] seed = r.nextBoolean() ? nifti1 : nifti2;
      byte[] input;
      if (r.nextBoolean()) {
        input = gzip(mutate(r, seed, niftiFields(seed == nifti1))); // damage inside the stream
      } else {
        input = mutate(r, gzip(seed), new int[] {3, 4, 8, 9}); // damage to the gzip container
      }
      return new Case(input, () -> NiftiReader.parse(input, "fuzz.nii.gz"));
    });
  }

  @Test
  void npy() {
    run("npy", 16, (r, c) -> {
      byte[] seed = r.nextBoolean() ? npyFloat : npyInt;
      byte[] input = r.nextInt(3) == 0 ? editNpyHeader(r, seed) : mutate(r, seed, new int[] {6, 7, 8, 9});
      return new Case(input, () -> Npy.parse(input, "fuzz.npy"));
    });
  }

  @Test
  void onnx() {
    run("onnx", 16, (r, c) -> {
      if (c % 4 == 3) {
        // external data: the edited model is a file next to its data file
        byte[] input = editExternal(r);
        return new Case(input, () -> {
          Path file = externalModel.resolveSibling("case.onnx");
          try {
            Files.write(file, input);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return decodeAll(ModelIO.read(file));
        });
      }
      byte[] input = r.nextBoolean() ? mutate(r, onnx, new int[0]) : editOnnxFields(r);
      return new Case(input, () -> {
        try {
          return decodeAll(ModelIO.read(new ByteArrayInputStream(input), "fuzz.onnx"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    });
  }

  /** What a reader's user does next: decode every initializer. */
  private static Object decodeAll(ModelProto m) {
    for (TensorProto t : m.getGraph().getInitializerList()) {
      if (DataTypes.isFloating(t.getDataType())) {
        TensorProtos.toFloats(t);
      } else {
        TensorProtos.toLongs(t);
      }
    }
    return m;
  }

  // ------------------------------------------------------------------------------ the harness

  record Case(byte[] input, java.util.function.Supplier<Object> read) {}

  interface Generator {
    Case make(Random r, int index);
  }

  static void run(String format, long perByte, Generator generator) {
    run(format, perByte, CASES, generator);
  }

  /** Same, with {@code cases} cases (file-based formats are slower per case). */
  static void run(String format, long perByte, int cases, Generator generator) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<String> problems = new ArrayList<>();
    int accepted = 0;
    long slowest = 0;
    long started = System.nanoTime();
    for (int c = 0; c < cases; c++) {
      Random r = new Random(SEED * 31 + c + format.hashCode());
      Case k = generator.make(r, c);
      long before = mx.getCurrentThreadAllocatedBytes();
      long t0 = System.nanoTime();
      try {
        k.read().get();
        accepted++;
      } catch (Gradcam3dException e) {
        if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
          problems.add(format + " case " + c + ": not a one-line message: " + e.getMessage());
        }
      } catch (Throwable e) {
        problems.add(format + " case " + c + ": " + e);
      }
      long millis = (System.nanoTime() - t0) / 1_000_000;
      long allocated = mx.getCurrentThreadAllocatedBytes() - before;
      slowest = Math.max(slowest, millis);
      long bound = BASE_ALLOCATION + perByte * k.input().length;
      if (allocated > bound) {
        problems.add(format + " case " + c + ": allocated " + allocated + " bytes, bound " + bound);
      }
      if (millis > MAX_CASE_MILLIS) {
        problems.add(format + " case " + c + ": took " + millis + " ms");
      }
    }
    long total = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("fuzz %s: %d cases, %d read fine, slowest %d ms, %d ms in all%n", format,
        cases, accepted, slowest, total);
    if (!problems.isEmpty()) {
      fail(problems.size() + " bad outcomes, first: " + problems.subList(0, Math.min(8, problems.size())));
    }
    assertTrue(accepted > 0 && accepted < cases, "the mutations must both pass and fail: " + accepted);
  }

  // ------------------------------------------------------------------------------ mutations

  static final long[] INTERESTING = {0, 1, -1, 2, 3, 7, 8, 255, 256, 348, 352, 540, 544,
      32767, -32768, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 31, 1L << 32,
      Long.MAX_VALUE, Long.MIN_VALUE};

  /** Offsets of NIfTI-1 / NIfTI-2 header fields that size and place the data. */
  private static int[] niftiFields(boolean version1) {
    return version1
        ? new int[] {0, 40, 42, 44, 46, 48, 70, 72, 76, 80, 108, 112, 116, 252, 254, 256, 280, 292, 344}
        : new int[] {0, 4, 12, 14, 16, 24, 32, 40, 48, 104, 168, 176, 184, 344, 348, 352, 400, 432};
  }

  /** One to three of: bit flips, a truncation, an extension, or an interesting value in a field. */
  static byte[] mutate(Random r, byte[] seed, int[] fields) {
    byte[] b = seed.clone();
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int kind = r.nextInt(fields.length > 0 ? 5 : 3);
      if (b.length == 0) {
        break;
      }
      switch (kind) {
        case 0 -> {
          for (int i = 1 + r.nextInt(8); i > 0; i--) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
          }
        }
        case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
        case 2 -> {
          byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
          for (int i = b.length; i < longer.length; i++) {
            longer[i] = (byte) r.nextInt(256);
          }
          b = longer;
        }
        default -> {
          int at = fields[r.nextInt(fields.length)];
          ByteBuffer buf = ByteBuffer.wrap(b).order(r.nextInt(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
          long v = INTERESTING[r.nextInt(INTERESTING.length)];
          int width = new int[] {2, 4, 8}[r.nextInt(3)];
          if (at + width > b.length) {
            break;
          }
          if (kind == 4 && width >= 4) {
            double d = new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1e30, 1e30, 0}[r.nextInt(5)];
            if (width == 4) {
              buf.putFloat(at, (float) d);
            } else {
              buf.putDouble(at, d);
            }
          } else if (width == 2) {
            buf.putShort(at, (short) v);
          } else if (width == 4) {
            buf.putInt(at, (int) v);
          } else {
            buf.putLong(at, v);
          }
        }
      }
    }
    return b;
  }

  /** Edits the .npy header text: shape numbers, descr, dropped or added characters. */
  private static byte[] editNpyHeader(Random r, byte[] seed) {
    int headerLen = ByteBuffer.wrap(seed, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    String header = new String(seed, 10, headerLen, StandardCharsets.ISO_8859_1);
    String edited = switch (r.nextInt(5)) {
      case 0 -> header.replaceFirst("\\d+", Long.toString(INTERESTING[r.nextInt(INTERESTING.length)]));
      case 1 -> header.replaceFirst("'[<>|][a-zA-Z]\\d'", "'" + "<>|=".charAt(r.nextInt(4))
          + "fiubcOUV".charAt(r.nextInt(8)) + r.nextInt(17) + "'");
      case 2 -> {
        int at = r.nextInt(header.length());
        yield header.substring(0, at) + header.substring(at + 1);
      }
      case 3 -> header.replace("}", "").replace("False", "True");
      default -> {
        int at = r.nextInt(header.length());
        yield header.substring(0, at) + "({[,:'\")]} 9".charAt(r.nextInt(12)) + header.substring(at);
      }
    };
    byte[] text = edited.getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(seed, 0, 8);
    out.write(text.length & 0xff);
    out.write((text.length >> 8) & 0xff);
    out.writeBytes(text);
    out.write(seed, 10 + headerLen, seed.length - 10 - headerLen);
    return out.toByteArray();
  }

  /** Edits an initializer's dims, data type or data in the parsed model. */
  private static byte[] editOnnxFields(Random r) {
    ModelProto m = parse(onnx);
    GraphProto.Builder g = m.getGraph().toBuilder();
    int i = r.nextInt(g.getInitializerCount());
    TensorProto.Builder t = g.getInitializer(i).toBuilder();
    switch (r.nextInt(5)) {
      case 0 -> t.setDims(r.nextInt(Math.max(1, t.getDimsCount())) % Math.max(1, t.getDimsCount()),
          INTERESTING[r.nextInt(INTERESTING.length)]);
      case 1 -> t.setDataType(r.nextInt(20));
      case 2 -> t.setRawData(t.getRawData().substring(0, r.nextInt(t.getRawData().size() + 1)));
      case 3 -> t.addDims(INTERESTING[r.nextInt(INTERESTING.length)]);
      default -> t.clearRawData().addFloatData(1f);
    }
    g.setInitializer(i, t);
    return m.toBuilder().setGraph(g).build().toByteArray();
  }

  /** Edits the location, offset or length of an external tensor of the file-based model. */
  private static byte[] editExternal(Random r) {
    ModelProto m;
    try {
      m = parse(Files.readAllBytes(externalModel));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GraphProto.Builder g = m.getGraph().toBuilder();
    List<Integer> external = new ArrayList<>();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        external.add(i);
      }
    }
    int i = external.get(r.nextInt(external.size()));
    TensorProto.Builder t = g.getInitializer(i).toBuilder();
    String[] keys = {"location", "offset", "length"};
    String[][] values = {
      {"../seed1.nii", "/etc/hostname", "model.onnx.data", "", "missing.bin", ".", "ext/../model.onnx.data", "a\u0000b"},
      {"-1", "abc", "99999999999999999999", "0", "7", "1e3", " 12", Long.toString(Long.MAX_VALUE)},
    };
    String key = keys[r.nextInt(3)];
    String value = values[key.equals("location") ? 0 : 1][r.nextInt(8)];
    t.clearExternalData();
    for (StringStringEntryProto e : g.getInitializer(i).getExternalDataList()) {
      t.addExternalData(e.getKey().equals(key) ? e.toBuilder().setValue(value).build() : e);
    }
    if (r.nextInt(4) == 0) {
      t.addDims(INTERESTING[r.nextInt(INTERESTING.length)]);
    }
    g.setInitializer(i, t);
    byte[] bytes = m.toBuilder().setGraph(g).build().toByteArray();
    return r.nextInt(3) == 0 ? mutate(r, bytes, new int[0]) : bytes;
  }

  private static ModelProto parse(byte[] bytes) {
    try {
      return ModelProto.parseFrom(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
