package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.report.Json;
import gradcam3d.volume.GridChain;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import gradcam3d.volume.Orientation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The preprocessing a model was trained with, declared once: how the scan's axes map to the
 * tensor, the grid steps (reorient, resample) and the intensity normalisation. From single
 * options, or from a JSON file a team writes once per model ({@link #read}):
 *
 * <pre>{"layout": "xyz", "orient": "RAS", "resample": [1.5, 1.5, 2.0], "normalize": "window:-100,300,0,1"}</pre>
 */
public record Preprocessing(Layout layout, GridChain grid, Normalization normalization) {
  /** At most this many bytes: a preprocessing file is a few lines. */
  static final long MAX_BYTES = 1 << 20;
  private static final Set<String> KEYS = Set.of("layout", "orient", "resample", "normalize");

  /** Reads a preprocessing file; unknown keys and bad values are refused naming the key (exit 2). */
  public static Preprocessing read(Path file) {
    long size = InputFiles.requireRegularFile(file, "preprocessing file");
    if (size > MAX_BYTES) {
      throw new OptionValueException(Setting.PREPROCESS, Setting.PREPROCESS.label() + " " + file + " is " + size
          + " bytes; a preprocessing file is a small "
          + "JSON object");
    }
    Object parsed;
    try {
      parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Gradcam3dException(Setting.PREPROCESS, "cannot read " + Setting.PREPROCESS.label() + " " + file
          + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new OptionValueException(Setting.PREPROCESS, Setting.PREPROCESS.label() + " " + file
          + " is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      throw new OptionValueException(Setting.PREPROCESS, Setting.PREPROCESS.label() + " " + file
          + " must hold a JSON object with layout, orient, resample "
          + "and/or normalize");
    }
    for (Object key : m.keySet()) {
      if (!KEYS.contains(key)) {
        throw new OptionValueException(Setting.PREPROCESS, Setting.PREPROCESS.label() + " " + file
            + ": unknown key '" + key + "' (known: layout, orient, "
            + "resample, normalize)");
      }
    }
    Layout layout = Layout.ZYX;
    GridChain grid = GridChain.none();
    Normalization normalization = Normalization.NONE;
    try {
      if (m.get("layout") != null) {
        layout = Layout.parse(text(m, "layout"));
      }
      if (m.get("orient") != null) {
        Orientation o = Orientation.parse(text(m, "orient"));
        grid = grid.then(new GridChain.Orient(o));
      }
      if (m.get("resample") != null) {
        grid = grid.then(new GridChain.Resample(pixdim(m.get("resample"))));
      }
      Object n = m.get("normalize");
      if (n instanceof String s) {
        normalization = Normalization.parse(s);
      } else if (n instanceof List<?> list) {
        List<Normalization> each = new ArrayList<>();
        for (Object item : list) {
          if (!(item instanceof String s)) {
            throw new Gradcam3dException("normalize lists one mode (a string) per channel");
          }
          each.add(Normalization.parse(s));
        }
        normalization = Normalization.perChannel(each);
      } else if (n != null) {
        throw new Gradcam3dException("normalize is a mode or a list of modes, one per channel");
      }
    } catch (OptionValueException e) {
      throw e;
    } catch (Gradcam3dException e) {
      throw new OptionValueException(Setting.PREPROCESS, Setting.PREPROCESS.label() + " " + file + ": "
          + e.getMessage());
    }
    return new Preprocessing(layout, grid, normalization);
  }

  private static String text(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof String s)) {
      throw new Gradcam3dException(key + " must be a string");
    }
    return s;
  }

  private static double[] pixdim(Object value) {
    if (!(value instanceof List<?> list) || list.size() != 3) {
      throw new Gradcam3dException("resample must be a list of three voxel sizes in mm");
    }
    double[] v = new double[3];
    for (int i = 0; i < 3; i++) {
      if (!(list.get(i) instanceof Number x) || !(x.doubleValue() > 0) || !Double.isFinite(x.doubleValue())) {
        throw new Gradcam3dException("resample must be a list of three positive voxel sizes in mm");
      }
      v[i] = x.doubleValue();
    }
    return v;
  }
}
