"""Independent references for the metrics of issue 24 (NumPy/SciPy/scikit-image/PyTorch, no gradcam3d code).

usage: /usr/bin/python3 make_quantus_refs.py   (Debian's python3 with torch, numpy, scipy, skimage)

Each metric follows its source's code path (Quantus 0.6: quantus/metrics/<group>/<metric>.py,
quantus/functions/*, quantus/helpers/utils.py; pytorch-grad-cam: metrics/road.py,
perturbation_confidence.py, cam_mult_image.py, arcc.py), carried to 3D and with these
deliberate, documented differences (the contract gradcam3d.metrics implements):
  - the model score s is the explained class's probability (softmax over classes) averaged over
    the target region fixed from the unperturbed prediction (classifiers: the class probability);
    Quantus scores logits or softmax per metric;
  - random parts use SplitMix64 streams (SeededRandom in Java, `Stream` below) instead of
    numpy.random, so both languages draw the same numbers; java.util.Random for the weight noise
    of the randomisation tests (reimplemented below);
  - argsorts are stable (ties by index), where Quantus calls numpy's default quicksort;
  - metrics that perturb one feature per step in Quantus (faithfulness estimate, monotonicity
    correlation, non-sensitivity) perturb groups of ceil(F / steps) features;
  - 2D patches and SLIC superpixels become cubes of a grid centred like Quantus' padding;
  - ROAD imputes from the 6 face neighbours in 3D (pytorch-grad-cam's 8 neighbours in 2D) and removes
    voxels by rank (pytorch-grad-cam thresholds at the percentile, which removes every voxel of a
    map that is 0 on more than p % of them).

The models are make_metrics_refs.py's MetricsSeg3D and MetricsCls2D, rebuilt with the same
seeds in the same order and checked against metrics_refs.json before anything is written. The
explanations: Grad-CAM at layer "down" of the segmenter for class 1, input x gradient for the
classifier's argmax classes. Writes quantus_refs.json and the maps (q_*.npy) next to this folder,
and planted_*.onnx / planted_*.npy for the step placement test.
"""
import json
import math
import os
import sys

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
import scipy.stats
import skimage.metrics
import skimage.util
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..")
sys.path.insert(0, HERE)
import make_metrics_refs as mmr  # noqa: E402

M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


# ---------------------------------------------------------------- reproducible random numbers
def splitmix64(x):
    z = (x + GAMMA) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class Stream:
    """SeededRandom: draw j = splitmix64(state + j * gamma)."""

    def __init__(self, seed, purpose=None, index=None):
        if purpose is not None:
            seed = ((seed << 32) + (purpose << 20) + index) & M64
        self.state = seed & M64

    def next_long(self):
        z = splitmix64(self.state)
        self.state = (self.state + GAMMA) & M64
        return z

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next_double()

    def gaussian(self):
        u1 = self.next_double()
        u2 = self.next_double()
        return math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)

    def next_int(self, n):
        return int(math.floor(self.next_double() * n))

    def gaussians(self, n):
        return np.array([self.gaussian() for _ in range(n)])

    def uniforms(self, n, lo, hi):
        return np.array([self.uniform(lo, hi) for _ in range(n)])


