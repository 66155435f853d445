package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.Layout;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One output format. Each writer takes the typed result, writes its files into the (staging)
 * result folder and records their names; a new format is one new writer in {@link ResultWriter}.
 */
public interface OutputWriter {
  /**
   * Starts, on its own thread, the part of this format's work that needs only the result and not
   * what other writers record (rendering, compressing), so that formats overlap; {@link #write}
   * finishes it. Called on every writer before the first write; returns the started work, or null
   * (the default: everything happens in write). The caller waits for it before the folder goes.
   */
  default Background<?> begin(CaseResult result, OutputSettings settings, Path dir) {
    return null;
  }

  /**
   * Starts, on its own thread, work that needs only the loaded input (a scan's gray window, its
   * compression), so that it runs while the explanation is computed ({@link
   * ResultWriter#prepare}); it writes no file. Default: none.
   */
  default Background<?> beginInput(LoadedCase loaded, Layout layout, OutputSettings settings) {
    return null;
  }

  /**
   * Starts, on its own thread, work that needs only the segmentation of a sliding-window
   * explanation ([1, *S] on the scan's grid, as the result will hold it) and the class whose
   * voxels in it are the target's region (or -1), so that it runs while pass 2 still explains
   * windows ({@link ResultWriter.Prepared#segmentationFinal}). Files go into the staging folder
   * {@code staging.get()} (opened on the first call, on this thread; null: no folder yet, write
   * nothing). Called at most once, after {@link #beginInput}; {@link #begin} and {@link #write} use
   * what it started only when the result holds these very labels, and {@link #write} reports its
   * failure. Default: none.
   */
  default Background<?> beginSegmentation(LoadedCase loaded, Layout layout, Labels segmentation, int regionClass,
      OutputSettings settings, java.util.function.Supplier<Path> staging) {
    return null;
  }

  void write(CaseResult result, OutputSettings settings, Path dir, Written written) throws IOException;
}
