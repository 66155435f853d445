"""Writes the small NIfTI files in this folder with nibabel and prints what nibabel reads back.

The Java tests (gradcam3d.volume.NibabelFilesTest) hold the printed numbers literally. Run with a
Python that has nibabel and numpy, from this folder: python3 make_nibabel_files.py
"""
import numpy as np
import nibabel as nib


def rotation_z(degrees):
    t = np.deg2rad(degrees)
    return np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])


def report(path):
    img = nib.load(path)
    h = img.header
    data = img.get_fdata()
    print(path)
    print("  shape", data.shape, "datatype", int(h["datatype"]), "endian", h.endianness,
          "slope/inter", h.get_slope_inter())
    print("  qform_code", int(h["qform_code"]), "sform_code", int(h["sform_code"]),
          "pixdim", h["pixdim"].tolist(), "xyzt_units", int(h["xyzt_units"]))
    print("  affine", repr(img.affine.tolist()))
    print("  sum", repr(float(data.sum())), "min", repr(float(data.min())),
          "max", repr(float(data.max())))
    for index in [(0,) * data.ndim, tuple(s - 1 for s in data.shape),
                  tuple(min(s - 1, 1) for s in data.shape)]:
        print("  voxel", index, repr(float(data[index])))


rng = np.random.default_rng(7)

# Big-endian int16 that nibabel scales itself, geometry in the qform only (qfac -1).
values = rng.normal(20.0, 8.0, size=(5, 4, 3))
affine = np.eye(4)
affine[:3, :3] = rotation_z(30) @ np.diag([2.0, 1.5, -3.0])
affine[:3, 3] = [10.0, -20.0, 5.0]
header = nib.Nifti1Header(endianness=">")
img = nib.Nifti1Image(values, None, header=header)
img.set_data_dtype(np.int16)
img.set_qform(affine, code=1)
img.set_sform(None, code=0)
img.header["xyzt_units"] = 10
img.to_filename("be_int16_qform.nii")
report("be_int16_qform.nii")

# NIfTI-2, float64, 4D (channels last), oblique sform.
values = rng.normal(0.0, 1.0, size=(4, 3, 2, 2))
affine = np.eye(4)
affine[:3, :3] = rotation_z(-15) @ np.diag([0.7, 0.7, 1.2])
affine[:3, 3] = [-5.5, 3.25, 40.0]
img = nib.Nifti2Image(values, affine)
img.set_data_dtype(np.float64)
img.header["descrip"] = b"nibabel nifti2 float64"
img.to_filename("nifti2_float64_4d.nii.gz")
report("nifti2_float64_4d.nii.gz")

# The integer types that the fixtures do not cover, unscaled.
for name, dtype, low, high in [("int8", np.int8, -128, 127), ("uint32", np.uint32, 0, 4000000000),
                               ("int64", np.int64, -(2 ** 40), 2 ** 40)]:
    values = np.linspace(low, high, 24).astype(dtype).reshape(4, 3, 2)
    img = nib.Nifti1Image(values, np.diag([1.0, 2.0, 3.0, 1.0]), dtype=dtype)
    img.to_filename(name + ".nii")
    report(name + ".nii")
