"""What to explain: pytorch-grad-cam's target classes and gradcam3d's own, as engine --target texts.

pytorch-grad-cam's targets are callables run on the model output in Python; here the engine
computes the target inside its ONNX graph, so each target is one of the forms the engine knows
(``gradcam3d explain --help``, "Targets"). Every class has ``spec(folder)``: the --target text,
with any mask written into ``folder`` as .npy.
"""
import os
import warnings

import numpy as np

__all__ = ["ClassifierOutputTarget", "SemanticSegmentationTarget", "PredictedRegionTarget", "WholeClassTarget",
           "BoxTarget", "VoxelTarget", "ArgmaxTarget", "target_spec"]


def _category(category):
    if isinstance(category, bool) or not isinstance(category, (int, np.integer)) or int(category) < 0:
        raise ValueError("a target's category is a class index (int >= 0), not %r" % (category,))
    return int(category)


def _ints(values, n, what):
    values = [int(v) for v in np.asarray(values).reshape(-1)]
    if n is not None and len(values) != n:
        raise ValueError("%s takes %d numbers, not %d" % (what, n, len(values)))
    return values


class ClassifierOutputTarget:
    """pytorch-grad-cam's classifier target: the logit of ``category``.

    For a segmentation model it is gradcam3d's default form, the class summed over the voxels the
    model predicts as that class (:class:`PredictedRegionTarget`).
    """

    def __init__(self, category):
        self.category = _category(category)

    def spec(self, folder=None):
        return str(self.category)

    def __repr__(self):
        return "ClassifierOutputTarget(%d)" % self.category


class PredictedRegionTarget(ClassifierOutputTarget):
    """gradcam3d's default segmentation target: class ``category`` summed over the voxels predicted as it."""

    def __repr__(self):
        return "PredictedRegionTarget(%d)" % self.category


class SemanticSegmentationTarget:
    """pytorch-grad-cam's segmentation target: class ``category`` summed over ``mask``.

    ``mask``: an array of the model output's spatial shape ((H, W) or (D, H, W); numpy or torch).
    The engine sums over the voxels where mask > 0; pytorch-grad-cam multiplies by the mask, which
    is the same for a 0/1 mask (a weighted mask gets a warning).
    """

    def __init__(self, category, mask):
        self.category = _category(category)
        if hasattr(mask, "detach"):  # a torch tensor
            mask = mask.detach().cpu().numpy()
        mask = np.asarray(mask)
        if mask.ndim < 2:
            raise ValueError("the mask of SemanticSegmentationTarget(%d, mask) has shape %s; it needs the model "
                             "output's spatial shape" % (self.category, mask.shape))
        if not np.all(np.isfinite(mask)):
            raise ValueError("the mask of SemanticSegmentationTarget(%d, mask) has NaN or infinite values" % self.category)
        if not np.all((mask == 0) | (mask == 1)):
            warnings.warn("gradcam3d sums the class over the voxels where mask > 0; this mask has other values than "
                          "0 and 1, which pytorch-grad-cam would use as weights", stacklevel=2)
        self.mask = mask

    def spec(self, folder):
        if folder is None:
            raise ValueError("a mask target needs a folder to write its mask into")
        path = os.path.join(folder, "mask_%d_%x.npy" % (self.category, id(self)))
        np.save(path, (self.mask > 0).astype(np.float32))
        return "%d:mask=%s" % (self.category, path)

    def __repr__(self):
        return "SemanticSegmentationTarget(%d, mask of shape %s)" % (self.category, self.mask.shape)


class WholeClassTarget:
    """Class ``category`` summed over the whole output (MONAI's semantics): ``K:all``."""

    def __init__(self, category):
        self.category = _category(category)

    def spec(self, folder=None):
        return "%d:all" % self.category

    def __repr__(self):
        return "WholeClassTarget(%d)" % self.category


class BoxTarget:
    """Class ``category`` summed inside a box: ``start`` (z0, y0, x0) inclusive to ``stop`` (z1, y1, x1)
    exclusive, in tensor axis order (2D: (y0, x0), (y1, x1))."""

    def __init__(self, category, start, stop):
        self.category = _category(category)
        self.start = _ints(start, None, "a box corner")
        self.stop = _ints(stop, len(self.start), "a box corner")

    def spec(self, folder=None):
        return "%d:box=%s" % (self.category, ",".join(str(v) for v in self.start + self.stop))

    def __repr__(self):
        return "BoxTarget(%d, %s, %s)" % (self.category, tuple(self.start), tuple(self.stop))


class VoxelTarget:
    """Class ``category`` at one voxel (z, y, x) (2D: (y, x)), in tensor axis order."""

    def __init__(self, category, voxel):
        self.category = _category(category)
        self.voxel = _ints(voxel, None, "a voxel")

    def spec(self, folder=None):
        return "%d:voxel=%s" % (self.category, ",".join(str(v) for v in self.voxel))

    def __repr__(self):
        return "VoxelTarget(%d, %s)" % (self.category, tuple(self.voxel))


class ArgmaxTarget:
    """Classifiers: each sample's top class (the default when ``targets`` is None)."""

    def spec(self, folder=None):
        return "argmax"

    def __repr__(self):
        return "ArgmaxTarget()"


def target_spec(target, folder):
    """The engine's --target text of a target object, or of a text already in the engine's form."""
    if isinstance(target, str):
        return target
    spec = getattr(target, "spec", None)
    if spec is None:
        raise TypeError("gradcam3d computes the target inside the engine, so it takes the target classes of "
                        "gradcam3d (ClassifierOutputTarget, SemanticSegmentationTarget, PredictedRegionTarget, "
                        "WholeClassTarget, BoxTarget, VoxelTarget, ArgmaxTarget) or a --target text such as '2:all', "
                        "not %r" % (target,))
    return spec(folder)
