"""The model as the engine needs it: an ONNX file, exported once per (model, input shape).

Exported in eval mode at opset 17 with dynamic batch and spatial axes, by torch's TorchScript
exporter, which names every node after the module that made it (``/down3/maxpool_conv/...``):
that is how the engine finds ``down3``. torch 2.x's torch.export-based exporter (``dynamo=True``;
it records ``pkg.torch.onnx.name_scopes``, which the engine reads too) is tried when the
TorchScript exporter fails or is chosen with ``exporter="dynamo"``.

Files are kept in the tool's cache folder (``$GRADCAM3D_CACHE``, else ``$XDG_CACHE_HOME/gradcam3d``,
else ``~/.cache/gradcam3d``), under ``torch-exports/KEY/model.onnx``, KEY a hash of the weights
(every parameter and buffer), the code of the model's classes (their source files, or their
bytecode where there is no file, as in a notebook), the modules' settings, the input's shape and
dtype, torch's version and these export settings. A changed weight or edited forward() is a new
export; the least recently used exports go when the folder passes CACHE_LIMIT_BYTES.
"""
import collections
import hashlib
import inspect
import itertools
import json
import os
import shutil
import tempfile
import warnings

__all__ = ["ExportError", "Exported", "export", "module_path", "cache_root", "OPSET"]

OPSET = 17
# bumped whenever what an export contains changes (names, axes, options)
EXPORT_FORMAT = 1
CACHE_LIMIT_BYTES = 4 << 30


class ExportError(RuntimeError):
    """The model could not be exported to ONNX: the exporter's message and what to try."""


Exported = collections.namedtuple("Exported", "path key hit exporter outputs")
Exported.__doc__ = """An exported model: its .onnx path, cache key, whether the cache had it, the exporter used
and the names of its outputs."""


def cache_root():
    """The tool's cache folder, as the engine chooses it (CacheFolder.java)."""
    explicit = os.environ.get("GRADCAM3D_CACHE", "").strip()
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg:
        return os.path.join(xdg, "gradcam3d")
    return os.path.join(os.path.expanduser("~"), ".cache", "gradcam3d")


def module_path(model, layer):
    """The engine's --layer name of a target layer: a module object of ``model`` becomes its path
    as ``model.named_modules()`` prints it; ``(module, k)`` the k-th element of its tuple/list
    output (``path@k``); a string is taken as it is (module path, ``path@k`` or ONNX tensor name)."""
    if isinstance(layer, str):
        return layer
    if isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[1], int):
        return "%s@%d" % (module_path(model, layer[0]), layer[1])
    for name, m in model.named_modules(remove_duplicate=False):
        if m is layer:
            if name == "":
                raise ValueError("the target layer is the whole model; give one of its modules, e.g. %s"
                                 % ", ".join(n for n, _ in itertools.islice(model.named_children(), 3)))
            return name
    raise ValueError("the target layer %s is not a module of this model (%s); give one of model.named_modules() "
                     "or its name" % (type(layer).__name__, type(model).__name__))


def export(model, example, cache_dir=None, exporter="auto"):
    """The model exported for inputs shaped like ``example`` (a torch tensor (B, C, *S)), from the
    cache when it has it. ``exporter``: "auto" (TorchScript, then torch.export), "torchscript" or "dynamo"."""
    import torch

    if exporter not in ("auto", "torchscript", "dynamo"):
        raise ValueError("exporter must be 'auto', 'torchscript' or 'dynamo', not %r" % (exporter,))
    folder = os.path.join(cache_dir or cache_root(), "torch-exports")
    key = fingerprint(model, example, exporter)
    final = os.path.join(folder, key)
    path = os.path.join(final, "model.onnx")
    if os.path.isfile(path):
        os.utime(final)  # most recently used
        meta = _read_meta(final)
        return Exported(path, key, True, meta.get("exporter"), meta.get("outputs"))
    os.makedirs(folder, exist_ok=True)
    work = tempfile.mkdtemp(prefix=key + ".tmp-", dir=folder)
    try:
        used, outputs = _export(model, example, os.path.join(work, "model.onnx"), exporter, torch)
        with open(os.path.join(work, "export.json"), "w") as f:
            json.dump({"exporter": used, "outputs": outputs, "input_shape": list(example.shape),
                       "model": type(model).__module__ + "." + type(model).__qualname__,
                       "torch": torch.__version__, "opset": OPSET}, f)
        try:
            os.rename(work, final)  # the whole folder appears at once
        except OSError:
            if not os.path.isfile(path):  # not another process's export of the same key
                raise
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)
    _trim(folder, keep=final)
    return Exported(path, key, False, used, outputs)


