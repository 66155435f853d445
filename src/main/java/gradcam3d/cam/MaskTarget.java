package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Labels;
import gradcam3d.tensor.Shapes;
import java.util.Arrays;
import java.util.Optional;

/**
 * Class k summed inside a mask (voxels > 0) on the output grid: [*S] for every sample or
 * [B, *S] per sample; {@code mask} is null until the file is read ({@link #resolve}).
 */
public record MaskTarget(int classIndex, String maskFile, FloatTensor mask) implements Target {
  @Override
  public String spec() {
    return classIndex + ":mask=" + maskFile;
  }

  @Override
  public String describe() {
    return "class " + classIndex + " inside mask " + maskFile;
  }

  @Override
  public Target resolve(MaskReader reader) {
    return mask == null ? withMask(reader.read(maskFile)) : this;
  }

  @Override
  public Target withMask(FloatTensor m) {
    return new MaskTarget(classIndex, maskFile, m);
  }

  @Override
  public void check(long[] outputShape) {
    Target.checkClassRegion(this, outputShape);
    if (mask == null) {
      throw new IllegalStateException("mask file " + maskFile + " was not read");
    }
    long[] spatial = Arrays.copyOfRange(outputShape, 2, outputShape.length);
    long[] ms = mask.shape();
    boolean ok = Arrays.equals(ms, spatial) || (ms.length == spatial.length + 1 && ms[0] == outputShape[0]
        && Arrays.equals(Arrays.copyOfRange(ms, 1, ms.length), spatial));
    if (!ok) {
      throw new Gradcam3dException("target mask " + maskFile + " has shape " + Shapes.format(ms)
          + " but the model output grid is " + Shapes.format(spatial));
    }
  }

  @Override
  public void writeSeed(float[] weights, float[] gate, int b, long[] outputShape) {
    int voxels = Target.voxels(outputShape);
    int base = (b * (int) outputShape[1] + classIndex) * voxels;
    float[] m = mask.data();
    int off = mask.size() == voxels ? 0 : b * voxels;
    for (int v = 0; v < voxels; v++) {
      weights[base + v] = m[off + v] > 0 ? 1f : 0f;
    }
  }

  @Override
  public String emptyRegion(String where, String predicted) {
    return "the target mask " + maskFile + " has no voxel > 0" + where + "; nothing to explain";
  }

  @Override
  public float[] region(Labels segmentation, long[] spatial) {
    float[] d = mask.data();
    float[] region = new float[(int) Shapes.numel(spatial)];
    for (int v = 0; v < region.length; v++) {
      region[v] = d[v] > 0 ? 1f : 0f;
    }
    return region;
  }

  /** The mask cropped to the window (a per-sample mask [B, *S] keeps its batch axis). */
  @Override
  public Optional<Target> restrictTo(long[] start, long[] size) {
    if (mask == null) {
      throw new IllegalStateException("mask file " + maskFile + " was not read");
    }
    long[] ms = mask.shape();
    int lead = ms.length - start.length;
    long[] cropShape = ms.clone();
    System.arraycopy(size, 0, cropShape, lead, size.length);
    long[] from = new long[ms.length];
    System.arraycopy(start, 0, from, lead, start.length);
    long[] srcStrides = Shapes.strides(ms);
    // row by row: the last axis' part inside the mask is one copy (a window's seed, every window)
    int r = ms.length;
    int rowLength = (int) cropShape[r - 1];
    float[] src = mask.data();
    float[] out = new float[(int) Shapes.numel(cropShape)];
    long lo = Math.max(0, from[r - 1]);
    long hi = Math.min(ms[r - 1], from[r - 1] + rowLength);
    int length = (int) Math.max(0, hi - lo);
    long[] row = new long[r - 1];
    boolean any = false;
    for (int dst = 0; dst < out.length; dst += rowLength) {
      long offset = lo;
      boolean inside = length > 0;
      for (int a = 0; a < r - 1 && inside; a++) {
        long c = row[a] + from[a];
        inside = c >= 0 && c < ms[a];
        offset += c * srcStrides[a];
      }
      if (inside) {
        int at = dst + (int) (lo - from[r - 1]);
        System.arraycopy(src, (int) offset, out, at, length);
        for (int j = 0; j < length && !any; j++) {
          any = out[at + j] > 0;
        }
      }
      for (int a = r - 2; a >= 0 && ++row[a] == cropShape[a]; a--) {
        row[a] = 0;
      }
    }
    return any ? Optional.of(new MaskTarget(classIndex, maskFile, new FloatTensor(out, cropShape)))
        : Optional.empty();
  }
}
