package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.GradientSpec;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.CamMethods;
import gradcam3d.cam.Explainer;
import gradcam3d.cam.Explanation;
import gradcam3d.metrics.Evaluation;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.graph.Graph;
import gradcam3d.onnx.ModelIO;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.render.Figures;
import gradcam3d.render.RenderOptions;
import gradcam3d.render.RenderedFigures;
import gradcam3d.report.Json;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.Shapes;
import gradcam3d.AtomicFiles;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import gradcam3d.volume.Npy;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One explanation from files to files: read the model and inputs, explain, write the maps
 * (.npy, NIfTI aligned with the input), pictures and summary.json. Everything is written to a
 * temporary folder first and moved into the output folder only when all of it succeeded.
 */
final class ExplainJob {
  // what to explain
  Path model;
  List<Path> inputs = new ArrayList<>();
  List<String> layers = new ArrayList<>();
  String method = "gradcam";
  List<String> targets = new ArrayList<>();
  GradientSpec.Score score = GradientSpec.Score.LOGITS;
  int modelOutput;
  Layout layout = Layout.ZYX;
  Normalization normalization = Normalization.NONE;
  Path label;
  /** How inputs, model and label are named in reports (the demo's come from bundled resources). */
  String displayModel;
  List<String> displayInputs;
  String displayLabel;
  // what to write
  Path out;
  boolean saveLayerCam;
  boolean saveTensors;
  boolean pictures = true;
  RenderOptions render = RenderOptions.defaults();
  // how
  int threads = Runtime.getRuntime().availableProcessors();
  int batchSize = 16;
  Progress progress = Progress.NONE;
  // what to measure: faithfulness metrics (null = none); the evaluate command's extra files
  Evaluation.Settings metrics;
  boolean evaluationFiles;

  /** What the job produced, for the caller's human summary. */
  record Result(Map<String, Object> summary, Explanation explanation, List<String> files, Double massInLabel,
      Double labelShare, Evaluation evaluation, FloatTensor input) {}

  /** Explains the job's inputs into its output folder. */
  Result run() {
    try (Session session = open()) {
      return session.explain(inputs, label, out);
    }
  }

  /** Opens the model once; the compiled program is reused for every input of the same shape. */
  Session open() {
    return new Session();
  }

  /** The model, its compiled explainer and the parsed targets, shared by many inputs. */
  final class Session implements AutoCloseable {
    private final ModelProto m;
    private final int spatialRank;
    private final String inputName;
    private final List<Target> parsedTargets = new ArrayList<>();
    private final Explainer.Request req;
    private final Explainer explainer;

    private Session() {
      m = ModelIO.read(model);
      spatialRank = spatialRank(m);
      inputName = Graph.fromModel(m).inputNames().get(0);
      for (String t : targets) {
        parsedTargets.add(Target.parse(t));
      }
      CamMethod camMethod = CamMethods.byName(method);
      req = new Explainer.Request(layers, camMethod, parsedTargets, modelOutput, score, saveTensors, batchSize,
          progress);
      explainer = new Explainer(m, req, new RuntimeOptions(threads));
    }

    Result explain(List<Path> caseInputs, Path caseLabel, Path caseOut) {
      long start = System.nanoTime();
      Loaded in = load(caseInputs, spatialRank);
      long[] os = explainer.outputShape(Map.of(inputName, in.batch.shape()));
      List<Target> resolved = resolveTargets(parsedTargets, os);
      Explanation e = explainer.explain(Map.of(inputName, in.batch), resolved);
      Evaluation ev = null;
      if (metrics != null) {
        List<FloatTensor> labels = caseLabel == null || in.volume == null ? null
            : List.of(labelOf(caseLabel, e.explainedClass(0), in.volume));
        ev = Evaluation.measure(m, req, Map.of(inputName, in.batch), e, labels, metrics, new RuntimeOptions(threads));
      }
      return write(in, e, ev, req, caseInputs, caseLabel, caseOut, start);
    }

    @Override
    public void close() {
      explainer.close();
    }
  }

