package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.volume.Layout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a case's result with every format's writer into a staging folder and switches it in
 * as one unit ({@link ResultFolder}); nothing is visible unless everything succeeded.
 */
public final class ResultWriter {
  /**
   * The formats, in the order they are written; summary.json last, as it lists the others. New
   * instances per result: a writer may hold the work its {@link OutputWriter#begin} started.
   */
  private static List<OutputWriter> writers() {
    return List.of(new NpyWriter(), new NiftiMapWriter(), new SegmentationWriter(), new PredictionWriter(),
        new PictureWriter(), new HtmlReportWriter(), new ModelGridWriter());
  }

  private ResultWriter() {}

  public static Written write(CaseResult r, OutputSettings o) {
    return write(r, o, List.of());
  }

  /**
   * The writers of one result, their work on the loaded input already started (it runs while the
   * explanation is computed); {@link #write(CaseResult, OutputSettings, List, Prepared)} finishes,
   * once: the writers keep what they started.
   */
  public static final class Prepared {
    private final List<OutputWriter> writers;
    private final List<Background<?>> started = new ArrayList<>();

    private Prepared(List<OutputWriter> writers) {
      this.writers = writers;
    }
  }

  /** Starts the writers' work on the input as soon as it is loaded (see {@link OutputWriter#beginInput}). */
  public static Prepared prepare(LoadedCase loaded, Layout layout, OutputSettings o) {
    Prepared p = new Prepared(writers());
    for (OutputWriter w : p.writers) {
      Background<?> b = w.beginInput(loaded, layout, o);
      if (b != null) {
        p.started.add(b);
      }
    }
    return p;
  }

  /** Same, with extra formats written before summary.json (e.g. the evaluate command's files). */
  public static Written write(CaseResult r, OutputSettings o, List<OutputWriter> extra) {
    return write(r, o, extra, null);
  }

  /** Same, with writers {@link #prepare}d when the input was loaded (null: made here). */
  public static Written write(CaseResult r, OutputSettings o, List<OutputWriter> extra, Prepared prepared) {
    List<OutputWriter> writers = new ArrayList<>(prepared != null ? prepared.writers : writers());
    writers.addAll(extra);
    writers.add(new SummaryJsonWriter());
    try (ResultFolder folder = ResultFolder.open(o.out(), inputsOf(r))) {
      List<Background<?>> started = new ArrayList<>(prepared != null ? prepared.started : List.of());
      try {
        for (OutputWriter writer : writers) {
          Background<?> b = writer.begin(r, o, folder.staging());
          if (b != null) {
            started.add(b);
          }
        }
        Written w = new Written();
        for (OutputWriter writer : writers) {
          writer.write(r, o, folder.staging(), w);
        }
        folder.commit();
        return w;
      } finally {
        // nothing may still write into the staging folder when it is removed or switched in
        started.forEach(Background::await);
      }
    } catch (IOException e) {
      throw new Gradcam3dException("cannot write to " + o.out() + ": " + e.getMessage(), e);
    }
  }

  /** Every file a result was read from: none may live inside the folder the result replaces. */
  static List<Path> inputsOf(CaseResult r) {
    List<Path> in = new ArrayList<>(r.input().files());
    in.add(r.settings().model());
    in.addAll(r.settings().ensemble().moreFolds());
    if (r.input().label() != null) {
      in.add(r.input().label());
    }
    for (Target t : r.explanation().targets()) {
      if (t.maskFile() != null) {
        in.add(Path.of(t.maskFile()));
      }
    }
    return in;
  }
}
