/** Dense float and long tensors in row-major order, shape arithmetic and half floats: the data every other package passes around. */
package gradcam3d.tensor;