def _read_meta(folder):
    try:
        with open(os.path.join(folder, "export.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _flatten(outputs):
    """The tensors of a model's output in the order the exporter lists them."""
    if isinstance(outputs, (list, tuple)):
        return [t for o in outputs for t in _flatten(o)]
    if isinstance(outputs, dict):
        return [t for o in outputs.values() for t in _flatten(o)]
    return [outputs]


def _export(model, example, path, exporter, torch):
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        device = next(itertools.chain(model.parameters(), model.buffers()), example).device
        x = example.detach().to(device)
        with torch.no_grad():
            outputs = _flatten(model(x))
        for o in outputs:
            if not isinstance(o, torch.Tensor):
                raise ExportError("%s returns %s among its outputs; the engine explains models whose outputs are "
                                  "tensors (or tuples, lists or dicts of them)" % (type(model).__name__, type(o).__name__))
        names = ["output"] if len(outputs) == 1 else ["output%d" % i for i in range(len(outputs))]
        axes = {"input": _axes(x.shape, x.shape, "")}
        for i, (name, o) in enumerate(zip(names, outputs)):
            axes[name] = _axes(o.shape, x.shape, "o%d_" % i)
        tried = ["torchscript", "dynamo"] if exporter == "auto" else [exporter]
        failures = []
        for way in tried:
            try:
                with warnings.catch_warnings():
                    # the trace is made for this input shape, and the cache keys exports by shape
                    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
                    # torch 1.13's note on its own Constant nodes, said for every model
                    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
                    (_torchscript if way == "torchscript" else _dynamo)(model, x, path, names, axes, torch)
                return way, names
            except ExportError:
                raise
            except Exception as e:  # the exporter's own failure, whatever its type
                failures.append("%s exporter: %s" % (way, _first_lines(e)))
        raise ExportError(
            "%s could not be exported to ONNX for an input of shape %s. %s. What to try: export it yourself "
            "(README, 'From your framework to gradcam3d'), changing what the exporter refuses, and pass the .onnx "
            "file as the model with target_layers as names (GradCAM('model.onnx', target_layers=['down3']))%s"
            % (type(model).__name__, tuple(x.shape), "; ".join(failures),
               "" if "dynamo" in tried else "; or exporter='dynamo' (torch >= 2.5 with onnxscript)"))
    finally:
        for m, training in modes:
            m.training = training


def _axes(shape, input_shape, prefix):
    """Dynamic axes: batch, and every spatial axis (named as the input's when it has its size)."""
    if len(shape) < 2:
        return {}
    axes = {0: "batch"}
    for i in range(2, len(shape)):
        same = i < len(input_shape) and shape[i] == input_shape[i]
        axes[i] = "s%d" % (i - 2) if same else "%ss%d" % (prefix, i - 2)
    return axes


def _first_lines(e, n=3):
    text = ("%s: %s" % (type(e).__name__, e)).strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return " / ".join(lines[:n]) + (" ..." if len(lines) > n else "")


def _has_dynamo_switch(torch):
    try:
        return "dynamo" in inspect.signature(torch.onnx.export).parameters
    except (TypeError, ValueError):
        return False


def _torchscript(model, x, path, names, axes, torch):
    kwargs = dict(opset_version=OPSET, input_names=["input"], output_names=names, dynamic_axes=axes,
                  do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    if _has_dynamo_switch(torch):
        kwargs["dynamo"] = False  # torch >= 2.9 would choose torch.export otherwise
    torch.onnx.export(model, (x,), path, **kwargs)


def _dynamo(model, x, path, names, axes, torch):
    if not _has_dynamo_switch(torch):
        raise RuntimeError("torch %s has no torch.export-based ONNX exporter (torch >= 2.5)" % torch.__version__)
    dim = torch.export.Dim
    # AUTO (torch >= 2.6) lets torch.export find the sizes the model allows (e.g. multiples of 16)
    auto = getattr(dim, "AUTO", None)
    shapes = {i: (auto if auto is not None else dim("batch" if i == 0 else "s%d" % (i - 2))) for i in axes["input"]}
    torch.onnx.export(model, (x,), path, dynamo=True, opset_version=OPSET, input_names=["input"],
                      output_names=names, dynamic_shapes=(shapes,))


def fingerprint(model, example, exporter="auto"):
    """The cache key: weights, code, module settings, input shape and dtype, torch and export settings."""
    import torch

    # SHA-256: hardware-accelerated on current CPUs (~0.3 s for 130 MB of weights on a busy machine;
    # BLAKE2b took four times as long)
    h = hashlib.sha256()
    h.update(json.dumps([EXPORT_FORMAT, OPSET, exporter, torch.__version__, list(example.shape),
                         str(example.dtype)]).encode())
    _hash_code(model, h)
    for name, t in itertools.chain(model.named_parameters(), model.named_buffers()):
        data = t.detach()
        if data.dtype in (torch.bfloat16,) or data.is_complex():
            data = data.to(torch.float32) if not data.is_complex() else torch.view_as_real(data)
        array = data.cpu().contiguous().numpy()
        h.update(("%s %s %s" % (name, array.dtype, array.shape)).encode())
        h.update(memoryview(array.reshape(-1)).cast("B"))
    return h.hexdigest()[:40]


_file_digests = {}


def _file_digest(path):
    st = os.stat(path)
    known = _file_digests.get(path)
    if known is None or known[0] != (st.st_mtime_ns, st.st_size):
        with open(path, "rb") as f:
            known = ((st.st_mtime_ns, st.st_size), hashlib.sha256(f.read()).digest())
        _file_digests[path] = known
    return known[1]


def _hash_code(model, h):
    """The code and settings of every module class: its source file and its methods' bytecode (a class
    made in a notebook has no file); the modules' primitive attributes."""
    classes = []
    for name, m in model.named_modules():
        for cls in type(m).__mro__:
            if cls not in classes:
                classes.append(cls)
        h.update(("%s:%s.%s" % (name, type(m).__module__, type(m).__qualname__)).encode())
        for k, v in sorted(vars(m).items()):
            if not k.startswith("_") and k != "training":
                h.update(("%s=%s" % (k, _setting(v))).encode())
    files = set()
    for cls in classes:
        if cls is object or (cls.__module__ or "").split(".")[0] == "torch":
            continue  # torch's own classes: torch's version is in the key
        try:
            source = inspect.getsourcefile(cls)
        except (TypeError, OSError):
            source = None  # a class made in a notebook or by exec
        if source and os.path.isfile(source) and source not in files:
            files.add(source)  # the whole file: helper functions the forward calls too
            h.update(_file_digest(source))
        for k, v in sorted(vars(cls).items()):
            code = getattr(getattr(v, "__func__", v), "__code__", None)
            if code is not None:
                h.update(k.encode())
                _hash_bytecode(code, h)


def _hash_bytecode(code, h):
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())
    for c in code.co_consts:
        if inspect.iscode(c):
            _hash_bytecode(c, h)
        else:
            h.update(repr(c).encode())


def _setting(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return repr(v)
    if isinstance(v, (tuple, list)):
        return "[" + ",".join(_setting(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join("%r:%s" % (k, _setting(x)) for k, x in sorted(v.items(), key=lambda kv: repr(kv[0]))) + "}"
    return type(v).__module__ + "." + type(v).__qualname__


def _trim(folder, keep):
    """Removes the least recently used exports while the folder holds more than CACHE_LIMIT_BYTES."""
    entries = []
    total = 0
    for name in os.listdir(folder):
        d = os.path.join(folder, name)
        if not os.path.isdir(d) or ".tmp-" in name:
            continue
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        entries.append((os.path.getmtime(d), d, size))
        total += size
    for _, d, size in sorted(entries):
        if total <= CACHE_LIMIT_BYTES:
            break
        if d != keep:
            shutil.rmtree(d, ignore_errors=True)
            total -= size
