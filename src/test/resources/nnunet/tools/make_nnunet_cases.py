"""More nnU-Net v2 references for gradcam3d's tests, computed with nnU-Net's own functions (nnunetv2 at a
2026-07 commit: preprocessing/cropping/cropping.py, preprocessing/normalization/default_normalization_schemes.py,
preprocessing/resampling/default_resampling.py, inference/sliding_window_prediction.py; acvl_utils' bounding boxes
and padding). The steps follow DefaultPreprocessor.run_case_npy and export_prediction's
convert_predicted_logits_to_segmentation_with_correct_shape line by line (those modules themselves import SimpleITK,
blosc2 and the training code, which this machine lacks).

usage: PYTHONPATH=<nnUNet checkout>:<acvl_utils checkout>:<stubs> /usr/bin/python3 make_nnunet_cases.py OUT_DIR
(stubs: batchgenerators.augmentations.utils.resize_segmentation, batchgenerators.utilities.file_and_folder_operations
and blosc2.ndarray.NDArray, none of which the functions used here call)

Cases (written to OUT_DIR, described in OUT_DIR/cases.json):
  crop_*    a two-channel scan with a zero border and an enclosed zero hole: transpose_forward [1, 0, 2], crop to the
            nonzero region, ZScoreNormalization with use_mask_for_norm (channel 0) and RescaleTo01Normalization
            (channel 1), resampling without a separate axis (order 3 everywhere), and logits mapped back (order 1,
            pasted into the crop's box with zeros outside, transposed back).
  window_*  nnU-Net's sliding-window blend (compute_steps_for_sliding_window, pad_nd_image, compute_gaussian) of a toy
            network whose output depends on the position inside the window, in float64.
"""
import json, os, sys
import numpy as np
import nibabel as nib
import torch
from nnunetv2.preprocessing.cropping.cropping import crop_to_nonzero
from nnunetv2.preprocessing.normalization.default_normalization_schemes import ZScoreNormalization, \
    RescaleTo01Normalization
from nnunetv2.preprocessing.resampling.default_resampling import resample_data_or_seg_to_shape, compute_new_shape
from nnunetv2.inference.sliding_window_prediction import compute_gaussian, compute_steps_for_sliding_window
from acvl_utils.cropping_and_padding.bounding_boxes import insert_crop_into_image
from acvl_utils.cropping_and_padding.padding import pad_nd_image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(22)
cases = {}

# ---- crop: transpose, crop_to_nonzero, masked z-score, plain resampling, the way back ---------------------------
zyx = (18, 24, 20)
spacing_zyx = [1.1, 0.9, 0.8]          # SimpleITK's spacing reversed, as nnU-Net keeps it
g = np.meshgrid(*[np.arange(s, dtype=np.float64) for s in zyx], indexing="ij")
body = ((g[0] - 9) / 6.5) ** 2 + ((g[1] - 11) / 8.5) ** 2 + ((g[2] - 10) / 7.5) ** 2 < 1
hole = ((g[0] - 9) / 2) ** 2 + ((g[1] - 12) / 2.5) ** 2 + ((g[2] - 10) / 2) ** 2 < 1
ch0 = np.where(body & ~hole, 300 + 40 * np.sin(g[1] / 3) + rng.normal(0, 15, zyx), 0.0)
ch1 = np.where(body & ~hole, 80 + 20 * np.cos(g[2] / 4) + rng.normal(0, 6, zyx), 0.0)
ch0, ch1 = np.round(ch0).astype(np.int16), np.round(ch1).astype(np.int16)
aff = np.diag([spacing_zyx[2], spacing_zyx[1], spacing_zyx[0], 1.0]); aff[:3, 3] = [5.0, -7.0, 12.0]
for c, ch in enumerate([ch0, ch1]):
    img = nib.Nifti1Image(np.transpose(ch, (2, 1, 0)).copy(), aff); img.set_qform(aff, 1); img.set_sform(aff, 1)
    nib.save(img, os.path.join(out, "crop_%04d.nii.gz" % c))
