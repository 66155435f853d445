package gradcam3d.output;

import gradcam3d.AtomicFiles;
import gradcam3d.cam.Conditioning;
import gradcam3d.cam.Explanation;
import gradcam3d.pipeline.CaseResult;
import gradcam3d.pipeline.LabelOverlap;
import gradcam3d.pipeline.Settings;
import gradcam3d.report.Json;
import gradcam3d.volume.GridMapping;
import gradcam3d.window.SlidingWindowExplainer;
import gradcam3d.window.WindowedExplanation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** summary.json: what was explained, how, what it scored, timings and the files written. Runs last. */
final class SummaryJsonWriter implements OutputWriter {
  static final String FILE = "summary.json";

  @Override
  public void write(CaseResult r, OutputSettings o, Path dir, Written w) {
    Map<String, Object> summary = summary(r, o, w);
    AtomicFiles.write(dir.resolve(FILE), os -> os.write(Json.write(summary).getBytes(StandardCharsets.UTF_8)));
    w.add(FILE);
  }

  static Map<String, Object> summary(CaseResult r, OutputSettings o, Written w) {
    Settings st = r.settings();
    Explanation e = r.explanation();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("tool", "gradcam3d");
    s.put("version", gradcam3d.BuildVersion.text());
    s.put("model", st.modelName());
    s.put("inputs", r.input().names());
    s.put("input_shape", r.loaded().batch().shape());
    if (r.loaded().scan() != null) {
      s.put("input_format", r.loaded().scan().format().name().toLowerCase(java.util.Locale.ROOT));
      if (r.input().series() != null) {
        s.put("dicom_series", r.input().series());
      }
      if (!r.loaded().scan().warnings().isEmpty()) {
        s.put("input_warnings", r.loaded().scan().warnings());
      }
    }
    List<String> warnings = r.warnings();
    if (!warnings.isEmpty()) {
      s.put("warnings", warnings);
    }
    s.put("layout", st.layout().name().toLowerCase());
    s.put("normalize", st.normalization().toString());
    if (!st.ensemble().isNone()) {
      // nnU-Net's predictor: folds averaged, the input mirrored; each layer joins every copy's channels
      Map<String, Object> en = new LinkedHashMap<>();
      List<String> folds = new ArrayList<>(List.of(st.model().toString()));
      st.ensemble().moreFolds().forEach(f -> folds.add(f.toString()));
      en.put("folds", folds);
      en.put("mirror_axes", java.util.Arrays.stream(st.ensemble().mirrorAxes(r.loaded().batch().rank() - 2))
          .asLongStream().toArray());
      s.put("ensemble", en);
    }
    GridMapping grid = r.loaded().grid();
    if (grid != null && !grid.isIdentity()) {
      // the chain from the scan as stored to the model's grid; every output went back through it
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("steps", grid.describe());
      p.put("scan_shape", grid.scan().spatialShape());
      p.put("model_grid_shape", grid.model().spatialShape());
      p.put("outputs_on", "scan grid");
      s.put("preprocessing", p);
    }
    s.put("method", st.method().name());
    s.put("score", st.score().name().toLowerCase());
    s.put("model_output", st.modelOutput());
    s.put("model_output_shape", e.outputShape());
    List<Map<String, Object>> ls = new ArrayList<>();
    for (Explanation.LayerMap l : e.layers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("spec", l.layer().spec());
      m.put("module", l.layer().module());
      m.put("element", l.layer().element());
      m.put("tensor", l.layer().tensor());
      m.put("shape", l.shape());
      if (l.weightsIllConditioned() != null) {
        m.put("weights_ill_conditioned", l.weightsIllConditioned());
      }
      ls.add(m);
    }
    s.put("layers", ls);
    s.putAll(st.method().summaryFields());
    if (!st.method().parameters().isEmpty()) {
      s.put("method_parameters", st.method().parameters());
    }
    if (e.relevance() != null) {
      s.put("conservation", conservation(e));
    }
    if (e.extras() != null && !e.extras().summary().isEmpty()) {
      // the method's own results (fullgrad's terms, dff's concepts), under its name
      s.put(st.method().name(), e.extras().summary());
    }
    if (e.attribution() != null && e.attribution().completenessGap() != null) {
      // (sum(attribution) - (T(x) - T(baseline))) / |T(x)| per sample
      s.put("completeness_gap", e.attribution().completenessGap());
    }
    if (e.attribution() != null && e.attribution().cost() != null) {
      // the method's parameters as used and what its extra forward passes cost, e.g. "occlusion"
      Explanation.Cost c = e.attribution().cost();
      Map<String, Object> m = new LinkedHashMap<>(c.parameters());
      m.put("forward_passes", c.forwardPasses());
      m.put("seconds", c.seconds());
      s.put(c.method(), m);
    }
    if (st.method().reportsConditioning()) {
      s.put("weights_ill_conditioned", e.weightsIllConditioned());
      if (e.weightsIllConditioned()) {
        s.put("advice", Conditioning.ADVICE);
      }
    }
    // a map of zeros says nothing: flagged, with what usually helps
    s.put("map_empty", !r.emptyMaps().isEmpty());
    if (!r.emptyMaps().isEmpty()) {
      s.put("map_empty_samples", r.emptyMaps());
      s.put("map_empty_advice", CaseResult.EMPTY_MAP_ADVICE);
    }
    List<Map<String, Object>> ts = new ArrayList<>();
    for (CaseResult.TargetSummary t : r.targets()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sample", t.sample());
      m.put("target", t.spec());
      m.put("description", t.description());
      m.put("class", t.explainedClass());
      m.put("region_voxels", t.regionVoxels());
      m.put("value", t.value());
      ts.add(m);
    }
    s.put("targets", ts);
    LabelOverlap label = r.label();
    if (label != null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", label.file());
      m.put("class", label.explainedClass());
      m.put("cam_mass_inside_label", label.massInside());
      m.put("label_share_of_volume", label.labelShare());
      s.put("label", m);
    }
    if (r.tables() != null) {
      s.putAll(r.tables().toJson());
    }
    if (r.metrics() != null) {
      s.put("metrics", r.metrics().toJson());
    }
    double writeMs = w.elapsedMs();
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("compile_ms", e.compileStats().compileMs());
    t.put("session_ms", e.compileStats().sessionMs());
    t.put("program_cache", e.compileStats().cache());
    t.put("forward_backward_ms", e.runMs());
    t.put("postprocess_ms", e.postMs());
    WindowedExplanation windows = r.windows();
    if (windows != null) {
      WindowedExplanation.Timings wt = windows.timings();
      t.put("windows_predict_ms", wt.predictMs());
      t.put("windows_explain_ms", wt.explainMs());
      t.put("windows_stitch_ms", wt.stitchMs());
      t.put("windows_normalise_ms", wt.finishMs());
      s.put("sliding_window", slidingWindow(windows, st.window()));
    }
    t.put("write_ms", writeMs);
    t.put("total_ms", r.pipelineMs() + writeMs);
    s.put("timings", t);
    s.put("threads", st.threads());
    List<Map<String, Object>> pics = new ArrayList<>();
    for (Written.Pictures p : w.pictures()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("overlay", p.overlay());
      // z, y, x in this order (Map.of's order changes from run to run, and so did summary.json)
      Map<String, Object> slices = new LinkedHashMap<>();
      slices.put("z", p.z());
      slices.put("y", p.y());
      slices.put("x", p.x());
      m.put("slices", slices);
      if (p.montage() != null) {
        m.put("montage", p.montage());
        m.put("montage_every", p.montageEvery());
        m.put("montage_axis", p.montageAxis());
        m.put("montage_slices", p.montageSlices());
      }
      m.put("contour", p.contour());
      pics.add(m);
    }
    // how pictures and report lie in the patient (the same frame for both)
    s.put("display", PictureWriter.frame(r, o).display().toJson(r.loaded().batch().rank() == 4));
    if (!pics.isEmpty()) {
      s.put("pictures", pics.size() == 1 ? pics.get(0) : pics);
      s.put("colormap", o.render().colormap().name());
    }
    s.putAll(w.summaryEntries());
    List<String> files = new ArrayList<>(w.files());
    files.add(FILE);
    s.put("files", files);
    return s;
  }

