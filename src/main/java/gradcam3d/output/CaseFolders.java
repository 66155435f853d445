package gradcam3d.output;

import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Folder names for the cases of a batch, derived from their file names: safe (letters, digits,
 * '.', '-', '_' only, never starting with a dot, so never '.', '..' or hidden), unique (a clash
 * gets -2, -3, ...; case-insensitively, for file systems that fold case) and inside the batch folder.
 */
public final class CaseFolders {
  private CaseFolders() {}

  /** The file name without its volume extension (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd, .npy). */
  public static String stem(Path p) {
    return gradcam3d.pipeline.CaseListing.stem(p);
  }

  /** One folder name per case, in order. */
  public static List<String> names(List<Path> cases) {
    List<String> names = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (Path c : cases) {
      String base = safe(stem(c));
      String name = base;
      for (int k = 2; !taken.add(name.toLowerCase(Locale.ROOT)); k++) {
        name = base + "-" + k;
      }
      names.add(name);
    }
    return names;
  }

  /** Unsafe characters to '_', leading dots dropped, at most 100 characters, never empty. */
  static String safe(String stem) {
    StringBuilder b = new StringBuilder();
    for (char ch : stem.toCharArray()) {
      boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
          || ch == '.' || ch == '-' || ch == '_';
      b.append(ok ? ch : '_');
    }
    String s = b.toString().replaceFirst("^\\.+", "");
    if (s.length() > 100) {
      s = s.substring(0, 100);
    }
    return s.isEmpty() ? "case" : s;
  }
}
