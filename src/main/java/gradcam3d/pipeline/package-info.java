/**
 * The explanation flow as a library: {@link gradcam3d.pipeline.Settings} in, then per case load (scan to
 * model grid, normalised) -> targets -> explain -> normalise -> back onto the scan's grid -> a typed
 * {@link gradcam3d.pipeline.CaseResult}; writes no files.
 */
package gradcam3d.pipeline;
