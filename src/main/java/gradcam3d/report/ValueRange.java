package gradcam3d.report;

import gradcam3d.Chunks;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A volume's finite values' least and greatest ({0, 0} without any: the range that the page's
 * 8-bit levels 0 and 255 stand for) and its first maximum, found in one pass. Parts of the volume
 * may be measured apart (on all cores, or while the volume is made, as {@code output.DisplayGrid}
 * does with its blocks) and joined in order ({@link Part}): the same strict comparisons keep, of
 * equal values (-0.0 and 0.0), the first in the array, as one pass would.
 *
 * @param peak the index of the first maximum: where one pass that keeps an index while a later
 *     value is strictly greater ends, from index 0 (so NaN never wins and a NaN first value is never beaten)
 * @param positive whether any value is above 0
 */
public record ValueRange(float min, float max, int peak, boolean positive) {
  /** Voxels per task. */
  private static final int CHUNK = 1 << 18;

  /** The range of a whole volume, chunk by chunk on all cores. */
  public static ValueRange of(float[] values) {
    int chunks = (values.length + CHUNK - 1) / CHUNK;
    Part[] parts = new Part[chunks];
    Chunks.run(chunks, c -> {
      Part p = new Part();
      p.add(values, c * CHUNK, Math.min(values.length, c * CHUNK + CHUNK));
      parts[c] = p;
    });
    Part all = new Part();
    for (Part p : parts) {
      all.add(p);
    }
    return all.range(values);
  }

  /** "min" and "max", as the page's header gives them. */
  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("min", (double) min);
    m.put("max", (double) max);
    return m;
  }

  /** The range of consecutive parts of a volume, added in order. */
  public static final class Part {
    private float lo = Float.POSITIVE_INFINITY;
    private float hi = Float.NEGATIVE_INFINITY;
    /** The greatest value, infinities included, and its first index (-1: none yet). */
    private float top = Float.NEGATIVE_INFINITY;
    private int best = -1;

    /** Adds values[from, to), which follow every value added so far. */
    public void add(float[] values, int from, int to) {
      // NaN fails both comparisons; an infinity is caught afterwards: two comparisons per voxel, not four
      float l = Float.POSITIVE_INFINITY;
      float h = Float.NEGATIVE_INFINITY;
      int at = -1;
      for (int i = from; i < to; i++) {
        float v = values[i];
        if (v < l) {
          l = v;
        }
        if (v > h) {
          h = v;
          // the first maximum, infinities included, is where the greatest value last grew
          at = i;
        }
      }
      if (h > top) {
        top = h;
        best = at;
      }
      if (l == Float.NEGATIVE_INFINITY || h == Float.POSITIVE_INFINITY) {
        l = Float.POSITIVE_INFINITY;
        h = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
          float v = values[i];
          // plain comparisons: false for NaN and the infinities, and cheaper than Math.min/max per voxel
          if (v >= -Float.MAX_VALUE && v <= Float.MAX_VALUE) {
            if (v < l) {
              l = v;
            }
            if (v > h) {
              h = v;
            }
          }
        }
      }
      if (l < lo) {
        lo = l;
      }
      if (h > hi) {
        hi = h;
      }
    }

    /**
     * Adds a run of values without infinities (finite or NaN) that follows every value added so
     * far, given by its least and greatest non-NaN value and the index of its first greatest
     * (least +infinity, greatest -infinity: none): what {@link #add(float[], int, int)} of the run
     * adds, for values measured while they are made.
     */
    public void addFinite(float least, float greatest, int greatestAt) {
      if (greatest > top) {
        top = greatest;
        best = greatestAt;
      }
      if (least < lo) {
        lo = least;
      }
      if (greatest > hi) {
        hi = greatest;
      }
    }

    /** Adds a later part. */
    public void add(Part later) {
      if (later.lo < lo) {
        lo = later.lo;
      }
      if (later.hi > hi) {
        hi = later.hi;
      }
      if (later.top > top) {
        top = later.top;
        best = later.best;
      }
    }

    /** The range of the whole volume, once every part of it was added in order. */
    public ValueRange range(float[] values) {
      // as one pass from index 0: a NaN first value is never beaten, nor is a first -infinity
      int peak = values.length == 0 || Float.isNaN(values[0]) || best < 0 ? 0 : best;
      return lo <= hi ? new ValueRange(lo, hi, peak, top > 0) : new ValueRange(0, 0, peak, top > 0);
    }
  }
}
