package gradcam3d.cam;

import gradcam3d.Gradcam3dException;
import gradcam3d.tensor.FloatTensor;
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
  public float[] region(float[] segmentation, long[] spatial) {
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
    long[] dstStrides = Shapes.strides(cropShape);
    float[] out = new float[(int) Shapes.numel(cropShape)];
    boolean any = false;
    for (int i = 0; i < out.length; i++) {
      long src = 0;
      boolean inside = true;
      for (int a = 0; a < ms.length; a++) {
        long c = (i / dstStrides[a]) % cropShape[a] + from[a];
        inside &= c >= 0 && c < ms[a];
        src += c * srcStrides[a];
      }
      if (inside) {
        out[i] = mask.data()[(int) src];
        any |= out[i] > 0;
      }
    }
    return any ? Optional.of(new MaskTarget(classIndex, maskFile, new FloatTensor(out, cropShape)))
        : Optional.empty();
  }
}
