package gradcam3d.output;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;

/**
 * A file written beside the result folder rather than in it (the exported graph of
 * {@code --export-graph}). Judged before any work is done, so a refused one costs nothing and
 * writes nothing: never one of the run's inputs (after resolving links), never a folder, never
 * inside --out (the result replaces that folder) or inside another result, and never an existing
 * file unless {@code force}. The option's value is wrong in each case, so exit code 2.
 */
public final class StandaloneFile {
  private StandaloneFile() {}

  /**
   * Fails unless {@code file} may be written. {@code option} names it in messages; {@code out} is
   * the run's result folder; {@code companions} are other files written with it (an external-data
   * file), held to the same rules.
   */
  public static void check(String option, Path file, Collection<Path> inputs, Path out, boolean force,
      Path... companions) {
    checkOne(option, file, inputs, out, force);
    for (Path companion : companions) {
      checkOne(option, companion, inputs, out, force);
    }
  }

  private static void checkOne(String option, Path file, Collection<Path> inputs, Path out, boolean force) {
    Path absolute = file.toAbsolutePath().normalize();
    Path real = realPath(absolute);
    for (Path input : inputs) {
      if (input != null && realPath(input.toAbsolutePath().normalize()).equals(real)) {
        throw new OptionValueException(option + " " + file + " is an input of this run (" + input
            + "); it would be overwritten. Choose another file name.");
      }
    }
    if (Files.isDirectory(absolute)) {
      throw new OptionValueException(option + " " + file + " is a folder; name a file.");
    }
    if (out != null) {
      Path target = out.toAbsolutePath().normalize();
      if (real.startsWith(realPath(target)) || absolute.startsWith(target)) {
        throw new OptionValueException(option + " " + file + " lies inside " + Setting.OUT.label() + " " + out
            + ", which the result replaces as a whole; write it elsewhere.");
      }
    }
    Path result = enclosingResult(real.getParent());
    if (result != null) {
      throw new OptionValueException(option + " " + file + " lies inside the result folder " + result
          + " of another run; write it elsewhere.");
    }
    if (!force && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      throw new OptionValueException(option + " " + file + " exists; add " + Setting.FORCE.label() + " to replace it.");
    }
  }

  /** The folder itself or its parent when either is a result (summary.json, batch.csv) or a staging folder. */
  private static Path enclosingResult(Path folder) {
    for (Path f : new Path[] {folder, folder == null ? null : folder.getParent()}) {
      if (f == null || f.getFileName() == null) {
        continue;
      }
      String name = f.getFileName().toString();
      if (Files.isRegularFile(f.resolve(SummaryJsonWriter.FILE)) || Files.isRegularFile(f.resolve(BatchTable.FILE))
          || (name.startsWith(".") && name.contains(".staging-"))) {
        return f;
      }
    }
    return null;
  }

  /** The path with every link resolved; for a file not yet there, its folder's real path plus its name. */
  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      Path parent = p.getParent();
      if (parent == null) {
        return p;
      }
      try {
        return parent.toRealPath().resolve(p.getFileName());
      } catch (IOException e2) {
        return p;
      }
    }
  }
}