class JavaRandom:
    """java.util.Random (48-bit LCG) with its polar-method nextGaussian."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)
        self.next_gaussian = None

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        return self.seed >> (48 - bits)

    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * 2.0 ** -53

    def gaussian(self):
        if self.next_gaussian is not None:
            g, self.next_gaussian = self.next_gaussian, None
            return g
        while True:
            v1 = 2 * self.next_double() - 1
            v2 = 2 * self.next_double() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mult = math.sqrt(-2 * math.log(s) / s)
        self.next_gaussian = v2 * mult
        return v1 * mult


# ---------------------------------------------------------------- models, targets, scores
def rebuild():
    torch.manual_seed(11)
    vol, _ = mmr.blobs((16, 24, 20), 21)
    seg = mmr.MetricsSeg3D().eval()
    x = torch.from_numpy(vol[None, None])
    with torch.no_grad():
        out = seg(x)
        seg.head.bias -= out.transpose(0, 1).reshape(3, -1).median(dim=1)[0]
    cls = mmr.MetricsCls2D().eval()
    return seg, cls


class Scorer:
    """s(x): mean over the fixed region of softmax(logits)[k] (segmentation) or softmax[k] (classifier)."""

    def __init__(self, model, k, region=None, logits=False):
        self.model, self.k, self.region, self.logits = model, k, region, logits

    def __call__(self, xs):
        xs = np.asarray(xs, np.float32)
        with torch.no_grad():
            out = self.model(torch.from_numpy(xs)).double()
        p = out if self.logits else torch.softmax(out, dim=1)
        if self.region is None:
            return p[:, self.k].numpy()
        r = torch.from_numpy(self.region.astype(np.float64))
        s = (p[:, self.k] * r).reshape(len(xs), -1).sum(1)
        return (s if self.logits else s / r.sum()).numpy()


def normalise_cam(c):
    c = c - c.min()
    m = c.max()
    return c / m if m > 0 else c


def gradcam_seg(model, x, k, region):
    """Grad-CAM at "down" of T = sum(logits[k] * region): [*S] in [0, 1], float32."""
    acts = {}
    h = model.down.register_forward_hook(lambda m, i, o: acts.__setitem__("a", o))
    out = model(torch.from_numpy(np.asarray(x, np.float32)[None]))
    h.remove()
    a = acts["a"]
    t = (out[0, k] * torch.from_numpy(region.astype(np.float32))).sum()
    g = torch.autograd.grad(t, a)[0]
    w = g.mean(dim=(2, 3, 4), keepdim=True)
    cam = torch.relu((w * a).sum(1, keepdim=True))
    cam = F.interpolate(cam, size=x.shape[1:], mode="trilinear", align_corners=False)[0, 0]
    return normalise_cam(cam.detach().numpy().astype(np.float32))


def ixg_cls(model, x, k):
    """input x gradient of logit k: attribution [C, *S], map = channel sum."""
    xt = torch.from_numpy(np.asarray(x, np.float32)[None]).requires_grad_(True)
    out = model(xt)
    g = torch.autograd.grad(out[0, k], xt)[0][0]
    attr = (xt[0] * g).detach().numpy().astype(np.float32)
    m = attr.sum(0)
    return attr, m, normalise_cam(np.maximum(m, 0)).astype(np.float32)


# ---------------------------------------------------------------- Quantus helpers
def normalise_by_max(a):
    if np.all(a == 0.0):
        return a
    return a / np.max(np.abs(a))


def prep(a, abs_, normalise):
    a = np.asarray(a, np.float64)
    if normalise:
        a = normalise_by_max(a)
    if abs_:
        a = np.abs(a)
    return a


def baseline_value(kind, arr, rng=None, lo=None, hi=None):
    if kind == "black":
        return arr.min()
    if kind == "mean":
        return arr.astype(np.float64).mean()
    if kind == "uniform":
        return rng.uniform(lo, hi)
    raise ValueError(kind)


def pearson(a, b):
    if np.all(a == a[0]) or np.all(b == b[0]):
        return None
    return float(scipy.stats.pearsonr(a, b)[0])


def spearman(a, b):
    if np.all(a == a[0]) or np.all(b == b[0]):
        return None
    return float(scipy.stats.spearmanr(a, b)[0])


def padding(dim, patch):  # quantus.helpers.utils.get_padding_size
    mod = dim % patch
    if mod == 0:
        return (0, 0)
    total = patch - mod
    return (math.floor(total / 2), math.ceil(total / 2))


def block_indices(shape_pad, patch):
    """Quantus get_block_indices in n-D: feature indices (of the padded [C, *S]) per patch, row-major."""
    idx = np.arange(int(np.prod(shape_pad))).reshape(shape_pad)
    blocks = skimage.util.view_as_blocks(idx, (shape_pad[0],) + (patch,) * (len(shape_pad) - 1))
    counts = blocks.shape[1:len(shape_pad)]
    for b in np.ndindex(*counts):
        yield blocks[(0,) + b].reshape(-1)


def auto_cube(spatial, cubes=64):
    return max(1, int(round((np.prod(spatial) / cubes) ** (1.0 / len(spatial)))))


def cube_patches(shape, e):
    """(pads, patches over the padded array, crop) for x of shape [C, *S]."""
    pads = [(0, 0)] + [padding(d, e) for d in shape[1:]]
    shape_pad = tuple(d + p[0] + p[1] for d, p in zip(shape, pads))
    crop = tuple(slice(p[0], p[0] + d) for d, p in zip(shape, pads))
    return pads, shape_pad, list(block_indices(shape_pad, e)), crop


# ---------------------------------------------------------------- metrics
def faithfulness_correlation(score, x, a, seed, runs, subset):
    a = prep(a, False, True).reshape(-1)
    nf = a.size
    k = int(max(1, min(nf - 1, round(subset * nf))))
    y = score([x])[0]
    drops, sums = [], []
    for r in range(runs):
        st = Stream(seed, 1, r)
        idx = np.arange(nf)
        for j in range(k):
            t = j + st.next_int(nf - j)
            idx[j], idx[t] = idx[t], idx[j]
        a_ix = idx[:k]
        xp = x.reshape(-1).copy()
        xp[a_ix] = baseline_value("black", x)
        drops.append(y - score([xp.reshape(x.shape)])[0])
        sums.append(a[a_ix].sum())
    return {"correlation": pearson(np.array(sums), np.array(drops)), "score_drops": drops, "attribution_sums": sums}


def faithfulness_estimate(score, x, a, steps):
    a = prep(a, False, True).reshape(-1)
    nf = a.size
    per = -(-nf // steps)
    order = np.argsort(-a, kind="stable")
    y = score([x])[0]
    drops, sums = [], []
    for t in range(math.ceil(nf / per)):
        a_ix = order[t * per:(t + 1) * per]
        xp = x.reshape(-1).copy()
        xp[a_ix] = baseline_value("black", x)
        drops.append(y - score([xp.reshape(x.shape)])[0])
        sums.append(a[a_ix].sum())
    return {"correlation": pearson(np.array(sums), np.array(drops))}


def monotonicity_correlation(score, x, a, seed, steps, samples):
    a = prep(a, True, True).reshape(-1)
    nf = a.size
    per = -(-nf // steps)
    order = np.argsort(a, kind="stable")
    y = score([x])[0]
    inv = 1.0 / abs(y) ** 2 if abs(y) >= 1e-5 else 1.0
    lo, hi = float(x.min()), float(x.max())
    atts, variances = [], []
    n = math.ceil(nf / per)
    for t in range(n):
        a_ix = order[t * per:(t + 1) * per]
        preds = []
        for c in range(samples):
            st = Stream(0, 103, t * samples + c)
            xp = x.reshape(-1).copy()
            xp[a_ix] = np.float32(baseline_value("uniform", x, st, lo, hi))
            preds.append(score([xp.reshape(x.shape)])[0])
        variances.append(np.mean((np.array(preds) - y) ** 2) * inv)
        atts.append(a[a_ix].sum())
    return {"correlation": spearman(np.array(atts), np.array(variances))}


def region_perturbation(score, x, a, regions=None):
    e = auto_cube(x.shape[1:])
    pads, shape_pad, patches, crop = cube_patches(x.shape, e)
    a = np.broadcast_to(prep(a, False, True), x.shape)
    a_pad = np.pad(a, pads, mode="constant").reshape(-1)
    sums = np.array([a_pad[p].sum() for p in patches])
    n_regions = regions or (len(patches) + 3) // 4
    y = score([x])[0]
    out = {"cube_edge": e, "cubes": len(patches), "regions": n_regions}
    for name, order in (("morf", np.argsort(-sums, kind="stable")), ("lerf", np.argsort(sums, kind="stable"))):
        xp = np.pad(x, pads, mode="edge").reshape(-1)
        curve = []
        for i in order[:n_regions]:
            xp = xp.copy()
            xp[patches[i]] = baseline_value("black", xp)
            curve.append(y - score([xp.reshape(shape_pad)[crop]])[0])
        out[name + "_curve"] = curve
        out[name + "_auc"] = float(np.trapz(curve, dx=1))
    return out


def irof(score, x, a):
    e = auto_cube(x.shape[1:])
    pads, shape_pad, patches, crop = cube_patches(x.shape, e)
    labels = np.zeros(shape_pad[1:], int).reshape(-1)
    spatial_pad = int(np.prod(shape_pad[1:]))
    for s, p in enumerate(patches):
        labels[p[p < spatial_pad]] = s  # the first channel's slab of the patch: its voxels
    segments = labels.reshape(shape_pad[1:])[crop[1:]]
    a = np.broadcast_to(prep(a, False, True), x.shape)
    n = len(patches)
    att = np.array([np.mean(a[:, segments == s]) for s in range(n)])
    order = np.argsort(-att, kind="stable")
    y = score([x])[0]
    xp = x.copy()
    preds = []
    for s in order:
        mask = np.broadcast_to(segments == s, x.shape)
        xp = np.where(mask, np.float32(xp.astype(np.float64).mean()), xp).astype(np.float32)
        preds.append(score([xp])[0] / y)
    aoc = n - np.trapz(preds, dx=1)
    return {"irof": float(aoc), "normalised": float(aoc / n), "supervoxels": n}


def infidelity(score, x, a):
    e = auto_cube(x.shape[1:])
    pads, shape_pad, patches, crop = cube_patches(x.shape, e)
    a = np.broadcast_to(prep(a, False, False), x.shape).astype(np.float64)
    y = score([x])[0]
    xp = np.pad(x, pads, mode="edge").reshape(-1)
    drops, sums = [], []
    for p in patches:
        xp = xp.copy()
        xp[p] = baseline_value("black", xp)
        cur = xp.reshape(shape_pad)[crop]
        drops.append(y - score([cur])[0])
        sums.append(float((a * (x.astype(np.float64) - cur)).sum()))
    drops, sums = np.array(drops), np.array(sums)
    return {"infidelity": float(np.average((drops - sums) ** 2)), "cubes": len(patches)}


def neighbours_weights(rank):
    if rank == 2:
        return [((1, 1), 1 / 12), ((0, 1), 1 / 6), ((-1, 1), 1 / 12), ((1, -1), 1 / 12), ((0, -1), 1 / 6),
                ((-1, -1), 1 / 12), ((1, 0), 1 / 6), ((-1, 0), 1 / 6)]
    out = []
    for ax in range(rank):
        for d in (1, -1):
            off = [0] * rank
            off[ax] = d
            out.append((tuple(off), 1 / (2 * rank)))
    return out


def noisy_linear_imputation(img, keep, noise, st):
    """pytorch-grad-cam's NoisyLinearImputer on an n-D grid: img [C, *S], keep [*S] (1 = known)."""
    shape = keep.shape
    maskflt = keep.reshape(-1)
    imgflat = img.reshape(img.shape[0], -1).astype(np.float64)
    indices = np.argwhere(maskflt == 0).flatten()
    coords_to_vidx = np.zeros(len(maskflt), dtype=int)
    coords_to_vidx[indices] = np.arange(len(indices))
    n_eq = len(indices)
    A = scipy.sparse.lil_matrix((n_eq, n_eq))
    b = np.zeros((n_eq, img.shape[0]))
    sum_neighbors = np.ones(n_eq)
    coords = np.array(np.unravel_index(indices, shape))
    for offset, weight in neighbours_weights(len(shape)):
        c = coords + np.array(offset)[:, None]
        valid = np.all((c >= 0) & (c < np.array(shape)[:, None]), axis=0)
        new_coords = np.ravel_multi_index(np.where(valid, c, 0), shape)
        valid_coords = new_coords[valid]
        valid_ids = np.argwhere(valid).flatten()
        has = maskflt[valid_coords] > 0.5
        b[valid_ids[has], :] -= weight * imgflat[:, valid_coords[has]].T
        A[valid_ids[~has], coords_to_vidx[valid_coords[~has]]] = weight
        sum_neighbors[np.argwhere(~valid).flatten()] -= weight
    A[np.arange(n_eq), np.arange(n_eq)] = -sum_neighbors
    res = scipy.sparse.linalg.spsolve(scipy.sparse.csc_matrix(A), b)
    res = res.reshape(n_eq, img.shape[0]).T  # [C, n_eq]
    noise_draws = st.gaussians(res.size).reshape(res.shape)
    out = imgflat.copy()
    out[:, indices] = res + noise * noise_draws
    return out.reshape(img.shape).astype(np.float32)


