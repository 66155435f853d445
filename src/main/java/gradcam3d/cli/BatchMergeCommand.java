package gradcam3d.cli;

import gradcam3d.output.BatchTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * gradcam3d batch --merge DIR... --out DIR: joins the tables of a job array's shares. It takes
 * none of batch's explanation options, so {@link Main} routes {@code batch --merge} here.
 */
@Command(name = "batch-merge", hidden = true, mixinStandardHelpOptions = true,
    description = {"Joins the batch tables (batch.csv, batch-shard-I-of-N.csv) in the given folders into "
        + "OUT/batch.csv, one row per case, the case column the case folder relative to OUT, and the shares' "
        + "metrics tables (metrics-shard-I-of-N.csv) into OUT/metrics.csv. Fails if a share of a job array is "
        + "missing or two tables list a case with different rows. Idempotent: a folder's batch.csv beside share "
        + "tables is their earlier merge, so merged folders merge again."},
    footer = {"", "Example:", "  gradcam3d batch --merge results/ --out results/"})
final class BatchMergeCommand implements Callable<Integer> {
  @Option(names = "--merge", required = true, arity = "1..*", paramLabel = "DIR",
      description = "Folders holding the shares' tables (repeat or list several).")
  List<Path> dirs = new ArrayList<>();

  @Option(names = "--out", required = true, paramLabel = "DIR", converter = Converters.OutFolder.class,
      description = "Where batch.csv is written (the case folders are not moved).")
  Path out;

  @Mixin
  QuietOption quiet;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    int rows = BatchTable.merge(dirs, out);
    int metrics = gradcam3d.output.CohortTables.mergeMetrics(dirs, out);
    if (!quiet.quiet) {
      spec.commandLine().getOut().printf("gradcam3d batch: merged %d cases into %s%s%n", rows,
          out.resolve(BatchTable.FILE), metrics == 0 ? "" : " and " + metrics + " metrics rows into "
              + out.resolve(gradcam3d.output.CohortTables.METRICS));
    }
    return 0;
  }
}
