package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.Target;
import gradcam3d.pipeline.CaseResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a case's result with every format's writer into a staging folder and switches it in
 * as one unit ({@link ResultFolder}); nothing is visible unless everything succeeded.
 */
public final class ResultWriter {
  /** The formats, in the order they are written; summary.json last, as it lists the others. */
  private static final List<OutputWriter> WRITERS = List.of(new NpyWriter(), new NiftiMapWriter(),
      new PictureWriter(), new HtmlReportWriter(), new SummaryJsonWriter());

  private ResultWriter() {}

  public static Written write(CaseResult r, OutputSettings o) {
    return write(r, o, List.of());
  }

  /** Same, with extra formats written before summary.json (e.g. the evaluate command's files). */
  public static Written write(CaseResult r, OutputSettings o, List<OutputWriter> extra) {
    List<OutputWriter> writers = new ArrayList<>(WRITERS.subList(0, WRITERS.size() - 1));
    writers.addAll(extra);
    writers.add(WRITERS.get(WRITERS.size() - 1));
    try (ResultFolder folder = ResultFolder.open(o.out(), inputsOf(r))) {
      Written w = new Written();
      for (OutputWriter writer : writers) {
        writer.write(r, o, folder.staging(), w);
      }
      folder.commit();
      return w;
    } catch (IOException e) {
      throw new Gradcam3dException("cannot write to " + o.out() + ": " + e.getMessage(), e);
    }
  }

  /** Every file a result was read from: none may live inside the folder the result replaces. */
  static List<Path> inputsOf(CaseResult r) {
    List<Path> in = new ArrayList<>(r.input().files());
    in.add(r.settings().model());
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