def road(score, x, cam, noise, percentiles, stream):
    """pytorch-grad-cam's ROADCombined, removing by rank (ties by index) where it thresholds at the percentile."""
    y = score([x])[0]
    morf, lerf = [], []
    k = len(percentiles)
    n = cam.size
    order = np.argsort(-cam.reshape(-1), kind="stable")
    for j in range(2 * k):
        kept = int(math.floor(percentiles[j % k] * n / 100 + 0.5))
        removed = order[:n - kept] if j < k else order[::-1][:n - kept]
        keep = np.ones(n, np.float32)
        keep[removed] = 0
        xp = noisy_linear_imputation(x, keep.reshape(cam.shape), noise, Stream(0, stream + 100, j))
        (morf if j < k else lerf).append(score([xp])[0] - y)
    mm, ml = float(np.mean(morf)), float(np.mean(lerf))
    return {"morf": mm, "lerf": ml, "combined": (ml - mm) / 2, "morf_changes": morf, "lerf_changes": lerf}


def confidence_change(score, x, cam):
    y = score([x])[0]
    c = score([x * cam[None]])[0] - y
    return {"change": float(c), "drop_in_confidence": float(max(-c, 0)), "increase_in_confidence": float(c > 0)}


def batch_pearson_coherency(a, b):
    a = a.reshape(-1).astype(np.float64)
    b = b.reshape(-1).astype(np.float64)
    ac, bc = a - a.mean(), b - b.mean()
    cov = (ac * bc).sum() / (a.size - 1)
    sa = np.sqrt((ac ** 2).sum() / (a.size - 1))
    sb = np.sqrt((bc ** 2).sum() / (b.size - 1))
    return cov / (sa * sb + 1e-8)


