"""The full result of one run: every array the engine wrote, summary.json, the files."""
import html
import json
import os
import shutil
import weakref

import numpy as np

__all__ = ["Explanation", "Report"]


class Explanation:
    """What ``gradcam3d explain`` wrote for one call.

    ``cam``: (B, *S) in [0, 1] (with several layers their aggregate); ``layer_cams``: one map per
    layer; ``cam_layer``: per layer the map at layer resolution before ReLU (B, *layer_S);
    ``activations``, ``gradients``: per layer, with ``save_tensors=True``; ``attribution``: the
    input-space methods' signed (B, C, *S) attribution; ``arrays``: every .npy by name;
    ``summary``: summary.json as a dict; ``folder``, ``files``: where they are; ``layers``: the
    engine's layer names; ``targets``: the --target texts; ``input``: the array explained;
    ``engine_pid``: the engine JVM's process id (a worker's stays the same from call to call).
    The temporary folder of a call goes when this object does.
    """

    def __init__(self, folder, summary, arrays, layers, model_file, targets, input, work=None, args=None,
                 engine=None, engine_pid=None):
        self.folder = folder
        self.summary = summary
        self.files = {name: os.path.join(folder, name) for name in summary.get("files", [])}
        self.arrays = arrays
        self.layers = layers
        self.model_file = model_file
        self.targets = targets
        self.input = input
        self.engine_pid = engine_pid
        self._args = args
        self._engine = engine
        self._work = work
        if work is not None:
            weakref.finalize(self, shutil.rmtree, work, True)
        n = len(summary.get("layers", []))

        def per_layer(name):
            if n > 1:
                found = [arrays.get("%s_%d" % (name, i)) for i in range(n)]
            else:
                found = [arrays.get(name)]
            return found if all(a is not None for a in found) else None

        self.cam = arrays["cam"]
        self.layer_cams = [self.cam] if n == 1 else (per_layer("cam") or [])
        self.cam_layer = per_layer("cam_layer")
        self.activations = per_layer("activation")
        self.gradients = per_layer("gradient")
        self.attribution = arrays.get("attribution")

    @classmethod
    def read(cls, folder, **kwargs):
        with open(os.path.join(folder, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        arrays = {}
        for name in summary.get("files", []):
            if name.endswith(".npy"):
                arrays[name[:-4]] = np.load(os.path.join(folder, name))
        return cls(folder, summary, arrays, **kwargs)

    def __repr__(self):
        return "<gradcam3d.Explanation %s at %s, cam %s, targets %s>" % (
            self.summary.get("method"), ", ".join(self.layers) or "the input", self.cam.shape,
            [t.get("description") for t in self.summary.get("targets", [])])

    def report(self):
        """The HTML report (report.html) for this result; written now when the call did not write it."""
        if "report.html" in self.files:
            return Report(self.files["report.html"])
        if self._args is None or self._engine is None or self._work is None:
            raise ValueError("this result has no report.html; explain with report=True")
        args = list(self._args)
        args.remove("--no-report")
        folder = os.path.join(self._work, "report")
        args[args.index("--out") + 1] = folder
        self._engine.explain(args).raise_for_error()
        self.files["report.html"] = os.path.join(folder, "report.html")
        return Report(self.files["report.html"])

    def show(self, **kwargs):
        """Draws the input and the map on three planes (see :func:`gradcam3d.show`)."""
        from .display import show
        return show(self, **kwargs)


class Report:
    """report.html: ``html`` is its text; in Jupyter it displays in a frame of its own."""

    def __init__(self, path, height=760):
        self.path = path
        self.height = height

    @property
    def html(self):
        with open(self.path, encoding="utf-8") as f:
            return f.read()

    def __str__(self):
        return self.html

    def _repr_html_(self):
        # its own document in a frame: the report's scripts and styles stay out of the notebook's
        return '<iframe srcdoc="%s" style="width: 100%%; height: %dpx; border: 0"></iframe>' % (
            html.escape(self.html, quote=True), self.height)
