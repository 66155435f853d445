"""One class per gradcam3d method, named as pytorch-grad-cam names its classes.

The engine's methods are registered in src/main/java/gradcam3d/cam/methods/CamMethods.java; each gets one
line in METHODS below (class name -> the engine's --method name). A method the engine does not
know fails on its first call with the engine's own message ("unknown method ..."), and the
test suite checks that the methods here are exactly those the engine lists. A method without a
line is still usable as ``CAM(model, target_layers, method="its-name")``.
"""
from .cam import BaseCAM

# class name -> gradcam3d --method; pytorch-grad-cam's names where it has the method
METHODS = {
    "GradCAM": "gradcam",
    "HiResCAM": "hirescam",
    "GradCAMElementWise": "gradcam-elementwise",
    "GradCAMPlusPlus": "gradcam++",
    "XGradCAM": "xgradcam",
    "LayerCAM": "layercam",
    "EigenCAM": "eigencam",
    "EigenGradCAM": "eigengradcam",
    "ScoreCAM": "scorecam",
    "AblationCAM": "ablationcam",
    "Saliency": "saliency",
    "InputXGradient": "input-x-gradient",
    "SmoothGrad": "smoothgrad",
    "IntegratedGradients": "integrated-gradients",
    "GuidedBackprop": "guided-backprop",
    "GuidedGradCAM": "guided-gradcam",
    "Occlusion": "occlusion",
    "FEM": "fem",
    "KPCA_CAM": "kpca-cam",
    "SegEigenCAM": "seg-eigen-cam",
    "FinerCAM": "finer-cam",
    "FullGrad": "fullgrad",
    "RefineCAM": "refine-cam",
    "RandomCAM": "random-cam",
    "DFF": "dff",
    "ShapleyCAM": "shapley-cam",
    "LRP": "lrp",
}


def _method_class(class_name, method):
    doc = ("gradcam3d's ``--method %s`` with pytorch-grad-cam's interface: "
           "``%s(model, target_layers)(input_tensor, targets=[...])`` returns the maps (B, *spatial) in [0, 1]; "
           "see :class:`gradcam3d.cam.BaseCAM`." % (method, class_name))
    return type(class_name, (BaseCAM,), {"method": method, "__doc__": doc, "__module__": "gradcam3d"})


CLASSES = {name: _method_class(name, method) for name, method in METHODS.items()}
