"""References for OrientationTest: nibabel's io_orientation, ornt_transform, apply_orientation and
inv_ornt_aff (what MONAI's Orientationd uses) on a few affines. Run with Debian's python3-nibabel:
    /usr/bin/python3 make_orientation.py > orientation.json
"""
import json
import numpy as np
import nibabel as nib
from nibabel import orientations as o


def rot(axis, deg):
    t = np.deg2rad(deg)
    c, s = np.cos(t), np.sin(t)
    m = np.eye(3)
    i, j = [a for a in range(3) if a != axis]
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def affine(m, zooms, offset):
    a = np.eye(4)
    a[:3, :3] = m @ np.diag(zooms)
    a[:3, 3] = offset
    return a


cases = {
    "ras": affine(np.eye(3), [1.0, 1.2, 2.0], [-10, 5, 3]),
    "lps": affine(np.diag([-1, -1, 1]), [0.8, 0.8, 2.5], [40, 30, -20]),
    "sagittal_asr": affine(np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]), [1.0, 1.0, 3.0], [0, 0, 0]),
    "pir": affine(np.array([[0, 0, 1], [-1, 0, 0], [0, -1, 0]]), [1.1, 0.9, 1.3], [1, 2, 3]),
    "oblique_20": affine(rot(2, 20) @ rot(0, 10), [1.5, 1.5, 2.0], [-30, 10, 5]),
    "oblique_44_lps": affine(rot(1, 44) @ np.diag([-1, -1, 1]), [1.0, 1.0, 1.0], [2, 2, 2]),
}
shape = (3, 4, 5)
data = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)  # NIfTI order (i, j, k)
out = []
for name, a in cases.items():
    ornt = o.io_orientation(a)
    codes = "".join(o.ornt2axcodes(ornt))
    target = o.axcodes2ornt(("R", "A", "S"))
    t = o.ornt_transform(ornt, target)
    ras = o.apply_orientation(data, t)
    new_affine = a @ o.inv_ornt_aff(t, shape)
    out.append({
        "name": name,
        "affine": a.tolist(),
        "codes": codes,
        "obliquity_degrees": float(np.rad2deg(nib.affines.obliquity(a)).max()),
        "ras_shape": list(ras.shape),
        # C-order values of the reoriented array in NIfTI axis order
        "ras_data": ras.reshape(-1).tolist(),
        "ras_affine": new_affine.tolist(),
    })
print(json.dumps({"shape_ijk": list(shape), "data": "arange in (i, j, k) C order", "cases": out}, indent=1))
