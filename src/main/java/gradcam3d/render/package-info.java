/** Pictures drawn in memory and written as PNG: colormaps, overlays and montages of a map on its scan, contours, curve charts, comparison grids. */
package gradcam3d.render;
