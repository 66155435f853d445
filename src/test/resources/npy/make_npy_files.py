"""Writes the small .npy files in this folder with NumPy (checked with numpy 2.4).

gradcam3d.volume.NpyNumpyFilesTest reads them and computes the expected values from the same
formulas, written out again in Java. Run from this folder:  python3 make_npy_files.py

Every 3-D array is built from  n = 12*a + 4*b + c  at index (a, b, c) of shape (2, 3, 4), i.e.
np.arange(24).reshape(2, 3, 4), and saved in both byte orders (one-byte types have none) and in
C and Fortran order. File names: <type>_<le|be>_<c|f>.npy, or <type>_<c|f>.npy for one-byte types.
"""
import numpy as np

n = np.arange(24, dtype=np.int64).reshape(2, 3, 4)

# type -> values (before the cast to the file's type); gradcam3d.volume.NpyFormulas has the same table
FORMULAS = {
    "f2": (n - 10) / 8,                                   # exact in float16
    "f4": (n - 10) * 0.375 + 0.1,                         # rounded to float32 by the cast
    "f8": (n - 10) * 1.0e-3 - 1.0e3,                      # not exact in float32
    "i1": n - 10,
    "i2": (n - 10) * 2500 - 3,
    "i4": (n - 10) * 150_000_000 - 3,
    "i8": (n - 10) * 700_000_000_000_000_000 - 3,
    "u1": n * 10 + 3,
    "u2": n * 2500 + 7,
    "u4": n * 150_000_000 + 7,                            # above 2**31: needs unsigned reading
    "u8": n.astype(np.uint64) * np.uint64(700_000_000_000_000_000) + np.uint64(7),  # above 2**63
    "b1": n % 3 == 0,
}


def save(name, array, fortran):
    if array.ndim > 0:  # (both would turn a 0-d array into a 1-d one)
        array = np.asfortranarray(array) if fortran else np.ascontiguousarray(array)
    np.save(name, array)
    with open(name, "rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}[version]
        shape, fortran_order, dtype = read_header(f)
    assert fortran_order == (fortran and array.ndim > 1), name
    assert shape == array.shape and dtype == array.dtype, name
    assert np.array_equal(np.load(name), array, equal_nan=True), name
    print(f"{name:22s} {dtype.str:5s} shape {shape} fortran_order {fortran_order}")


def main():
    for code, values in FORMULAS.items():
        size = int(code[1])
        for order in ["<", ">"] if size > 1 else ["|"]:
            dtype = np.dtype(order + code)
            array = values.astype(dtype)
            assert np.array_equal(array.astype(np.float64), values.astype(dtype).astype(np.float64))
            if code[0] in "iu":
                assert np.array_equal(array.astype(object), values.astype(object)), code  # no wrap-around
            tag = code if size == 1 else code + ("_le" if order == "<" else "_be")
            for fortran in [False, True]:
                save(tag + ("_f" if fortran else "_c") + ".npy", array, fortran)

    # a 0-d array, a 1-d array, an empty one
    save("scalar_f8_be.npy", np.array(-2.5, dtype=">f8"), False)
    save("scalar_i2_le.npy", np.array(-7, dtype="<i2"), False)
    save("vector_i4_be.npy", (np.arange(7) - 3).astype(">i4"), False)
    save("empty_f4_le.npy", np.zeros((0, 3), dtype="<f4"), False)
    # a 2-d Fortran array of another shape (5, 2): value 10*row + column
    save("matrix_u2_be_f.npy", (10 * np.arange(5)[:, None] + np.arange(2)[None, :]).astype(">u2"), True)

    # the extremes of every integer type: min, min+1, -1 (or 0), 1, max-1, max
    for code in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
        info = np.iinfo(code)
        low = int(info.min)
        values = [low, low + 1, -1 if low < 0 else 0, 1, int(info.max) - 1, int(info.max)]
        save(f"extremes_{code}.npy", np.array(values, dtype=("|" if code[1] == "1" else "<") + code), False)

    # float16 specials: 0, -0, smallest subnormal 2**-24, smallest normal 2**-14, largest 65504,
    # inf, -inf, nan, and 1/3 rounded to float16 (0x3555)
    save("f2_special_le.npy", np.array([0.0, -0.0, 2.0**-24, 2.0**-14, 65504.0, np.inf, -np.inf, np.nan,
                                        1 / 3], dtype="<f2"), False)

    # format versions 2.0 and 3.0 (NumPy picks them only for huge or non-latin-1 headers)
    for version in [(2, 0), (3, 0)]:
        name = f"version{version[0]}_f4_le.npy"
        with open(name, "wb") as f:
            np.lib.format.write_array(f, FORMULAS["f4"].astype("<f4"), version=version)
        assert np.array_equal(np.load(name), FORMULAS["f4"].astype("<f4"))
        print(f"{name:22s} format {version}")

    # types gradcam3d refuses
    np.save("complex64.npy", np.array([1 + 2j, 3 - 4j], dtype="<c8"))
    np.save("object.npy", np.array([1, "two", None], dtype=object), allow_pickle=True)
    np.save("unicode.npy", np.array(["ab", "c"]))
    np.save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i2")]))
    np.save("datetime.npy", np.array(["2024-01-01"], dtype="datetime64[D]"))
    for name in ["complex64", "object", "unicode", "structured", "datetime"]:
        with open(name + ".npy", "rb") as f:
            f.seek(10)
            print(f"{name + '.npy':22s} header {f.readline().decode().strip()}")


if __name__ == "__main__":
    main()
