package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.OptionValueException;
import gradcam3d.report.Json;
import gradcam3d.volume.GridChain;
import gradcam3d.volume.Layout;
import gradcam3d.volume.NnunetResampling;
import gradcam3d.volume.Normalization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained nnU-Net v2 model's preprocessing, read from its plans.json for one configuration (and
 * its dataset.json): the chain nnU-Net's DefaultPreprocessor runs on a raw case (nnunetv2
 * preprocessing/preprocessors/default_preprocessor.py, run_case_npy) and its predictor inverts
 * (inference/export_prediction.py): transpose_forward, crop to the nonzero region, each channel's
 * normalisation scheme with the dataset's foreground intensity properties, resampling to the
 * configuration's spacing with resampling_fn_data_kwargs, and the way back with
 * resampling_fn_probabilities_kwargs; the patch size is the sliding window. Arrays are in
 * SimpleITK's order (layout zyx), as nnU-Net reads scans. A configuration's {@code inherits_from}
 * is resolved as nnU-Net's PlansManager does.
 *
 * @param configuration the configuration's name
 * @param preprocessing the chain (layout zyx, no normalisation after it: the chain normalises)
 * @param patchSize the sliding window, tensor order
 * @param channelNames dataset.json's channel names in channel order (empty without a dataset.json)
 * @param labels dataset.json's labels, name to class index (empty without a dataset.json)
 */
