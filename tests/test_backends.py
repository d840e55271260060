"""The engine under every Keras backend (TF, JAX, torch): optimizer state, checkpoints across backends.

Run the suite once per backend (README: ``KERAS_BACKEND=... pytest``); the tests
here assert what differs most between backends: that both optimizers really step and keep their
state, and that a checkpoint gives the same images under TF and JAX.
"""

import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

import ganzoo
from conftest import REPO, tiny_gan


def _adam_moments(opt):
    return [keras.ops.convert_to_numpy(v).copy() for v in opt.variables
            if "momentum" in v.path or "velocity" in v.path]


def _data(n=16, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(8)


def test_both_optimizers_step_and_keep_state_across_fits_and_save_load(tmp_path):
    gan = tiny_gan()
    gan.fit(_data(), epochs=1, verbose=0)
    if keras.config.backend() == "jax":
        assert gan.jit_compile is True  # the step runs under jax.jit, state threaded through it
    assert int(gan.g_optimizer.iterations) == 2 and int(gan.d_optimizer.iterations) == 2
    g1, d1 = _adam_moments(gan.g_optimizer), _adam_moments(gan.d_optimizer)
    assert all(np.abs(m).sum() > 0 for m in g1 + d1), "an Adam moment never moved"
    gan.fit(_data(seed=1), epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 4 and int(gan.d_optimizer.iterations) == 4
    g2, d2 = _adam_moments(gan.g_optimizer), _adam_moments(gan.d_optimizer)
    assert all(not np.array_equal(a, b) for a, b in zip(g1 + d1, g2 + d2))

    # full training state (weights + both optimizers) survives save_weights / load_weights
    gan.save_weights(tmp_path / "state.weights.h5")
    other = tiny_gan(seed=1)
    other.load_weights(tmp_path / "state.weights.h5")
    assert int(other.g_optimizer.iterations) == 4 and int(other.d_optimizer.iterations) == 4
    for a, b in zip(g2 + d2, _adam_moments(other.g_optimizer) + _adam_moments(other.d_optimizer)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(other.sample(3, seed=0), gan.sample(3, seed=0))
    other.fit(_data(), epochs=1, verbose=0)
    assert int(other.g_optimizer.iterations) == 6


def test_batch_norm_statistics_are_updated_by_fit():
    gan = tiny_gan()
    bn = gan.generator.project_bn
    before = keras.ops.convert_to_numpy(bn.moving_mean).copy()
    gan.fit(_data(), epochs=1, verbose=0)
    assert not np.array_equal(before, keras.ops.convert_to_numpy(bn.moving_mean))


# Each backend's run compares itself with the next one in this cycle: CI's three runs compare every
# pair once (TF-JAX, JAX-torch, torch-TF) with the same tolerance; comparing with both others, as
# this test did, checked every pair twice for twice the start-up cost.
NEXT_BACKEND = {"tensorflow": "jax", "jax": "torch", "torch": "tensorflow"}


def test_shipped_checkpoint_samples_the_same_under_every_backend(tmp_path):
    here = ganzoo.load("dcgan-mnist").sample(8, seed=0)
    name = NEXT_BACKEND[keras.config.backend()]
    out = tmp_path / f"{name}.npy"
    env = dict(os.environ, KERAS_BACKEND=name, PYTHONPATH=str(REPO))
    run = subprocess.run(
        [sys.executable, "-m", "ganzoo", "sample", "dcgan-mnist", "-n", "8", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    np.testing.assert_allclose(np.load(out), here, atol=2e-5)


def test_checkpoint_written_under_this_backend_loads_under_the_other(tmp_path):
    gan = tiny_gan()
    gan.fit(_data(), epochs=1, verbose=0)
    path = gan.save_pretrained(tmp_path / "ck", name="tiny")
    here = gan.sample(4, seed=3)
    other = "jax" if keras.config.backend() == "tensorflow" else "tensorflow"
    # (each backend's run of this test writes under itself and reads under TF or JAX)
    out = tmp_path / "other.npy"
    code = (f"import ganzoo, numpy as np; np.save({str(out)!r}, "
            f"ganzoo.load({str(path)!r}).sample(4, seed=3))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, KERAS_BACKEND=other, PYTHONPATH=str(REPO)),
                         timeout=300)
    assert run.returncode == 0, run.stderr
    np.testing.assert_allclose(np.load(out), here, atol=2e-5)
