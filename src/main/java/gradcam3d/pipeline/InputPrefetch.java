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
  /**
   * Time spent reading, summed over the files read so far: written by the reading thread alone,
   * before each file's slot completes (so a caller that has its contents sees its time).
   */
  private volatile long readNanos;

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
        long t0 = System.nanoTime();
        try {
          Object read = VolumeIO.contents(f, c.series());
          p.readNanos += System.nanoTime() - t0;
          slot.complete(read);
        } catch (RuntimeException | Error e) {
          p.readNanos += System.nanoTime() - t0;
          slot.completeExceptionally(e);
        }
      }
      return null;
    });
    return p;
  }

  /** Nanoseconds spent reading the files whose contents were taken ({@link #contents}). */
  long readNanos() {
    return readNanos;
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
