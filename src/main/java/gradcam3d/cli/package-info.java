/**
 * The gradcam3d command (picocli): parses and checks options, turns them into library settings and
 * calls pipeline and output. Option names and exit codes belong here (PackageLayersTest lists the
 * library files that still name options).
 */
package gradcam3d.cli;
