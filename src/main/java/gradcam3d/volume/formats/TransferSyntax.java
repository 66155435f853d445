package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import java.util.Map;

/**
 * A DICOM transfer syntax: how the data set and the pixel data are encoded. Read here: implicit
 * and explicit VR little endian (uncompressed), and JPEG baseline, extended and lossless (processes
 * 1, 2/4 and 14, decoded by TwelveMonkeys ImageIO); the others are refused by name.
 */
record TransferSyntax(String uid, String name, boolean explicit, boolean jpeg, boolean readable) {
  static final String SUGGESTION = "convert the series to NIfTI with dcm2niix (dcm2niix -z y -o OUT FOLDER) and"
      + " give the .nii.gz";
  private static final Map<String, String> KNOWN = Map.ofEntries(
      Map.entry("1.2.840.10008.1.2", "implicit VR little endian"),
      Map.entry("1.2.840.10008.1.2.1", "explicit VR little endian"),
      Map.entry("1.2.840.10008.1.2.2", "explicit VR big endian"),
      Map.entry("1.2.840.10008.1.2.1.99", "deflated explicit VR little endian"),
      Map.entry("1.2.840.10008.1.2.4.50", "JPEG baseline (process 1)"),
      Map.entry("1.2.840.10008.1.2.4.51", "JPEG extended (process 2 and 4)"),
      Map.entry("1.2.840.10008.1.2.4.57", "JPEG lossless (process 14)"),
      Map.entry("1.2.840.10008.1.2.4.70", "JPEG lossless, first-order prediction (process 14, SV1)"),
      Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS lossless"),
      Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless"),
      Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 lossless"),
      Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
      Map.entry("1.2.840.10008.1.2.4.201", "HTJ2K lossless"),
      Map.entry("1.2.840.10008.1.2.4.202", "HTJ2K lossless RPCL"),
      Map.entry("1.2.840.10008.1.2.4.203", "HTJ2K"),
      Map.entry("1.2.840.10008.1.2.5", "RLE lossless"),
      Map.entry("1.2.840.10008.1.2.4.100", "MPEG-2"),
      Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4"),
      Map.entry("1.2.840.10008.1.2.4.110", "MPEG-4"),
      Map.entry("1.2.840.10008.1.2.4.112", "HEVC"));

  static TransferSyntax of(String uid) {
    String name = KNOWN.getOrDefault(uid, "an unknown transfer syntax");
    return switch (uid) {
      case "1.2.840.10008.1.2" -> new TransferSyntax(uid, name, false, false, true);
      case "1.2.840.10008.1.2.1" -> new TransferSyntax(uid, name, true, false, true);
      case "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70" ->
          new TransferSyntax(uid, name, true, true, true);
      default -> new TransferSyntax(uid, name, true, false, false);
    };
  }

  /** The one-line refusal of an unsupported syntax, naming it. */
  Gradcam3dException refusal(String source) {
    return new Gradcam3dException(source + " uses the transfer syntax " + NrrdReader.shorten(uid) + " (" + name + "), which gradcam3d"
        + " does not decode (it reads implicit/explicit VR little endian and JPEG baseline, extended and lossless);"
        + " " + SUGGESTION + ".");
  }
}