def arcc(score, x, cam, explain, noise):
    complexity = np.abs(cam.astype(np.float64)).sum() / cam.size
    mixed = explain(x * cam[None])
    coherency = (batch_pearson_coherency(mixed, cam) + 1) / 2
    r = road(score, x, cam, noise, [20, 40, 60, 80], 16)["combined"]
    r = min(max(r * 2, 0), 1)
    value = 3 * ((1 / (coherency + 1e-8)) + (1 / ((1 - complexity) + 1e-8)) + (1 / (r + 1e-8))) ** (-1)
    return {"arcc": float(value), "coherency": float(coherency), "complexity": float(complexity), "road": float(r)}


def sensitivity(x, a, explain_a, samples, radius):
    a = prep(a, False, False).reshape(-1)
    r = radius * (float(x.max()) - float(x.min()))
    out = []
    for j in range(samples):
        st = Stream(0, 8, j)
        noise = st.uniforms(x.size, -r, r)
        xp = (x.reshape(-1).astype(np.float64) + noise).astype(np.float32).reshape(x.shape)
        b = prep(explain_a(xp), False, False).reshape(-1)
        out.append(float(np.linalg.norm(a - b) / np.linalg.norm(a)))
    return {"max": max(out), "avg": float(np.mean(out)), "sensitivities": out}