  /** Default target, mask files read on the model output grid. */
  private List<Target> resolveTargets(List<Target> parsed, long[] os) {
    if (parsed.isEmpty()) {
      if (os.length > 2) {
        throw new Gradcam3dException("this model segments (output " + Shapes.format(os) + ", classes 0.."
            + (os[1] - 1) + "): choose what to explain with --target CLASS, e.g. --target 1 "
            + "(forms: " + Target.FORMS + ")");
      }
      return List.of(Target.parse("argmax"));
    }
    long[] outSpatial = Arrays.copyOfRange(os, 2, os.length);
    List<Target> resolved = new ArrayList<>();
    for (Target t : parsed) {
      resolved.add(t.kind() == Target.Kind.MASK
          ? t.withMask(VolumeIO.readMask(Path.of(t.maskFile()), layout, outSpatial)) : t);
    }
    return resolved;
  }

  /** The model's input tensor and, for volumes, where it came from. */
  private record Loaded(FloatTensor batch, Volume volume) {}

  private static int spatialRank(ModelProto m) {
    Graph g = Graph.fromModel(m);
    if (g.inputs().size() != 1) {
      throw new Gradcam3dException("the command line explains models with one input; this model has "
          + g.inputs().size() + " (" + String.join(", ", g.inputNames()) + "); use the Java API");
    }
    long[] declared = Graph.declaredShape(g.inputs().get(0));
    if (declared == null || declared.length < 4 || declared.length > 5) {
      throw new Gradcam3dException("the model input has shape " + Shapes.format(declared)
          + "; gradcam3d takes [batch, channels, Y, X] or [batch, channels, Z, Y, X]");
    }
    return declared.length - 2;
  }

  private Loaded load(List<Path> inputs, int spatialRank) {
    if (inputs.isEmpty()) {
      throw new Gradcam3dException("give an input with --input FILE (.nii, .nii.gz or .npy)");
    }
    if (inputs.size() == 1 && inputs.get(0).getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy")) {
      FloatTensor raw = Npy.read(inputs.get(0));
      if (raw.rank() == spatialRank + 2 && raw.dim(0) > 1) {
        // a batch of samples: checked for NaN first (normalising would spread it), then each
        // sample is normalised on its own
        requireFinite(raw, inputs.get(0));
        List<FloatTensor> samples = new ArrayList<>();
        for (int b = 0; b < raw.dim(0); b++) {
          samples.add(normalization.apply(raw.slice0(b)));
        }
        return new Loaded(FloatTensor.stack(samples), null);
      }
    }
    Volume v = VolumeIO.read(inputs, layout, spatialRank).requireFinite();
    v = v.withTensor(normalization.apply(v.tensor()));
    return new Loaded(v.batch(), v);
  }

