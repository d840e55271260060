"""Data-parallel training and mixed precision (:mod:`ganzoo.distribution`), under the backend of
the run.

Data parallelism runs on 2 CPU devices in processes of their own (the framework splits its CPU
only before it starts): ``tests/distributed_run.py`` (TF: 2 logical devices and a
``MirroredStrategy``; JAX: ``XLA_FLAGS=--xla_force_host_platform_device_count=2`` and
``keras.distribution.DataParallel``) and the command line ``ganzoo train --devices 2``, which
splits the CPU itself. The one-device references run in this process. Under torch there is no
data-parallel engine: the tests check the refusal instead.

Tolerance. Two replicas and one device train the same tiny DCGANs (widths 4, latent 8, global
batch 8, 3 G steps) from the same initial weights on the same data; the two runs differ only in
the order of float32 sums (per-replica sums all-reduced vs one sum). Observed differences are
<= 1e-7 on weights. Asserted: the logged losses of every step within rtol 1e-5 + atol 5e-6 (the
penalty column is small -- an input-gradient norm, the sums of a whole backward pass reordered --
and once differed by 1.4e-6 in a full-suite run); every weight (G,
D, batch-norm statistics, the EMA generator, historical averages) within atol 1e-6; both
optimizers' Adam moments within rtol 1e-3 (+ atol 1e-8). The moments are the sharp check:
Adam's update is scale-free, so a gradient *summed* over the replicas instead of averaged moves
the weights by almost the same amounts but doubles the first moment and quadruples the second.
Batch norm: synchronized over the replicas (the global batch's statistics, as on one device) --
Keras's ``synchronized`` batch norm under TF, and by construction under JAX (one program over
the global batch).
"""

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import REPO
from ganzoo import distribution

BACKEND = keras.config.backend()
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import distributed_run  # noqa: E402

SCENARIOS = distributed_run.DEFAULT.split(",")
needs_engine = pytest.mark.skipif(
    BACKEND == "torch", reason="no data-parallel engine under torch: "
                               "test_torch_refuses_data_parallel checks the refusal")


def _unnumbered(paths):
    return [re.sub(r"_\d+(?=/|$)", "", str(p)) for p in paths]


def _env(devices=2):
    env = dict(os.environ, KERAS_BACKEND=BACKEND, PYTHONPATH=str(REPO))
    if BACKEND == "jax":
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") +
                            f" --xla_force_host_platform_device_count={devices}")
    return env


@pytest.fixture(scope="module")
def two_devices(tmp_path_factory, mnist_dir):
    """Both 2-device processes, run side by side: the scenarios (tests/distributed_run.py) and
    ``ganzoo train dcgan-mnist --devices 2`` for 2 steps."""
    if BACKEND == "torch":
        pytest.skip("no data-parallel engine under torch")
    tmp = tmp_path_factory.mktemp("two_devices")
    runs = {
        "scenarios": [sys.executable, os.path.join(HERE, "distributed_run.py"), "--devices", "2",
                      "--out", str(tmp / "two.npz"), "--checkpoint", str(tmp / "baseline"),
                      "--state", str(tmp / "two_steps.weights.h5")],
        "train": [sys.executable, "-m", "ganzoo", "train", "dcgan-mnist", "--devices", "2",
                  "--out", str(tmp / "train"), "--data-dir", str(mnist_dir), "--epochs", "1",
                  "--steps-per-epoch", "2", "--batch-size", "8", "--quality-every", "0",
                  "--verbose", "0"],
    }
    procs = {name: subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, cwd=str(tmp))
             for name, cmd in runs.items()}
    for scenario in SCENARIOS:  # meanwhile, the one-device references here
        _one_device(scenario)
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"{name}:\n{out[-2000:]}\n{err[-4000:]}"
    return {"tmp": tmp, "results": dict(np.load(tmp / "two.npz", allow_pickle=True))}


_ONE = {}


def _one_device(scenario):
    if scenario not in _ONE:
        _ONE[scenario] = distributed_run.run(scenario, 1)
    return _ONE[scenario]


