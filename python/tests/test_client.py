"""The package's own machinery: the export cache, the worker (one JVM for many volumes), errors
as Python exceptions with the engine's message, the method table, show(), report(), pip install."""
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np
import torch

import support
from support import fixture_input, fixture_models

import gradcam3d
from gradcam3d import GradCAM, SemanticSegmentationTarget, WholeClassTarget, VoxelTarget, BoxTarget


class ExportCache(unittest.TestCase):
    def test_hit_on_the_second_call_and_missed_after_a_weight_changes(self):
        model = copy.deepcopy(fixture_models()["seed_unet3d"])
        x = fixture_input("seed_unet3d")
        with tempfile.TemporaryDirectory() as cache:
            cam = GradCAM(model, [model.down3], engine=support.worker(), cache_dir=cache, threads=2)
            first = cam(x, targets=[WholeClassTarget(2)])
            self.assertFalse(cam.exported.hit)
            written = os.path.getmtime(cam.exported.path)
            second = cam(x, targets=[WholeClassTarget(2)])
            self.assertTrue(cam.exported.hit)
            self.assertEqual(cam.exported.path, cam.explanation.model_file)
            self.assertEqual(os.path.getmtime(cam.exported.path), written, "a hit does not write the model again")
            np.testing.assert_array_equal(first, second)
            key = cam.exported.key

            original = model.outc.weight[2, 0, 0, 0, 0].item()
            with torch.no_grad():
                model.outc.weight[2, 0, 0, 0, 0] += 0.5
            changed = cam(x, targets=[WholeClassTarget(2)])
            self.assertFalse(cam.exported.hit, "a changed weight is a new export")
            self.assertNotEqual(cam.exported.key, key)
            self.assertGreater(float(np.abs(changed - first).max()), 1e-3, "and the map is the new model's")

            # changed back through .data (which torch's version counters do not see): the first export again
            model.outc.weight.data[2, 0, 0, 0, 0] = original
            cam(x, targets=[WholeClassTarget(2)])
            self.assertTrue(cam.exported.hit)
            self.assertEqual(cam.exported.key, key)

            # a buffer (BatchNorm statistics) is part of the weights too
            model.down3.maxpool_conv[1].double_conv[1].running_mean += 0.1
            self.assertNotEqual(gradcam3d.export(model, x, cache_dir=cache).key, key)
            self.assertEqual(len(os.listdir(os.path.join(cache, "torch-exports"))), 3)

    def test_the_code_is_part_of_the_key_also_without_a_source_file(self):
        # classes made in a notebook have no file: their bytecode counts
        source = ("import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                  "        self.conv = torch.nn.Conv3d(1, 2, 3, padding=1)\n    def forward(self, x):\n"
                  "        return self.conv(x) * %s\n")
        keys = []
        for factor in ("2", "3", "2"):
            scope = {"__name__": "__main__"}  # as in a notebook
            exec(source % factor, scope)
            torch.manual_seed(0)
            keys.append(gradcam3d.onnx_export.fingerprint(scope["Net"](), torch.zeros(1, 1, 8, 8, 8)))
        self.assertNotEqual(keys[0], keys[1])
        self.assertEqual(keys[0], keys[2])

    def test_a_model_that_cannot_be_exported_gets_the_exporters_message_and_what_to_try(self):
        class Spectral(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = torch.nn.Conv3d(1, 2, 3, padding=1)

            def forward(self, x):
                return self.conv(torch.fft.fftn(x).real)

        with tempfile.TemporaryDirectory() as cache:
            with self.assertRaises(gradcam3d.ExportError) as raised:
                GradCAM(Spectral(), ["conv"], engine=support.worker(), cache_dir=cache)(torch.zeros(1, 1, 8, 8, 8),
                                                                                      targets=[WholeClassTarget(1)])
            message = str(raised.exception)
            self.assertIn("fft", message)
            self.assertIn("What to try", message)
            self.assertEqual([n for n in os.listdir(os.path.join(cache, "torch-exports"))], [],
                             "nothing half-written is left in the cache")


class WorkerProcess(unittest.TestCase):
    def test_twenty_volumes_with_one_jvm(self):
        w = support.worker()
        pid = w.pid
        starts = w.starts
        self.assertEqual(w._process.pid, pid, "the engine JVM is the process the package started")
        seed = fixture_models()["seed_unet3d"]
        cam = GradCAM(seed, [seed.down3], engine=w, cache_dir=support.CACHE, threads=2)
        base = fixture_input("seed_unet3d").numpy()
        rng = np.random.default_rng(1)
        maps, pids, seconds = [], set(), []
        for i in range(20):
            x = base + rng.normal(0, 0.2, base.shape).astype(np.float32)
            t0 = time.perf_counter()
            maps.append(cam(torch.from_numpy(x), targets=[WholeClassTarget(2)]))
            seconds.append(time.perf_counter() - t0)
            pids.add(cam.explanation.engine_pid)
        self.assertEqual(pids, {pid}, "every volume explained by the same JVM")
        self.assertEqual(w.starts, starts, "and no new one started")
        for m in maps:
            self.assertEqual(m.shape, (1, 24, 40, 32))
            self.assertEqual((float(m.min()), float(m.max())), (0.0, 1.0))
        self.assertGreater(min(float(np.abs(maps[i] - maps[0]).max()) for i in range(1, 20)), 1e-3,
                           "each volume its own map")
        # for comparison (rough, the machine may be busy): one volume as a command line of its own
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            np.save(os.path.join(tmp, "x.npy"), base)
            gradcam3d.CommandLine().explain(["--model", cam.exported.path, "--input", os.path.join(tmp, "x.npy"),
                                             "--layer", "down3", "--target", "2:all", "--out", os.path.join(tmp, "o"),
                                             "--no-pictures", "--no-report", "--threads", "2"]).raise_for_error()
        cli = time.perf_counter() - t0
        print("  20 volumes [1, 1, 24, 40, 32] through one worker (JVM pid %d): %.2f s in all, median %.3f s per "
              "volume; one volume as its own gradcam3d explain process: %.2f s" % (pid, sum(seconds),
                                                                                   float(np.median(seconds)), cli),
              file=sys.stderr)


class Errors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = fixture_models()["seed_unet3d"]
        cls.x = fixture_input("seed_unet3d")

    def cam(self, layers, **kwargs):
        return GradCAM(self.model, layers, engine=support.worker(), cache_dir=support.CACHE, **kwargs)

    def test_the_engines_messages_and_exit_codes(self):
        with self.assertRaises(gradcam3d.OptionError) as bad_option:
            self.cam(["down3"], threads=0)(self.x, targets=[WholeClassTarget(2)])
        self.assertEqual(bad_option.exception.exit_code, 2)
        self.assertIn("--threads", str(bad_option.exception))
        with self.assertRaises(gradcam3d.OptionError) as bad_layer:
            self.cam(["down9"])(self.x, targets=[WholeClassTarget(2)])
        self.assertEqual(bad_layer.exception.exit_code, 2)
        self.assertIn("unknown layer 'down9'", str(bad_layer.exception))
        self.assertIsInstance(bad_layer.exception, ValueError)
        with self.assertRaises(gradcam3d.EngineError) as bad_method:
            gradcam3d.CAM(self.model, ["down3"], method="no-such-method", engine=support.worker(),
                          cache_dir=support.CACHE)(self.x, targets=[WholeClassTarget(2)])
        self.assertIn("no-such-method", str(bad_method.exception))
        self.assertIn("gradcam++", str(bad_method.exception), "the message lists the engine's methods")
        with self.assertRaises(gradcam3d.OptionError) as segmentation_needs_a_target:
            self.cam(["down3"])(self.x)
        self.assertIn("--target", str(segmentation_needs_a_target.exception))

    def test_what_the_package_refuses_itself(self):
        with self.assertRaisesRegex(TypeError, "target classes of gradcam3d"):
            self.cam(["down3"])(self.x, targets=[lambda output: output.sum()])
        with self.assertRaises(NotImplementedError):
            GradCAM(self.model, [self.model.down3], reshape_transform=lambda t: t)
        with self.assertRaises(NotImplementedError):
            self.cam(["down3"])(self.x, targets=[WholeClassTarget(2)], eigen_smooth=True)
        with self.assertRaisesRegex(TypeError, "set from the call"):
            self.cam(["down3"], target="2")
        with self.assertRaisesRegex(ValueError, "class index"):
            WholeClassTarget(-1)


class Targets(unittest.TestCase):
    def test_texts(self):
        self.assertEqual(WholeClassTarget(2).spec(), "2:all")
        self.assertEqual(BoxTarget(1, (0, 2, 4), (8, 10, 12)).spec(), "1:box=0,2,4,8,10,12")
        self.assertEqual(VoxelTarget(3, [5, 6, 7]).spec(), "3:voxel=5,6,7")
        self.assertEqual(gradcam3d.ClassifierOutputTarget(4).spec(), "4")
        self.assertEqual(gradcam3d.ArgmaxTarget().spec(), "argmax")
        with tempfile.TemporaryDirectory() as tmp:
            mask = np.zeros((4, 5, 6))
            mask[1, 2, 3] = 1
            spec = SemanticSegmentationTarget(2, torch.from_numpy(mask)).spec(tmp)
            self.assertTrue(spec.startswith("2:mask="))
            np.testing.assert_array_equal(np.load(spec[len("2:mask="):]), mask.astype(np.float32))
        with self.assertWarns(UserWarning):
            SemanticSegmentationTarget(1, np.full((4, 4), 0.5))

    def test_a_voxel_target_and_an_input_space_method_end_to_end(self):
        seed = fixture_models()["seed_unet3d"]
        x = fixture_input("seed_unet3d")
        cam = gradcam3d.Saliency(seed, engine=support.worker(), cache_dir=support.CACHE, threads=2)
        maps = cam(x, targets=[VoxelTarget(2, (12, 20, 16))])
        self.assertEqual(maps.shape, (1, 24, 40, 32))
        self.assertEqual(cam.explanation.attribution.shape, (1, 1, 24, 40, 32))
        self.assertEqual(cam.explanation.summary["targets"][0]["region_voxels"], 1)
        # saliency: |dT/dx|; dT/dx of the voxel's logit, by autograd, is the reference
        xx = x.clone().requires_grad_(True)
        seed(xx)[0, 2, 12, 20, 16].backward()
        gradient = xx.grad.numpy()
        support.within(self, cam.explanation.attribution, np.abs(gradient), 1e-3 * float(np.abs(gradient).max()),
                       "saliency vs autograd")


class Methods(unittest.TestCase):
    def test_every_engine_method_has_a_class(self):
        engine = set(support.worker().methods)
        missing = engine - set(gradcam3d.METHODS.values())
        self.assertFalse(missing, "add one line per method to python/gradcam3d/methods.py: %s" % sorted(missing))
        unknown = set(gradcam3d.METHODS.values()) - engine
        self.assertFalse(unknown, "classes for methods the engine does not have: %s" % sorted(unknown))
        from gradcam3d import GradCAM, GradCAMPlusPlus, HiResCAM, LRP, Occlusion, ScoreCAM  # noqa: F401
        for name, method in gradcam3d.METHODS.items():
            self.assertEqual(getattr(gradcam3d, name).method, method)


class Notebook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = fixture_models()["seed_unet3d"]
        cls.x = fixture_input("seed_unet3d")
        cls.cam = GradCAM(cls.model, [cls.model.down3], engine=support.worker(), cache_dir=support.CACHE, threads=2,
                          pictures=True)
        cls.cam(cls.x, targets=[gradcam3d.PredictedRegionTarget(2)])

    def test_show_draws_the_planes_the_pictures_show(self):
        plt = support.optional("matplotlib.pyplot")
        e = self.cam.explanation
        s = e.summary["pictures"]["slices"]
        # the engine's pictures and show() choose the same slices (the map's peak)
        self.assertEqual(gradcam3d.display.peak(e.cam[0]), (s["z"], s["y"], s["x"]))
        fig = gradcam3d.show(self.x, e.cam)
        titles = [ax.get_title() for ax in fig.axes]
        self.assertEqual(titles, ["z slice z=%d" % s["z"], "y slice y=%d" % s["y"], "x slice x=%d" % s["x"]])
        # array order: the z panel is (Y, X), the y panel (Z, X), the x panel (Z, Y)
        shapes = [ax.get_images()[0].get_array().shape[:2] for ax in fig.axes]
        self.assertEqual(shapes, [(40, 32), (24, 32), (24, 40)])
        plt.close(fig)
        # on a constant scan (mid gray) in gray at full opacity each pixel is a known function of the map's
        # value: the z panel is cam[z] as it is (rows y, columns x), the y panel cam[:, y], the x panel cam[:, :, x]
        fig = gradcam3d.show(np.zeros_like(self.x.numpy()), e.cam, colormap="gray", opacity=1.0)
        c = e.cam[0].astype(np.float64)
        alpha = np.minimum(1, 1.5 * c)
        drawn = (1 - alpha) * 0.5 + alpha * c
        for ax, plane in zip(fig.axes, (drawn[s["z"]], drawn[:, s["y"]], drawn[:, :, s["x"]])):
            # (matplotlib looks colours up in a table of 256)
            np.testing.assert_allclose(np.asarray(ax.get_images()[0].get_array())[..., 0], plane, atol=1 / 255)
        plt.close(fig)
        fig = e.show()
        self.assertEqual(len(fig.axes), 3)
        plt.close(fig)
        fig = e.show(png=True)
        self.assertEqual(fig.axes[0].get_images()[0].get_array().shape[:2],
                         plt.imread(e.files["overlay.png"]).shape[:2])
        plt.close(fig)

    def test_report_returns_the_html_report(self):
        e = self.cam.explanation
        self.assertNotIn("report.html", e.files, "pictures only: the report is written when asked for")
        report = gradcam3d.report(self.cam)
        self.assertTrue(os.path.isfile(report.path))
        self.assertIn("<html", report.html[:500].lower())
        self.assertTrue(report._repr_html_().startswith("<iframe srcdoc="))
        self.assertEqual(str(report), report.html)


class Packaging(unittest.TestCase):
    def test_pip_installs_the_package_offline(self):
        support.optional("pip")
        here = os.path.dirname(support.HERE)
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "src")
            os.mkdir(source)
            for name in ("pyproject.toml", "README.md"):
                shutil.copy(os.path.join(here, name), source)
            shutil.copytree(os.path.join(here, "gradcam3d"), os.path.join(source, "gradcam3d"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            target = os.path.join(tmp, "site")
            p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                                "--quiet", "--no-compile", "--target", target, source], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
            self.assertEqual(p.returncode, 0, p.stdout)
            check = subprocess.run([sys.executable, "-c", "import gradcam3d; from gradcam3d import GradCAM, LRP, "
                                    "SemanticSegmentationTarget, show, report; print(gradcam3d.__file__)"],
                                   cwd=tmp, env=dict(os.environ, PYTHONPATH=target), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, universal_newlines=True)
            self.assertEqual(check.returncode, 0, check.stdout)
            self.assertTrue(check.stdout.strip().startswith(target), check.stdout)


if __name__ == "__main__":
    unittest.main()