transpose_forward, transpose_backward = [1, 0, 2], [1, 0, 2]
target = [1.0, 1.25, 1.0]              # in the transposed axis order
plans = {
    "dataset_name": "Dataset998_Crop", "plans_name": "nnUNetPlans", "image_reader_writer": "SimpleITKIO",
    "transpose_forward": transpose_forward, "transpose_backward": transpose_backward,
    "original_median_spacing_after_transp": [spacing_zyx[i] for i in transpose_forward],
    "configurations": {
        "3d_fullres": {
            "data_identifier": "nnUNetPlans_3d_fullres", "preprocessor_name": "DefaultPreprocessor", "batch_size": 2,
            "patch_size": [16, 16, 16], "spacing": target,
            "normalization_schemes": ["ZScoreNormalization", "RescaleTo01Normalization"],
            "use_mask_for_norm": [True, False],
            "resampling_fn_data": "resample_data_or_seg_to_shape",
            "resampling_fn_data_kwargs": {"is_seg": False, "order": 3, "order_z": 0, "force_separate_z": None},
            "resampling_fn_seg": "resample_data_or_seg_to_shape",
            "resampling_fn_seg_kwargs": {"is_seg": True, "order": 1, "order_z": 0, "force_separate_z": None},
            "resampling_fn_probabilities": "resample_data_or_seg_to_shape",
            "resampling_fn_probabilities_kwargs": {"is_seg": False, "order": 1, "order_z": 0,
                                                   "force_separate_z": None},
            "architecture": {"network_class_name": "dynamic_network_architectures.architectures.unet.PlainConvUNet"}},
        "3d_inherited": {"inherits_from": "3d_fullres", "patch_size": [8, 16, 16]}},
    "foreground_intensity_properties_per_channel": {"0": {"mean": 300.0, "std": 40.0}, "1": {"mean": 80.0, "std": 20.0}}}
json.dump(plans, open(os.path.join(out, "crop_plans.json"), "w"), indent=1)
json.dump({"channel_names": {"0": "T1", "1": "T2"}, "labels": {"background": 0, "core": 1, "edge": 2},
           "numTraining": 4, "file_ending": ".nii.gz"}, open(os.path.join(out, "crop_dataset.json"), "w"), indent=1)
# DefaultPreprocessor.run_case_npy, step by step
data = np.stack([ch0, ch1]).astype(np.float32)
data = data.transpose([0, *[i + 1 for i in transpose_forward]])
original_spacing = [spacing_zyx[i] for i in transpose_forward]
shape_before_cropping = data.shape[1:]
data, seg, bbox = crop_to_nonzero(data, None)
shape_after_cropping = data.shape[1:]
new_shape = compute_new_shape(data.shape[1:], original_spacing, target)
for c, (cls, mask) in enumerate([(ZScoreNormalization, True), (RescaleTo01Normalization, False)]):
    data[c] = cls(use_mask_for_norm=mask, intensityproperties={}).run(data[c], seg[0])
model_in = resample_data_or_seg_to_shape(data, new_shape, original_spacing, target, is_seg=False, order=3, order_z=0,
                                         force_separate_z=None)
np.save(os.path.join(out, "crop_model_input.npy"), model_in.astype(np.float32))
# logits on the model grid, then convert_predicted_logits_to_segmentation_with_correct_shape
gm = np.meshgrid(*[np.linspace(0, 1, s) for s in new_shape], indexing="ij")
blob = np.exp(-((gm[0] - 0.5) ** 2 + (gm[1] - 0.4) ** 2 + (gm[2] - 0.55) ** 2) / 0.03)
logits = np.stack([1 - 3 * blob, 3 * blob - 1.2 + 0.8 * gm[2], 2.2 * blob * gm[0]]).astype(np.float32)
np.save(os.path.join(out, "crop_logits.npy"), logits)
back = resample_data_or_seg_to_shape(logits, shape_after_cropping, target, original_spacing, is_seg=False, order=1,
                                     order_z=0, force_separate_z=None)
