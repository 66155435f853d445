package gradcam3d.report;

import gradcam3d.AtomicFiles;
import gradcam3d.Chunks;
import gradcam3d.Zlib;
import gradcam3d.render.Colormap;
import gradcam3d.render.RenderOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * Writes report.html: one self-contained page (viewer script, data and summary inline) that opens
 * from disk without network or server. Volumes are quantised to 8 bits over their own range,
 * concatenated, zlib-compressed and base64-encoded; the page inflates them with the browser's
 * DecompressionStream. For a 192^3 case see docs/report.md for the page size.
 */
public final class CaseReportWriter {
  static final String TEMPLATE = "case.html";
  static final int TARGET_BIT = 1;
  static final int LABEL_BIT = 2;
  /**
   * The fastest zlib level, in bands on all cores ({@link Zlib}): on the 96^3 bench case the data
   * block is about 7% larger than at level 6 and written in a fraction of the time; a noisy 192^3
   * scan stays well inside the 10 MB page budget (docs/report.md).
   */
  static final int COMPRESSION_LEVEL = Deflater.BEST_SPEED;
  /** Bytes per independently compressed band. */
  private static final int BAND = 1 << 18;
  /** Bytes per base64 task: a multiple of 3. */
  private static final int BASE64_PIECE = 3 << 18;

  private CaseReportWriter() {}

  public static void write(CaseReport report, Path html) {
    write(report, Colormap.JET, RenderOptions.DEFAULT_OPACITY, html);
  }

  /** With the colormap and map opacity the page opens with. */
  public static void write(CaseReport report, Colormap colormap, double opacity, Path html) {
    write(report, colormap, opacity, html, encodeData(report));
  }

  /**
   * Same, with the page's data made beforehand by {@link #encodeData} (of a report with the same
   * volumes; the summary may differ): the slow part, which needs no summary, can run early.
   */
  public static void write(CaseReport report, Colormap colormap, double opacity, Path html, Data data) {
    String[] halves = HtmlTemplates.load(TEMPLATE).split("\\{\\{DATA}}", 2);
    Map<String, String> values = Map.of("TITLE", HtmlTemplates.escape(report.title()),
        "META", HtmlTemplates.scriptJson(meta(report, colormap, opacity, data)));
    String head = HtmlTemplates.fill(halves[0], values);
    String tail = halves[1];
    AtomicFiles.write(html, out -> {
      out.write(head.getBytes(StandardCharsets.UTF_8));
      out.write(data.base64());
      out.write(tail.getBytes(StandardCharsets.UTF_8));
    });
  }

  /**
   * The page's data block as written (base64 of the zlib stream, ASCII) and what the page's header
   * says of it, found in the same passes: each volume's range (the image's, then each map's, as
   * quantised) and where the page opens.
   */
  public record Data(byte[] base64, List<ValueRange> ranges, List<Integer> start) {
    public Data {
      ranges = List.copyOf(ranges);
      start = List.copyOf(start);
    }
  }

