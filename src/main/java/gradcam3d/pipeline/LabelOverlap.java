package gradcam3d.pipeline;

import gradcam3d.tensor.FloatTensor;

/**
 * How a map agrees with a true label: the share of the CAM's mass inside the label of the
 * explained class, and the share of the volume that label covers; the label itself (0/1 on the
 * input grid, tensor layout) for outputs that draw it.
 */
public record LabelOverlap(String file, int explainedClass, double massInside, double labelShare, FloatTensor mask) {
  /** [mass share, volume share] of a map over a 0/1 mask of the same shape. */
  static LabelOverlap of(String file, int cls, FloatTensor cam, FloatTensor mask) {
    double inside = 0;
    double total = 0;
    long count = 0;
    for (int i = 0; i < cam.size(); i++) {
      total += cam.data()[i];
      if (mask.data()[i] > 0) {
        inside += cam.data()[i];
        count++;
      }
    }
    return new LabelOverlap(file, cls, total > 0 ? inside / total : 0, (double) count / cam.size(), mask);
  }
}
