"""PyTorch references for the input-space methods on the shared fixture models.

usage: python3 make_attributions.py   (writes next to this folder: ../<case>/*.npy and ../manifest.json)

The fixture networks are rebuilt exactly as fixtures/tools/make_fixtures.py builds them (same
seeds and order); each rebuilt model's output is checked against the fixture's saved output
before anything is written. Definitions (Captum's documented semantics, written out in torch):
  target T(x) = sum_v logits[b, cls, v] * mask[b, v], the mask fixed from the prediction at the
    unperturbed input (segmentation); T = sum_b logits[b, argmax_b] (classifier)
  saliency = |dT/dx| (Captum Saliency abs=True); map = max over channels
  input-x-gradient = x * dT/dx; map = sum over channels
  smoothgrad = mean_k dT/dx(x + sigma z_k), sigma = noise * (max - min) of the sample; the unit
    normals z are saved (noise.npy [B, N, C, *S]) so that the test feeds the same draws;
    map = max over channels of |.|
  integrated-gradients = (x - x') * sum_k w_k dT/dx(x' + a_k (x - x')), a_k = k/(N-1), trapezoid
    weights (Captum riemann_trapezoid); map = sum over channels; gaps for N in IG_STEPS;
    x' = 0 (seed U-Net), or for the nnU-Net-like net (InstanceNorm is singular at a constant input,
    so a zero baseline gives gradients of 1/sqrt(eps) that are float32 noise) the input blurred by a
    Gaussian of sigma 4 voxels per spatial axis, kernel cut at 4 sigma, edges replicated
  guided-backprop = dT/dx with every ReLU/LeakyReLU module's input gradient clamped at 0 from
    below (Captum GuidedBackprop); map = sum over channels
  guided-gradcam = guided-backprop * the fixture's final Grad-CAM map (cam.npy) of the layer
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
FIX = os.path.join(OUT, "..", "fixtures")
sys.path.insert(0, os.path.join(FIX, "tools"))
import make_fixtures  # noqa: E402
import models  # noqa: E402
import refcam  # noqa: E402

SAMPLES, NOISE = 6, 0.2
IG_STEPS = [2, 4, 8, 16, 32, 64]
IG_REF_STEPS = 16


def rebuilt():
    """The fixture models, in the order and with the seeds of make_fixtures.shared()."""
    torch.manual_seed(0)
    torch.manual_seed(2)
    m = models.randomise_norm_stats(models.SeedUNet3D(c=6), 1).eval()
    x = torch.from_numpy(np.load(os.path.join(FIX, "inputs/seed_unet3d.npy")))
    make_fixtures.balance_head(m, m.outc, x)
    m2 = models.randomise_norm_stats(models.NnUNetLike(), 2).eval()
    x2 = torch.from_numpy(np.load(os.path.join(FIX, "inputs/nnunet_like3d.npy")))
    make_fixtures.balance_head(m2, m2.seg_layers[1], x2, 0)
    make_fixtures.balance_head(m2, m2.seg_layers[0], x2, 1)
    m3 = models.randomise_norm_stats(models.ListEncoderNet(), 3).eval()
    x3 = torch.from_numpy(np.load(os.path.join(FIX, "inputs/list_encoder3d.npy")))
    make_fixtures.balance_head(m3, m3.decoder.head[2], x3)
    m4 = models.randomise_norm_stats(models.Cls2D(), 4).eval()
    x4 = torch.from_numpy(np.load(os.path.join(FIX, "inputs/cls2d.npy")))
    for name, model, xx in [("seed_unet3d", m, x), ("nnunet_like3d", m2, x2), ("cls2d", m4, x4)]:
        with torch.no_grad():
            out = refcam.select_output(model(xx), 0).numpy()
        ref = np.load(os.path.join(FIX, "models", name + (".output0.npy" if name == "nnunet_like3d" else ".output.npy")))
        err = np.abs(out - ref).max()
        if err > 1e-4:
            raise SystemExit("rebuilt %s differs from the fixture's output by %g" % (name, err))
    for model in (m, m2, m4):
        for mod in model.modules():
            if isinstance(mod, (nn.ReLU, nn.LeakyReLU)):
                mod.inplace = False
    return {"seed_unet3d": (m, x, 2), "nnunet_like3d": (m2, x2, None), "cls2d": (m4, x4, None)}


def target_fn(model, x, cls):
    """T as a function of the input, the segmentation mask fixed at x."""
    with torch.no_grad():
        out = refcam.select_output(model(x), 0)
    if out.dim() == 2:
        classes = out.argmax(1)
        return lambda o: o[torch.arange(o.shape[0]), classes].sum(), None
    if cls is None:
        cls = make_fixtures.pick_class(out, out.shape[1])
    mask = refcam.seg_mask(out, cls)
    return (lambda o: refcam.seg_target(o, cls, mask)), cls


def grad(model, x, tfn, guided=False):
    hooks = []
    if guided:
        for mod in model.modules():
            if isinstance(mod, (nn.ReLU, nn.LeakyReLU)):
                hooks.append(mod.register_full_backward_hook(lambda m, gi, go: (torch.clamp(gi[0], min=0),)))
    xx = x.clone().requires_grad_(True)
    t = tfn(refcam.select_output(model(xx), 0))
    g, = torch.autograd.grad(t, xx)
    for h in hooks:
        h.remove()
    return g.detach(), float(t)


def per_sample_target(model, x, tfn):
    """T of each sample on its own (tfn sums over the batch)."""
    with torch.no_grad():
        return float(tfn(refcam.select_output(model(x), 0)))


def blur(x, sigma=4.0, truncate=4.0):
    r = int(truncate * sigma + 0.5)
    k = torch.exp(-0.5 * torch.arange(-r, r + 1, dtype=torch.float64) ** 2 / sigma ** 2)
    k = k / k.sum()
    y = x.double()
    for axis in range(2, x.dim()):
        n = y.shape[axis]
        idx = torch.arange(n)
        out = torch.zeros_like(y)
        for j in range(-r, r + 1):
            out += k[j + r] * y.index_select(axis, (idx + j).clamp(0, n - 1))
        y = out
    return y.float()


def integrated(model, x, tfn, steps, baseline):
    base = torch.zeros_like(x) if baseline == "zero" else blur(x)
    total = torch.zeros_like(x)
    for k in range(steps):
        a = k / (steps - 1)
        w = (0.5 if k in (0, steps - 1) else 1.0) / (steps - 1)
        g, _ = grad(model, base + a * (x - base), tfn)
        total += w * g
    attr = (x - base) * total
    tx = per_sample_target(model, x, tfn)
    tb = per_sample_target(model, base, tfn)
    return attr, (float(attr.sum()) - (tx - tb)) / abs(tx)


def main():
    nets = rebuilt()
    manifest = []
    for name, (model, x, cls) in nets.items():
        tfn, cls = target_fn(model, x, cls)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        g, tval = grad(model, x, tfn)
        arrays = {"saliency": g.abs(), "input-x-gradient": x * g}
        gen = torch.Generator().manual_seed(5)
        z = torch.randn((x.shape[0], SAMPLES) + tuple(x.shape[1:]), generator=gen)
        sg = []
        for b in range(x.shape[0]):
            xb = x[b:b + 1]
            sigma = NOISE * float(xb.max() - xb.min())
            tb = tfn if x.shape[0] == 1 else target_fn_sample(model, x, cls, b)
            acc = torch.zeros_like(xb)
            for k in range(SAMPLES):
                acc += grad(model, xb + sigma * z[b, k:k + 1], tb)[0] / SAMPLES
            sg.append(acc)
        arrays["smoothgrad"] = torch.cat(sg)
        arrays["guided-backprop"] = grad(model, x, tfn, guided=True)[0]
        case = {"name": name, "model": "fixtures/models/%s.onnx" % name, "input": "fixtures/inputs/%s.npy" % name,
                "target": "argmax" if cls is None else str(cls), "target_value": tval,
                "samples": SAMPLES, "noise": NOISE, "noise_draws": "%s/noise.npy" % name}
        np.save(os.path.join(d, "noise.npy"), z.numpy())
        if x.shape[0] == 1:
            gaps = {}
            baseline = "blur" if name == "nnunet_like3d" else "zero"
            case["ig_baseline"] = baseline
            for n in IG_STEPS:
                attr, gap = integrated(model, x, tfn, n, baseline)
                gaps[str(n)] = gap
                if n == IG_REF_STEPS:
                    arrays["integrated-gradients"] = attr
            case["ig_steps"] = IG_REF_STEPS
            case["ig_completeness_gap"] = gaps
        if name == "seed_unet3d":
            cam = torch.from_numpy(np.load(os.path.join(FIX, "cases/seed_unet3d__down3__gradcam/cam.npy")))
            arrays["guided-gradcam"] = arrays["guided-backprop"] * cam[:, None]
            case["guided_gradcam_layer"] = "down3"
        case["attributions"] = {}
        for k, v in arrays.items():
            f = "%s/%s.npy" % (name, k)
            np.save(os.path.join(OUT, f), v.numpy().astype(np.float32))
            case["attributions"][k] = f
        manifest.append(case)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"notes": __doc__, "cases": manifest}, f, indent=1)


def target_fn_sample(model, x, cls, b):
    """Sample b's target alone (its own mask or argmax), for per-sample noise."""
    return target_fn(model, x[b:b + 1], cls)[0]


if __name__ == "__main__":
    main()
