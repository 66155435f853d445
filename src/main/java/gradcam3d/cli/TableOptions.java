package gradcam3d.cli;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.Tables;
import gradcam3d.volume.LabelNames;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** --atlas, --atlas-names and --channel-names: the per-structure and per-channel tables (explain, evaluate, batch). */
final class TableOptions {
  @Option(names = "--atlas", paramLabel = "LABELS.nii.gz", converter = Converters.FilePath.class,
      description = "A multi-label map on the scan's grid (e.g. TotalSegmentator's output): summary.json "
          + "\"atlas\", the console and report.html show per label the map's mass, mean, share of the total and "
          + "share over the label's share of the volume.")
  Path atlas;

  @Option(names = "--atlas-names", paramLabel = "FILE", converter = Converters.FilePath.class,
      description = "Names of the atlas values: CSV lines 'value,name' or an ITK-SNAP label description file.")
  Path atlasNames;

  @Option(names = "--channel-names", split = ",", paramLabel = "NAME,...",
      description = "Names of the input channels, e.g. t1,t1ce,t2,flair: summary.json \"channels\" gives each "
          + "channel's share of |attribution| for input-space methods (saliency, input-x-gradient, "
          + "integrated-gradients, ...).")
  List<String> channelNames;

  private Map<Integer, String> names;

  /** Reads --atlas-names (before any case is explained, so that a bad file stops the command at once). */
  TableOptions load() {
    if (atlasNames != null && names == null) {
      names = LabelNames.read(atlasNames);
    }
    return this;
  }

  /** The result with its tables, the atlas being {@code caseAtlas} (null: --atlas). */
  CaseResult apply(CaseResult r, Path caseAtlas) {
    load();
    Path a = caseAtlas != null ? caseAtlas : atlas;
    return r.withTables(Tables.of(r, a, names, channelNames));
  }

  /** Files the tables read, for the output-folder checks. */
  List<Path> read() {
    return java.util.stream.Stream.of(atlas, atlasNames).filter(java.util.Objects::nonNull).toList();
  }
}