segmentation = back.argmax(0)
seg_rev = insert_crop_into_image(np.zeros(shape_before_cropping, dtype=np.uint8), segmentation, bbox)
np.save(os.path.join(out, "crop_segmentation_on_scan.npy"), seg_rev.transpose(transpose_backward).astype(np.uint8))
logits_rev = insert_crop_into_image(np.zeros((3, *shape_before_cropping), dtype=np.float32), back, bbox)
np.save(os.path.join(out, "crop_logits_on_scan.npy"),
        logits_rev.transpose([0] + [i + 1 for i in transpose_backward]).astype(np.float32))
cases["crop"] = {"inputs": ["crop_0000.nii.gz", "crop_0001.nii.gz"], "plans": "crop_plans.json",
                 "dataset": "crop_dataset.json", "bbox_transposed": [[int(a), int(b)] for a, b in bbox],
                 "model_shape": [int(s) for s in new_shape], "model_input": "crop_model_input.npy",
                 "logits": "crop_logits.npy", "logits_on_scan": "crop_logits_on_scan.npy",
                 "segmentation_on_scan": "crop_segmentation_on_scan.npy"}

# ---- window: nnU-Net's placement and Gaussian blend --------------------------------------------------------------
vol = (6, 21, 23)
patch = (8, 12, 10)
x = rng.normal(0, 1, (1, *vol))
def toy(w):
    """(C, *patch) -> (2, *patch): depends on where a voxel sits in the window, so placement matters."""
    p = np.meshgrid(*[np.arange(s, dtype=np.float64) for s in patch], indexing="ij")
    return np.stack([w[0] * (1 + 0.1 * p[0]) + 0.05 * p[2], np.tanh(w[0]) * (1 + 0.03 * p[1]) - 0.02 * p[0]])
data, slicer_revert = pad_nd_image(torch.from_numpy(x), patch, 'constant', {'value': 0}, True, None)
steps = compute_steps_for_sliding_window(data.shape[1:], patch, 0.5)
gaussian = compute_gaussian(patch, sigma_scale=1. / 8, value_scaling_factor=10, dtype=torch.float64,
                            device=torch.device('cpu')).numpy()
data = data.numpy()
pred = np.zeros((2, *data.shape[1:])); n = np.zeros(data.shape[1:])
starts = []
for sx in steps[0]:
    for sy in steps[1]:
        for sz in steps[2]:
            sl = tuple(slice(s, s + t) for s, t in zip((sx, sy, sz), patch))
            pred[(slice(None), *sl)] += toy(data[(slice(None), *sl)]) * gaussian
            n[sl] += gaussian
            starts.append([int(sx), int(sy), int(sz)])
pred /= n
pred = pred[(slice(None), *slicer_revert[1:])]
np.save(os.path.join(out, "window_input.npy"), x[None].astype(np.float32))
np.save(os.path.join(out, "window_prediction.npy"), pred[None].astype(np.float32))
cases["window"] = {"input": "window_input.npy", "prediction": "window_prediction.npy", "patch": list(patch),
                   "padded_starts": starts, "padding_below": [int(s.start) for s in slicer_revert[1:]]}

notes = ["References made with nnU-Net v2's own functions by tools/make_nnunet_cases.py (see its docstring).",
         "crop: arrays in SimpleITK order (z, y, x); crop_000C.nii.gz hold channel C with NIfTI (i, j, k) = (x, y, z). "
         "bbox_transposed is crop_to_nonzero's box in the transposed order, half open. crop_logits_on_scan: "
         "the logits resampled back (order 1), pasted into zeros, transposed back; compare within 1e-3.",
         "window: the toy network's blended prediction over a volume whose first axis is shorter than the patch "
         "(padded on both sides as pad_nd_image does), float64; compare within 1e-5."]
json.dump({"notes": notes, "cases": cases}, open(os.path.join(out, "cases.json"), "w"), indent=1)
print("crop bbox", bbox, "model grid", new_shape, "window starts", steps, "padding", slicer_revert)