  private static Map<String, Object> meta(CaseReport r, Colormap colormap, double opacity, Data data) {
    if (data.ranges().size() != 1 + r.maps().size()) {
      throw new IllegalArgumentException("the data holds " + data.ranges().size() + " volumes, the report shows "
          + (1 + r.maps().size()));
    }
    ReportGrid g = r.grid();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dims", List.of(g.dims()[0], g.dims()[1], g.dims()[2]));
    m.put("spacing", List.of(g.spacing()[0], g.spacing()[1], g.spacing()[2]));
    List<List<Double>> affine = new ArrayList<>();
    for (double[] row : g.affine()) {
      affine.add(List.of(row[0], row[1], row[2], row[3]));
    }
    m.put("affine", affine);
    // the viewer's frame (plane titles, edge letters) and the scan's own voxel of each grid voxel
    m.put("display", g.display());
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("axis", List.of(g.storedAxis()[0], g.storedAxis()[1], g.storedAxis()[2]));
    stored.put("flip", List.of(g.storedFlip()[0], g.storedFlip()[1], g.storedFlip()[2]));
    m.put("stored", stored);
    if (g.sampled() != null) {
      m.put("sampled", g.sampled());
    }
    m.put("image", data.ranges().get(0).json());
    if (r.intensity() != null) {
      // the readout shows the scan's value and, beside it, what the model saw: (clamp(x) - shift) * scale
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("low", finiteOrNull(r.intensity().low()));
      n.put("high", finiteOrNull(r.intensity().high()));
      n.put("shift", r.intensity().shift());
      n.put("scale", r.intensity().scale());
      m.put("intensity", n);
    }
    List<Map<String, Object>> maps = new ArrayList<>();
    for (int i = 0; i < r.maps().size(); i++) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", r.maps().get(i).name());
      entry.putAll(data.ranges().get(1 + i).json());
      maps.add(entry);
    }
    m.put("maps", maps);
    m.put("hasMasks", r.target() != null || r.label() != null);
    m.put("hasTarget", r.target() != null);
    m.put("hasLabel", r.label() != null);
    m.put("start", data.start());
    m.put("colormap", colormap.name());
    List<Map<String, Object>> luts = new ArrayList<>();
    for (String name : Colormap.names()) {
      // the same tables as the PNG figures, so both show a value in the same colour
      Colormap c = Colormap.byName(name);
      List<Integer> rgb = new ArrayList<>(3 * 256);
      for (int q = 0; q < 256; q++) {
        int packed = c.rgb(q / 255.0);
        rgb.add((packed >> 16) & 0xFF);
        rgb.add((packed >> 8) & 0xFF);
        rgb.add(packed & 0xFF);
      }
      // in this order: Map.of's changes from one run to the next, and so would the page's bytes
      Map<String, Object> lut = new java.util.LinkedHashMap<>();
      lut.put("name", name);
      lut.put("rgb", rgb);
      luts.add(lut);
    }
    m.put("colormaps", luts);
    m.put("opacity", opacity);
    m.put("summary", r.summary());
    return m;
  }

  /** The finite values' least and greatest, {0, 0} without any ({@link ValueRange}). */
  static float[] minMax(float[] values) {
    ValueRange r = ValueRange.of(values);
    return new float[] {r.min(), r.max()};
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /**
   * Where the report opens: the map's first maximum, or, for a map that says nothing (all zero),
   * the centre of the target region (its voxel nearest the region's centre of mass), else of the volume.
   */
  static List<Integer> start(float[] map, float[] target, int[] dims) {
    return start(ValueRange.of(map), target, dims);
  }

  /** {@link #start} of a map whose {@link ValueRange} is known. */
  static List<Integer> start(ValueRange map, float[] target, int[] dims) {
    if (map.positive()) {
      int best = map.peak();
      return List.of(best % dims[0], (best / dims[0]) % dims[1], best / (dims[0] * dims[1]));
    }
    if (target != null) {
      double si = 0;
      double sj = 0;
      double sk = 0;
      long n = 0;
      for (int v = 0; v < target.length; v++) {
        if (target[v] != 0) {
          si += v % dims[0];
          sj += (v / dims[0]) % dims[1];
          sk += v / (dims[0] * dims[1]);
          n++;
        }
      }
      if (n > 0) {
        double ci = si / n;
        double cj = sj / n;
        double ck = sk / n;
        int best = -1;
        double bestD = Double.POSITIVE_INFINITY;
        for (int v = 0; v < target.length; v++) {
          if (target[v] != 0) {
            double d = Math.pow(v % dims[0] - ci, 2) + Math.pow((v / dims[0]) % dims[1] - cj, 2)
                + Math.pow(v / (dims[0] * dims[1]) - ck, 2);
            if (d < bestD) {
              bestD = d;
              best = v;
            }
          }
        }
        return List.of(best % dims[0], (best / dims[0]) % dims[1], best / (dims[0] * dims[1]));
      }
    }
    return List.of(dims[0] / 2, dims[1] / 2, dims[2] / 2);
  }

  /** Level 0..255 of each value over the values' own range; NaN and a constant volume give 0. */
  static byte[] quantise(float[] values) {
    return quantise(values, ValueRange.of(values));
  }

  /** {@link #quantise} over the values' known range (the page's data takes them band by band: {@link #levels}). */
  static byte[] quantise(float[] values, ValueRange range) {
    byte[] q = new byte[values.length];
    levels(values, range).fill(0, values.length, q);
    return q;
  }

  /** {@link #quantise}'s levels of values[from, to) as the compressed stream takes them, a band at a time. */
  static Zlib.Source levels(float[] values, ValueRange range) {
    double scale = range.max() > range.min() ? 255.0 / ((double) range.max() - range.min()) : 0;
    float low = range.min();
    return (from, to, into) -> {
      for (int i = from, o = 0; i < to; i++, o++) {
        double t = (values[i] - low) * scale;
        // the common case in two comparisons (false for NaN); t + 0.5 truncated is Math.round for
        // t >= 0, without its call in the per-voxel loop. Else: a finite value a rounding above
        // 255 is 255; NaN, the infinities (also inf * 0 = NaN) and values below the range are 0
        into[o] = (byte) (t >= 0 && t <= 255 ? (int) (t + 0.5) : t > 255 && t < Double.POSITIVE_INFINITY ? 255 : 0);
      }
    };
  }

  /**
   * The page's data before base64: image, maps and masks (bit 1 target, bit 2 label), each
   * quantised to one byte per voxel, concatenated in one zlib stream; with each volume's range
   * and where the page opens.
   */
  public static Data encodeData(CaseReport r) {
    return new DataEncoder(r.image()).finish(r);
  }

  /**
   * {@link #encodeData} in two steps: the scan, which comes first in the data, as soon as it is
   * loaded (while the maps are still being computed), then the maps and masks. Each volume is
   * read twice: once for its range (and first maximum), once to quantise it.
   */
  public static final class DataEncoder {
    private final float[] image;
    private final ValueRange imageRange;
    private final Zlib z = new Zlib(COMPRESSION_LEVEL, BAND);

    /** Compresses the scan (one value per voxel of the report's grid, NIfTI voxel order). */
    public DataEncoder(float[] image) {
      this(image, null);
    }

    /** Same, with the scan's range when it is known already (null: found here). */
    public DataEncoder(float[] image, ValueRange known) {
      this.image = image;
      this.imageRange = known != null ? known : ValueRange.of(image);
      z.add(image.length, levels(image, imageRange));
    }

    /** The scan as compressed. */
    public float[] image() {
      return image;
    }

    /** The data of a report on this scan. */
    public Data finish(CaseReport r) {
      return finish(r, null);
    }

    /**
     * Same, with the maps' ranges where they are known already ({@code known}: null, or one per
     * map, in the report's order, null for one to be found here).
     */
    public Data finish(CaseReport r, List<ValueRange> known) {
      if (known != null && known.size() != r.maps().size()) {
        throw new IllegalArgumentException(known.size() + " known ranges for " + r.maps().size() + " maps");
      }
      if (r.image() != image && !Arrays.equals(r.image(), image)) {
        throw new IllegalArgumentException("the report shows another scan than the one compressed");
      }
      List<ValueRange> ranges = new ArrayList<>();
      ranges.add(imageRange);
      for (int i = 0; i < r.maps().size(); i++) {
        CaseReport.NamedMap m = r.maps().get(i);
        ValueRange range = known != null && known.get(i) != null ? known.get(i) : ValueRange.of(m.values());
        ranges.add(range);
        z.add(m.values().length, levels(m.values(), range));
      }
      if (r.target() != null || r.label() != null) {
        z.add(r.grid().voxels(), maskBits(r.target(), r.label()));
      }
      List<Integer> start = start(ranges.get(1), r.target(), r.grid().dims());
      return new Data(base64(z.finish()), ranges, start);
    }
  }

  /**
   * Bit 1 where the target is non-zero, bit 2 where the label is (either may be null), of voxels
   * [from, to), as the compressed stream takes them, a band at a time.
   */
  static Zlib.Source maskBits(float[] target, float[] label) {
    return (from, to, into) -> {
      // one pass per mask (or of the two): no null test per voxel; into starts as zeros
      if (target != null) {
        setWhereNonZero(target, from, to, into, TARGET_BIT);
      }
      if (label != null) {
        setWhereNonZero(label, from, to, into, LABEL_BIT);
      }
    };
  }

  /** Voxels of a mask compared with +0.0 at once: a mask is mostly background. */
  private static final int MASK_PIECE = 64;
  private static final float[] ZEROS = new float[MASK_PIECE];

  /**
   * Sets {@code bit} in {@code into[i - from]} where {@code mask[i] != 0} (NaN too, not -0.0), for
   * i in [from, to); pieces that are all +0.0 are passed over by {@link Arrays#mismatch} (a vector
   * loop even under the client compiler) instead of voxel by voxel.
   */
  private static void setWhereNonZero(float[] mask, int from, int to, byte[] into, int bit) {
    for (int p = from; p < to; p += MASK_PIECE) {
      int end = Math.min(to, p + MASK_PIECE);
      if (Arrays.mismatch(mask, p, end, ZEROS, 0, end - p) < 0) {
        continue;
      }
      for (int i = p; i < end; i++) {
        if (mask[i] != 0) {
          into[i - from] |= (byte) bit;
        }
      }
    }
  }

  /**
   * Base64 of {@code data} in pieces of a multiple of 3 bytes on all cores: each piece's text is
   * that part of the whole's (only the last piece pads), so the pieces simply concatenate.
   */
  static byte[] base64(byte[] data) {
    int pieces = (data.length + BASE64_PIECE - 1) / BASE64_PIECE;
    byte[] text = new byte[4 * ((data.length + 2) / 3)];
    Base64.Encoder encoder = Base64.getEncoder();
    Chunks.run(pieces, p -> {
      int from = p * BASE64_PIECE;
      ByteBuffer piece = encoder.encode(ByteBuffer.wrap(data, from, Math.min(data.length - from, BASE64_PIECE)));
      piece.get(text, from / 3 * 4, piece.remaining());
    });
    return text;
  }
}