def local_lipschitz(x, a, explain_a, samples, sigma):
    a = prep(a, False, True).reshape(-1)
    s = sigma * (float(x.max()) - float(x.min()))
    ratios = []
    for j in range(samples):
        st = Stream(0, 9, j)
        xp = (x.reshape(-1).astype(np.float64) + s * st.gaussians(x.size)).astype(np.float32)
        b = prep(explain_a(xp.reshape(x.shape)), False, True).reshape(-1)
        num = ((a - b) ** 2).sum() ** 0.5
        den = ((x.reshape(-1).astype(np.float64) - xp) ** 2).sum() ** 0.5
        ratios.append(float(num / (den + 1e-10)))
    return {"local_lipschitz": max(ratios), "ratios": ratios}


def roc_auc(score, truth):
    """sklearn.metrics roc_curve + auc (thresholds at distinct scores, trapezoid)."""
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], truth[order].astype(np.float64)
    distinct = np.where(np.diff(s))[0]
    thr = np.r_[distinct, t.size - 1]
    tps = np.cumsum(t)[thr]
    fps = 1 + thr - tps
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    return float(np.trapz(tps / tps[-1], fps / fps[-1]))


def localisation(m, mask, k_fraction=0.02):
    s = mask.reshape(-1) > 0
    out = {}
    a = prep(m, False, True).reshape(-1)
    out["pointing_game"] = float(np.any(s * (a == a.max())))
    al = prep(m, True, True).reshape(-1)
    r = (al * s).sum() / (al.sum() + 1e-9)
    out["attribution_localisation"] = None if r > 1 else float(r)
    k = int(max(1, min(a.size, round(k_fraction * a.size))))
    order = np.argsort(-a, kind="stable")
    out["top_k_intersection"] = float(s[order[:k]].mean())
    out["relevance_rank_accuracy"] = float(s[order[:s.sum()]].sum() / s.sum())
    out["relevance_mass_accuracy"] = float((a * s).sum() / a.sum())
    out["roc_auc"] = roc_auc(a, s)
    return out


def complexity(m):
    a = prep(m, True, True).reshape(-1)
    g = np.sort(a + 1e-07)
    n = g.size
    gini = ((2 * np.arange(1, n + 1) - n - 1) * g).sum() / (n * g.sum())
    p = a / np.abs(a).sum()
    entropy = -(p * np.log(p + 1e-12)).sum()
    return {"sparseness": float(gini), "complexity": float(entropy),
            "effective_complexity": float(np.sum(a > 1e-5) / a.size)}


