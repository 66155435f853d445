/**
 * How good a map is: the evaluation of an explanation ({@link gradcam3d.metrics.Evaluation}), the metric
 * contract and catalog, the perturbation curves' scoring sessions, baselines, seeded randomness and the
 * atlas and channel tables; the metrics themselves are in {@code gradcam3d.metrics.measures}.
 */
package gradcam3d.metrics;
