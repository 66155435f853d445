"""show(): the input and a map on three orthogonal planes, drawn with matplotlib in the frame of the
engine's own pictures.

The Python client passes the model tensor as .npy, which has no affine, so the engine draws it
in array order (its pictures say "array order (no orientation)"): the "z slice" panel shows
rows = Y, columns = X; "y slice" rows = Z, columns = X; "x slice" rows = Z, columns = Y; row 0 at
the top, column 0 at the left, voxels kept in proportion. Slices go through the map's peak (ties:
the one nearest the map's centre of mass), as in overlay.png, or those overlay.png used. The
scan is windowed to its 1st..99th percentile; the map is blended with opacity
``opacity * min(1, 1.5 * value)``, as the engine does.
"""
import numpy as np

__all__ = ["show", "peak"]

_ALPHA_GAIN = 1.5  # SliceRenderer.ALPHA_GAIN


def peak(cam, spacing=None):
    """The voxel (z, y, x) the engine's pictures go through: the map's maximum, among equal maxima the
    one nearest (in mm) to the map's centre of mass, then the first; the centre of an all-zero map."""
    cam = np.nan_to_num(np.asarray(cam, dtype=np.float64), nan=-np.inf)
    spacing = np.ones(cam.ndim) if spacing is None else np.asarray(spacing, dtype=np.float64)
    positive = np.where(cam > 0, cam, 0)
    mass = positive.sum()
    grids = np.indices(cam.shape).reshape(cam.ndim, -1).T
    if mass > 0:
        centre = (grids * positive.reshape(-1, 1)).sum(axis=0) / mass
    else:
        centre = (np.array(cam.shape) - 1) / 2.0
    flat = cam.reshape(-1)
    candidates = np.flatnonzero(flat == flat.max())
    distance = (((grids[candidates] - centre) * spacing) ** 2).sum(axis=1)
    return tuple(int(v) for v in grids[candidates[np.argmin(distance)]])


def _gray(volume):
    finite = volume[np.isfinite(volume)]
    if finite.size == 0:
        return np.zeros_like(volume)
    lo, hi = np.percentile(finite, [1, 99])
    if hi <= lo:
        lo, hi = finite.min(), finite.max()
    if hi <= lo:
        lo, hi = lo - 1, lo + 1
    return np.clip((np.nan_to_num(volume, nan=lo) - lo) / (hi - lo), 0, 1)


def _spatial(array, rank, full, partial):
    """The spatial array: a[full] of (B, C, *S) or (B, *S) arrays with one more axis, a[partial] of
    those with one axis fewer, a itself when it is (*S)."""
    a = np.asarray(array.detach().cpu().numpy() if hasattr(array, "detach") else array, dtype=np.float32)
    if a.ndim == rank + 2:
        a = a[full]
    elif a.ndim == rank + 1:
        a = a[partial]
    if a.ndim != rank:
        raise ValueError("an array of shape %s does not hold a %d-D volume" % (np.shape(array), rank))
    return a


def show(volume, cam=None, *, sample=0, channel=0, slices=None, spacing=None, colormap="jet", opacity=0.45,
         figsize=None, png=False):
    """Draws ``volume`` (the input: (B, C, *S), (C, *S) or (*S)) with ``cam`` ((B, *S) or (*S)) on the
    three planes through ``slices`` (z, y, x), or the map's peak. ``volume`` may be an
    :class:`gradcam3d.Explanation` (its input and map, and the slices its pictures used);
    ``png=True`` shows the engine's own overlay.png of such a result instead. Returns the
    matplotlib figure."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("show() draws with matplotlib (pip install matplotlib, or Debian's python3-matplotlib); "
                          "the engine's own pictures: explain with pictures=True and open explanation.files"
                          "['overlay.png']") from None
    from .explanation import Explanation

    titles = None
    if isinstance(volume, Explanation):
        e = volume
        if png:
            if "overlay.png" not in e.files:
                raise ValueError("this result has no overlay.png; explain with pictures=True")
            image = plt.imread(e.files["overlay.png"])
            fig, ax = plt.subplots(figsize=figsize or (12, 12 * image.shape[0] / image.shape[1]))
            ax.imshow(image)
            ax.set_axis_off()
            return fig
        cam = e.cam if cam is None else cam
        volume = e.input
        pictures = e.summary.get("pictures")
        if isinstance(pictures, list):
            pictures = pictures[sample] if sample < len(pictures) else None
        if slices is None and pictures:
            s = pictures["slices"]
            slices = (s["z"], s["y"], s["x"])
        panels = e.summary.get("display", {}).get("panels")
        titles = panels if isinstance(panels, list) else None
    elif png:
        raise ValueError("png=True shows an explanation's overlay.png; pass the explanation")
    if cam is None:
        raise ValueError("give the map to draw: show(volume, cam), or show(explanation)")
    cam_array = np.asarray(cam.detach().cpu().numpy() if hasattr(cam, "detach") else cam, dtype=np.float32)
    ndim = np.ndim(volume)
    # a model tensor (B, C, *S); else one volume (*S) with a map of its shape, or (C, *S)
    rank = ndim - 2 if ndim in (4, 5) else ndim if ndim == cam_array.ndim else ndim - 1
    if rank not in (2, 3):
        raise ValueError("show() draws 2-D and 3-D inputs; this one has shape %s" % (np.shape(volume),))
    cam_s = _spatial(cam_array, rank, (sample, 0), sample)
    vol_s = _spatial(volume, rank, (sample, channel), channel)
    if vol_s.shape != cam_s.shape:
        raise ValueError("the volume's spatial shape %s differs from the map's %s" % (vol_s.shape, cam_s.shape))
    spacing = np.ones(rank) if spacing is None else np.asarray(spacing, dtype=np.float64)
    gray = _gray(vol_s)
    cmap = plt.get_cmap(colormap)
    c = np.clip(np.nan_to_num(cam_s), 0, 1)
    alpha = (opacity * np.minimum(1, c * _ALPHA_GAIN))[..., None]
    rgb = np.clip((1 - alpha) * gray[..., None] + alpha * cmap(c)[..., :3], 0, 1)
    if rank == 2:
        fig, ax = plt.subplots(figsize=figsize or (6, 6))
        ax.imshow(rgb, interpolation="nearest", aspect=spacing[0] / spacing[1])
        ax.set_title((titles or ["2d image"])[0])
        ax.set_axis_off()
        return fig
    z, y, x = peak(cam_s, spacing) if slices is None else slices
    planes = [(rgb[z], spacing[1] / spacing[2], "z", z), (rgb[:, y], spacing[0] / spacing[2], "y", y),
              (rgb[:, :, x], spacing[0] / spacing[1], "x", x)]
    fig, axes = plt.subplots(1, 3, figsize=figsize or (15, 5))
    for i, (ax, (image, aspect, axis, index)) in enumerate(zip(axes, planes)):
        ax.imshow(image, interpolation="nearest", aspect=aspect)
        name = titles[i] if titles and i < len(titles) else "%s slice" % axis
        ax.set_title("%s %s=%d" % (name, axis, index))
        ax.set_axis_off()
    fig.suptitle("array order (no orientation)", fontsize=9)
    return fig
