/** Files from results: one writer per format into a staging folder switched in whole, batch naming, tables (CSV) and the console report. */
package gradcam3d.output;
