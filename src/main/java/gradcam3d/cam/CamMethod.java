package gradcam3d.cam;

import gradcam3d.autodiff.BackwardRules;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import gradcam3d.runtime.SeedHead;
import gradcam3d.tensor.FloatTensor;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A member of the Grad-CAM family: how a layer's activation A [B, C, *S] (and gradient G) become
 * a map at layer resolution, cam_layer [B, *S], before ReLU and normalisation. A method is one of
 * three kinds, by where its arithmetic runs, or a fourth: an attribution in input space, or a
 * fifth: a method that runs its own flow ({@link OwnFlow}). Each kind carries its strategy: the
 * {@link MethodFlow} it opens for an {@link Explainer} (its programs, and how their results become
 * maps).
 *
 * <p>Besides its arithmetic a method says what it needs and allows (the defaults fit a layer method
 * whose maps are computed per layer): whether it takes layers, how its layers' maps combine, its
 * parameters for summary.json and from the command line, and why it cannot run through sliding
 * windows or as one exported graph.
 */
public sealed interface CamMethod permits CamMethod.InGraph, CamMethod.OnHost, CamMethod.Perturbation,
    CamMethod.InputSpace, CamMethod.Occluding, CamMethod.OwnFlow {
  /** The command-line name, e.g. "gradcam++". */
  String name();

  /** This method's flow for one explainer: its programs are compiled per input shape on first use. */
  MethodFlow open(ModelProto model, Request request, RuntimeOptions options);

  /**
   * The same, its program starting at the (single) layer: fed the tensors crossing the layer's
   * cut rather than the model input ({@link Explainer#fromLayer}).
   */
  default MethodFlow openFromLayer(ModelProto model, Request request, RuntimeOptions options) {
    throw new GradientProgram.NoCut(name() + " needs the model input, not only the layer");
  }

  /**
   * The same method at given layers (LRP's relevance arriving at a layer), or null when the
   * method has no other form there; {@link Request} switches to it when layers are given.
   */
  default CamMethod atLayers() {
    return null;
  }

  /** Whether the method reads dT/dA (so the backward graph is needed). */
  boolean usesGradients();

  /** The backward sweep's rules: exact, or a modified gradient (guided backpropagation, LRP). */
  default BackwardRules rules() {
    return BackwardRules.EXACT;
  }

  /**
   * Whether the "gradient" is relevance propagated from the output (LRP): it is then a result
   * itself (relevance.npy at a layer), and its conservation is reported ({@link #startingRelevance}).
   */
  default boolean propagatesRelevance() {
    return false;
  }

  /**
   * Per sample, the relevance the sweep starts from at the output, from the effective seed
   * [B, K, *So] and T [B]; null for methods that do not propagate relevance.
   */
  default double[] startingRelevance(FloatTensor effectiveSeed, FloatTensor targetValues) {
    return null;
  }

  /** Whether the method explains at --layer(s); false: it chooses its tensors itself (input-space, FullGrad). */
  default boolean takesLayers() {
    return true;
  }

  /**
   * Whether the layers make one map together (Refine-CAM's product) rather than one map each:
   * {@code compare} then explains the method with all the layers at once.
   */
  default boolean combinesLayers() {
    return false;
  }

  /**
   * The map of several layers from their final maps (each [B, *S] in [0, 1]): by default their
   * mean, min-maxed again ({@link Normalise#aggregate}). One layer: its map.
   */
  default FloatTensor combineLayers(List<FloatTensor> normalised) {
    return Normalise.aggregate(normalised);
  }

  /**
   * Why the method cannot run per sliding window (its definition needs the whole layer or a
   * score of the whole volume), or null when it can: per window with the window's share of the seed.
   */
  default String notPerWindow() {
    return null;
  }

  /**
   * The channel reduction of the method's signed attribution in input space, [B, C', *S] to the map
   * [B, *S], or null for a method whose maps come from its layers. Sliding windows add such an
   * attribution over the windows and reduce the sum once (input relevance is additive).
   */
  default UnaryOperator<FloatTensor> attributionMap() {
    return null;
  }

  /**
   * The method as an attribution from the scores of occluded copies of a sample, or null for a
   * method that explains an input (or a window) by its own passes. Sliding windows score such a
   * method's copies of the whole scan through the windows rather than explaining each window.
   */
  default Occluding occlusion() {
    return null;
  }

  /**
   * Whether the method runs a forward pass per channel of its layer (Score-CAM, Ablation-CAM): its
   * cost grows with the channels.
   */
  default boolean forwardPassPerChannel() {
    return false;
  }

  /**
   * Whether summary.json says if the method's channel weights are noise (weights_ill_conditioned,
   * {@link Conditioning}): for methods that read gradients at their layers; an input-space method's
   * gradient is at the input.
   */
  default boolean reportsConditioning() {
    return usesGradients();
  }

  /** Why the explanation is not one compiled graph (--export-graph), or null when it is. */
  default String notOneGraph() {
    return null;
  }

  /** The method's parameters for summary.json (none by default). */
  default Map<String, Object> parameters() {
    return Map.of();
  }

  /**
   * Parameters summary.json gives at its top level, where the first versions put SmoothGrad's and
   * integrated gradients' (a new method puts its own in {@link #parameters}).
   */
  default Map<String, Object> summaryFields() {
    return Map.of();
  }

  /**
   * The parameters batch --resume compares besides the name, as "name=value" words (SmoothGrad's
   * and integrated gradients'), or "" when it compares the name alone.
   */
  default String resumeParameters() {
    return "";
  }

  /** The method with the parameters it takes from {@code options} (itself when it takes none). */
  default CamMethod withOptions(MethodOptions options) {
    return this;
  }

  /**
   * What the seed weights instead of the class scores (Finer-CAM's contrast), or null: the target's
   * own score. Such a method needs logits (--score logits).
   */
  default SeedHead.Contrast contrast() {
    return null;
  }

  /** Arithmetic appended to the compiled graph: ONNX Runtime computes the map. */
  non-sealed interface InGraph extends CamMethod {
    String camLayer(CamGraph g, String activation, String gradient);

    @Override
    default boolean usesGradients() {
      return true;
    }

    @Override
    default MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
      return new InGraphFlow(this, model, request, options, false);
    }

    @Override
    default MethodFlow openFromLayer(ModelProto model, Request request, RuntimeOptions options) {
      return new InGraphFlow(this, model, request, options, true);
    }
  }

  /** Computed in Java from A and G (the eigen methods need a small eigen-decomposition). */
  non-sealed interface OnHost extends CamMethod {
    gradcam3d.tensor.FloatTensor camLayer(gradcam3d.tensor.FloatTensor activation,
        gradcam3d.tensor.FloatTensor gradient);

    /**
     * The same map as graph arithmetic, for the exported graph: iterative where the host is exact,
     * equal to {@link #camLayer} up to float32 rounding; null when there is none
     * ({@link #notOneGraph} says why).
     */
    InGraph inGraph();

    @Override
    default MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
      return new OnHostFlow(this, model, request, options, false);
    }

    @Override
    default MethodFlow openFromLayer(ModelProto model, Request request, RuntimeOptions options) {
      return new OnHostFlow(this, model, request, options, true);
    }
  }

  /**
   * A method that runs its own flow: it compiles its own program(s) and turns their results into
   * the explanation (FullGrad: gradients at every bias-carrying node in one program; Deep Feature
   * Factorization: a factorisation on the host and one run per class). The explainer delegates to
   * the flow it opens.
   */
  non-sealed interface OwnFlow extends CamMethod {}

  /** Channel weights [B][C] from extra forward passes with the input or the layer perturbed. */
  sealed interface Perturbation extends CamMethod permits Perturbation.OfInput, Perturbation.OfLayer {
    float[][] channelWeights(Perturber perturber, int layer);

    /** Whether the layer itself is perturbed (only the network after it runs again), rather than the input. */
    boolean perturbsLayer();

    @Override
    default MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
      return new PerturbationFlow(this, model, request, options);
    }

    @Override
    default boolean usesGradients() {
      return false;
    }

    @Override
    default String notOneGraph() {
      return "it runs extra forward passes from the host";
    }

    @Override
    default boolean forwardPassPerChannel() {
      return true;
    }

    /** Perturbs the model input (Score-CAM): whole forward passes. */
    non-sealed interface OfInput extends Perturbation {
      @Override
      default boolean perturbsLayer() {
        return false;
      }
    }

    /**
     * Perturbs the layer itself (Ablation-CAM): only the network after the layer runs again, fed
     * the tensors that cross the cut from the unperturbed pass.
     */
    non-sealed interface OfLayer extends Perturbation {
      @Override
      default boolean perturbsLayer() {
        return true;
      }
    }
  }

  /**
   * An attribution in input space from the gradient g = dT/dx of the target with respect to the
   * model input (the input is the "layer" of the same compiled program), taken at x itself or
   * averaged along a {@link GradientPath} of inputs run as batches through that program. The
   * attribution [B, C, *S] is signed; the map [B, *S] (cam_layer, already on the input grid)
   * reduces its channels.
   */
  non-sealed interface InputSpace extends CamMethod {
    @Override
    default boolean usesGradients() {
      return true;
    }

    /** Only a method with a Grad-CAM factor reads --layer (guided Grad-CAM). */
    @Override
    default boolean takesLayers() {
      return camFactor() != null;
    }

    @Override
    default String notPerWindow() {
      return "it attributes to the input, not a layer";
    }

    @Override
    default boolean reportsConditioning() {
      return false;
    }

    @Override
    default UnaryOperator<FloatTensor> attributionMap() {
      return this::map;
    }

    @Override
    default String notOneGraph() {
      return camFactor() != null ? "it runs two gradient programs from the host" : null;
    }

    /** The Grad-CAM-family method whose normalised map multiplies the attribution, or null. */
    default CamMethod.InGraph camFactor() {
      return null;
    }

    /** Where to take gradients for one sample x [1, C, *S]; null: at x only. */
    default GradientPath path(FloatTensor x, int sample) {
      return null;
    }

    /** The signed attribution [1, C, *S] from x and the (path-weighted) gradient [1, C, *S]. */
    FloatTensor attribution(FloatTensor x, GradientPath path, FloatTensor gradient);

    /** Channel reduction: attribution [B, C, *S] to the map [B, *S]. */
    FloatTensor map(FloatTensor attribution);

    @Override
    default MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
      return new InputSpaceFlow(this, model, request, options);
    }
  }

  /**
   * An attribution in input space from forward passes alone (occlusion sensitivity): the target
   * scored on copies of one sample with boxes of voxels occluded, by a {@link PatchScorer} that
   * the caller chooses (the whole input in one model run, or a whole scan through sliding
   * windows). The method computes its attribution itself from those scores; the target's region
   * stays fixed from the unperturbed prediction.
   */
  non-sealed interface Occluding extends CamMethod {
    @Override
    default boolean usesGradients() {
      return false;
    }

    @Override
    default String notOneGraph() {
      return "it runs extra forward passes from the host";
    }

    @Override
    default boolean takesLayers() {
      return false;
    }

    /**
     * The signed attribution of one sample x [1, C, *S] (its values [1, C', *S]), with the arrays
     * and cost the method reports, from the scores {@code scorer} gives for its occluded copies.
     */
    Explanation.Attribution attribute(FloatTensor x, PatchScorer scorer, Progress progress);

    /** Channel reduction: attribution [B, C', *S] to the map [B, *S]. */
    FloatTensor map(FloatTensor attribution);

    @Override
    default UnaryOperator<FloatTensor> attributionMap() {
      return this::map;
    }

    @Override
    default Occluding occlusion() {
      return this;
    }

    @Override
    default MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
      return new OcclusionFlow(this, model, request, options);
    }
  }
}
