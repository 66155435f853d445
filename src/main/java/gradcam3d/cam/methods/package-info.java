/** The attribution methods, one class per method (its weighting rule), with the host math some need (eigen-decomposition, kernel PCA, NMF). */
package gradcam3d.cam.methods;
