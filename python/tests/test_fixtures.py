"""The package against the shared fixtures: the models rebuilt in PyTorch, explained through the
Python interface, against the fixtures' PyTorch references (manifest tolerances: cam 2e-3,
cam_layer 1e-3 of its largest value) and against `gradcam3d explain` on the same case."""
import os
import tempfile
import unittest

import numpy as np
import torch

import support
from support import FIXTURES, expected, fixture_input, fixture_models, manifest_case, within

import gradcam3d
from gradcam3d import GradCAM, LayerCAM, SemanticSegmentationTarget, ClassifierOutputTarget, PredictedRegionTarget

CAM_TOLERANCE = 2e-3


def layer_tolerance(reference):
    return 1e-3 * float(np.abs(reference).max())


class SeedUNetDown3(unittest.TestCase):
    """seed_unet3d__down3__gradcam: layer down3, class 2 over the voxels the model predicts as 2."""

    @classmethod
    def setUpClass(cls):
        cls.model = fixture_models()["seed_unet3d"]
        cls.x = fixture_input("seed_unet3d")
        with torch.no_grad():
            cls.mask = (cls.model(cls.x).argmax(dim=1)[0] == 2).numpy().astype(np.float32)
        cls.case = manifest_case("seed_unet3d__down3__gradcam")
        cls.cam = GradCAM(cls.model, target_layers=[cls.model.down3], engine=support.worker(), cache_dir=support.CACHE,
                          threads=2)
        cls.maps = cls.cam(cls.x, targets=[SemanticSegmentationTarget(2, cls.mask)])

    def test_maps_match_the_pytorch_reference(self):
        self.assertEqual(self.maps.shape, (1, 24, 40, 32))
        self.assertEqual(self.maps.dtype, np.float32)
        self.assertEqual((float(self.maps.min()), float(self.maps.max())), (0.0, 1.0))
        within(self, self.maps, expected(self.case, "cam"), CAM_TOLERANCE, "cam vs PyTorch")
        layer = expected(self.case, "cam_layer")
        within(self, self.cam.explanation.cam_layer[0], layer, layer_tolerance(layer), "cam_layer vs PyTorch")
        target = self.cam.explanation.summary["targets"][0]
        self.assertEqual(target["region_voxels"], int(self.mask.sum()))
        self.assertAlmostEqual(target["value"], self.case["target"]["value"], delta=1e-4 * abs(self.case["target"]["value"]) + 1e-5)
        self.assertEqual(self.cam.explanation.summary["layers"][0]["module"], "down3")

    def test_activations_and_gradients_on_request_match_the_pytorch_reference(self):
        cam = GradCAM(self.model, target_layers=[self.model.down3], engine=support.worker(), cache_dir=support.CACHE,
                      threads=2, save_tensors=True)
        maps = cam(self.x, targets=[SemanticSegmentationTarget(2, self.mask)])
        # (a program with more outputs: ONNX Runtime may fuse differently, float32 rounding apart)
        within(self, maps, self.maps, 1e-6, "cam with save_tensors vs without")
        for name, got in (("activation", cam.explanation.activations), ("gradient", cam.explanation.gradients)):
            reference = expected(self.case, name)
            self.assertEqual(len(got), 1)
            self.assertEqual(got[0].shape, tuple(self.case["activation_shape"]))
            within(self, got[0], reference, layer_tolerance(reference), name + " vs PyTorch")
        self.assertIsNone(self.cam.explanation.activations, "tensors are saved only on request")

    def test_maps_are_exactly_what_gradcam3d_explain_writes(self):
        # the same case as its own command line run: the exported model, the input and the mask as files
        e = self.cam.explanation
        with tempfile.TemporaryDirectory() as tmp:
            np.save(os.path.join(tmp, "mask.npy"), self.mask)
            np.save(os.path.join(tmp, "x.npy"), self.x.numpy())
            base = ["--input", os.path.join(tmp, "x.npy"), "--layer", "down3", "--target",
                    "2:mask=" + os.path.join(tmp, "mask.npy"), "--no-pictures", "--no-report", "--threads", "2"]
            cli = gradcam3d.CommandLine()
            cli.explain(["--model", e.model_file, "--out", os.path.join(tmp, "exported")] + base).raise_for_error()
            np.testing.assert_array_equal(self.maps, np.load(os.path.join(tmp, "exported", "cam.npy")))
        # the fixture's own ONNX file (exported by make_fixtures.py), given as the model: the same map
        fixture_model = os.path.join(FIXTURES, "models", "seed_unet3d.onnx")
        from_file = GradCAM(fixture_model, target_layers=["down3"], engine=support.worker(), threads=2)
        within(self, self.maps, from_file(self.x, targets=[SemanticSegmentationTarget(2, self.mask)]), 1e-6,
               "cam vs the fixture's ONNX file")

    def test_a_bad_target_raises_with_the_engines_message(self):
        # (ServeCliTest: the worker's message is the one the command line prints)
        with self.assertRaises(gradcam3d.OptionError) as raised:
            self.cam(self.x, targets=[ClassifierOutputTarget(7)])
        self.assertEqual(str(raised.exception),
                         "target class 7 does not exist: the model output [1, 3, 24, 40, 32] has classes 0..2")
        self.assertEqual(raised.exception.exit_code, 2)  # an option value judged after loading
        self.assertIsInstance(raised.exception, ValueError)
        # the same words as `gradcam3d explain` prints for it, through the command line engine
        with self.assertRaises(gradcam3d.OptionError) as from_cli:
            GradCAM(self.model, target_layers=[self.model.down3], engine="cli", cache_dir=support.CACHE,
                    threads=2)(self.x, targets=[ClassifierOutputTarget(7)])
        self.assertEqual(str(from_cli.exception), str(raised.exception))
        self.assertIn("error: " + str(raised.exception), from_cli.exception.stderr)


