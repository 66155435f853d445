/**
 * The attribution methods, one class per method (its weighting rule), with the host math some need
 * (eigen-decomposition, kernel PCA, NMF), and their registry by command-line name
 * ({@link gradcam3d.cam.methods.CamMethods}): it lives here, beside what it names, so that {@code cam}
 * never imports this package.
 */
package gradcam3d.cam.methods;
