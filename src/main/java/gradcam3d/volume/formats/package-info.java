/** Readers of NRRD, MetaImage and DICOM series into NIfTI headers and voxels (RAS geometry), and the NRRD/MetaImage map writers. */
package gradcam3d.volume.formats;
