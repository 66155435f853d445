package gradcam3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One damaged header per class of error, through the real command: exit 1, one line on stderr
 * naming the problem, and no output folder.
 */
class BadScanHeadersCliTest {
  @TempDir
  Path tmp;

  static final String NRRD = "NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 4 3 2\n"
      + "space directions: (1,0,0) (0,1,0) (0,0,2)\nendian: little\nencoding: raw\nspace origin: (0,0,0)\n";
  static final String MHA = "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
      + "TransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = 0 0 0\nElementSpacing = 1 1 2\nDimSize = 4 3 2\n"
      + "ElementType = MET_SHORT\n";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("missing sizes", "a.nrrd", NRRD.replace("sizes: 4 3 2\n", "") + "\n", 48,
            "the required field 'sizes' is missing"),
        Arguments.of("short data", "a.nrrd", NRRD + "\n", 40, "declares 24 int16 voxels (48 bytes) but the data holds 40"),
        Arguments.of("long data", "a.mha", MHA + "ElementDataFile = LOCAL\n", 50, "(48 bytes) but the data holds 50"),
        Arguments.of("unknown encoding", "a.nrrd", NRRD.replace("encoding: raw", "encoding: zstd") + "\n", 48,
            "unknown encoding 'zstd'"),
        Arguments.of("bzip2 by name", "a.nrrd", NRRD.replace("encoding: raw", "encoding: bzip2") + "\n", 48,
            "the bzip2 encoding is not supported"),
        Arguments.of("unknown type", "a.mha", MHA.replace("MET_SHORT", "MET_FLOAT16") + "ElementDataFile = LOCAL\n", 48,
            "ElementType 'MET_FLOAT16' is not supported"),
        Arguments.of("non-orthogonal", "a.nrrd", NRRD.replace("(0,1,0)", "(0.5,1,0)") + "\n", 48,
            "are not orthogonal"),
        Arguments.of("degenerate", "a.mha", MHA.replace("ElementSpacing = 1 1 2", "ElementSpacing = 1 0 2")
            + "ElementDataFile = LOCAL\n", 48, "has no length; the voxel grid is degenerate"),
        Arguments.of("NaN geometry", "a.nrrd", NRRD.replace("space origin: (0,0,0)", "space origin: (0,nan,0)") + "\n",
            48, "holds NaN or infinite values"),
        Arguments.of("absurd sizes", "a.nrrd", NRRD.replace("sizes: 4 3 2", "sizes: 100000 100000 100000") + "\n", 48,
            "more than the 2147483639 one image may have"),
        Arguments.of("data file outside", "a.nhdr", NRRD + "data file: ../outside.raw\n", -1,
            "lies outside the header's folder"),
        Arguments.of("absolute data file", "a.mhd", MHA + "ElementDataFile = /etc/hostname\n", -1,
            "is an absolute path"),
        Arguments.of("symlink escaping", "a.mhd", MHA + "ElementDataFile = link.raw\n", -1,
            "outside the header's folder"),
        Arguments.of("missing data file", "a.nhdr", NRRD + "data file: missing.raw\n", -1, "does not exist"),
        Arguments.of("not a header", "a.nrrd", "P6\n4 3\n255\n", -1, "is not an NRRD file"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oneLineAndExitOne(String what, String name, String header, int dataBytes, String expected) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("case"));
    Path file = dir.resolve(name);
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + Math.max(0, dataBytes)];
    System.arraycopy(h, 0, all, 0, h.length);
    Files.write(file, all);
    Files.write(tmp.resolve("outside.raw"), new byte[48]);
    Files.createSymbolicLink(dir.resolve("link.raw"), tmp.resolve("outside.raw"));
    Path out = tmp.resolve("out");
    Cli.Run r = Cli.run("explain", "--model", ScanFormatsCliTest.MODEL.toString(), "--input", file.toString(),
        "--layer", "down3", "--target", "1:all", "--quiet", "--out", out.toString());
    assertEquals(1, r.exit(), what + ": " + r);
    assertEquals(1, r.err().lines().count(), what + ": " + r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), what + ": " + r.err());
    assertFalse(Files.exists(out), what + ": no output folder");
  }
}
