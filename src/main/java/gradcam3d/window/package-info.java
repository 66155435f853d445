/** Sliding windows over a scan larger than the model's input: placement, blend weights, the blended prediction, the whole-volume target per window and the in-place sums of the windows' maps. */
package gradcam3d.window;
