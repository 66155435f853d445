package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LoadedCase;
import gradcam3d.tensor.Labels;
import gradcam3d.volume.Layout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    /** Which writer started each of {@link #started}. */
    private final List<OutputWriter> startedBy = new ArrayList<>();
    private final Map<String, long[]> nanos = new LinkedHashMap<>();
    /** The input the writers were prepared on (null: made at write time). */
    private final LoadedCase loaded;
    private final Layout layout;
    private final OutputSettings settings;
    /** Every file the result is read from (null: the staging folder is opened only by write). */
    private final List<Path> inputs;
    /** The staging folder, when a writer wrote before the result was complete; else null. */
    private ResultFolder folder;

    private Prepared(List<OutputWriter> writers) {
      this(writers, null, null, null, null);
    }

    private Prepared(List<OutputWriter> writers, LoadedCase loaded, Layout layout, OutputSettings settings,
        List<Path> inputs) {
      this.writers = writers;
      this.loaded = loaded;
      this.layout = layout;
      this.settings = settings;
      this.inputs = inputs;
    }

    /**
     * Starts the writers' work on a sliding-window segmentation as soon as it is final (see {@link
     * OutputWriter#beginSegmentation}; e.g. as the explanation pipeline's
     * {@code SegmentationListener}), on the thread that later writes. When a writer writes a file
     * then, the staging folder is opened now: {@link #discard} removes it unless the result is
     * written.
     */
    public void segmentationFinal(Labels segmentation, int regionClass) {
      if (loaded == null) {
        return;
      }
      java.util.function.Supplier<Path> staging = inputs == null ? () -> null : () -> {
        if (folder == null) {
          folder = ResultFolder.open(settings.out(), inputs);
        }
        return folder.staging();
      };
      for (OutputWriter w : writers) {
        long w0 = System.nanoTime();
        Background<?> b = w.beginSegmentation(loaded, layout, segmentation, regionClass, settings, staging);
        add(kind(w), 0, System.nanoTime() - w0);
        if (b != null) {
          started.add(b);
          startedBy.add(w);
        }
      }
    }

    /** Where the result goes and how (null: not prepared on an input). */
    OutputSettings settings() {
      return settings;
    }

    /**
     * After a failure before {@link ResultWriter#write}: waits for the work started here and
     * removes the staging folder, if one was opened (after the result was written: nothing to do).
     */
    public void discard() {
      started.forEach(Background::await);
      if (folder != null) {
        folder.close();
      }
    }

    /**
     * Where the writing time went, once written: per format (the writer's name without
     * "Writer"; "result folder" for the staging folder and its switch-in), milliseconds in its own
     * calls on the writing thread and milliseconds its started work ran on its own threads
     * (overlapping the others', and from {@link #prepare} on, the explanation).
     */
    public Map<String, double[]> millis() {
      Map<String, double[]> m = new LinkedHashMap<>();
      nanos.forEach((k, v) -> m.put(k, new double[] {v[0] / 1e6, v[1] / 1e6}));
      return m;
    }

    private void add(String kind, int which, long n) {
      nanos.computeIfAbsent(kind, k -> new long[2])[which] += n;
    }
  }

  /** A writer's name in {@link Prepared#millis}: its class without "Writer"; "other" for lambdas. */
  private static String kind(OutputWriter w) {
    Class<?> c = w.getClass();
    return c.isSynthetic() || c.isHidden() || c.isAnonymousClass() ? "other" : c.getSimpleName().replace("Writer", "");
  }

  /** Starts the writers' work on the input as soon as it is loaded (see {@link OutputWriter#beginInput}). */
  public static Prepared prepare(LoadedCase loaded, Layout layout, OutputSettings o) {
    return prepare(loaded, layout, o, null);
  }

  /**
   * Same, and the writers may write the result's first files before it is complete
   * ({@link Prepared#segmentationFinal}) into a staging folder opened then, refused if it holds one
   * of {@code inputs} (every file the result is read from, as {@link ResultFolder#check} was given);
   * the caller {@link Prepared#discard}s it when the case fails before it is written.
   */
  public static Prepared prepare(LoadedCase loaded, Layout layout, OutputSettings o, List<Path> inputs) {
    return prepare(loaded, layout, o, inputs, writers());
  }

  /** Same with these writers (tests). */
  static Prepared prepare(LoadedCase loaded, Layout layout, OutputSettings o, List<Path> inputs,
      List<OutputWriter> writers) {
    Prepared p = new Prepared(writers, loaded, layout, o, inputs == null ? null : new ArrayList<>(inputs));
    for (OutputWriter w : p.writers) {
      Background<?> b = w.beginInput(loaded, layout, o);
      if (b != null) {
        p.started.add(b);
        p.startedBy.add(w);
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
    // timed into the prepared writers only: the others have nowhere to report to
    Prepared times = prepared != null ? prepared : new Prepared(List.of());
    long t0 = System.nanoTime();
    long inWriters = 0;
    // a folder a writer wrote into early (checked against the result's inputs all the same)
    ResultFolder early = prepared != null ? prepared.folder : null;
    if (early != null) {
      ResultFolder.check(o.out(), inputsOf(r));
    }
    try (ResultFolder folder = early != null ? early : ResultFolder.open(o.out(), inputsOf(r))) {
      List<Background<?>> started = new ArrayList<>(times.started);
      List<OutputWriter> startedBy = new ArrayList<>(times.startedBy);
      try {
        for (OutputWriter writer : writers) {
          long w0 = System.nanoTime();
          Background<?> b = writer.begin(r, o, folder.staging());
          if (b != null) {
            started.add(b);
            startedBy.add(writer);
          }
          long n = System.nanoTime() - w0;
          times.add(kind(writer), 0, n);
          inWriters += n;
        }
        Written w = new Written();
        for (OutputWriter writer : writers) {
          long w0 = System.nanoTime();
          writer.write(r, o, folder.staging(), w);
          long n = System.nanoTime() - w0;
          times.add(kind(writer), 0, n);
          inWriters += n;
        }
        folder.commit();
        return w;
      } finally {
        // nothing may still write into the staging folder when it is removed or switched in
        started.forEach(Background::await);
        for (int i = 0; i < started.size(); i++) {
          times.add(kind(startedBy.get(i)), 1, started.get(i).ranNanos());
        }
        // (a failed case's folder is closed after this: its removal is not timed)
        times.add("result folder", 0, System.nanoTime() - t0 - inWriters);
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
