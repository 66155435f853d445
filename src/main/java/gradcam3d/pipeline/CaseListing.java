package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.Setting;
import gradcam3d.volume.VolumeFormat;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cases of a batch: given files, the volumes of a folder (files, and subfolders holding a
 * DICOM series), without the files that are labels or atlases of others (by suffix). With a
 * labels folder the Medical Segmentation Decathlon / nnU-Net layout: nnU-Net's channel files
 * {@code case_0000.nii.gz}, {@code case_0001.nii.gz}, ... are one case with those channels in that
 * order, and each case's label is {@code LABELS/case.nii.gz} (any volume extension).
 */
public final class CaseListing {
  /** nnU-Net's channel files: NAME_XXXX with four digits. */
  private static final Pattern CHANNEL = Pattern.compile("(.+)_(\\d{4})");

  /**
   * One case: the name its folder is made from, its files (channels in order) and its label (null
   * without one; a missing label file is an error of that case, reported when it is explained).
   */
  public record Listed(String name, List<Path> files, Path label, String labelProblem) {
    public Listed {
      files = List.copyOf(files);
    }
  }

  private CaseListing() {}

  /** A volume file's name without its extension (.nii.gz, .nrrd, ...), or a folder's name. */
  public static String stem(Path p) {
    return stem(p.getFileName().toString());
  }

  /** A volume file name without its extension (.nii.gz, .nrrd, ...). */
  public static String stem(String n) {
    for (String ext : VolumeIO.EXTENSIONS) {
      if (n.toLowerCase(Locale.ROOT).endsWith(ext)) {
        return n.substring(0, n.length() - ext.length());
      }
    }
    return n;
  }

  /**
   * The cases of {@code inputs} and of {@code inputsDir} (sorted by name), leaving out files whose
   * stem ends with one of {@code skipSuffixes} (labels, atlases); with {@code labelsDir}, channel
   * files grouped and labels matched by name; else with {@code labelSuffix}, each case's label is
   * the file next to it with the suffix before its extension.
   */
  public static List<Listed> of(List<Path> inputs, Path inputsDir, String labelSuffix, Path labelsDir,
      List<String> skipSuffixes) throws IOException {
    List<Path> files = new ArrayList<>(inputs);
    if (inputsDir != null) {
      if (!Files.isDirectory(inputsDir)) {
        throw new Gradcam3dException(Setting.INPUTS_DIR, Setting.INPUTS_DIR.label() + " " + inputsDir
            + " is not a folder");
      }
      try (Stream<Path> s = Files.list(inputsDir)) {
        s.filter(p -> Files.isDirectory(p) ? VolumeFormat.isDicomFolder(p) && !skipped(stem(p), skipSuffixes)
                : isCaseFile(p.getFileName().toString(), skipSuffixes))
            .sorted().forEach(files::add);
      }
    }
    if (labelsDir != null && !Files.isDirectory(labelsDir)) {
      throw new Gradcam3dException(Setting.LABELS_DIR, Setting.LABELS_DIR.label() + " " + labelsDir
          + " is not a folder");
    }
    List<Listed> cases = new ArrayList<>();
    if (labelsDir != null) {
      // nnU-Net's channels: NAME_0000, NAME_0001, ... are one case, in channel order
      Map<String, TreeMap<String, Path>> grouped = new LinkedHashMap<>();
      for (Path f : files) {
        Matcher m = CHANNEL.matcher(stem(f));
        String name = m.matches() && !Files.isDirectory(f) ? m.group(1) : stem(f);
        String channel = m.matches() && !Files.isDirectory(f) ? m.group(2) : "";
        TreeMap<String, Path> channels = grouped.computeIfAbsent(name, k -> new TreeMap<>());
        if (channels.put(channel, f) != null) {
          throw new Gradcam3dException("two inputs are channel '" + channel + "' of case " + name + ": "
              + channels.get(channel) + " and " + f);
        }
      }
      for (Map.Entry<String, TreeMap<String, Path>> e : grouped.entrySet()) {
        Path label = null;
        for (String ext : VolumeIO.EXTENSIONS) {
          Path l = labelsDir.resolve(e.getKey() + ext);
          if (Files.isRegularFile(l)) {
            label = l;
            break;
          }
        }
        cases.add(new Listed(e.getKey(), new ArrayList<>(e.getValue().values()), label, label != null ? null
            : "no label " + labelsDir.resolve(e.getKey()) + ".nii.gz (or .nrrd, .mha, ...) in "
                + Setting.LABELS_DIR.label() + " for case " + e.getKey()));
      }
    } else {
      for (Path f : files) {
        String problem = null;
        Path label = null;
        if (labelSuffix != null) {
          try {
            label = sibling(f, labelSuffix, "label");
          } catch (Gradcam3dException e) {
            problem = e.getMessage();
          }
        }
        cases.add(new Listed(stem(f), List.of(f), label, problem));
      }
    }
    if (cases.isEmpty()) {
      throw new Gradcam3dException(Setting.INPUT, "no cases: give " + Setting.INPUT.label() + " FILE (repeatable) or "
          + Setting.INPUTS_DIR.label() + " DIR");
    }
    return cases;
  }

  /** The file next to case c with the suffix before its extension (a DICOM folder: folder + suffix + extension). */
  public static Path sibling(Path c, String suffix, String what) {
    String n = c.getFileName().toString();
    if (Files.isDirectory(c)) {
      for (String ext : VolumeIO.EXTENSIONS) {
        Path l = c.resolveSibling(n + suffix + ext);
        if (Files.isRegularFile(l)) {
          return l;
        }
      }
      throw new Gradcam3dException("no " + what + " file " + c.resolveSibling(n + suffix) + ".nii.gz (or .nrrd, "
          + ".mha, ...) for case " + n);
    }
    Path l = c.resolveSibling(siblingName(n, suffix));
    if (!Files.exists(l)) {
      throw new Gradcam3dException(noSibling(what, l.toString(), n));
    }
    return l;
  }

  /**
   * Whether a file named {@code name} in a folder of cases is a case: a volume file whose stem ends
   * with none of {@code skipSuffixes} (those are labels or atlases of other cases; nulls ignored).
   */
  public static boolean isCaseFile(String name, List<String> skipSuffixes) {
    return VolumeIO.isVolumeFile(Path.of(name)) && !skipped(stem(name), skipSuffixes);
  }

  private static boolean skipped(String stem, List<String> skipSuffixes) {
    return skipSuffixes.stream().anyMatch(x -> x != null && stem.endsWith(x));
  }

  /** The name of case file {@code name}'s sibling: {@code suffix} before its extension (case1.nii.gz -> case1_label.nii.gz). */
  public static String siblingName(String name, String suffix) {
    String stem = stem(name);
    return stem + suffix + name.substring(stem.length());
  }

  /** The one-line error of a case whose {@code what} file (label, atlas) {@code expected} is missing. */
  public static String noSibling(String what, String expected, String caseName) {
    return "no " + what + " file " + expected + " for case " + caseName;
  }
}
