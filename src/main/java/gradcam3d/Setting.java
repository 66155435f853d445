package gradcam3d;

import java.util.Locale;
import java.util.ServiceLoader;

/**
 * A user setting a library error can be about: the typed key of a {@link Gradcam3dException}
 * ({@link Gradcam3dException#setting()}), and how the error's text names it ({@link #label()}). The
 * library names settings only through these keys; the command line renders each as its option
 * name (gradcam3d.cli.OptionNames, found through {@link ServiceLoader}), so its messages say
 * "--batch-size must be at least 1". Without a renderer a setting reads as its name in words
 * ("batch size").
 */
public enum Setting {
  ATLAS, BATCH_SIZE, BLEND, CHANNEL_NAMES, CONCEPTS, EXPORT_GRAPH, FEM_K, FINER_ALPHA, FINER_COMPARE, FORCE,
  IG_STEPS, INPUT, INPUTS_DIR, KPCA_GAMMA, KPCA_KERNEL, LABEL, LABELS_DIR, LAYER, LRP_EPSILON, LRP_GAMMA,
  LRP_HIGH, LRP_LOW, LRP_START, MERGE, METHOD, METRICS, METRIC_PARAM, MODEL_OUTPUT, NOISE, NORMALIZE,
  OCCLUSION_BUDGET, OCCLUSION_MODE, OCCLUSION_OVERLAP, OCCLUSION_SIZE, ORIENT, OUT, OVERLAP, PAD_VALUE,
  PREPROCESS, REFINE_BASE, RESAMPLE, SAMPLES, SCORE, SERIES, SHARD, STEPS, TARGET, THREADS, TOKEN_GRID, WINDOW,
  WINDOW_BATCH;

  /** How a front end names settings in messages (the command line: its option names). */
  public interface Naming {
    String label(Setting setting);
  }

  private static final Naming NAMING = ServiceLoader.load(Naming.class, Setting.class.getClassLoader()).findFirst()
      .orElse(s -> s.name().toLowerCase(Locale.ROOT).replace('_', ' '));

  /** This setting as messages name it. */
  public String label() {
    return NAMING.label(this);
  }
}
