package gradcam3d.cli;

import gradcam3d.AtomicFiles;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.render.CurveChart;
import gradcam3d.report.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The evaluate command's own files: evaluate.json and curves.png. */
final class EvaluationFiles {
  static final String JSON = "evaluate.json";
  static final String CURVES = "curves.png";

  private EvaluationFiles() {}

  /** Writes the files into dir; returns their names. */
  static List<String> write(Evaluation ev, Explanation e, Explainer.Request req, Path dir) {
    List<String> files = new ArrayList<>();
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("method", req.method().name());
    j.put("layers", e.layers().stream().map(l -> l.layer().label()).toList());
    j.put("targets", e.targets().stream().map(t -> t.spec()).toList());
    j.put("metrics", ev.toJson());
    AtomicFiles.write(dir.resolve(JSON), os -> os.write(Json.write(j).getBytes(StandardCharsets.UTF_8)));
    files.add(JSON);
    List<CurveChart.Series> series = new ArrayList<>();
    String name = req.method().name() + " " + String.join("+", e.layers().stream().map(l -> l.layer().label()).toList());
    for (Evaluation.SampleMetrics s : ev.samples()) {
      if (s.curves() != null) {
        series.add(series(ev.samples().size() > 1 ? name + " sample " + s.sample() : name, s.curves()));
        if (s.curves().randomSeeds() > 0 && ev.samples().size() == 1) {
          series.add(randomReference(s.curves()));
        }
      }
    }
    if (!series.isEmpty()) {
      CurveChart.write(series, dir.resolve(CURVES));
      files.add(CURVES);
    }
    return files;
  }

  static CurveChart.Series series(String label, FaithfulnessCurves c) {
    return new CurveChart.Series(label, c.fractions(), c.deletion(), c.insertion(), c.deletionAuc(),
        c.insertionAuc());
  }

  /** The mean curves of the random orders: the line a map must beat. */
  private static CurveChart.Series randomReference(FaithfulnessCurves c) {
    return new CurveChart.Series("random order (mean of " + c.randomSeeds() + ")", c.fractions(), c.randomDeletion(),
        c.randomInsertion(), c.randomDeletionAuc(), c.randomInsertionAuc());
  }
}
