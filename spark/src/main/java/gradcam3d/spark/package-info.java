/** The Spark cohort job (its own module): a table of cases explained on executors, one pipeline per JVM, outputs on Hadoop file systems, a results table. */
package gradcam3d.spark;
