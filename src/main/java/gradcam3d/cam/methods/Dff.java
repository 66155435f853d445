package gradcam3d.cam.methods;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.cam.CamMethod;
import gradcam3d.cam.MethodFlow;
import gradcam3d.cam.MethodOptions;
import gradcam3d.cam.Request;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.runtime.RuntimeOptions;
import java.util.Map;

/**
 * Deep Feature Factorization (Collins et al. 2018; pytorch-grad-cam's DeepFeatureFactorization):
 * the layer's activations of each sample, A [C, N voxels] minus each channel's minimum (so they are
 * non-negative), factorised by NMF into K concepts, A - offset ~ W H: W [C, K] the concepts'
 * channel vectors, H [K, N] where each concept is ({@link Nmf}: NNDSVD start, deterministic;
 * pytorch-grad-cam uses sklearn's random start and factorises the whole batch at once). Each
 * concept's map is its row of H, resized to the input grid and min-maxed (concepts.npy
 * [B, K, *S]). What a concept does for a class: its first-order share of the class's score,
 * contribution_jk = sum over channels and voxels of dS_j/dA * W_k H_k (for a classifier whose
 * head is global pooling and a linear layer, the head applied to the concept vector, times the
 * concept's mean strength: what pytorch-grad-cam's computation_on_concepts gives), with
 * S_j = class j's score (segmentation: summed where the model predicts j; classification: its
 * logit), and share_jk = contribution_jk / sum_k |contribution_jk|. The map is the concept with
 * the largest contribution to the explained target. Costs one forward and backward pass for the
 * target and one per class (classes the target already is are not run again), plus the NMF.
 *
 * @param concepts K, the number of concepts
 */
public record Dff(int concepts) implements CamMethod.OwnFlow {
  public Dff {
    if (concepts < 1) {
      throw new OptionValueException(Setting.CONCEPTS, Setting.CONCEPTS.label() + " must be at least 1, not "
          + concepts);
    }
  }

  public Dff() {
    this(MethodOptions.CONCEPTS);
  }

  @Override
  public String name() {
    return "dff";
  }

  @Override
  public boolean usesGradients() {
    return true;
  }

  @Override
  public String notPerWindow() {
    return "its factorisation is one of the whole layer";
  }

  @Override
  public String notOneGraph() {
    return "its factorisation runs on the host";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("concepts", concepts);
  }

  @Override
  public CamMethod withOptions(MethodOptions o) {
    return new Dff(o.concepts());
  }

  @Override
  public MethodFlow open(ModelProto model, Request request, RuntimeOptions options) {
    if (request.layers().size() != 1) {
      throw new OptionValueException(Setting.LAYER, "dff factorises one layer's activations; give exactly one "
          + Setting.LAYER.label() + ", not " + request.layers().size());
    }
    return new DffFlow(model, request, concepts, options);
  }
}
