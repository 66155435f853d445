package gradcam3d.pipeline;

import gradcam3d.Futures;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A case's input files read and decoded on their own thread while the model is read and compiled:
 * reading a file needs nothing from the model, only interpreting it does ({@link
 * ExplanationPipeline#load}). A file that cannot be read fails at load with its usual error.
 */
public final class InputPrefetch {
  private final Map<Path, CompletableFuture<Object>> files = new LinkedHashMap<>();

  private InputPrefetch() {}

  /** Starts reading every input file of {@code c} (not its label) on one daemon thread. */
  public static InputPrefetch start(CaseInput c) {
    InputPrefetch p = new InputPrefetch();
    List<Path> paths = c.files();
    for (Path f : paths) {
      p.files.put(f, new CompletableFuture<>());
    }
    // one thread reads the files in order, as they would be read here
    Futures.onOwnThread("read-input", () -> {
      for (Path f : paths) {
        CompletableFuture<Object> slot = p.files.get(f);
        try {
          slot.complete(VolumeIO.contents(f, c.series()));
        } catch (RuntimeException | Error e) {
          slot.completeExceptionally(e);
        }
      }
      return null;
    });
    return p;
  }

  /** The contents of {@code file} ({@link VolumeIO#contents}), or null if it was not prefetched. */
  Object contents(Path file) {
    CompletableFuture<Object> slot = files.get(file);
    if (slot == null) {
      return null;
    }
    return Futures.join(slot);
  }
}
