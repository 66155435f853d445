"""What the tests share: the package and the fixture tools on sys.path, the shared fixture models
rebuilt in PyTorch (src/test/resources/fixtures/tools, the code and seeds that made the ONNX
references), one engine worker and a temporary export cache for the whole run.

The engine: $GRADCAM3D_COMMAND when set (PythonClientTest sets it to the classes Maven compiled),
else the checkout's bin/gradcam3d.
"""
import atexit
import importlib
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "src", "test", "resources", "fixtures")
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(FIXTURES, "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gradcam3d  # noqa: E402
import models  # noqa: E402  (the fixtures' networks)

# CI (.ci/run) sets GRADCAM3D_REQUIRE_PYTHON=1: what it installs must be there, not skipped
REQUIRED = os.environ.get("GRADCAM3D_REQUIRE_PYTHON") == "1"

CACHE = tempfile.mkdtemp(prefix="gradcam3d-test-cache-")
atexit.register(shutil.rmtree, CACHE, True)

_worker = []


def worker():
    """The worker every test shares: one JVM for the whole run."""
    if not _worker:
        _worker.append(gradcam3d.Worker())
        atexit.register(_worker[0].close)
    return _worker[0]


def optional(module):
    """An optional module, or a skip (a failure when GRADCAM3D_REQUIRE_PYTHON=1)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if REQUIRED:
            raise
        raise unittest.SkipTest("%s is not installed (.ci/run installs it)" % module)


def manifest_case(name):
    with open(os.path.join(FIXTURES, "manifest.json")) as f:
        for c in json.load(f)["cases"]:
            if c["name"] == name:
                return c
    raise KeyError(name)


def expected(case, what):
    return np.load(os.path.join(FIXTURES, case["expected"][what]))


def fixture_input(name):
    return torch.from_numpy(np.load(os.path.join(FIXTURES, "inputs", name + ".npy")))


def _balance(model, conv, x, model_output=0):
    """make_fixtures.balance_head: the final conv's bias centres every class's logits on this input."""
    with torch.no_grad():
        out = model(x)
        out = out[model_output] if isinstance(out, (tuple, list)) else out
        conv.bias -= out.transpose(0, 1).reshape(out.shape[1], -1).median(dim=1)[0]


_models = {}


def fixture_models():
    """seed_unet3d, nnunet_like3d and list_encoder3d exactly as make_fixtures.shared() made them:
    the same seeds in the same order, then the same bias balancing on the same inputs."""
    if not _models:
        torch.manual_seed(0)
        torch.manual_seed(2)
        seed = models.randomise_norm_stats(models.SeedUNet3D(c=6), 1).eval()
        nnunet = models.randomise_norm_stats(models.NnUNetLike(), 2).eval()
        listnet = models.randomise_norm_stats(models.ListEncoderNet(), 3).eval()
        _balance(seed, seed.outc, fixture_input("seed_unet3d"))
        x2 = fixture_input("nnunet_like3d")
        _balance(nnunet, nnunet.seg_layers[1], x2, 0)
        _balance(nnunet, nnunet.seg_layers[0], x2, 1)
        _balance(listnet, listnet.decoder.head[2], fixture_input("list_encoder3d"))
        _models.update(seed_unet3d=seed, nnunet_like3d=nnunet, list_encoder3d=listnet)
    return _models


def within(test, actual, reference, tolerance, what):
    """max|actual - reference| <= tolerance, with the numbers in the message."""
    diff = float(np.abs(np.asarray(actual, np.float64) - reference).max())
    print("  %s: max|diff| %.3g (tolerance %.3g)" % (what, diff, tolerance), file=sys.stderr)
    test.assertLessEqual(diff, tolerance, "%s: max|diff| %.3g > %.3g" % (what, diff, tolerance))
    return diff
