package gradcam3d.volume;

import java.util.List;

/**
 * A scan read from NRRD, MetaImage or a DICOM series, as the rest of gradcam3d sees every image:
 * a NIfTI header (geometry as the RAS sform, pixdim the spacings) and real-valued voxels in NIfTI
 * order (i fastest, channels last). It remembers its format, so the maps go back out in it, and
 * what the reader noticed but accepted (uneven DICOM slice spacing, ...).
 */
public record Scan(NiftiImage image, VolumeFormat format, List<String> warnings) {
  public Scan {
    warnings = List.copyOf(warnings);
  }
}
