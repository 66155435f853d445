/**
 * What is explained and how: targets (one class per kind), the method contract ({@link gradcam3d.cam.CamMethod})
 * and its flows (in-graph arithmetic, host math, perturbations), the resize and normalise stages, and
 * {@link gradcam3d.cam.Explainer}, which compiles one model's explanation and runs it batch by batch.
 */
package gradcam3d.cam;
