"""pytorch-grad-cam's interface on the gradcam3d engine.

``GradCAM(model, target_layers)(input_tensor, targets)`` exports the model (cached), writes the
input and any target masks as .npy into a temporary folder, runs ``gradcam3d explain`` on them
(through a long-lived worker process by default) and returns the map it wrote: cam.npy,
(B, *spatial) float32 in [0, 1]. ``cam.explanation`` has everything else the run wrote.
"""
import os
import shutil
import tempfile
import warnings

import numpy as np

from . import engine as engines
from .explanation import Explanation
from .targets import target_spec

__all__ = ["BaseCAM", "CAM"]

# the options this package sets itself from the call
_OWN = {"model", "input", "out", "layer", "method", "target"}


def _options(options):
    """Keyword arguments as engine options: threads=2 -> --threads 2, save_tensors=True -> --save-tensors,
    a tuple is one comma-separated value (window=(96, 96, 96)), a list repeats the option
    (normalize=["zscore", "minmax"]), None and False leave it out."""
    args = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if name in _OWN:
            raise TypeError("%s is set from the call; do not pass %s=" % (flag, name))
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
            continue
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, tuple):
                v = ",".join(str(x) for x in v)  # window=(96, 96, 96) -> --window 96,96,96
            args += [flag, str(v)]
    return args


class BaseCAM:
    """One gradcam3d method with pytorch-grad-cam's interface.

    ``model``: a torch.nn.Module (exported for you, cached), or the path of an .onnx file.
    ``target_layers``: module objects of the model (as pytorch-grad-cam takes them), module paths
    ("down3", "model.1.submodule"), ``(module, k)`` or "path@k" for the k-th element of a tuple
    output, or ONNX tensor names; several give one map each and their aggregate. None or [] for the
    input-space methods (Saliency, SmoothGrad, Occlusion, ...).
    ``engine``: None (a worker process shared by this Python process), "cli" (a `gradcam3d explain`
    process per call), or an engine object (:class:`gradcam3d.Worker`, :class:`gradcam3d.CommandLine`).
    ``cache_dir``: the tool's cache folder for the exports (default: gradcam3d's own).
    ``exporter``: "auto", "torchscript" or "dynamo" (:mod:`gradcam3d.onnx_export`).
    ``out_dir``: a folder to write each result into (replaced by the next call); default: a temporary
    folder per call, removed with its :class:`Explanation`.
    ``pictures``, ``report``: also write overlay.png/montage.png and report.html (default False:
    arrays only, as pytorch-grad-cam; ``explanation.report()`` writes the report on demand).
    Any other keyword is an option of ``gradcam3d explain``: ``score="probabilities"``,
    ``model_output=1``, ``threads=4``, ``save_tensors=True``, ``token_grid=(4, 8, 8)``,
    ``occlusion_size=8``, ``window=(96, 96, 96)``, ...

    Calling it returns the map (B, *spatial) in [0, 1], as pytorch-grad-cam does.
    """

    method = None

    def __init__(self, model, target_layers=None, reshape_transform=None, *, engine=None, cache_dir=None,
                 exporter="auto", out_dir=None, pictures=False, report=False, use_cuda=None, **options):
        if reshape_transform is not None:
            raise NotImplementedError("gradcam3d reads transformer token layers [B, N, C] itself; leave out "
                                      "reshape_transform (give token_grid=(Z, Y, X) when the patch embedding does "
                                      "not tell the grid)")
        if use_cuda:
            warnings.warn("use_cuda is ignored: the engine runs the model on the CPU with ONNX Runtime", stacklevel=2)
        self.model = model
        if target_layers is not None and not isinstance(target_layers, (list, tuple)):
            target_layers = [target_layers]
        self.target_layers = list(target_layers or [])
        self.cache_dir = cache_dir
        self.exporter = exporter
        self.out_dir = out_dir
        self.pictures = pictures
        self.report = report
        self.options = _options(options)
        if engine is None:
            self.engine = engines.default_worker()
        elif engine == "cli":
            self.engine = engines.CommandLine()
        elif isinstance(engine, str):
            raise ValueError("engine is None (the shared worker), 'cli' or an engine object, not %r" % engine)
        else:
            self.engine = engine
        self.explanation = None
        self.exported = None

    # pytorch-grad-cam's CAM objects are context managers
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def layer_names(self):
        """The engine's names of the target layers (module objects translated to module paths)."""
        if isinstance(self.model, (str, os.PathLike)):
            bad = [l for l in self.target_layers if not isinstance(l, str)]
            if bad:
                raise ValueError("with an .onnx file as the model, give the target layers by name, not %r" % (bad[0],))
            return list(self.target_layers)
        from .onnx_export import module_path
        return [module_path(self.model, l) for l in self.target_layers]

    def __call__(self, input_tensor, targets=None, aug_smooth=False, eigen_smooth=False):
        if aug_smooth or eigen_smooth:
            raise NotImplementedError("aug_smooth and eigen_smooth are pytorch-grad-cam's post-processing; gradcam3d "
                                      "has EigenCAM/EigenGradCAM and SmoothGrad as methods of their own")
        self.explanation = self.explain(input_tensor, targets)
        return self.explanation.cam

    def explain(self, input_tensor, targets=None):
        """Runs the method and returns the whole :class:`Explanation` (also kept as ``.explanation``)."""
        array = _as_array(input_tensor)
        if array.ndim not in (4, 5):
            raise ValueError("input_tensor has shape %s; the engine takes (B, C, H, W) or (B, C, D, H, W)"
                             % (array.shape,))
        layers = self.layer_names()
        model_file = self._model_file(input_tensor, array)
        work = tempfile.mkdtemp(prefix="gradcam3d-")
        keep = False
        try:
            inputs = os.path.join(work, "in")
            os.mkdir(inputs)
            np.save(os.path.join(inputs, "input.npy"), array)
            if targets is not None and not isinstance(targets, (list, tuple)):
                targets = [targets]
            specs = [target_spec(t, inputs) for t in (targets or [])]
            out = self.out_dir or os.path.join(work, "out")
            args = ["--model", model_file, "--input", os.path.join(inputs, "input.npy"), "--out", out]
            if self.method is not None:
                args += ["--method", self.method]
            for l in layers:
                args += ["--layer", l]
            for s in specs:
                args += ["--target", s]
            args += ["--save-layer-cam"] if layers else []
            args += [] if self.pictures else ["--no-pictures"]
            args += [] if self.report else ["--no-report"]
            args += self.options
            answer = self.engine.explain(args).raise_for_error()
            e = Explanation.read(out, layers=layers, model_file=model_file, targets=specs, input=array,
                                 work=work, args=args, engine=self.engine, engine_pid=answer.pid)
            keep = True
            return e
        finally:
            if not keep:
                shutil.rmtree(work, ignore_errors=True)

    def _model_file(self, input_tensor, array):
        if isinstance(self.model, (str, os.PathLike)):
            return os.fspath(self.model)
        from .onnx_export import export
        import torch

        example = input_tensor if isinstance(input_tensor, torch.Tensor) else torch.from_numpy(array)
        self.exported = export(self.model, example, cache_dir=self.cache_dir, exporter=self.exporter)
        return self.exported.path


class CAM(BaseCAM):
    """Any engine method by its --method name: ``CAM(model, target_layers, method="fem")``."""

    def __init__(self, model, target_layers=None, method="gradcam", **kwargs):
        super().__init__(model, target_layers, **kwargs)
        self.method = method


def _as_array(x):
    """A torch tensor or array as the float32 array the engine reads (.npy, model tensor order)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    return np.ascontiguousarray(x)