def randomised_model(model, positions, layers, seed):
    """The cascade's weight noise: layer i (from the output) gets java.util.Random(seed + i) Gaussians * std."""
    import copy
    m = copy.deepcopy(model)
    mods = dict(m.named_modules())
    for i in positions:
        rng = JavaRandom(seed + i)
        for pname in ("weight", "bias"):
            p = getattr(mods[layers[i]], pname)
            v = p.detach().numpy().astype(np.float32).reshape(-1)
            mean = 0.0
            for f in v:
                mean += float(f) / v.size
            var = 0.0
            for f in v:
                var += (float(f) - mean) * (float(f) - mean) / v.size
            std = math.sqrt(var)
            noise = np.array([np.float32(rng.gaussian() * std) for _ in range(v.size)], np.float32)
            with torch.no_grad():
                p.copy_(torch.from_numpy(noise.reshape(p.shape)))
    return m


def discrete_entropy(a, bins=100):
    h, _ = np.histogram(a.astype(np.float64), bins=bins)
    return float(scipy.stats.entropy(h))


def curves_probability(score, x, m, region_share, steps, seeds):
    """Deletion/insertion: geometric fractions from min(0.01, share / 4), blur baseline, normalised, clipped."""
    n = m.size
    first = 0.01 if region_share is None else min(0.01, region_share / 4)
    f = [0.0] + [first * (1 / first) ** ((i - 1) / (steps - 2)) for i in range(1, steps - 1)] + [1.0]
    counts = [int(math.floor(n * fi + 0.5)) for fi in f]
    counts[0], counts[-1] = 0, n
    base = mmr.gaussian_blur(x)
    orders = [mmr.map_order(m)] + [mmr.random_order(n, s) for s in range(seeds)]
    s0, sb = score([x])[0], score([base])[0]
    c = x.shape[0]
    xf, bf = x.reshape(c, -1), base.reshape(c, -1)
    result = {}
    fr = np.array(counts) / n
    aucs = []
    for o, order in enumerate(orders):
        dels, ins = [], []
        for k in counts:
            d = xf.copy()
            d[:, order[:k]] = bf[:, order[:k]]
            i = bf.copy()
            i[:, order[:k]] = xf[:, order[:k]]
            dels.append(d.reshape(x.shape))
            ins.append(i.reshape(x.shape))
        dr, ir = score(dels), score(ins)
        dn = np.clip((dr - sb) / (s0 - sb), 0, 1)
        inn = np.clip((ir - sb) / (s0 - sb), 0, 1)
        da, ia = float(np.trapz(dn, fr)), float(np.trapz(inn, fr))
        if o == 0:
            result.update({"counts": counts, "deletion": dn.tolist(), "insertion": inn.tolist(), "deletion_auc": da,
                           "insertion_auc": ia, "deletion_scores": dr.tolist(), "unperturbed": float(s0),
                           "baseline": float(sb)})
        else:
            aucs.append((da, ia))
    if seeds:
        result["random_deletion_auc"] = float(np.mean([a[0] for a in aucs]))
        result["random_insertion_auc"] = float(np.mean([a[1] for a in aucs]))
    return result


