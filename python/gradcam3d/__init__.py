"""gradcam3d from Python: pytorch-grad-cam's interface, computed by the gradcam3d engine.

    from gradcam3d import GradCAM, SemanticSegmentationTarget
    cam = GradCAM(model=model, target_layers=[model.down3])
    maps = cam(input_tensor=x, targets=[SemanticSegmentationTarget(2, mask)])   # (B, D, H, W) in [0, 1]
    cam.explanation.summary, cam.explanation.cam_layer, cam.explanation.report()

The model is exported to ONNX for you (cached by weights and code: gradcam3d.onnx_export), the engine
runs in a long-lived worker process (gradcam3d.engine), results come back as numpy arrays.
"""
from .cam import BaseCAM, CAM
from .display import show
from .engine import (CommandLine, EngineError, EngineNotFound, InputError, InternalError, OptionError, Worker,
                     default_worker)
from .explanation import Explanation, Report
from .onnx_export import ExportError, export, module_path
from .methods import CLASSES, METHODS
from .targets import (ArgmaxTarget, BoxTarget, ClassifierOutputTarget, PredictedRegionTarget,
                      SemanticSegmentationTarget, VoxelTarget, WholeClassTarget)

__version__ = "0.1.0"

globals().update(CLASSES)


def report(explanation):
    """The HTML report of an explanation (a CAM object's ``.explanation`` or the object itself); it
    displays in Jupyter, ``str()`` gives the HTML."""
    return getattr(explanation, "explanation", explanation).report()


__all__ = sorted(CLASSES) + [
    "BaseCAM", "CAM", "show", "report", "Explanation", "Report", "export", "module_path", "ExportError",
    "Worker", "CommandLine", "default_worker", "EngineError", "InputError", "OptionError", "InternalError",
    "EngineNotFound", "METHODS", "ClassifierOutputTarget", "SemanticSegmentationTarget", "PredictedRegionTarget",
    "WholeClassTarget", "BoxTarget", "VoxelTarget", "ArgmaxTarget"]
