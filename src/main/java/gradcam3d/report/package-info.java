/** The HTML pages (a case's report.html, a batch's index.html with its cohort charts) and the JSON reader and writer they and summary.json use. */
package gradcam3d.report;