def non_sensitivity(score, x, a, steps, eps=1e-5):
    a = prep(a, True, True).reshape(-1)
    nf = a.size
    per = -(-nf // steps)
    y = score([x])[0]
    n = math.ceil(nf / per)
    violations = 0
    for t in range(n):
        ix = np.arange(t * per, min(nf, (t + 1) * per))
        xp = x.reshape(-1).copy()
        xp[ix] = baseline_value("black", x)
        insensitive = abs(score([xp.reshape(x.shape)])[0] - y) < eps
        zero = bool(np.all(a[ix] < eps))
        violations += int(zero != insensitive)
    return {"violations": violations, "share": violations / n}


# ---------------------------------------------------------------- the cases
SEG_LAYERS = ["head", "up", "down.0", "enc.0"]  # weighted layers from the output backwards
CLS_LAYERS = ["fc", "features.2", "features.0"]
TEST = {"faithfulness-correlation.runs": 20, "faithfulness-correlation.subset": 0.1, "monotonicity-correlation.steps": 8,
        "monotonicity-correlation.samples": 3, "max-sensitivity.samples": 3, "avg-sensitivity.samples": 3,
        "local-lipschitz.samples": 3, "steps": 11, "random_seeds": 1}


def seg_case(seg):
    x = np.load(os.path.join(OUT, "seg3d_input.npy"))[0]
    mask = np.load(os.path.join(OUT, "seg3d_mask.npy"))
    with torch.no_grad():
        logits = seg(torch.from_numpy(x[None])).double()
    k = 1
    region = (logits.argmax(1)[0] == k).numpy()
    own = Scorer(seg, k, region, logits=True)
    ref = json.load(open(os.path.join(OUT, "metrics_refs.json")))["seg3d"]
    assert abs(own([x])[0] - ref["unperturbed_score"]) < 1e-6 * abs(ref["unperturbed_score"]), "rebuilt model differs"
    score = Scorer(seg, k, region)
    cam = gradcam_seg(seg, x, k, region)
    np.save(os.path.join(OUT, "q_seg3d_cam.npy"), cam[None])
    explain = lambda xx, model=seg, cls=k: gradcam_seg(model, xx, cls, region)  # noqa: E731
    out = {"class": k, "region_voxels": int(region.sum()), "unperturbed": float(score([x])[0])}
    out["deletion_insertion"] = curves_probability(score, x, cam, float(region.mean()), TEST["steps"],
                                                   TEST["random_seeds"])
    out.update(faithfulness_quantus(score, x, cam))
    out["road"] = road(score, x, cam, 0.0025 * (float(x.max()) - float(x.min())), [10, 20, 30, 40, 50, 60, 70, 80, 90], 6)
    out["confidence_change"] = confidence_change(score, x, cam)
    out["arcc"] = arcc(score, x, cam, explain, 0.0025 * (float(x.max()) - float(x.min())))
    out["sensitivity"] = sensitivity(x, cam, explain, 3, 0.05)
    out["local_lipschitz"] = local_lipschitz(x, cam, explain, 3, 0.025)
    out["localisation"] = localisation(cam, mask)
    out["complexity"] = complexity(cam)
    out["non_sensitivity"] = non_sensitivity(score, x, cam, 32)
    # randomisation
    rhos = []
    for i in range(len(SEG_LAYERS)):
        other = explain(x, model=randomised_model(seg, [i], SEG_LAYERS, 0))
        rhos.append(spearman(np.abs(prep(cam, True, True)).reshape(-1), prep(other, True, True).reshape(-1)))
    out["mprt_independent"] = {"spearman": rhos}
    full = explain(x, model=randomised_model(seg, range(len(SEG_LAYERS)), SEG_LAYERS, 0))
    h0, h1 = discrete_entropy(cam), discrete_entropy(full)
    out["efficient_mprt"] = {"entropy": h0, "entropy_randomised": h1, "rise": (h1 - h0) / h0}
    st = Stream(0, 10, 0)
    j = st.next_int(3 - 1)
    other_class = j if j < k else j + 1
    o = explain(x, cls=other_class)
    a, b = prep(cam, False, True).reshape(-1), prep(o, False, True).reshape(-1)
    rng = max(a.max(), b.max()) - min(a.min(), b.min())
    out["random_logit"] = {"other_class": other_class,
                           "ssim": float(skimage.metrics.structural_similarity(a, b, data_range=rng))}
    return out


def faithfulness_quantus(score, x, a):
    return {"faithfulness_correlation": faithfulness_correlation(score, x, a, 0, 20, 0.1),
            "faithfulness_estimate": faithfulness_estimate(score, x, a, 50),
            "monotonicity_correlation": monotonicity_correlation(score, x, a, 0, 8, 3),
            "region_perturbation": region_perturbation(score, x, a),
            "irof": irof(score, x, a),
            "infidelity": infidelity(score, x, a)}


def cls_case(cls):
    x2 = np.load(os.path.join(OUT, "cls2d_input.npy"))
    with torch.no_grad():
        logits = cls(torch.from_numpy(x2)).double()
    ref = json.load(open(os.path.join(OUT, "metrics_refs.json")))["cls2d"]
    out = []
    attrs, maps, cams = [], [], []
    for b in range(2):
        x = x2[b]
        k = int(logits[b].argmax())
        assert k == ref[b]["class"] and abs(float(logits[b, k]) - ref[b]["unperturbed_score"]) < 1e-6, "rebuilt"
        attr, m, cam = ixg_cls(cls, x, k)
        attrs.append(attr)
        maps.append(m)
        cams.append(cam)
        score = Scorer(cls, k)
        own = Scorer(cls, k, logits=True)
        explain_a = lambda xx, model=cls, kk=k: ixg_cls(model, xx, kk)[0]  # noqa: E731
        e = {"class": k, "unperturbed": float(score([x])[0])}
        e["deletion_insertion"] = curves_probability(score, x, cam, None, TEST["steps"], TEST["random_seeds"])
        e.update(faithfulness_quantus(score, x, attr))
        e["road"] = road(score, x, cam, 0.0025 * (float(x.max()) - float(x.min())), [10, 20, 30, 40, 50, 60, 70, 80, 90], 6)
        e["confidence_change"] = confidence_change(score, x, cam)
        e["sensitivity"] = sensitivity(x, attr, explain_a, 3, 0.05)
        e["local_lipschitz"] = local_lipschitz(x, attr, explain_a, 3, 0.025)
        e["complexity"] = complexity(m)
        e["non_sensitivity"] = non_sensitivity(score, x, attr, 32)
        t = own([x, np.zeros_like(x)])
        e["completeness"] = {"attribution_sum": float(attr.astype(np.float64).sum()), "target_change": float(t[0] - t[1]),
                             "gap": float(attr.astype(np.float64).sum() - (t[0] - t[1]))}
        rhos = []
        for i in range(len(CLS_LAYERS)):
            other = ixg_cls(randomised_model(cls, [i], CLS_LAYERS, 0), x, k)[1]
            rhos.append(spearman(prep(m, True, True).reshape(-1), prep(other, True, True).reshape(-1)))
        e["mprt_independent"] = {"spearman": rhos}
        full = ixg_cls(randomised_model(cls, range(len(CLS_LAYERS)), CLS_LAYERS, 0), x, k)[1]
        h0, h1 = discrete_entropy(m), discrete_entropy(full)
        e["efficient_mprt"] = {"entropy": h0, "entropy_randomised": h1, "rise": (h1 - h0) / h0}
        st = Stream(0, 10, 0)
        j = st.next_int(4 - 1)
        oc = j if j < k else j + 1
        o = ixg_cls(cls, x, oc)[1]
        a, bb = prep(m, False, True).reshape(-1), prep(o, False, True).reshape(-1)
        rng = max(a.max(), bb.max()) - min(a.min(), bb.min())
        e["random_logit"] = {"other_class": oc,
                             "ssim": float(skimage.metrics.structural_similarity(a, bb, data_range=rng))}
        out.append(e)
    np.save(os.path.join(OUT, "q_cls2d_attribution.npy"), np.stack(attrs))
    np.save(os.path.join(OUT, "q_cls2d_map.npy"), np.stack(maps))
    np.save(os.path.join(OUT, "q_cls2d_cam.npy"), np.stack(cams))
    return out


# ---------------------------------------------------------------- planted models for the step placement test
class PlantedCls(nn.Module):
    """logit 0 = sum_v w_v x_v, logit 1 = 0: deleting voxel v (to 0) lowers logit 0 by w_v x_v."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.from_numpy(w))

    def forward(self, x):
        s = (x[:, 0] * self.w).flatten(1).sum(1, keepdim=True)
        return torch.cat([s, torch.zeros_like(s)], 1)


class PlantedSeg(nn.Module):
    """Per voxel: logits (0, 10 (x - 0.5)): class 1 wherever x > 0.5, each voxel on its own."""

    def forward(self, x):
        return torch.cat([torch.zeros_like(x), 10 * (x - 0.5)], 1)


def planted():
    shape = (4, 5, 6)
    w = (np.arange(np.prod(shape), dtype=np.float32).reshape(shape) + 1) / np.prod(shape)
    model = PlantedCls(w).eval()
    torch.onnx.export(model, torch.ones((1, 1) + shape), os.path.join(OUT, "planted_cls3d.onnx"), opset_version=17,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    np.save(os.path.join(OUT, "planted_cls3d_weights.npy"), w)
    seg = PlantedSeg().eval()
    torch.onnx.export(seg, torch.ones((1, 1, 8, 10, 12)), os.path.join(OUT, "planted_seg3d.onnx"), opset_version=17,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def main():
    seg, cls = rebuild()
    refs = {"settings": TEST, "seg3d": seg_case(seg), "cls2d": cls_case(cls)}
    with open(os.path.join(OUT, "quantus_refs.json"), "w") as f:
        json.dump(refs, f, indent=1)
    planted()


if __name__ == "__main__":
    main()
