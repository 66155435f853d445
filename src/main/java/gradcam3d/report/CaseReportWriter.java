package gradcam3d.report;

import gradcam3d.AtomicFiles;
import gradcam3d.Zlib;
import gradcam3d.render.Colormap;
import gradcam3d.render.RenderOptions;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
  /** Voxels per quantising task. */
  private static final int CHUNK = 1 << 18;

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
  public static void write(CaseReport report, Colormap colormap, double opacity, Path html, byte[] data) {
    String[] halves = HtmlTemplates.load(TEMPLATE).split("\\{\\{DATA}}", 2);
    Map<String, String> values = Map.of("TITLE", HtmlTemplates.escape(report.title()),
        "META", HtmlTemplates.scriptJson(meta(report, colormap, opacity)));
    String head = HtmlTemplates.fill(halves[0], values);
    String tail = halves[1];
    AtomicFiles.write(html, out -> {
      out.write(head.getBytes(StandardCharsets.UTF_8));
      try (OutputStream b64 = Base64.getEncoder().wrap(new KeepOpen(out))) {
        b64.write(data);
      }
      out.write(tail.getBytes(StandardCharsets.UTF_8));
    });
  }

  private static Map<String, Object> meta(CaseReport r, Colormap colormap, double opacity) {
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
    m.put("image", range(r.image()));
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
    for (CaseReport.NamedMap map : r.maps()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", map.name());
      entry.putAll(range(map.values()));
      maps.add(entry);
    }
    m.put("maps", maps);
    m.put("hasMasks", r.target() != null || r.label() != null);
    m.put("hasTarget", r.target() != null);
    m.put("hasLabel", r.label() != null);
    m.put("start", start(r.maps().get(0).values(), r.target(), g.dims()));
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

  /** The range that 8-bit level 0 and 255 stand for. */
  private static Map<String, Object> range(float[] values) {
    float[] mm = minMax(values);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("min", (double) mm[0]);
    m.put("max", (double) mm[1]);
    return m;
  }

  /**
   * The finite values' least and greatest, {0, 0} without any: chunk by chunk on all cores, the
   * chunks' results taken in order with the same strict comparisons, so that of equal values
   * (-0.0 and 0.0) the first in the array is kept, as one pass would.
   */
  static float[] minMax(float[] values) {
    int chunks = (values.length + CHUNK - 1) / CHUNK;
    float[] lows = new float[chunks];
    float[] highs = new float[chunks];
    IntStream.range(0, chunks).parallel().forEach(c -> {
      int from = c * CHUNK;
      int end = Math.min(values.length, from + CHUNK);
      // NaN fails both comparisons; an infinity is caught afterwards: two comparisons per voxel, not four
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      for (int i = from; i < end; i++) {
        float v = values[i];
        if (v < lo) {
          lo = v;
        }
        if (v > hi) {
          hi = v;
        }
      }
      if (lo == Float.NEGATIVE_INFINITY || hi == Float.POSITIVE_INFINITY) {
        lo = Float.POSITIVE_INFINITY;
        hi = Float.NEGATIVE_INFINITY;
        for (int i = from; i < end; i++) {
          float v = values[i];
          // plain comparisons: false for NaN and the infinities, and cheaper than Math.min/max per voxel
          if (v >= -Float.MAX_VALUE && v <= Float.MAX_VALUE) {
            if (v < lo) {
              lo = v;
            }
            if (v > hi) {
              hi = v;
            }
          }
        }
      }
      lows[c] = lo;
      highs[c] = hi;
    });
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < chunks; c++) {
      if (lows[c] < lo) {
        lo = lows[c];
      }
      if (highs[c] > hi) {
        hi = highs[c];
      }
    }
    return lo <= hi ? new float[] {lo, hi} : new float[] {0, 0};
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /**
   * Where the report opens: the map's first maximum, or, for a map that says nothing (all zero),
   * the centre of the target region (its voxel nearest the region's centre of mass), else of the volume.
   */
  static List<Integer> start(float[] map, float[] target, int[] dims) {
    boolean any = false;
    for (float v : map) {
      if (v > 0) {
        any = true;
        break;
      }
    }
    if (any) {
      return peak(map, dims);
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

  /** Voxel (i, j, k) of the first maximum. */
  static List<Integer> peak(float[] map, int[] dims) {
    int best = 0;
    for (int i = 1; i < map.length; i++) {
      if (map[i] > map[best]) {
        best = i;
      }
    }
    return List.of(best % dims[0], (best / dims[0]) % dims[1], best / (dims[0] * dims[1]));
  }

  /** Level 0..255 of each value over the values' own range; NaN and a constant volume give 0. */
  static byte[] quantise(float[] values) {
    float[] mm = minMax(values);
    double scale = mm[1] > mm[0] ? 255.0 / ((double) mm[1] - mm[0]) : 0;
    float low = mm[0];
    byte[] q = new byte[values.length];
    IntStream.range(0, (values.length + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
      for (int i = c * CHUNK, end = Math.min(values.length, i + CHUNK); i < end; i++) {
        float v = values[i];
        // Float.isFinite by plain comparisons, as in minMax
        double t = v >= -Float.MAX_VALUE && v <= Float.MAX_VALUE ? (v - low) * scale : 0;
        // clamped to 0..255 by comparisons (the client compiler calls Math.min/max on doubles);
        // t + 0.5 truncated is Math.round for t >= 0, without its call in the per-voxel loop
        q[i] = (byte) (int) ((t > 255 ? 255 : t < 0 ? 0 : t) + 0.5);
      }
    });
    return q;
  }

  /**
   * The page's data before base64: image, maps and masks (bit 1 target, bit 2 label), each
   * quantised to one byte per voxel, concatenated in one zlib stream.
   */
  public static byte[] encodeData(CaseReport r) {
    return new DataEncoder(r.image()).finish(r);
  }

  /**
   * {@link #encodeData} in two steps: the scan, which comes first in the data, as soon as it is
   * loaded (while the maps are still being computed), then the maps and masks.
   */
  public static final class DataEncoder {
    private final float[] image;
    private final Zlib z = new Zlib(COMPRESSION_LEVEL, BAND);

    /** Compresses the scan (one value per voxel of the report's grid, NIfTI voxel order). */
    public DataEncoder(float[] image) {
      this.image = image;
      z.add(quantise(image));
    }

    /** The scan as compressed. */
    public float[] image() {
      return image;
    }

    /** The data of a report on this scan. */
    public byte[] finish(CaseReport r) {
      if (r.image() != image && !Arrays.equals(r.image(), image)) {
        throw new IllegalArgumentException("the report shows another scan than the one compressed");
      }
      return finishData(r, z);
    }
  }

  private static byte[] finishData(CaseReport r, Zlib z) {
    for (CaseReport.NamedMap m : r.maps()) {
      z.add(quantise(m.values()));
    }
    if (r.target() != null || r.label() != null) {
      z.add(masks(r.target(), r.label(), r.grid().voxels()));
    }
    return z.finish();
  }

  /** Bit 1 where the target is non-zero, bit 2 where the label is (either may be null), chunk by chunk on all cores. */
  static byte[] masks(float[] target, float[] label, int voxels) {
    byte[] masks = new byte[voxels];
    IntStream.range(0, (voxels + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
      int end = Math.min(voxels, c * CHUNK + CHUNK);
      // one loop per mask (or of the two): no null test per voxel
      if (target != null) {
        for (int i = c * CHUNK; i < end; i++) {
          if (target[i] != 0) {
            masks[i] = TARGET_BIT;
          }
        }
      }
      if (label != null) {
        for (int i = c * CHUNK; i < end; i++) {
          if (label[i] != 0) {
            masks[i] |= LABEL_BIT;
          }
        }
      }
    });
    return masks;
  }

  /** Lets the base64 encoder finish its padding without closing the page underneath. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
