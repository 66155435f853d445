package gradcam3d.volume;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The file formats gradcam3d reads, told from a path: by its name's ending, and for DICOM by being
 * a folder (a series) or a file that starts with the DICOM preamble ('DICM' at byte 128). Each
 * format knows the name ending its maps are written with, so they overlay the scan in the viewers
 * of its ecosystem: NRRD in, NRRD out; MetaImage in, .mha out; NIfTI and DICOM in, NIfTI out.
 */
public enum VolumeFormat {
  NIFTI(".nii.gz"),
  NPY(null),
  NRRD(".nrrd"),
  METAIMAGE(".mha"),
  DICOM(".nii.gz");

  /** What every "cannot read" message lists. */
  public static final String SUPPORTED = ".nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd or .npy files, or a DICOM"
      + " series (a folder of .dcm files or one file of it)";

  /** Byte offset of the 'DICM' magic after the 128-byte preamble of a DICOM Part 10 file. */
  private static final int DICOM_MAGIC_AT = 128;

  private final String mapExtension;

  VolumeFormat(String mapExtension) {
    this.mapExtension = mapExtension;
  }

  /** The ending of map files written for inputs of this format (".nii.gz", ".nrrd", ".mha"); null for .npy. */
  public String mapExtension() {
    return mapExtension;
  }

  /** The format named by the file name's ending, or null when the name does not tell. */
  public static VolumeFormat byName(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return null;
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".nii") || n.endsWith(".nii.gz")) {
      return NIFTI;
    }
    if (n.endsWith(".npy")) {
      return NPY;
    }
    if (n.endsWith(".nrrd") || n.endsWith(".nhdr")) {
      return NRRD;
    }
    if (n.endsWith(".mha") || n.endsWith(".mhd")) {
      return METAIMAGE;
    }
    if (n.endsWith(".dcm")) {
      return DICOM;
    }
    return null;
  }

  /**
   * The format of an input path: its name's ending, else DICOM for a folder or a file with the
   * DICOM preamble; anything else is refused with the list of formats.
   */
  public static VolumeFormat of(Path file) {
    VolumeFormat named = byName(file);
    if (named != null) {
      return named;
    }
    if (Files.isDirectory(file) || isDicomFile(file)) {
      return DICOM;
    }
    if (!Files.exists(file)) {
      throw new Gradcam3dException("file " + file + " does not exist");
    }
    throw new Gradcam3dException("cannot read " + file + ": inputs, masks and labels must be " + SUPPORTED + ".");
  }

  /** Whether a regular file starts with the DICOM Part 10 preamble: 'DICM' at byte 128. */
  public static boolean isDicomFile(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(DICOM_MAGIC_AT + 4);
      return head.length == DICOM_MAGIC_AT + 4 && head[DICOM_MAGIC_AT] == 'D' && head[DICOM_MAGIC_AT + 1] == 'I'
          && head[DICOM_MAGIC_AT + 2] == 'C' && head[DICOM_MAGIC_AT + 3] == 'M';
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether a folder is a DICOM case for {@code batch --inputs-dir}: one of its own files (not of
   * subfolders; hidden files aside) is a DICOM Part 10 file. Symlinked folders are not followed.
   */
  public static boolean isDicomFolder(Path folder) {
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> !f.getFileName().toString().startsWith("."))
          .anyMatch(VolumeFormat::isDicomFile);
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }
}
