package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.autodiff.LrpRules;
import gradcam3d.cam.methods.Lrp;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options of --method lrp (layer-wise relevance propagation): its composite and rule parameters. */
final class LrpOptions {
  @Option(names = "--composite", defaultValue = "epsilon-plus-flat", paramLabel = "NAME", converter = CompositeValue.class,
      description = "lrp: the rules, as zennit's composites: epsilon-plus-flat (first layer Flat, convolutions ZPlus), "
          + "epsilon-gamma-box (first ZBox, convolutions Gamma), epsilon-alpha2-beta1-flat (first Flat, convolutions "
          + "AlphaBeta(2,1)), epsilon-plus, epsilon-alpha2-beta1 (no first-layer rule); Gemm/MatMul layers Epsilon in all "
          + "(default: ${DEFAULT-VALUE}).")
  LrpRules.Composite composite;

  @Option(names = "--lrp-epsilon", defaultValue = "1e-6", paramLabel = "E", converter = PositiveNumber.class,
      description = "lrp: the Epsilon rule's stabiliser (dense layers) (default: ${DEFAULT-VALUE}).")
  double epsilon;

  @Option(names = "--lrp-gamma", defaultValue = "0.25", paramLabel = "G", converter = NonNegativeNumber.class,
      description = "lrp: the Gamma rule's gamma (epsilon-gamma-box) (default: ${DEFAULT-VALUE}).")
  double gamma;

  @Option(names = "--lrp-low", paramLabel = "V", converter = FiniteNumber.class,
      description = "lrp: the box rule's lowest input value (epsilon-gamma-box; give with --lrp-high; "
          + "default: each sample's minimum, needed with --window).")
  Double low;

  @Option(names = "--lrp-high", paramLabel = "V", converter = FiniteNumber.class,
      description = "lrp: the box rule's highest input value (default: each sample's maximum).")
  Double high;

  @Option(names = "--lrp-norm", defaultValue = "identity", paramLabel = "identity|gradient", converter = NormValue.class,
      description = "lrp: InstanceNorm/GroupNorm/LayerNorm: identity passes relevance through (the normalisation is an "
          + "affine map for this input; relevance conserved), gradient is zennit's plain gradient (each channel's "
          + "relevance sent to a zero sum) (default: ${DEFAULT-VALUE}).")
  LrpRules.NormRule norm;

  @Option(names = "--lrp-start", defaultValue = "seed", paramLabel = "seed|logits",
      converter = StartValue.class,
      description = "lrp: the output relevance: the target's seed (the region at the class channel; one-hot for "
          + "classifiers), or the logits inside it (summing to T) (default: ${DEFAULT-VALUE}).")
  LrpRules.Start start;

  /** The method with these options. */
  Lrp method() {
    if ((low == null) != (high == null)) {
      throw new gradcam3d.OptionValueException("give both --lrp-low and --lrp-high, or neither");
    }
    return new Lrp(new LrpRules(composite, epsilon, gamma, low, high, norm, start));
  }

  static final class CompositeValue implements ITypeConverter<LrpRules.Composite> {
    @Override
    public LrpRules.Composite convert(String s) {
      try {
        return LrpRules.Composite.parse(s);
      } catch (Gradcam3dException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class NormValue implements ITypeConverter<LrpRules.NormRule> {
    @Override
    public LrpRules.NormRule convert(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "identity" -> LrpRules.NormRule.IDENTITY;
        case "gradient" -> LrpRules.NormRule.GRADIENT;
        default -> throw new TypeConversionException("must be identity or gradient, not '" + s + "'");
      };
    }
  }

  static final class StartValue implements ITypeConverter<LrpRules.Start> {
    @Override
    public LrpRules.Start convert(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "seed" -> LrpRules.Start.SEED;
        case "logits" -> LrpRules.Start.LOGITS;
        default -> throw new TypeConversionException("must be seed or logits, not '" + s + "'");
      };
    }
  }

  private static double number(String s) {
    try {
      double v = Double.parseDouble(s.trim());
      if (!Double.isFinite(v)) {
        throw new TypeConversionException("must be a finite number, not '" + s + "'");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + s + "' is not a number");
    }
  }

  static final class FiniteNumber implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      return number(s);
    }
  }

  static final class PositiveNumber implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = number(s);
      if (!(v > 0)) {
        throw new TypeConversionException("must be a positive number, not '" + s + "'");
      }
      return v;
    }
  }

  static final class NonNegativeNumber implements ITypeConverter<Double> {
    @Override
    public Double convert(String s) {
      double v = number(s);
      if (!(v >= 0)) {
        throw new TypeConversionException("must be a number >= 0, not '" + s + "'");
      }
      return v;
    }
  }
}