@needs_engine
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_replicas_compute_the_one_device_step(two_devices, scenario):
    two = {k.split("/", 1)[1]: v for k, v in two_devices["results"].items()
           if k.startswith(scenario + "/")}
    one = _one_device(scenario)
    assert str(two["engine"]) == ("MirroredStrategy" if BACKEND == "tensorflow"
                                  else "DataParallel")
    for a, b in zip(two["initial"], one["initial"], strict=True):
        np.testing.assert_array_equal(a, b)  # the same start
    np.testing.assert_array_equal(two["iterations"], one["iterations"])
    assert two["logs"].shape == (distributed_run.STEPS, 3)
    np.testing.assert_allclose(two["logs"], one["logs"], rtol=1e-5, atol=5e-6)
    # the same variables in the same order (Keras numbers auto-named layers per process:
    # gan_61/dcgan_generator_39/... here after other tests, gan_1/dcgan_generator_1/... there)
    assert _unnumbered(two["names"]) == _unnumbered(one["names"])
    for name, a, b in zip(one["names"], two["weights"], one["weights"], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=name)
    for i, (a, b) in enumerate(zip(two["optimizer"], one["optimizer"], strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-8, err_msg=f"optimizer variable {i}")
    np.testing.assert_allclose(two["samples"], one["samples"], atol=1e-5)
    # every replica holds the same copy of every variable (TF mirrors them; a state update that
    # differed between replicas -- unsynchronized batch-norm statistics -- would show here)
    assert float(two["replica_spread"]) <= 1e-6


@needs_engine
def test_a_run_of_two_devices_resumes_on_one(two_devices):
    """The baseline's first 2 steps on 2 devices, saved (save_weights: weights, both optimizers,
    the seed state), and its last step here on one device: the one-device run's weights."""
    resumed = distributed_run.run("baseline", 1, steps=(distributed_run.STEPS - 1,
                                                        distributed_run.STEPS),
                                  resume=two_devices["tmp"] / "two_steps.weights.h5")
    one = _one_device("baseline")
    np.testing.assert_array_equal(resumed["iterations"], one["iterations"])
    for name, a, b in zip(one["names"], resumed["weights"], one["weights"], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=name)
    for i, (a, b) in enumerate(zip(resumed["optimizer"], one["optimizer"], strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-8, err_msg=f"optimizer variable {i}")


@needs_engine
def test_replicas_draw_slices_of_the_global_batch_and_never_the_same_noise(two_devices):
    results = two_devices["results"]
    if BACKEND == "jax":
        # one program over the global batch: the step's draws ARE the global batch's
        assert "checks/sliced" not in results
        return
    sliced, direct, full = results["checks/sliced"], results["checks/direct"], results[
        "checks/global"]
    np.testing.assert_array_equal(np.concatenate(list(sliced)), full)  # GAN.draw: slices
    assert not np.allclose(direct[0], direct[1])  # a direct draw: folded per replica
    np.testing.assert_array_equal(results["checks/state"], [0, 1])  # the seed state: shared


@needs_engine
def test_a_global_batch_the_replicas_cannot_share_is_refused(two_devices):
    message = str(two_devices["results"]["checks/odd_batch"])
    assert "a global batch of 9 cannot be split evenly over 2 replicas" in message


@needs_engine
def test_checkpoint_trained_on_two_devices_loads_and_samples_on_one(two_devices):
    tmp = two_devices["tmp"]
    gan = ganzoo.load(str(tmp / "baseline"))
    # the run's samples come from its float32 weights, the checkpoint stores them as float16
    # (checkpoint.STORED_FLOAT): equal up to that rounding (2^-11 relative)
    np.testing.assert_allclose(gan.sample(4, seed=0),
                               two_devices["results"]["baseline/samples"], rtol=2e-3, atol=1e-6)
    config = json.loads((tmp / "baseline" / "config.json").read_text())
    assert '"synchronized": true' not in json.dumps(config)  # no run-time setting saved

    # the command line: --devices 2 (the CPU split by ganzoo itself), recorded in the card
    meta = json.loads((tmp / "train" / "metadata.json").read_text())
    assert meta["training"]["devices"] == 2 and meta["training"]["precision"] == "float32"
    progress = json.loads((tmp / "train" / "train_state" / "progress.json").read_text())
    assert (progress["step"], progress["images_seen"]) == (0, 16)
    samples = ganzoo.load(str(tmp / "train")).sample(3, seed=0)
    assert samples.shape == (3, 28, 28, 1) and np.isfinite(samples).all()


@pytest.mark.skipif(BACKEND != "torch", reason="TF and JAX train data-parallel (tests above)")
def test_torch_refuses_data_parallel(tmp_path, capsys):
    from ganzoo import cli

    with pytest.raises(ValueError, match="needs the TensorFlow .* or JAX .* backend"):
        distribution.data_parallel(2)
    assert distribution.data_parallel(1) is None  # one device: nothing to refuse
    out = tmp_path / "run"
    code = cli.main(["train", "dcgan-mnist", "--devices", "2", "--out", str(out)])
    assert code == 2
    assert "no data-parallel engine under torch" in capsys.readouterr().err
    assert not out.exists()  # refused before any work


# ------------------------------------------------------------------------- mixed precision
def _images(n=16, seed=1):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(8, drop_remainder=True)


def _tiny(techniques, policy):
    before = keras.mixed_precision.global_policy().name
    with distribution.precision(policy):
        gan = ganzoo.create("dcgan", dataset="mnist", seed=0, techniques=techniques,
                            generator={"latent_dim": 8, "width": 4}, discriminator={"width": 4})
    assert keras.mixed_precision.global_policy().name == before  # restored
    return gan


@pytest.fixture
def global_policy():
    """Whatever a test does, the global dtype policy is float32 again afterwards."""
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_mixed_bfloat16_trains_with_float32_master_weights(global_policy, tmp_path):
    gan = _tiny(["r1", "ema"], "mixed_bfloat16")  # an input-gradient penalty, technique state
    for player in (gan.generator, gan.discriminator):
        assert player.layers[0].compute_dtype == "bfloat16"
    history = gan.fit(_images(), epochs=1, verbose=0)
    for key in ("d_loss", "g_loss", "penalty"):
        assert np.isfinite(history.history[key]).all(), key
    assert history.history["penalty"][-1] > 0
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 2
    assert {str(keras.backend.standardize_dtype(v.dtype)) for v in gan.weights
            if "float" in str(v.dtype)} == {"float32"}
    # the checkpoint records no precision: it loads (and samples) in float32
    path = gan.save_pretrained(tmp_path / "ck", name="tiny-bf16")
    assert "mixed_bfloat16" not in (path / "config.json").read_text()
    loaded = ganzoo.load(str(path))
    assert loaded.generator.layers[0].compute_dtype == "float32"
    np.testing.assert_allclose(loaded.sample(2, seed=0), gan.sample(2, seed=0), atol=0.05)


def test_mixed_float16_scales_both_players_losses(global_policy):
    gan = _tiny(["r1"], "mixed_float16")
    assert gan.generator.layers[0].compute_dtype == "float16"
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    history = gan.fit(_images(32), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    assert np.isfinite(history.history["penalty"]).all()
    applied = []
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        # each of the 4 steps either applied finite gradients or, overflowing float16 at the
        # initial scale 2**15 (R1's second-order gradient does), was skipped and halved the scale
        applied.append(int(keras.ops.convert_to_numpy(optimizer.iterations)))
        halved = np.log2(optimizer.initial_scale /
                         float(keras.ops.convert_to_numpy(optimizer.dynamic_scale)))
        assert applied[-1] + halved == 4, (applied[-1], halved)
    assert max(applied) > 0
    assert all(np.isfinite(keras.ops.convert_to_numpy(v)).all() for v in gan.trainable_weights)
    # loss scaling is how the run computes: the compile config holds the plain Adam
    config = gan.get_compile_config()
    assert config["g_optimizer"]["class_name"] == "Adam"


def test_precision_and_cli_arguments_are_checked():
    with pytest.raises(ValueError, match="precision must be one of .*mixed_bfloat16"):
        with distribution.precision("bfloat16"):
            pass
    assert keras.mixed_precision.global_policy().name == "float32"
    assert distribution.cli_devices(["train", "dcgan-mnist", "--devices", "4"]) == 4
    assert distribution.cli_devices(["train", "x", "--devices=2", "--out", "o"]) == 2
    assert distribution.cli_devices(["sample", "x", "--devices", "2"]) is None
    assert distribution.cli_devices(["train", "x"]) is None
