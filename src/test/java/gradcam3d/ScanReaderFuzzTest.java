package gradcam3d;

import gradcam3d.volume.VolumeIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReaderFuzzTest}'s harness on the scan formats: NRRD (attached and detached, raw, gzip,
 * ascii, a channel axis), MetaImage (LOCAL raw and zlib, detached, channels) and DICOM files
 * (explicit and implicit VR, JPEG lossless), mutated in their header text or bytes: numbers,
 * field values, lines dropped or doubled, data files pointing elsewhere, bit flips, truncations.
 * Every case must read or fail with a one-line {@link Gradcam3dException}, quickly and within the
 * allocation bound.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ScanReaderFuzzTest {
  @TempDir
  static Path tmp;

  /** Each case writes and reads files: fewer than the in-memory formats get. */
  private static final int CASES = 1000;
  private static final List<byte[]> NRRD_SEEDS = new ArrayList<>();
  private static final List<byte[]> MHA_SEEDS = new ArrayList<>();
  private static final List<byte[]> DICOM_SEEDS = new ArrayList<>();
  private static final List<int[]> DICOM_FIELDS = new ArrayList<>();
  private static byte[] rawData;

  private static final String[] DATA_FILES = {"case.raw", "../outside.raw", "/etc/hostname", "missing.raw", "case.nhdr",
      "case.mhd", "LIST", "link.raw", "sub/../case.raw", "", "case%03d.raw"};
  private static final String[] VALUES = {"raw", "gzip", "bzip2", "hex", "ascii", "zstd", "short", "uchar", "double",
      "block", "int64", "big", "little", "middle", "left-posterior-superior", "RAS", "3D-left-handed", "scanner-xyz",
      "none", "(1,0,0)", "(nan,0,0)", "(0,0,0) (0,0,0) (0,0,0)", "vector domain domain", "True", "False", "LOCAL",
      "MET_SHORT", "MET_FLOAT", "MET_ULONG_LONG", "MET_FOO", "-1", "0", "4294967296", "1e308", "nan", "", "= = ="};

  @BeforeAll
  static void seeds() throws IOException {
    Random r = new Random(7);
    short[] values = new short[12 * 10 * 8];
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; i++) {
      b.putShort((short) (r.nextInt(4000) - 1000));
    }
    rawData = b.array();
    String geometry = "space: left-posterior-superior\nspace directions: (0.8,0,-0.1) (0,0.75,0) (0.2,0,2)\n"
        + "space origin: (-20,15,-33)\n";
    NRRD_SEEDS.add(join("NRRD0004\ntype: short\ndimension: 3\nsizes: 12 10 8\n" + geometry
        + "kinds: domain domain domain\nendian: little\nencoding: raw\n\n", rawData));
    NRRD_SEEDS.add(join("NRRD0005\ntype: short\ndimension: 3\nsizes: 12 10 8\n" + geometry
        + "endian: little\nencoding: gzip\nbyte skip: 0\n\n", ReaderFuzzTest.gzip(rawData)));
    NRRD_SEEDS.add(join("NRRD0004\ntype: float\ndimension: 4\nsizes: 2 3 2 2\nspace: RAS\n"
        + "space directions: none (1,0,0) (0,1,0) (0,0,1)\nkinds: vector domain domain domain\nencoding: ascii\n\n",
        "1 2 3 4 5 6 7 8 9 10 11 12\n13 14 15 16 17 18 19 20 21 22 23 24\n".getBytes(StandardCharsets.US_ASCII)));
    String mha = "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
        + "TransformMatrix = 0.99 0 -0.139 0 1 0 0.139 0 0.99\nOffset = -20 15 -33\nElementSpacing = 0.9 0.75 2\n"
        + "DimSize = 12 10 8\nElementType = MET_SHORT\n";
    MHA_SEEDS.add(join(mha + "ElementDataFile = LOCAL\n", rawData));
    byte[] zlib = Zlib.compress(rawData, 6, 1 << 20);
    MHA_SEEDS.add(join(mha.replace("ElementType", "CompressedData = True\nCompressedDataSize = " + zlib.length
        + "\nElementType") + "ElementDataFile = LOCAL\n", zlib));
    MHA_SEEDS.add(join("NDims = 2\nDimSize = 3 2\nElementNumberOfChannels = 2\nElementType = MET_UCHAR\n"
        + "ElementDataFile = LOCAL\n", new byte[12]));
    for (String f : new String[] {"ct_axial/IM0000.dcm", "ct_implicit/IM0003.dcm", "ct_jpeg_lossless/IM0005.dcm"}) {
      byte[] seed = Files.readAllBytes(Path.of("src/test/resources/dicom").resolve(f));
      DICOM_SEEDS.add(seed);
      DICOM_FIELDS.add(dicomFields(seed));
    }
    Files.write(tmp.resolve("outside.raw"), rawData);
    Path nested = Files.createDirectories(tmp.resolve("case"));
    Files.createSymbolicLink(nested.resolve("link.raw"), tmp.resolve("outside.raw"));
  }

  @Test
  void nrrd() {
    ReaderFuzzTest.run("nrrd", 4 * 1032, CASES, (r, c) -> {
      byte[] seed = NRRD_SEEDS.get(r.nextInt(NRRD_SEEDS.size()));
      boolean detached = c % 4 == 3;
      return textFormat(r, seed, detached, "case.nhdr", "data file: ");
    });
  }

  @Test
  void metaImage() {
    ReaderFuzzTest.run("mha", 4 * 1032, CASES, (r, c) -> {
      byte[] seed = MHA_SEEDS.get(r.nextInt(MHA_SEEDS.size()));
      boolean detached = c % 4 == 3;
      return textFormat(r, seed, detached, "case.mhd", "ElementDataFile = ");
    });
  }

  @Test
  void dicom() {
    ReaderFuzzTest.run("dicom", 16, CASES, (r, c) -> {
      int which = r.nextInt(DICOM_SEEDS.size());
      byte[] input = ReaderFuzzTest.mutate(r, DICOM_SEEDS.get(which), DICOM_FIELDS.get(which));
      boolean second = r.nextInt(4) == 0; // an intact neighbour slice of the same series
      return new ReaderFuzzTest.Case(input, () -> {
        Path folder = tmp.resolve("dicom");
        try {
          Files.createDirectories(folder);
          Files.write(folder.resolve("IM0.dcm"), input);
          Path neighbour = folder.resolve("IM1.dcm");
          if (second) {
            Files.write(neighbour, DICOM_SEEDS.get(1));
          } else {
            Files.deleteIfExists(neighbour);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return VolumeIO.contents(folder);
      });
    });
  }

  /**
   * A mutated NRRD or MetaImage: the header text edited or its bytes mutated; detached, the
   * header goes to {@code headerName} naming a data file (perhaps one it must not read).
   */
  private static ReaderFuzzTest.Case textFormat(Random r, byte[] seed, boolean detached, String headerName,
      String dataField) {
    int end = headerEnd(seed);
    String header = new String(seed, 0, end, StandardCharsets.ISO_8859_1);
    byte[] data = Arrays.copyOfRange(seed, end, seed.length);
    if (detached) {
      String text = header.endsWith("\n\n") ? header.substring(0, header.length() - 1) : header;
      text = text.replace("ElementDataFile = LOCAL\n", "");
      String dataFile = r.nextInt(3) == 0 ? DATA_FILES[r.nextInt(DATA_FILES.length)] : "case.raw";
      header = text + dataField + dataFile + "\n";
    }
    byte[] input;
    if (r.nextBoolean()) {
      input = join(editText(r, header), detached ? new byte[0] : data);
    } else {
      int[] digits = digitOffsets(header);
      input = ReaderFuzzTest.mutate(r, join(header, detached ? new byte[0] : data), digits);
    }
    byte[] dataBytes = detached ? (r.nextInt(3) == 0 ? ReaderFuzzTest.mutate(r, data, new int[0]) : data) : null;
    byte[] bytes = input;
    long size = input.length + (dataBytes == null ? 0 : dataBytes.length);
    return new ReaderFuzzTest.Case(size == input.length ? input : join("", input, dataBytes), () -> {
      Path folder = tmp.resolve("case");
      Path file = folder.resolve(detached ? headerName : headerName.replace(".nhdr", ".nrrd").replace(".mhd", ".mha"));
      try {
        Files.write(file, bytes);
        if (dataBytes != null) {
          Files.write(folder.resolve("case.raw"), dataBytes);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return VolumeIO.contents(file);
    });
  }

  /** One edit of the header's lines: a number, a value, a line dropped, doubled or swapped, a character. */
  private static String editText(Random r, String header) {
    List<String> lines = new ArrayList<>(Arrays.asList(header.split("\n", -1)));
    int last = Math.max(1, lines.size() - 1);
    int at = r.nextInt(last);
    String line = lines.get(at);
    switch (r.nextInt(6)) {
      case 0 -> lines.set(at, line.replaceFirst("-?\\d+(\\.\\d+)?",
          r.nextBoolean() ? Long.toString(ReaderFuzzTest.INTERESTING[r.nextInt(ReaderFuzzTest.INTERESTING.length)])
              : new String[] {"nan", "inf", "-0", "1e308", "0.5", "-1e-300"}[r.nextInt(6)]));
      case 1 -> lines.remove(at);
      case 2 -> lines.add(at, line);
      case 3 -> {
        int sep = Math.max(line.indexOf(": "), line.indexOf(" = "));
        if (sep > 0) {
          lines.set(at, line.substring(0, sep) + (line.contains(" = ") ? " = " : ": ")
              + VALUES[r.nextInt(VALUES.length)]);
        }
      }
      case 4 -> {
        int other = r.nextInt(last);
        lines.set(at, lines.get(other));
        lines.set(other, line);
      }
      default -> {
        int p = line.isEmpty() ? 0 : r.nextInt(line.length());
        String characters = "():,=# \t0-9x\u00e9";
        lines.set(at, line.substring(0, p) + characters.charAt(r.nextInt(characters.length())) + line.substring(p));
      }
    }
    return String.join("\n", lines);
  }

  /** Where an NRRD header's blank line or a MetaImage's ElementDataFile line ends. */
  private static int headerEnd(byte[] seed) {
    String text = new String(seed, 0, Math.min(seed.length, 4096), StandardCharsets.ISO_8859_1);
    int blank = text.indexOf("\n\n");
    if (text.startsWith("NRRD") && blank >= 0) {
      return blank + 2;
    }
    int local = text.indexOf("ElementDataFile = LOCAL\n");
    return local + "ElementDataFile = LOCAL\n".length();
  }

  private static int[] digitOffsets(String header) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < header.length(); i++) {
      if (Character.isDigit(header.charAt(i)) && (i == 0 || !Character.isDigit(header.charAt(i - 1)))) {
        at.add(i);
      }
    }
    return at.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Offsets of the length fields and values of the elements a volume reads, and of every item tag. */
  private static int[] dicomFields(byte[] seed) {
    int[][] tags = {{0x0002, 0x0010}, {0x0028, 0x0010}, {0x0028, 0x0011}, {0x0028, 0x0100}, {0x0028, 0x0101},
        {0x0028, 0x0102}, {0x0028, 0x0103}, {0x0028, 0x0002}, {0x0020, 0x0032}, {0x0020, 0x0037}, {0x0028, 0x0030},
        {0x7FE0, 0x0010}, {0xFFFE, 0xE000}, {0x0002, 0x0000}};
    List<Integer> at = new ArrayList<>();
    for (int i = 132; i + 4 < seed.length; i++) {
      for (int[] t : tags) {
        if ((seed[i] & 0xff) == (t[0] & 0xff) && (seed[i + 1] & 0xff) == t[0] >> 8
            && (seed[i + 2] & 0xff) == (t[1] & 0xff) && (seed[i + 3] & 0xff) == t[1] >> 8) {
          at.add(i + 4);
          at.add(i + 6);
          at.add(i + 8);
        }
      }
    }
    return at.stream().mapToInt(Integer::intValue).toArray();
  }

  private static byte[] join(String text, byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
