/**
 * A mutable view of an ONNX graph and what is known about it: shape inference with one shape rule
 * per op ({@link gradcam3d.graph.ShapeRules}, families *Shapes named as autodiff's *Rules), constant
 * folding, layer names from PyTorch module scopes, token views, and graph surgery ({@link gradcam3d.graph.Cut}).
 */
package gradcam3d.graph;
