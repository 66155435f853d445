/** The evaluation metrics, one class per metric (faithfulness, robustness, localisation, complexity, randomisation, axiomatic). */
package gradcam3d.metrics.measures;