  /**
   * LRP's conservation: per sample the starting relevance at the output, and per place (the input,
   * or each layer) the relevance that arrived, over the starting relevance and over T.
   */
  private static Map<String, Object> conservation(Explanation e) {
    Explanation.Relevance r = e.relevance();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("starting_relevance", r.starting());
    List<Map<String, Object>> places = new ArrayList<>();
    for (int k = 0; k < r.arrived().length; k++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", e.attribution() != null ? "input" : e.layers().get(k).layer().spec());
      double[] overStart = new double[r.starting().length];
      double[] overTarget = new double[r.starting().length];
      for (int b = 0; b < overStart.length; b++) {
        overStart[b] = r.ofStarting(k, b);
        overTarget[b] = r.arrived()[k][b] / e.targetValues().data()[b];
      }
      m.put("relevance_sum", r.arrived()[k]);
      m.put("over_starting", overStart);
      m.put("over_target", overTarget);
      places.add(m);
    }
    c.put("places", places);
    return c;
  }

  /** The window grid and what ran: the "sliding_window" block. */
  private static Map<String, Object> slidingWindow(WindowedExplanation windows, SlidingWindowExplainer.Settings ws) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("window", windows.grid().window());
    if (windows.requestedWindow() != null) {
      // longer than the scan: the model took the scan's size (rounded up to its stride) instead
      w.put("window_requested", windows.requestedWindow());
    }
    w.put("overlap", windows.grid().overlap());
    w.put("blend", ws.blend().name().toLowerCase(Locale.ROOT));
    w.put("grid", windows.grid().counts());
    w.put("padded_shape", windows.grid().padded());
    w.put("pad_value", (double) ws.padValue());
    w.put("padding_share", windows.grid().paddingShare());
    w.put("windows", windows.grid().size());
    w.put("windows_run", windows.windowsRun());
    w.put("windows_skipped", windows.windowsSkipped());
    w.put("window_batch", ws.windowBatch());
    w.put("pass2_from", windows.pass2From());
    return w;
  }
}
