"""Loads the .npy files gradcam3d's Npy.write produced and checks them with NumPy, by hand.

    mvn -q -B test-compile
    java -cp target/classes:target/test-classes gradcam3d.volume.NpyExport /tmp/java-npy
    python3 src/test/resources/npy/check_java_npy.py /tmp/java-npy

Prints one line per file and exits non-zero if any differs from what NumPy computes itself.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_npy_files import FORMULAS  # noqa: E402

folder = sys.argv[1] if len(sys.argv) > 1 else "java-npy"
failures = []


def check(name, ok, text):
    print(f"{'ok  ' if ok else 'FAIL'} {name:28s} {text}")
    if not ok:
        failures.append(name)


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


for code, values in FORMULAS.items():
    # Java holds float32: the formula's values rounded to float32, then stored as the file's type
    as_float32 = np.asarray(values, dtype=np.float64).astype(np.float32)
    for endian, tag in [("<", "le"), (">", "be")]:
        for fortran in [False, True]:
            name = f"java_{code}_{tag}_{'f' if fortran else 'c'}.npy"
            a = np.load(os.path.join(folder, name))
            dtype = np.dtype(endian + code)
            if code[0] in "iu":  # exact integers, via Python ints
                want = np.array([int(float(v)) for v in as_float32.ravel()], dtype=dtype).reshape(values.shape)
            else:
                want = as_float32.astype(dtype)
            ok = same(a, want) and a.dtype.str == dtype.str and np.isfortran(a) == fortran
            check(name, ok, f"{a.dtype.str} {a.shape} fortran={np.isfortran(a)} "
                            f"first={a.ravel(order='K')[:3].tolist()} last={a.ravel()[-1].item()!r}")

for code in ["f2", "i1", "u8"]:
    x = np.load(os.path.join(folder, f"java_rounding_{code}_input.npy"))
    a = np.load(os.path.join(folder, f"java_rounding_{code}.npy"))
    if code == "f2":
        want = x.astype(a.dtype)  # NumPy's float32 -> float16: round to nearest even
        ok = a.dtype.str == "<f2" and np.array_equal(a.view(np.uint16), want.view(np.uint16))
    else:
        want = np.array([int(np.rint(np.float64(v))) for v in x], dtype=a.dtype)
        ok = same(a, want)
    check(f"java_rounding_{code}.npy", ok,
          f"{a.dtype.str} {[v.item() for v in x]} -> {[v.item() for v in a]}")

a = np.load(os.path.join(folder, "java_scalar_default.npy"))
check("java_scalar_default.npy", a.dtype.str == "<f4" and a.shape == () and a.item() == -2.5,
      f"{a.dtype.str} shape {a.shape} value {a.item()!r}")

total = len([f for f in os.listdir(folder) if f.endswith(".npy") and "_input" not in f])
print(f"{total - len(failures)} of {total} files as NumPy expects" + (f"; FAILED: {failures}" if failures else ""))
sys.exit(1 if failures else 0)
