package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.Target;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.graph.LayerSpec;
import gradcam3d.pipeline.Settings;
import gradcam3d.pipeline.Shard;
import gradcam3d.render.Colormap;
import gradcam3d.render.ContourRule;
import gradcam3d.render.RenderOptions;
import gradcam3d.volume.Layout;
import gradcam3d.volume.Normalization;
import gradcam3d.volume.Orientation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked while the command line is parsed, so that a bad value exits with 2 and
 * the usage hint before any file is read.
 */
final class Converters {
  private Converters() {}

  /** Runs a parser of the library; its one-line message becomes picocli's. */
  private static <T> T parsed(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (Gradcam3dException | IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  private static int integer(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + s + "' is not a whole number");
    }
  }

  private static double decimal(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + s + "' is not a number");
    }
  }

  /** A token grid like 6,6,6: positive sizes ({@link #sizes} gives them). */
  static final class TokenGrid implements ITypeConverter<String> {
    @Override
    public String convert(String s) {
      if (!s.matches("\\d+(,\\d+)+") || sizes(s) == null) {
        throw new TypeConversionException("'" + s + "' is not a grid of positive sizes like 6,6,6");
      }
      return s;
    }
  }

  /** Comma-separated positive sizes (digits only), or null when one is 0 or too large. */
  static long[] sizes(String digits) {
    String[] parts = digits.split(",");
    long[] out = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        out[i] = Long.parseLong(parts[i]);
        if (out[i] <= 0) {
          return null;
        }
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return out;
  }

  /**
   * --layer: {@code NAME} (a module path, {@code module@k} element or tensor name, resolved once
   * the model is read), or {@code NAME:grid=Z,Y,X}, a token layer with its patch grid.
   */
  static final class LayerSpecText implements ITypeConverter<LayerSpec> {
    private static final String GRID = ":grid=";

    @Override
    public LayerSpec convert(String s) {
      int at = s.lastIndexOf(GRID);
      if (at < 0) {
        return LayerSpec.named(s);
      }
      String text = s.substring(at + GRID.length());
      long[] grid = text.matches("\\d+(,\\d+)*") ? sizes(text) : null;
      if (grid == null) {
        throw new TypeConversionException("the token grid in '" + s + "' must be positive sizes like 6,6,6");
      }
      return new LayerSpec(s.substring(0, at), grid);
    }
  }

  static final class Method implements ITypeConverter<CamMethod> {
    @Override
    public CamMethod convert(String s) {
      return parsed(() -> CamMethods.byName(s));
    }
  }

  /** batch --resume: redo cases made with other settings, or refuse them. */
  enum Resume { REDO, STRICT }

  static final class ResumeValue implements ITypeConverter<Resume> {
    @Override
    public Resume convert(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "redo" -> Resume.REDO;
        case "strict" -> Resume.STRICT;
        default -> throw new TypeConversionException("must be redo or strict, not '" + s + "'");
      };
    }
  }

  /** Methods named once each, in order (compare --methods). */
  record Methods(List<CamMethod> list) {}

  /** M1,M2,...: no empty item, no method twice. */
  static final class MethodList implements ITypeConverter<Methods> {
    @Override
    public Methods convert(String s) {
      List<CamMethod> list = new java.util.ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (String item : s.split(",", -1)) {
        if (item.isBlank()) {
          throw new TypeConversionException("'" + s + "' has an empty item; list methods as M1,M2,...");
        }
        CamMethod m = parsed(() -> CamMethods.byName(item.strip()));
        if (!seen.add(m.name())) {
          throw new TypeConversionException("'" + s + "' names " + m.name() + " twice; each method is compared once");
        }
        list.add(m);
      }
      return new Methods(List.copyOf(list));
    }
  }

  /** A noise level: a finite number >= 0. */
  static final class NoiseLevel implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = decimal(s);
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new TypeConversionException("must be a finite number >= 0, not '" + s + "'");
      }
      return v;
    }
  }

  /** Integration points: 2 or more (the trapezoid rule needs both ends). */
  static final class Steps implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String s) {
      int v = integer(s);
      if (v < 2) {
        throw new TypeConversionException("must be at least 2, not " + v);
      }
      return v;
    }
  }

  static final class BaselineValue implements ITypeConverter<String> {
    @Override
    public String convert(String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (!t.equals("zero") && !t.equals("blur")) {
        throw new TypeConversionException("must be zero or blur, not '" + s + "'");
      }
      return t;
    }
  }

  /** A file name ending in .onnx whose folder exists. */
  static final class OnnxOutFile implements ITypeConverter<Path> {
    @Override
    public Path convert(String s) {
      Path p = Path.of(s);
      if (!s.endsWith(".onnx")) {
        throw new TypeConversionException("must name a .onnx file, not '" + s + "'");
      }
      Path dir = p.toAbsolutePath().getParent();
      if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
        throw new TypeConversionException("the folder of '" + s + "' does not exist");
      }
      if (java.nio.file.Files.isDirectory(p)) {
        throw new TypeConversionException("'" + s + "' is a folder");
      }
      return p;
    }
  }

  /** Voxel sizes in mm (a holder: picocli would take a bare array for a repeatable option). */
  record VoxelSizes(double[] mm) {}

  /** --resample: three positive voxel sizes in mm. */
  static final class Pixdim implements ITypeConverter<VoxelSizes> {
    @Override
    public VoxelSizes convert(String s) {
      String[] parts = s.split(",");
      if (parts.length != 3) {
        throw new TypeConversionException("needs three voxel sizes in mm, SI,SJ,SK (e.g. 1.5,1.5,2), not '" + s + "'");
      }
      double[] v = new double[3];
      for (int i = 0; i < 3; i++) {
        try {
          v[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new TypeConversionException("'" + parts[i].trim() + "' in '" + s + "' is not a number");
        }
        if (!(v[i] > 0) || !Double.isFinite(v[i])) {
          throw new TypeConversionException("voxel sizes must be positive mm, not '" + s + "'");
        }
      }
      return new VoxelSizes(v);
    }
  }

  /** --orient: axis codes such as RAS or LPS. */
  static final class OrientationValue implements ITypeConverter<Orientation> {
    @Override
    public Orientation convert(String s) {
      Orientation o = parsed(() -> Orientation.parse(s));
      if (o.rank() != 3) {
        throw new TypeConversionException("'" + s + "' has " + o.rank() + " letters; give one per axis of a 3D scan,"
            + " e.g. RAS or LPS");
      }
      return o;
    }
  }

  /** --display: radiological or neurological. */
  record Convention(boolean neurological) {}

  static final class DisplayConvention implements ITypeConverter<Convention> {
    @Override
    public Convention convert(String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "radiological": return new Convention(false);
        case "neurological": return new Convention(true);
        default: throw new TypeConversionException("must be radiological or neurological, not '" + s + "'");
      }
    }
  }

  static final class Score implements ITypeConverter<gradcam3d.runtime.Score> {
    @Override
    public gradcam3d.runtime.Score convert(String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "logits": return gradcam3d.runtime.Score.LOGITS;
        case "probabilities": case "probs": return gradcam3d.runtime.Score.PROBABILITIES;
        default: throw new TypeConversionException("must be logits or probabilities, not '" + s + "'");
      }
    }
  }

  static final class LayoutValue implements ITypeConverter<Layout> {
    @Override
    public Layout convert(String s) {
      return parsed(() -> Layout.parse(s));
    }
  }

  static final class NormalizationValue implements ITypeConverter<Normalization> {
    @Override
    public Normalization convert(String s) {
      return parsed(() -> Normalization.parse(s));
    }
  }

  static final class ColormapValue implements ITypeConverter<Colormap> {
    @Override
    public Colormap convert(String s) {
      return parsed(() -> Colormap.byName(s));
    }
  }

  /** 1..{@link Settings#MAX_THREADS}. */
  static final class Threads implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String s) {
      int n = integer(s);
      return parsed(() -> {
        Settings.checkThreads(n);
        return n;
      });
    }
  }

  /** I/N with 1 <= I <= N. */
  static final class ShardValue implements ITypeConverter<Shard> {
    @Override
    public Shard convert(String s) {
      return parsed(() -> Shard.parse(s));
    }
  }

  /** 1 or more. */
  static final class Positive implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String s) {
      int n = integer(s);
      if (n < 1) {
        throw new TypeConversionException("must be at least 1, not " + n);
      }
      return n;
    }
  }

  /** 0 or more. */
  static final class NonNegative implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String s) {
      int n = integer(s);
      if (n < 0) {
        throw new TypeConversionException("must be 0 or more, not " + n);
      }
      return n;
    }
  }

  /** A fraction in [0, 1]. */
  static final class Opacity implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = decimal(s);
      if (!(v >= 0 && v <= 1)) {
        throw new TypeConversionException("must be between 0 and 1, not " + s);
      }
      return v;
    }
  }

  /** AXIS=N with AXIS one of z, y, x and N >= 0 (the upper bound is checked against the input). */
  static final class Slice implements ITypeConverter<PictureOptions.SliceIndex> {
    @Override
    public PictureOptions.SliceIndex convert(String s) {
      String[] kv = s.split("=", -1);
      if (kv.length != 2) {
        throw new TypeConversionException("'" + s + "' must look like z=10");
      }
      String axis = kv[0].trim().toLowerCase(Locale.ROOT);
      if (!axis.equals("z") && !axis.equals("y") && !axis.equals("x")) {
        throw new TypeConversionException("axis must be z, y or x, not '" + kv[0] + "'");
      }
      int v = integer(kv[1]);
      if (v < 0) {
        throw new TypeConversionException("'" + s + "' needs a slice index of 0 or more");
      }
      return new PictureOptions.SliceIndex(axis.charAt(0), v);
    }
  }

  /** A folder name that is not empty. */
  static final class OutFolder implements ITypeConverter<Path> {
    @Override
    public Path convert(String s) {
      if (s.isBlank()) {
        throw new TypeConversionException("needs a folder name, not an empty string");
      }
      try {
        return Path.of(s);
      } catch (java.nio.file.InvalidPathException e) {
        throw new TypeConversionException("'" + s + "' is not a usable path: " + e.getReason());
      }
    }
  }

  /** An existing-or-not file path that is not empty. */
  static final class FilePath implements ITypeConverter<Path> {
    @Override
    public Path convert(String s) {
      if (s.isBlank()) {
        throw new TypeConversionException("needs a file name, not an empty string");
      }
      try {
        return Path.of(s);
      } catch (java.nio.file.InvalidPathException e) {
        throw new TypeConversionException("'" + s + "' is not a usable path: " + e.getReason());
      }
    }
  }

  /** [NAME=]B,C,D...: an input's name (null: the only input) and positive dimensions. */
  record NamedShape(String name, long[] dims) {}

  static final class InputShape implements ITypeConverter<NamedShape> {
    @Override
    public NamedShape convert(String s) {
      int eq = s.indexOf('=');
      String name = eq < 0 ? null : s.substring(0, eq);
      String dims = eq < 0 ? s : s.substring(eq + 1);
      long[] shape;
      try {
        shape = gradcam3d.tensor.Shapes.parse(dims);
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        throw new TypeConversionException("'" + s + "' is not a list of positive integers like 1,1,64,64,64");
      }
      if (shape.length < 3 || shape.length > 5) {
        throw new TypeConversionException("'" + s + "' has " + shape.length + " dimensions; give B,C,Y,X or B,C,Z,Y,X");
      }
      if (gradcam3d.tensor.Shapes.numel(shape) > (1L << 34)) {
        throw new TypeConversionException("'" + s + "' is larger than any volume gradcam3d can hold");
      }
      return new NamedShape(name, shape);
    }
  }

  static final class ContourRuleValue implements ITypeConverter<ContourRule> {
    @Override
    public ContourRule convert(String s) {
      return parsed(() -> ContourRule.byName(s));
    }
  }

  static final class FigureSize implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String s) {
      int px = integer(s);
      if (px < RenderOptions.MIN_FIGURE_SIZE || px > RenderOptions.MAX_FIGURE_SIZE) {
        throw new TypeConversionException("the figure size must be " + RenderOptions.MIN_FIGURE_SIZE
            + " to " + RenderOptions.MAX_FIGURE_SIZE + " pixels, got " + px);
      }
      return px;
    }
  }

  static final class Spacing implements ITypeConverter<PictureOptions.VoxelSize> {
    @Override
    public PictureOptions.VoxelSize convert(String s) {
      String[] parts = s.split(",");
      if (parts.length < 2 || parts.length > 3) {
        throw new TypeConversionException("'" + s + "' must give 2 or 3 voxel sizes in mm, e.g. 3,0.7,0.7");
      }
      double[] mm = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          mm[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
          mm[i] = Double.NaN;
        }
        if (!(mm[i] > 0) || Double.isInfinite(mm[i])) {
          throw new TypeConversionException("'" + s + "': voxel sizes must be positive numbers of mm, e.g. 3,0.7,0.7");
        }
      }
      return new PictureOptions.VoxelSize(mm);
    }
  }

  /** --window: Z,Y,X (positive sizes) or auto. */
  static final class Window implements ITypeConverter<WindowOptions.WindowSize> {
    @Override
    public WindowOptions.WindowSize convert(String s) {
      if (s.trim().equalsIgnoreCase("auto")) {
        return new WindowOptions.WindowSize(null);
      }
      if (!s.trim().matches("\\d+(\\s*,\\s*\\d+)*") || s.matches("(.*,)?\\s*0+\\s*(,.*)?")) {
        throw new TypeConversionException("--window must be Z,Y,X (positive sizes) or auto, not '" + s + "'");
      }
      return new WindowOptions.WindowSize(gradcam3d.tensor.Shapes.parse(s.replace(" ", "")));
    }
  }

  /** --overlap: a fraction in [0, 1). */
  static final class Overlap implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = decimal(s);
      return parsed(() -> {
        gradcam3d.window.SlidingWindowExplainer.Settings.checkOverlap(v);
        return v;
      });
    }
  }

  static final class BlendValue implements ITypeConverter<gradcam3d.window.Blend> {
    @Override
    public gradcam3d.window.Blend convert(String s) {
      return parsed(() -> gradcam3d.window.Blend.parse(s));
    }
  }

  /** --pad-value: a finite number. */
  static final class PadValue implements ITypeConverter<Float> {
    @Override
    public Float convert(String s) {
      float v = (float) decimal(s);
      return parsed(() -> {
        gradcam3d.window.SlidingWindowExplainer.Settings.checkPadValue(v);
        return v;
      });
    }
  }

  /** --occlusion-size: N, or one positive size per spatial axis (Z,Y,X or Y,X); parsed by {@link #sizes}. */
  static final class OcclusionSize implements ITypeConverter<String> {
    @Override
    public String convert(String s) {
      if (!s.trim().matches("\\d{1,9}(,\\d{1,9})*") || s.matches("(.*,)?0+(,.*)?")) {
        throw new TypeConversionException("must be a positive size N or Z,Y,X, not '" + s + "'");
      }
      return s.trim();
    }
  }

  /** --occlusion-overlap: a fraction in [0, 1). */
  static final class OcclusionOverlap implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = decimal(s);
      return parsed(() -> {
        gradcam3d.cam.OcclusionGrid.checkOverlap(v);
        return v;
      });
    }
  }

  /** --occlusion-mode: gaussian, mean_patch, mean_img or a number. */
  static final class OcclusionModeValue implements ITypeConverter<String> {
    @Override
    public String convert(String s) {
      return parsed(() -> {
        gradcam3d.cam.methods.OcclusionMode.parse(s);
        return s;
      });
    }
  }

  /**
   * --target: parsed by {@link Target#parse} (a bad one exits 2 before the model loads); a
   * dataset.json label name in the class's place is kept as a name, its syntax after the class
   * checked as a class number's would be, until the plans are read ({@link TargetOption#resolve}).
   */
  static final class TargetText implements ITypeConverter<TargetOption> {
    /** A dataset.json label name in the class's place (--nnunet-plans), resolved once it is read. */
    private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile("[A-Za-z_][\\w .-]*");

    @Override
    public TargetOption convert(String s) {
      return parsed(() -> {
        int colon = s.indexOf(':');
        String head = (colon < 0 ? s : s.substring(0, colon)).trim();
        if (!head.equals("argmax") && LABEL_NAME.matcher(head).matches()) {
          Target.parse("0" + (colon < 0 ? "" : s.substring(colon)));
          return TargetOption.named(s, head);
        }
        return TargetOption.of(s, Target.parse(s));
      });
    }
  }

  /** --kpca-kernel: one of KPCA-CAM's kernels. */
  static final class KpcaKernel implements ITypeConverter<String> {
    @Override
    public String convert(String s) {
      return parsed(() -> gradcam3d.cam.methods.KpcaCam.Kernel.parse(s).toString());
    }
  }

  /** A finite number > 0 (--kpca-gamma). */
  static final class PositiveNumber implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = decimal(s);
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new TypeConversionException("must be a finite number > 0, not '" + s + "'");
      }
      return v;
    }
  }

  /** A finite number (--finer-alpha). */
  static final class FiniteNumber implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = decimal(s);
      if (!Double.isFinite(v)) {
        throw new TypeConversionException("must be a finite number, not '" + s + "'");
      }
      return v;
    }
  }
}
