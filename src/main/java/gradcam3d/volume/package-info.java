/**
 * Scans as the model sees them: NIfTI-1/2 and .npy reading and writing, layouts, the grid steps from
 * the scan to the model's grid and back ({@link gradcam3d.volume.GridChain}, {@link gradcam3d.volume.GridMapping})
 * and intensity normalisation; which reader a path needs is {@link gradcam3d.volume.VolumeFormat}.
 */
package gradcam3d.volume;