class ModulePaths(unittest.TestCase):
    """Module objects become the engine's layer names, and those name the layers the fixtures used."""

    def test_module_objects_resolve_to_their_named_modules_path(self):
        m = fixture_models()
        seed, nnunet, listnet = m["seed_unet3d"], m["nnunet_like3d"], m["list_encoder3d"]
        self.assertEqual(gradcam3d.module_path(seed, seed.down3), "down3")
        self.assertEqual(gradcam3d.module_path(seed, seed.down2.maxpool_conv[1].double_conv[5]),
                         "down2.maxpool_conv.1.double_conv.5")
        self.assertEqual(gradcam3d.module_path(nnunet, nnunet.decoder[0]), "decoder.0")
        self.assertEqual(gradcam3d.module_path(listnet, (listnet.encoder, 2)), "encoder@2")
        self.assertEqual(gradcam3d.module_path(seed, "up2"), "up2")
        with self.assertRaisesRegex(ValueError, "not a module of this model"):
            gradcam3d.module_path(seed, nnunet.decoder[0])
        with self.assertRaisesRegex(ValueError, "whole model"):
            gradcam3d.module_path(seed, seed)

    def check(self, case_name, model, layer, targets, **options):
        case = manifest_case(case_name)
        x = fixture_input(case["input"]["npy"].split("/")[-1][:-4])
        cam = GradCAM(model, target_layers=[layer], engine=support.worker(), cache_dir=support.CACHE, threads=2,
                      **options)
        maps = cam(x, targets=targets)
        within(self, maps, expected(case, "cam"), CAM_TOLERANCE, case_name + " cam")
        layer_ref = expected(case, "cam_layer")
        within(self, cam.explanation.cam_layer[0], layer_ref, layer_tolerance(layer_ref), case_name + " cam_layer")
        spec = cam.explanation.summary["layers"][0]
        self.assertEqual(spec["module"], case["layer"])
        self.assertEqual(spec["element"], case["layer_output"])

    def test_a_nested_sequential_module(self):
        seed = fixture_models()["seed_unet3d"]
        self.check("seed_unet3d__down2-maxpool_conv-1-double_conv-5__gradcam", seed,
                   seed.down2.maxpool_conv[1].double_conv[5], [PredictedRegionTarget(1)])

    def test_an_nnunet_like_decoder_stage_on_its_deep_supervision_output(self):
        # nnU-Net's architecture in miniature: ModuleLists, InstanceNorm, LeakyReLU, ConvTranspose,
        # a tuple output (deep supervision) of which output 1 is explained
        nnunet = fixture_models()["nnunet_like3d"]
        self.check("nnunet_like3d__decoder-0__gradcam", nnunet, nnunet.decoder[0], [PredictedRegionTarget(1)],
                   model_output=1)

    def test_an_element_of_a_list_output(self):
        listnet = fixture_models()["list_encoder3d"]
        self.check("list_encoder3d__encoder@2__gradcam", listnet, (listnet.encoder, 2), [PredictedRegionTarget(1)])


class Batch(unittest.TestCase):
    def test_each_sample_its_own_map_as_the_reference(self):
        # seed_unet3d_batch2__down3__hirescam: two volumes, class 2 where each is predicted as 2
        case = manifest_case("seed_unet3d_batch2__down3__hirescam")
        seed = fixture_models()["seed_unet3d"]
        x = fixture_input("seed_unet3d_batch2")
        with torch.no_grad():
            masks = (seed(x).argmax(dim=1) == 2).numpy()
        cam = gradcam3d.HiResCAM(seed, [seed.down3], engine=support.worker(), cache_dir=support.CACHE, threads=2)
        maps = cam(x, targets=[SemanticSegmentationTarget(2, masks[0]), SemanticSegmentationTarget(2, masks[1])])
        self.assertEqual(maps.shape, (2, 24, 40, 32))
        within(self, maps, expected(case, "cam"), CAM_TOLERANCE, "batch hirescam cam")


class TorchvisionVideo(unittest.TestCase):
    """A torchvision video classifier (mc3_18, random weights) exported without extra arguments,
    against Grad-CAM computed in PyTorch with hooks (refcam.py, the fixtures' reference code)."""

    def test_mc3_18(self):
        torchvision = support.optional("torchvision")
        import refcam
        torch.manual_seed(0)
        model = torchvision.models.video.mc3_18(weights=None, num_classes=5).eval()
        x = torch.randn(1, 3, 8, 32, 32)
        with torch.no_grad():
            k = int(model(x).argmax())
        store, hook = refcam.capture(model, model.layer3, 0)
        model(x)[0, k].backward()
        hook.remove()
        model.zero_grad()
        a, g = store["a"].detach().numpy(), store["a"].grad.numpy()
        reference = refcam.finish(refcam.cam_layer("layercam", a, g), x.shape[2:])
        with LayerCAM(model, target_layers=[model.layer3], engine=support.worker(), cache_dir=support.CACHE,
                      threads=2) as cam:
            maps = cam(x, targets=[ClassifierOutputTarget(k)])
        self.assertEqual(maps.shape, (1, 8, 32, 32))
        within(self, maps, reference, CAM_TOLERANCE, "mc3_18 layer3 layercam")
        self.assertEqual(cam.explanation.summary["layers"][0]["module"], "layer3")


if __name__ == "__main__":
    unittest.main()