public record NnunetPlans(String configuration, Preprocessing preprocessing, long[] patchSize,
    List<String> channelNames, Map<String, Integer> labels) {
  /** At most this many bytes per JSON file: plans of many configurations are a few hundred kB. */
  static final long MAX_BYTES = 16 << 20;

  public NnunetPlans {
    patchSize = patchSize.clone();
    channelNames = List.copyOf(channelNames);
    labels = Map.copyOf(labels);
  }

  /** The axes nnU-Net's default trainers mirror for test-time augmentation: every spatial axis. */
  public int[] defaultMirrorAxes() {
    int[] axes = new int[patchSize.length];
    for (int a = 0; a < axes.length; a++) {
      axes[a] = a;
    }
    return axes;
  }

  /**
   * Reads {@code plans} for {@code configuration}; {@code datasetJson} may be null (then a
   * dataset.json beside the plans is read when there is one). Bad content exits 2 naming the key.
   */
  public static NnunetPlans read(Path plans, String configuration, Path datasetJson) {
    Map<?, ?> p = object(plans, "nnU-Net plans");
    Path dataset = datasetJson;
    if (dataset == null && plans.toAbsolutePath().getParent() != null) {
      Path beside = plans.toAbsolutePath().getParent().resolve("dataset.json");
      dataset = Files.isRegularFile(beside) ? beside : null;
    }
    Map<?, ?> d = dataset == null ? Map.of() : object(dataset, "nnU-Net dataset.json");
    try {
      return parse(p, configuration, d);
    } catch (OptionValueException e) {
      throw e;
    } catch (Gradcam3dException e) {
      throw new OptionValueException("the nnU-Net plans " + plans + ": " + e.getMessage());
    }
  }

  private static NnunetPlans parse(Map<?, ?> plans, String name, Map<?, ?> dataset) {
    if (!(plans.get("configurations") instanceof Map<?, ?> configurations)) {
      throw new Gradcam3dException("no 'configurations' object: is this an nnU-Net v2 plans.json?");
    }
    Map<String, Object> c = resolve(configurations, name, new ArrayList<>());
    if (c.get("previous_stage") != null) {
      throw new Gradcam3dException("configuration '" + name + "' is a cascade stage: its network also takes the "
          + "previous stage's segmentation, which gradcam3d does not produce; explain 3d_fullres or 3d_lowres");
    }
    double[] spacing = numbers(c, "spacing");
    long[] patch = Arrays.stream(numbers(c, "patch_size")).mapToLong(v -> (long) v).toArray();
    if (spacing.length != 3 || patch.length != 3) {
      throw new Gradcam3dException("configuration '" + name + "' is " + spacing.length + "D; gradcam3d explains "
          + "nnU-Net's 3D configurations (3d_fullres, 3d_lowres), which see the whole volume");
    }
    for (int a = 0; a < 3; a++) {
      if (!(spacing[a] > 0) || patch[a] < 1) {
        throw new Gradcam3dException("configuration '" + name + "' has spacing " + Arrays.toString(spacing)
            + " and patch_size " + Arrays.toString(patch) + "; both must be positive");
      }
    }
    String preprocessor = c.get("preprocessor_name") instanceof String s ? s : "DefaultPreprocessor";
    if (!preprocessor.equals("DefaultPreprocessor")) {
      throw new Gradcam3dException("configuration '" + name + "' uses preprocessor " + preprocessor
          + "; gradcam3d reproduces nnU-Net's DefaultPreprocessor");
    }
    NnunetResampling.Orders data = orders(c, "resampling_fn_data", NnunetResampling.Orders.DATA);
    NnunetResampling.Orders back = orders(c, "resampling_fn_probabilities", NnunetResampling.Orders.PROBABILITIES);
    int[] forward = permutation(plans, "transpose_forward");
    int[] backward = permutation(plans, "transpose_backward");
    for (int a = 0; a < 3; a++) {
      if (backward[forward[a]] != a) {
        throw new Gradcam3dException("transpose_backward " + Arrays.toString(backward) + " does not undo "
            + "transpose_forward " + Arrays.toString(forward));
      }
    }
    List<String> schemes = strings(c, "normalization_schemes");
    List<Boolean> useMask = new ArrayList<>();
    if (c.get("use_mask_for_norm") instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof Boolean b)) {
          throw new Gradcam3dException("use_mask_for_norm must list one true/false per channel");
        }
        useMask.add(b);
      }
    }
    if (useMask.size() != schemes.size()) {
      throw new Gradcam3dException("configuration '" + name + "' lists " + schemes.size() + " normalization_schemes "
          + "but " + useMask.size() + " use_mask_for_norm entries; one each per channel");
    }
    Map<?, ?> properties = plans.get("foreground_intensity_properties_per_channel") instanceof Map<?, ?> m ? m
        : Map.of();
    List<Normalization> perChannel = new ArrayList<>();
    for (int ch = 0; ch < schemes.size(); ch++) {
      perChannel.add(Normalization.nnunet(schemes.get(ch), useMask.get(ch), props(properties.get(Integer.toString(ch)))));
    }
    List<String> channelNames = new ArrayList<>();
    if (dataset.get("channel_names") instanceof Map<?, ?> names) {
      for (int ch = 0; ch < names.size(); ch++) {
        Object n = names.get(Integer.toString(ch));
        if (n == null) {
          throw new Gradcam3dException("dataset.json's channel_names must be keyed \"0\", \"1\", ...");
        }
        channelNames.add(n.toString());
      }
      if (channelNames.size() != schemes.size()) {
        throw new Gradcam3dException("dataset.json names " + channelNames.size() + " channels but the plans normalise "
            + schemes.size());
      }
    }
    Map<String, Integer> labels = new LinkedHashMap<>();
    if (dataset.get("labels") instanceof Map<?, ?> ls) {
      for (Map.Entry<?, ?> e : ls.entrySet()) {
        if (!(e.getValue() instanceof Long v)) {
          throw new Gradcam3dException("dataset.json's label '" + e.getKey() + "' is a region (a list of classes); "
              + "region-based nnU-Net models are not supported");
        }
        labels.put(e.getKey().toString(), Math.toIntExact(v));
      }
    }
    GridChain grid = GridChain.none().then(new GridChain.Transpose(forward)).then(new GridChain.CropToNonzero())
        .then(new GridChain.Normalize(Normalization.perChannel(perChannel)))
        .then(new GridChain.NnunetResample(spacing, data, back));
    return new NnunetPlans(name, new Preprocessing(Layout.ZYX, grid, Normalization.NONE), patch, channelNames,
        labels);
  }

  /** The configuration with its inherits_from chain merged, parents first (PlansManager's rule). */
  private static Map<String, Object> resolve(Map<?, ?> configurations, String name, List<String> visited) {
    if (!(configurations.get(name) instanceof Map<?, ?> c)) {
      throw new OptionValueException("the nnU-Net plans have no configuration '" + name + "'; they have "
          + String.join(", ", configurations.keySet().stream().map(Object::toString).toList()));
    }
    if (visited.contains(name)) {
      throw new Gradcam3dException("configurations inherit from each other in a circle: " + visited);
    }
    visited.add(name);
    Map<String, Object> out = new LinkedHashMap<>();
    if (c.get("inherits_from") instanceof String parent) {
      out.putAll(resolve(configurations, parent, visited));
    }
    for (Map.Entry<?, ?> e : c.entrySet()) {
      out.put(e.getKey().toString(), e.getValue());
    }
    return out;
  }

  /** The resampling function's kwargs; only nnU-Net's default resampling function is reproduced. */
  private static NnunetResampling.Orders orders(Map<String, Object> c, String fn, NnunetResampling.Orders dflt) {
    Object f = c.get(fn);
    if (f != null && !"resample_data_or_seg_to_shape".equals(f)) {
      throw new Gradcam3dException(fn + " is " + f + "; gradcam3d reproduces nnU-Net's default "
          + "resample_data_or_seg_to_shape");
    }
    if (!(c.get(fn + "_kwargs") instanceof Map<?, ?> k)) {
      return dflt;
    }
    int order = k.get("order") instanceof Long o ? Math.toIntExact(o) : dflt.order();
    int orderZ = k.get("order_z") instanceof Long o ? Math.toIntExact(o) : dflt.orderZ();
    Object force = k.containsKey("force_separate_z") ? k.get("force_separate_z") : dflt.forceSeparateZ();
    if (force != null && !(force instanceof Boolean)) {
      throw new Gradcam3dException(fn + "_kwargs.force_separate_z must be true, false or null");
    }
    return new NnunetResampling.Orders(order, orderZ, (Boolean) force);
  }

  private static Map<String, Double> props(Object value) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() instanceof Number n) {
          out.put(e.getKey().toString(), n.doubleValue());
        }
      }
    }
    return out;
  }

  private static int[] permutation(Map<?, ?> plans, String key) {
    double[] v = numbers(plans, key);
    int[] p = new int[v.length];
    boolean[] seen = new boolean[3];
    for (int i = 0; i < v.length; i++) {
      p[i] = (int) v[i];
      if (v.length != 3 || p[i] != v[i] || p[i] < 0 || p[i] > 2 || seen[p[i]]) {
        throw new Gradcam3dException(key + " must be a permutation of 0, 1, 2, not " + Arrays.toString(v));
      }
      seen[p[i]] = true;
    }
    return p;
  }

  private static double[] numbers(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof List<?> list)) {
      throw new Gradcam3dException("'" + key + "' must be a list of numbers");
    }
    double[] v = new double[list.size()];
    for (int i = 0; i < v.length; i++) {
      if (!(list.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new Gradcam3dException("'" + key + "' must be a list of numbers");
      }
      v[i] = n.doubleValue();
    }
    return v;
  }

  private static List<String> strings(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof List<?> list) || list.isEmpty()) {
      throw new Gradcam3dException("'" + key + "' must list one scheme name per channel");
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new Gradcam3dException("'" + key + "' must list one scheme name per channel");
      }
      out.add(s);
    }
    return out;
  }

  private static Map<?, ?> object(Path file, String what) {
    long size = InputFiles.requireRegularFile(file, what + " file");
    if (size > MAX_BYTES) {
      throw new OptionValueException("the " + what + " " + file + " is " + size + " bytes; an nnU-Net JSON file is far "
          + "smaller");
    }
    Object parsed;
    try {
      parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new OptionValueException("the " + what + " " + file + " is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      throw new OptionValueException("the " + what + " " + file + " must hold a JSON object");
    }
    return m;
  }

  /** The class index of a label name from dataset.json, or -1. */
  public int labelIndex(String name) {
    Integer v = labels.get(name);
    return v == null ? -1 : v;
  }
}
