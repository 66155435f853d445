package gradcam3d.cli;

import gradcam3d.output.OutputSettings;
import gradcam3d.output.ResultFolder;
import gradcam3d.pipeline.CaseInput;
import gradcam3d.pipeline.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** One case to measure and where results go: shared by evaluate and compare. */
final class CaseOptions {
  @Option(names = "--input", required = true, paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "Input: .nii/.nii.gz, .nrrd/.nhdr, .mha/.mhd, a DICOM series folder or .npy, as for 'explain'. "
          + "Repeat to stack files as channels.")
  List<Path> inputs;

  @Option(names = "--series", paramLabel = "UID",
      description = "The DICOM series to read (its SeriesInstanceUID) when an input folder holds several; "
          + "without it such a folder is refused with the list of its series. Default: the folder's only series.")
  String series;

  @Option(names = "--label", paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "True label volume: mask agreement uses the voxels labelled with the explained class "
          + "(default: the target region, when the output grid is the input grid).")
  Path label;

  @Option(names = "--out", required = true, paramLabel = "DIR", converter = Converters.OutFolder.class,
      description = "Output folder: a new or empty folder, or an earlier result, which is replaced as a whole. "
          + "It may not hold the inputs.")
  Path out;

  CaseInput input() {
    return CaseInput.of(inputs, label).withSeries(series);
  }

  /** Maps and summary.json, no pictures, into dir. */
  OutputSettings output(Path dir) {
    return new OutputSettings(dir, false, false, false, null);
  }

  /** Fails before any work when --out holds an input, the model or the label. */
  void checkOut(Settings settings) {
    checkOut(settings, List.of());
  }

  /** Fails before any work when --out holds an input, the model, the label or another file read ({@code extra}). */
  void checkOut(Settings settings, List<Path> extra) {
    List<Path> read = inputsAndModel(settings);
    read.addAll(extra);
    ResultFolder.check(out, read);
  }

  /** Every file the command reads: none may live inside --out. */
  List<Path> inputsAndModel(Settings settings) {
    List<Path> read = new ArrayList<>(inputs);
    read.add(settings.model());
    read.add(label);
    return read;
  }
}
