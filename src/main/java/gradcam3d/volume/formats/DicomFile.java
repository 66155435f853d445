package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One DICOM Part 10 file parsed by a small reader of our own: the 128-byte preamble and 'DICM',
 * the group 0002 meta information (explicit VR little endian), then the data set in its transfer
 * syntax (implicit or explicit VR little endian). Only the top-level elements a volume needs are
 * kept; sequences, defined or undefined in length, nested or not, are skipped by their structure.
 * The pixel data is located, not decoded: native (its bytes) or encapsulated (its fragments).
 */
final class DicomFile {
  static final int PIXEL_DATA = 0x7FE00010;
  private static final int ITEM = 0xFFFEE000;
  private static final int ITEM_END = 0xFFFEE00D;
  private static final int SEQUENCE_END = 0xFFFEE0DD;
  private static final long UNDEFINED = 0xFFFFFFFFL;
  private static final int MAX_DEPTH = 32;
  /** Explicit VRs whose length takes 4 bytes after 2 reserved ones. */
  private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR",
      "UT", "UV");

  static final int TRANSFER_SYNTAX = 0x00020010;
  static final int MODALITY = 0x00080060;
  static final int SERIES_DESCRIPTION = 0x0008103E;
  static final int SLICE_THICKNESS = 0x00180050;
  static final int SERIES_UID = 0x0020000E;
  static final int SERIES_NUMBER = 0x00200011;
  static final int INSTANCE_NUMBER = 0x00200013;
  static final int POSITION = 0x00200032;
  static final int ORIENTATION = 0x00200037;
  static final int SAMPLES_PER_PIXEL = 0x00280002;
  static final int PHOTOMETRIC = 0x00280004;
  static final int FRAMES = 0x00280008;
  static final int ROWS = 0x00280010;
  static final int COLUMNS = 0x00280011;
  static final int PIXEL_SPACING = 0x00280030;
  static final int BITS_ALLOCATED = 0x00280100;
  static final int BITS_STORED = 0x00280101;
  static final int HIGH_BIT = 0x00280102;
  static final int PIXEL_REPRESENTATION = 0x00280103;
  static final int RESCALE_INTERCEPT = 0x00281052;
  static final int RESCALE_SLOPE = 0x00281053;
  /** The elements kept, and which are binary unsigned shorts (the rest is text). */
  private static final Set<Integer> KEPT = Set.of(TRANSFER_SYNTAX, MODALITY, SERIES_DESCRIPTION, SLICE_THICKNESS,
      SERIES_UID, SERIES_NUMBER, INSTANCE_NUMBER, POSITION, ORIENTATION, SAMPLES_PER_PIXEL, PHOTOMETRIC, FRAMES, ROWS,
      COLUMNS, PIXEL_SPACING, BITS_ALLOCATED, BITS_STORED, HIGH_BIT, PIXEL_REPRESENTATION, RESCALE_INTERCEPT,
      RESCALE_SLOPE);
  private static final Set<Integer> UNSIGNED_SHORTS = Set.of(SAMPLES_PER_PIXEL, ROWS, COLUMNS, BITS_ALLOCATED,
      BITS_STORED, HIGH_BIT, PIXEL_REPRESENTATION);

  final String source;
  final String transferSyntax;
  private final Map<Integer, byte[]> elements = new HashMap<>();
  private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
  /** Native pixel data: offset and length in the file's bytes; -1 when absent or encapsulated. */
  long pixelOffset = -1;
  long pixelLength = -1;
  /** Encapsulated pixel data: offset and length of each fragment (the offset table excluded). */
  final List<long[]> fragments = new ArrayList<>();
  boolean encapsulated;

  private DicomFile(String source, String transferSyntax) {
    this.source = source;
    this.transferSyntax = transferSyntax;
  }

  /** Parses a whole file's bytes; a one-line error for anything that is not a readable DICOM file. */
  static DicomFile parse(byte[] bytes, String source) {
    try {
      return parseChecked(bytes, source);
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      throw new Gradcam3dException(source + ": the DICOM file is truncated or damaged (an element runs past its"
          + " end).");
    }
  }

  private static DicomFile parseChecked(byte[] bytes, String source) {
    if (bytes.length < 132 || bytes[128] != 'D' || bytes[129] != 'I' || bytes[130] != 'C' || bytes[131] != 'M') {
      throw new Gradcam3dException(source + " is not a DICOM Part 10 file (no 'DICM' after the 128-byte preamble).");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    DicomFile meta = new DicomFile(source, null);
    int pos = 132;
    while (pos + 4 <= bytes.length && (b.getShort(pos) & 0xffff) == 0x0002) {
      pos = meta.element(b, pos, bytes.length, true, 0, true);
    }
    String syntax = meta.text(TRANSFER_SYNTAX);
    if (syntax == null) {
      throw new Gradcam3dException(source + ": the DICOM meta information names no transfer syntax (0002,0010).");
    }
    DicomFile f = new DicomFile(source, syntax);
    TransferSyntax ts = TransferSyntax.of(syntax);
    if (!ts.readable()) {
      throw ts.refusal(source);
    }
    f.elements.put(TRANSFER_SYNTAX, meta.elements.get(TRANSFER_SYNTAX));
    while (pos < bytes.length) {
      pos = f.element(b, pos, bytes.length, ts.explicit(), 0, true);
    }
    return f;
  }

  /** Reads the element at {@code pos}; returns the position after it. */
  private int element(ByteBuffer b, int pos, int end, boolean explicit, int depth, boolean top) {
    if (end - pos < 8) {
      throw truncated();
    }
    int tag = (b.getShort(pos) & 0xffff) << 16 | (b.getShort(pos + 2) & 0xffff);
    long length;
    int value;
    String vr = null;
    if (explicit && (tag >>> 16) != 0xFFFE) {
      vr = new String(new byte[] {b.get(pos + 4), b.get(pos + 5)}, StandardCharsets.ISO_8859_1);
      if (LONG_VRS.contains(vr)) {
        if (end - pos < 12) {
          throw truncated();
        }
        length = b.getInt(pos + 8) & 0xffffffffL;
        value = pos + 12;
      } else {
        length = b.getShort(pos + 6) & 0xffff;
        value = pos + 8;
      }
    } else {
      length = b.getInt(pos + 4) & 0xffffffffL;
      value = pos + 8;
    }
    if (length == UNDEFINED) {
      if (tag == PIXEL_DATA && top) {
        encapsulated = true;
        return fragments(b, value, end);
      }
      // a sequence (SQ, or UN/implicit holding one, whose items are implicit VR little endian)
      boolean nestedExplicit = explicit && !"UN".equals(vr);
      return skipItems(b, value, end, nestedExplicit, depth + 1);
    }
    if (length > end - value) {
      throw new Gradcam3dException(source + ": element " + tagText(tag) + " declares " + length + " bytes but only "
          + (end - value) + " remain in the file.");
    }
    if (top && tag == PIXEL_DATA) {
      pixelOffset = value;
      pixelLength = length;
    } else if (top && KEPT.contains(tag)) {
      byte[] v = new byte[(int) length];
      b.get(value, v);
      elements.put(tag, v);
    }
    return value + (int) length;
  }

  /** Skips the items of an undefined-length sequence up to its delimiter. */
  private int skipItems(ByteBuffer b, int pos, int end, boolean explicit, int depth) {
    if (depth > MAX_DEPTH) {
      throw new Gradcam3dException(source + ": sequences nested more than " + MAX_DEPTH + " deep; the file is damaged.");
    }
    while (true) {
      if (end - pos < 8) {
        throw truncated();
      }
      int tag = (b.getShort(pos) & 0xffff) << 16 | (b.getShort(pos + 2) & 0xffff);
      long length = b.getInt(pos + 4) & 0xffffffffL;
      pos += 8;
      if (tag == SEQUENCE_END) {
        return pos;
      }
      if (tag != ITEM) {
        throw new Gradcam3dException(source + ": a sequence holds " + tagText(tag) + " where an item (FFFE,E000)"
            + " belongs; the file is damaged.");
      }
      if (length == UNDEFINED) {
        pos = skipItemElements(b, pos, end, explicit, depth);
      } else {
        if (length > end - pos) {
          throw truncated();
        }
        pos += (int) length;
      }
    }
  }

  /** Skips the elements of an undefined-length item up to its delimiter. */
  private int skipItemElements(ByteBuffer b, int pos, int end, boolean explicit, int depth) {
    while (true) {
      if (end - pos < 8) {
        throw truncated();
      }
      int tag = (b.getShort(pos) & 0xffff) << 16 | (b.getShort(pos + 2) & 0xffff);
      if (tag == ITEM_END) {
        return pos + 8;
      }
      pos = element(b, pos, end, explicit, depth, false);
    }
  }

  /** The fragments of encapsulated pixel data, after its basic offset table. */
  private int fragments(ByteBuffer b, int pos, int end) {
    boolean first = true;
    while (true) {
      if (end - pos < 8) {
        throw truncated();
      }
      int tag = (b.getShort(pos) & 0xffff) << 16 | (b.getShort(pos + 2) & 0xffff);
      long length = b.getInt(pos + 4) & 0xffffffffL;
      pos += 8;
      if (tag == SEQUENCE_END) {
        return pos;
      }
      if (tag != ITEM || length > end - pos) {
        throw new Gradcam3dException(source + ": its encapsulated pixel data is damaged (a fragment item is"
            + " missing or runs past the end of the file).");
      }
      if (!first) {
        fragments.add(new long[] {pos, length});
      }
      first = false;
      pos += (int) length;
    }
  }

  private Gradcam3dException truncated() {
    return new Gradcam3dException(source + ": the DICOM file is truncated or damaged (it ends inside an element).");
  }

  static String tagText(int tag) {
    return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xffff);
  }

  boolean has(int tag) {
    return elements.containsKey(tag);
  }

  /** A text element without its padding (spaces, NULs), or null. */
  String text(int tag) {
    byte[] v = elements.get(tag);
    if (v == null) {
      return null;
    }
    String s = new String(v, StandardCharsets.ISO_8859_1);
    int e = s.length();
    while (e > 0 && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\0')) {
      e--;
    }
    int start = 0;
    while (start < e && s.charAt(start) == ' ') {
      start++;
    }
    return s.substring(start, e);
  }

  /** An unsigned short element (US), or {@code fallback} when absent. */
  int unsignedShort(int tag, int fallback) {
    byte[] v = elements.get(tag);
    if (v == null) {
      return fallback;
    }
    if (!UNSIGNED_SHORTS.contains(tag) || v.length != 2) {
      throw new Gradcam3dException(source + ": element " + tagText(tag) + " should be one unsigned short but holds "
          + v.length + " bytes.");
    }
    return ByteBuffer.wrap(v).order(order).getShort() & 0xffff;
  }

  /** A decimal string (DS/IS) element's values, or null when absent; {@code count} of them. */
  double[] numbers(int tag, int count, String name) {
    String t = text(tag);
    if (t == null || t.isEmpty()) {
      return null;
    }
    String[] parts = t.split("\\\\", -1);
    if (parts.length != count) {
      throw new Gradcam3dException(source + ": " + name + " " + tagText(tag) + " holds " + parts.length
          + " values where " + count + " belong.");
    }
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      try {
        out[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new Gradcam3dException(source + ": " + name + " " + tagText(tag) + " holds '"
            + NrrdReader.shorten(parts[i]) + "', not a number.");
      }
      if (!Double.isFinite(out[i])) {
        throw new Gradcam3dException(source + ": " + name + " " + tagText(tag) + " holds " + out[i] + ".");
      }
    }
    return out;
  }

  /** One number, or {@code fallback} when absent. */
  double number(int tag, double fallback, String name) {
    double[] v = numbers(tag, 1, name);
    return v == null ? fallback : v[0];
  }
}