  private static void requireFinite(FloatTensor t, Path source) {
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        throw new Gradcam3dException(source + " contains NaN/infinite values (first at index "
            + Arrays.toString(Shapes.unravel(i, t.shape())) + ": " + d[i] + ")");
      }
    }
  }

  private Result write(Loaded in, Explanation e, Evaluation ev, Explainer.Request req, List<Path> inputs, Path label, Path out,
      long start) {
    Path dest = out.toAbsolutePath();
    Path tmp;
    try {
      Files.createDirectories(dest.getParent());
      tmp = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + ".partial-");
    } catch (IOException ex) {
      throw new Gradcam3dException("cannot create the output folder " + out + ": " + ex.getMessage(), ex);
    }
    try {
      List<String> files = new ArrayList<>();
      long tw = System.nanoTime();
      int nLayers = e.layers().size();
      boolean nifti = in.volume != null && in.volume.geometry().isPresent();
      Npy.write(e.cam(), tmp.resolve("cam.npy"));
      files.add("cam.npy");
      if (nifti) {
        VolumeIO.writeCam(e.cam().slice0(0), in.volume, tmp.resolve("cam.nii.gz"));
        files.add("cam.nii.gz");
      }
      for (int i = 0; i < nLayers; i++) {
        Explanation.LayerMap l = e.layers().get(i);
        String sfx = nLayers > 1 ? "_" + i : "";
        if (nLayers > 1) {
          Npy.write(l.cam(), tmp.resolve("cam" + sfx + ".npy"));
          files.add("cam" + sfx + ".npy");
          if (nifti) {
            VolumeIO.writeCam(l.cam().slice0(0), in.volume, tmp.resolve("cam" + sfx + ".nii.gz"));
            files.add("cam" + sfx + ".nii.gz");
          }
        }
        if (saveLayerCam) {
          Npy.write(l.camLayer(), tmp.resolve("cam_layer" + sfx + ".npy"));
          files.add("cam_layer" + sfx + ".npy");
        }
        if (saveTensors) {
          if (l.activation() != null) {
            Npy.write(l.activation(), tmp.resolve("activation" + sfx + ".npy"));
            files.add("activation" + sfx + ".npy");
          }
          if (l.gradient() != null) {
            Npy.write(l.gradient(), tmp.resolve("gradient" + sfx + ".npy"));
            files.add("gradient" + sfx + ".npy");
          }
        }
      }
      Double massInLabel = null;
      Double labelShare = null;
      if (label != null) {
        if (in.volume == null) {
          throw new Gradcam3dException("--label needs a single-sample input");
        }
        double[] stats = massInside(e.cam().slice0(0), labelOf(label, e.explainedClass(0), in.volume));
        massInLabel = stats[0];
        labelShare = stats[1];
      }
      List<Map<String, Object>> pics = new ArrayList<>();
      if (pictures) {
        pics = writePictures(in, e, tmp, files);
      }
      if (ev != null && evaluationFiles) {
        files.addAll(EvaluationFiles.write(ev, e, req, tmp));
      }
      double writeMs = (System.nanoTime() - tw) / 1e6;
      Map<String, Object> summary = summary(in, e, req, inputs, label, files, pics, massInLabel, labelShare, writeMs,
          start);
      if (ev != null) {
        summary.put("metrics", ev.toJson());
      }
      AtomicFiles.write(tmp.resolve("summary.json"),
          os -> os.write(Json.write(summary).getBytes(StandardCharsets.UTF_8)));
      files.add("summary.json");
      Files.createDirectories(dest);
      for (String f : files) {
        Files.createDirectories(dest.resolve(f).getParent());
        Files.move(tmp.resolve(f), dest.resolve(f), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
      return new Result(summary, e, files, massInLabel, labelShare, ev, in.batch);
    } catch (IOException ex) {
      throw new Gradcam3dException("cannot write to " + out + ": " + ex.getMessage(), ex);
    } finally {
      deleteTree(tmp);
    }
  }

  /** 1 where the true label equals the explained class. */
  private FloatTensor labelOf(Path label, int cls, Volume like) {
    Volume lab = VolumeIO.read(label, layout, like.spatialShape().length).requireFinite();
    if (!Arrays.equals(lab.spatialShape(), like.spatialShape()) || lab.channels() != 1) {
      throw new Gradcam3dException("the label " + label + " has shape " + Shapes.format(lab.tensor().shape())
          + " but the input's spatial shape is " + Shapes.format(like.spatialShape()));
    }
    float[] d = lab.tensor().data();
    float[] m = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      m[i] = Math.round(d[i]) == cls ? 1f : 0f;
    }
    return new FloatTensor(m, like.spatialShape());
  }

  /** [share of the CAM's mass inside the mask, share of the volume the mask covers]. */
  static double[] massInside(FloatTensor cam, FloatTensor mask) {
    double inside = 0;
    double total = 0;
    long count = 0;
    for (int i = 0; i < cam.size(); i++) {
      total += cam.data()[i];
      if (mask.data()[i] > 0) {
        inside += cam.data()[i];
        count++;
      }
    }
    return new double[] {total > 0 ? inside / total : 0, (double) count / cam.size()};
  }

  private List<Map<String, Object>> writePictures(Loaded in, Explanation e, Path dir, List<String> files)
      throws IOException {
    List<Map<String, Object>> pics = new ArrayList<>();
    long batch = in.batch.dim(0);
    double[] spacing = in.volume != null ? in.volume.spacing() : null;
    for (int b = 0; b < batch; b++) {
      FloatTensor image = in.batch.slice0(b).slice0(0);
      FloatTensor cam = e.cam().slice0(b);
      FloatTensor contour = null;
      if (render.contour() && e.region() != null && Arrays.equals(e.region().slice0(b).shape(), cam.shape())) {
        contour = e.region().slice0(b);
      }
      if (layout == Layout.XYZ) {
        // pictures are drawn in (Z, Y, X) order: reverse the NIfTI-order tensor axes
        image = reversed(image);
        cam = reversed(cam);
        contour = contour == null ? null : reversed(contour);
        spacing = spacing == null ? null : reverse(spacing);
      }
      Path sub = batch > 1 ? dir.resolve("sample_" + b) : dir;
      Files.createDirectories(sub);
      RenderedFigures f = Figures.writeAll(image, cam, contour, spacing, render, sub);
      String prefix = batch > 1 ? "sample_" + b + "/" : "";
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("overlay", prefix + f.overlay().getFileName());
      files.add(prefix + f.overlay().getFileName());
      p.put("slices", Map.of("z", f.slices().z(), "y", f.slices().y(), "x", f.slices().x()));
      if (f.montagePng() != null) {
        p.put("montage", prefix + f.montagePng().getFileName());
        p.put("montage_every", f.montage().every());
        files.add(prefix + f.montagePng().getFileName());
      }
      pics.add(p);
    }
    return pics;
  }

  private static double[] reverse(double[] a) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[a.length - 1 - i];
    }
    return r;
  }

  /** All axes reversed: (i, j, k) to (k, j, i). */
  private static FloatTensor reversed(FloatTensor t) {
    long[] s = t.shape();
    long[] rs = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      rs[i] = s[s.length - 1 - i];
    }
    long[] str = Shapes.strides(s);
    long[] rstr = Shapes.strides(rs);
    float[] out = new float[t.size()];
    for (int i = 0; i < out.length; i++) {
      long src = 0;
      for (int a = 0; a < rs.length; a++) {
        src += ((i / rstr[a]) % rs[a]) * str[s.length - 1 - a];
      }
      out[i] = t.data()[(int) src];
    }
    return new FloatTensor(out, rs);
  }

  private Map<String, Object> summary(Loaded in, Explanation e, Explainer.Request req, List<Path> inputs, Path label,
      List<String> files,
      List<Map<String, Object>> pics, Double massInLabel, Double labelShare, double writeMs, long start) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("tool", "gradcam3d");
    s.put("model", displayModel != null ? displayModel : model.toString());
    s.put("inputs", displayInputs != null ? displayInputs : inputs.stream().map(Path::toString).toList());
    s.put("input_shape", in.batch.shape());
    s.put("layout", layout.name().toLowerCase());
    s.put("normalize", normalization.toString());
    s.put("method", req.method().name());
    s.put("score", score.name().toLowerCase());
    s.put("model_output", modelOutput);
    s.put("model_output_shape", e.outputShape());
    List<Map<String, Object>> ls = new ArrayList<>();
    for (Explanation.LayerMap l : e.layers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("spec", l.layer().spec());
      m.put("module", l.layer().module());
      m.put("element", l.layer().element());
      m.put("tensor", l.layer().tensor());
      m.put("shape", l.shape());
      ls.add(m);
    }
    s.put("layers", ls);
    List<Map<String, Object>> ts = new ArrayList<>();
    for (int b = 0; b < e.targets().size(); b++) {
      Target t = e.targets().get(b);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sample", b);
      m.put("target", t.spec());
      m.put("description", t.describe());
      m.put("class", e.explainedClass(b));
      m.put("region_voxels", e.regionVoxels()[b]);
      m.put("value", (double) e.targetValues().data()[b]);
      ts.add(m);
    }
    s.put("targets", ts);
    if (massInLabel != null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", displayLabel != null ? displayLabel : label.toString());
      m.put("class", e.explainedClass(0));
      m.put("cam_mass_inside_label", massInLabel);
      m.put("label_share_of_volume", labelShare);
      s.put("label", m);
    }
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("compile_ms", e.compileStats().compileMs());
    t.put("session_ms", e.compileStats().sessionMs());
    t.put("forward_backward_ms", e.runMs());
    t.put("postprocess_ms", e.postMs());
    t.put("write_ms", writeMs);
    t.put("total_ms", (System.nanoTime() - start) / 1e6);
    s.put("timings", t);
    s.put("threads", threads);
    if (!pics.isEmpty()) {
      s.put("pictures", pics.size() == 1 ? pics.get(0) : pics);
      s.put("colormap", render.colormap().name());
    }
    s.put("files", new ArrayList<>(files));
    return s;
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.deleteIfExists(x);
        } catch (IOException ignored) {
          // leftovers of a temporary folder are harmless
        }
      });
    } catch (IOException ignored) {
      // nothing to clean
    }
  }
}
