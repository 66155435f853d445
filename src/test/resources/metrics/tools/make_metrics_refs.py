"""Independent references for gradcam3d.metrics (PyTorch + NumPy, no gradcam3d code).

usage: python3 make_metrics_refs.py   (needs torch 1.13+, numpy and nibabel, like make_fixtures.py)
Builds two small seeded models whose output follows the input (the shared fixture models barely
react to their input), exports them to ONNX with inputs and tie-rich maps, scores their
deletion/insertion curves in PyTorch, computes mask agreement, Otsu's threshold, Spearman's rho
and complexity, and writes everything next to this folder (metrics_refs.json).

Definitions (the contract gradcam3d.metrics implements):
  order      = voxels by map value, highest first, ties by flat index (stable argsort of -map)
  random     = voxels by key splitmix64(seed * 2^32 + i) as unsigned 64-bit, ties by index
  k_i        = floor(N * i / (n - 1) + 1/2), i = 0..n-1
  deletion_i = T(x with the top k_i voxels, all channels, taken from the baseline) / T(x)
  insertion_i= T(baseline with the top k_i voxels taken from x) / T(x)
  auc        = trapezoid over fractions i / (n - 1)
  blur       = Gaussian, sigma 4 voxels per spatial axis, truncated at 4 sigma (radius 16),
               normalised, edges continued with the nearest voxel; mean = per-channel mean; zero
  T (segmentation) = sum over voxels of logits[b, k] * region, region = argmax == k of the
               unperturbed output; T (classifier) = logits[b, k], k = unperturbed argmax
  otsu       = skimage.filters.threshold_otsu with 256 bins (re-implemented below)
  IoU, IoA   = |A & M| / |A | M|, |A & M| / |A| with A = map > t
  spearman   = Pearson correlation of average-tie ranks
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "..", "fixtures")
sys.path.insert(0, os.path.join(FIX, "tools"))
from make_fixtures import blobs  # noqa: E402  (the shared fixtures' synthetic volumes)

STEPS = 21
M64 = (1 << 64) - 1


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def random_order(n, seed):
    keys = np.array([splitmix64(((seed << 32) + i) & M64) for i in range(n)], dtype=np.uint64)
    return np.argsort(keys, kind="stable")


def map_order(m):
    return np.argsort(-m.astype(np.float64).ravel(), kind="stable")


def gaussian_blur(x):
    """x: (C, *S). Separable, float64, edge padding."""
    sigma, r = 4.0, 16
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    out = x.astype(np.float64)
    for axis in range(1, out.ndim):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="edge")
        acc = np.zeros_like(out)
        n = out.shape[axis]
        for j, w in enumerate(k):
            acc += w * np.take(p, np.arange(j, j + n), axis=axis)
        out = acc
    return out.astype(np.float32)


def baseline(x, kind):
    if kind == "zero":
        return np.zeros_like(x)
    if kind == "mean":
        return np.broadcast_to(x.reshape(x.shape[0], -1).mean(axis=1, dtype=np.float64).reshape(
            (-1,) + (1,) * (x.ndim - 1)), x.shape).astype(np.float32)
    return gaussian_blur(x)


def counts(n, steps):
    return [(2 * n * i + (steps - 1)) // (2 * (steps - 1)) for i in range(steps)]


def curves(score, x, base, order, steps):
    """x, base: (C, *S); score: (list of (C, *S)) -> scores."""
    c = x.shape[0]
    xf, bf = x.reshape(c, -1), base.reshape(c, -1)
    dels, ins = [], []
    for k in counts(xf.shape[1], steps):
        top = order[:k]
        d = xf.copy()
        d[:, top] = bf[:, top]
        i = bf.copy()
        i[:, top] = xf[:, top]
        dels.append(d.reshape(x.shape))
        ins.append(i.reshape(x.shape))
    return score(dels), score(ins)


def auc(y):
    y = np.asarray(y, np.float64)
    return float(((y[:-1] + y[1:]) / 2).sum() / (len(y) - 1))


def otsu(values, nbins=256):
    v = values.ravel().astype(np.float64)
    lo, hi = v.min(), v.max()
    if lo == hi:
        return float(lo)
    hist, edges = np.histogram(v, bins=nbins, range=(lo, hi))
    centres = (edges[:-1] + edges[1:]) / 2
    w1 = np.cumsum(hist)
    w2 = np.cumsum(hist[::-1])[::-1]
    m1 = np.cumsum(hist * centres) / w1
    m2 = (np.cumsum((hist * centres)[::-1]) / w2[::-1])[::-1]
    var = w1[:-1] * w2[1:] * (m1[:-1] - m2[1:]) ** 2
    return float(centres[np.argmax(var)])


def rankdata(a):
    a = a.ravel()
    order = np.argsort(a, kind="stable")
    s = a[order]
    ranks = np.empty(len(a))
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a, b):
    return float(np.corrcoef(rankdata(a), rankdata(b))[0, 1])


def agreement(m, mask):
    m = m.ravel().astype(np.float64)
    mask = mask.ravel() > 0
    mass = m[mask].sum() / m.sum()
    share = mask.mean()
    out = {"mass_inside": mass, "mask_share": float(share), "concentration": mass / share,
           "peak_inside": bool(mask[np.argmax(m)]), "otsu": otsu(m.astype(np.float32))}
    for name, t in [("otsu", out["otsu"]), ("0.25", 0.25), ("0.5", 0.5), ("0.75", 0.75)]:
        a = m > t
        out["iou_" + name] = float((a & mask).sum() / (a | mask).sum())
        out["ioa_" + name] = float((a & mask).sum() / a.sum())
    return out


def load(*p):
    return np.load(os.path.join(FIX, *p))


OUT = os.path.join(HERE, "..")


class MetricsSeg3D(nn.Module):
    """Small 3D segmenter whose output follows its input (no normalisation layers)."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv3d(1, 6, 3, padding=1), nn.ReLU())
        self.down = nn.Sequential(nn.Conv3d(6, 8, 3, stride=2, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose3d(8, 6, 2, stride=2)
        self.head = nn.Conv3d(12, 3, 1)

    def forward(self, x):
        a = self.enc(x)
        return self.head(torch.cat([a, torch.relu(self.up(self.down(a)))], 1))


class MetricsCls2D(nn.Module):
    """Small 2D classifier (Conv, pooling, Gemm)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1),
                                      nn.ReLU())
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(self.features(x).mean(dim=(2, 3)))


def some_map(x, seed):
    """A map with ties: the smoothed first channel plus noise, min-max, quantised to 32 levels."""
    rng = np.random.default_rng(seed)
    m = gaussian_blur(x[:1])[0] + 0.2 * rng.normal(size=x.shape[1:])
    m = (m - m.min()) / (m.max() - m.min())
    return (np.round(m * 32) / 32).astype(np.float32)


def export(model, x, name):
    torch.onnx.export(model, torch.from_numpy(x), os.path.join(OUT, name + ".onnx"), opset_version=17,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def main():
    refs = {"steps": STEPS}
    torch.manual_seed(11)

    # segmentation: class 1 where the model predicts it
    vol, gt = blobs((16, 24, 20), 21)
    x = vol[None, None]
    seg = MetricsSeg3D().eval()
    with torch.no_grad():
        out = seg(torch.from_numpy(x))
        seg.head.bias -= out.transpose(0, 1).reshape(3, -1).median(dim=1)[0]
        logits = seg(torch.from_numpy(x)).double()
    export(seg, x, "metrics_seg3d")
    cls = 1
    region = (logits.argmax(1) == cls).double()
    cam = some_map(x[0], 5)
    np.save(os.path.join(OUT, "seg3d_input.npy"), x)
    np.save(os.path.join(OUT, "seg3d_map.npy"), cam)
    gt = (gt > 0).astype(np.float32)  # every blob, one label
    np.save(os.path.join(OUT, "seg3d_mask.npy"), gt)

    def seg_score(vols):
        with torch.no_grad():
            o = seg(torch.from_numpy(np.stack(vols))).double()
        return [float((o[j, cls] * region[0]).sum()) for j in range(len(vols))]

    t0 = seg_score([x[0]])[0]
    entry_all = {"class": cls, "unperturbed_score": t0, "region_voxels": int(region.sum())}
    for kind in ["blur", "mean", "zero"]:
        base = baseline(x[0], kind)
        d, i = curves(seg_score, x[0], base, map_order(cam), STEPS)
        entry = {"deletion": [v / t0 for v in d], "insertion": [v / t0 for v in i]}
        entry["deletion_auc"] = auc(entry["deletion"])
        entry["insertion_auc"] = auc(entry["insertion"])
        if kind == "blur":
            entry["baseline_probe"] = [float(base.astype(np.float64).sum()), float(base.ravel()[1234]),
                                       float(base.ravel()[-1])]
            rd, ri = [], []
            for s in range(3):
                d, i = curves(seg_score, x[0], base, random_order(cam.size, s), STEPS)
                rd.append(auc([v / t0 for v in d]))
                ri.append(auc([v / t0 for v in i]))
            entry["random_deletion_auc"] = float(np.mean(rd))
            entry["random_insertion_auc"] = float(np.mean(ri))
            entry["random_order_seed1_first5"] = [int(v) for v in random_order(cam.size, 1)[:5]]
        entry_all[kind] = entry
    refs["seg3d"] = entry_all

    # classifier: each sample's argmax class
    x2 = np.stack([np.stack([blobs((20, 24), 30 + 3 * b + c)[0] for c in range(3)]) for b in range(2)])
    net = MetricsCls2D().eval()
    export(net, x2, "metrics_cls2d")
    with torch.no_grad():
        classes = net(torch.from_numpy(x2)).argmax(1).tolist()
    maps = np.stack([some_map(x2[b], 6 + b) for b in range(2)])
    np.save(os.path.join(OUT, "cls2d_input.npy"), x2)
    np.save(os.path.join(OUT, "cls2d_map.npy"), maps)
    samples = []
    for b in range(2):
        def cls_score(vols, b=b):
            with torch.no_grad():
                o = net(torch.from_numpy(np.stack(vols))).double()
            return [float(o[j, classes[b]]) for j in range(len(vols))]
        t = cls_score([x2[b]])[0]
        entry = {"class": classes[b], "unperturbed_score": t}
        for kind in ["blur", "zero"]:
            d, i = curves(cls_score, x2[b], baseline(x2[b], kind), map_order(maps[b]), STEPS)
            entry[kind] = {"deletion": [v / t for v in d], "insertion": [v / t for v in i],
                           "deletion_auc": auc([v / t for v in d]), "insertion_auc": auc([v / t for v in i])}
        samples.append(entry)
    refs["cls2d"] = samples

    # agreement, complexity, rank correlation (also on two fixture maps with many zero ties)
    gradcam = load("cases", "seed_unet3d__down3__gradcam", "cam.npy")[0]
    hires = load("cases", "seed_unet3d__down3__hirescam", "cam.npy")[0]
    refs["maps"] = {
        "agreement_seg3d_map_vs_mask": agreement(cam, gt),
        "complexity_seg3d_map": {"mean": float(cam.astype(np.float64).mean()),
                                 "fraction_above_0.5": float((cam > 0.5).mean())},
        "spearman_seg3d_map_vs_input": spearman(cam, x[0, 0]),
        "spearman_fixture_gradcam_vs_hirescam": spearman(gradcam, hires),
        "otsu_fixture_gradcam": otsu(gradcam),
    }
    with open(os.path.join(OUT, "metrics_refs.json"), "w") as f:
        json.dump(refs, f, indent=1)


if __name__ == "__main__":
    main()
