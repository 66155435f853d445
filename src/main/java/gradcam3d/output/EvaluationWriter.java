package gradcam3d.output;

import gradcam3d.AtomicFiles;
import gradcam3d.metrics.Evaluation;
import gradcam3d.metrics.FaithfulnessCurves;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.render.CurveChart;
import gradcam3d.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The evaluate command's files: evaluate.json (the metrics) and curves.png (deletion and insertion). */
public final class EvaluationWriter implements OutputWriter {
  public static final String JSON = "evaluate.json";
  public static final String CURVES = "curves.png";

  @Override
  public void write(CaseResult r, OutputSettings settings, Path dir, Written written) throws IOException {
    Evaluation ev = r.metrics();
    if (ev == null) {
      return;
    }
    var e = r.explanation();
    List<String> layers = e.layers().stream().map(l -> l.layer().label()).toList();
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("method", r.settings().method().name());
    j.put("layers", layers);
    j.put("targets", e.targets().stream().map(t -> t.spec()).toList());
    j.put("metrics", ev.toJson());
    AtomicFiles.write(dir.resolve(JSON), os -> os.write(Json.write(j).getBytes(StandardCharsets.UTF_8)));
    written.add(JSON);
    List<CurveChart.Series> series = new ArrayList<>();
    String name = r.settings().method().name() + " " + String.join("+", layers);
    for (Evaluation.SampleMetrics s : ev.samples()) {
      FaithfulnessCurves c = s.curves();
      if (c == null || c.deletion() == null) {
        continue;
      }
      series.add(series(ev.samples().size() > 1 ? name + " sample " + s.sample() : name, c));
      if (c.randomSeeds() > 0 && ev.samples().size() == 1) {
        // the mean curves of the random orders: the line a map must beat
        series.add(new CurveChart.Series("random order (mean of " + c.randomSeeds() + ")", c.fractions(),
            c.randomDeletion(), c.randomInsertion(), c.randomDeletionAuc(), c.randomInsertionAuc()));
      }
    }
    if (!series.isEmpty()) {
      CurveChart.write(series, dir.resolve(CURVES), yLabel(ev));
      written.add(CURVES);
    }
  }

  /** The curves' y axis: what their values are. */
  public static String yLabel(Evaluation ev) {
    return ev.settings().curveScore() == gradcam3d.metrics.CurveScore.PROBABILITY
        ? "probability, normalised" : "score / unperturbed";
  }

  /** One method's curves as a chart line. */
  public static CurveChart.Series series(String label, FaithfulnessCurves c) {
    return new CurveChart.Series(label, c.fractions(), c.deletion(), c.insertion(), c.deletionAuc(),
        c.insertionAuc());
  }
}
