"""The training step compiles under XLA (TF ``jit_compile=True``) and computes the same step.

Why this is worth a test: ``fit`` with ``compile(jit_compile=True)`` hands the whole step to
XLA as one cluster (Keras's TF trainer wraps ``train_step`` in ``tf.function(jit_compile=...)``);
an op XLA cannot compile (``py_function``, string ops, a host callback) would make it fail, or --
with ``jit_compile="auto"`` on an accelerator -- silently lose it. See
``benchmarks/results/xla.md`` for how the step fares under XLA on a CPU.
"""

import keras
import numpy as np
import pytest
from keras import ops

pytestmark = pytest.mark.skipif(keras.config.backend() != "tensorflow",
                                reason="TF's jit_compile (JAX always compiles with XLA)")


def _gan(update, jit):
    from ganzoo.gan import GAN
    from ganzoo.models import DCGANDiscriminator, DCGANGenerator

    keras.utils.set_random_seed(0)
    gan = GAN(DCGANGenerator(latent_dim=8, width=8), DCGANDiscriminator(width=8), seed=0,
              update=update)
    gan.compile(jit_compile=jit)
    return gan


@pytest.mark.parametrize("update", ["simultaneous", "alternating"])
def test_fit_step_compiles_under_xla_and_matches_the_graph_step(update):
    import tensorflow as tf

    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    z = np.random.default_rng(1).standard_normal((8, 8)).astype("float32")
    runs = {}
    for jit in (False, True):
        gan = _gan(update, jit)
        assert gan.jit_compile is jit  # GAN.compile passes jit_compile on to Keras unchanged
        # The same z in both runs: TF's stateless RNG (keras.random under TF, alg
        # "auto_select") draws other numbers under XLA than in TF's own kernels for one seed.
        gan._latents = lambda batch: ops.convert_to_tensor(z)
        history = gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0).history
        runs[jit] = ({k: v[-1] for k, v in history.items()},
                     [ops.convert_to_numpy(w) for w in gan.weights])
        assert int(gan.g_optimizer.iterations) == 2 and int(gan.d_optimizer.iterations) == 2
    (logs, weights), (xla_logs, xla_weights) = runs[False], runs[True]
    for name, value in logs.items():
        assert np.isfinite(xla_logs[name])
        np.testing.assert_allclose(xla_logs[name], value, rtol=1e-4, atol=1e-6, err_msg=name)
    for a, b in zip(weights, xla_weights):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)

    # and XLA really compiles it (an op it cannot compile raises here)
    gan = _gan(update, True)
    hlo = tf.function(gan.train_step, jit_compile=True).experimental_get_compiler_ir(
        tf.constant(x[:8]))(stage="hlo")
    assert "convolution(" in hlo


def test_an_entry_chooses_xla_through_its_recipe():
    """The toys' recipe compiles their step with XLA (hyper-parameter ``jit_compile``); the image
    entries keep keras's "auto" (off on a CPU); a bad value is refused with the choices; the
    compiled toy step trains (keras builds its train function with the model's jit_compile)."""
    import ganzoo
    from ganzoo.zoo import get_entry

    assert get_entry("gan-ring8").hparams["jit_compile"] is True
    assert "jit_compile" not in get_entry("dcgan-mnist").hparams
    toy = ganzoo.create("gan-ring8")
    assert toy.jit_compile is True
    assert ganzoo.create("dcgan-mnist").jit_compile is False  # "auto" resolved on a CPU
    assert ganzoo.create("mlp", dataset="ring8", jit_compile=False).jit_compile is False
    with pytest.raises(ValueError, match="jit_compile must be one of 'auto', True, False"):
        ganzoo.create("mlp", dataset="ring8", jit_compile="yes")
    x = np.random.default_rng(0).normal(size=(200, 2)).astype("float32")
    toy.fit(x, batch_size=100, epochs=1, verbose=0)
    assert int(toy.g_optimizer.iterations) == 2
    assert all(np.isfinite(ops.convert_to_numpy(w)).all() for w in toy.weights)
