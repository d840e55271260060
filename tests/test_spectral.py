"""Spectral normalization: the layer (against the authors' power iteration and numpy's SVD), its
state ``u`` (advanced in training only, inside the GAN's step on every backend, saved and resumed)
and the ``spectral_norm`` technique."""

import keras
import numpy as np
import pytest
from keras import ops

import ganzoo
from ganzoo import backend, checkpoint
from ganzoo.gan import GAN
from ganzoo.layers import LinearMaxout, MinibatchDiscrimination, SpectralNorm, spectral_normalize
from ganzoo.models import DCGANDiscriminator, MLPDiscriminator, MLPGenerator

EPS = 1e-12


def np_(x):
    return ops.convert_to_numpy(x)


def _authors_iteration(kernel, u):
    """One power iteration as in pfnet-research/sngan_projection ``max_singular_value`` (Ip=1) on
    the ``(out, -1)`` matrix: ``(sigma, u', v)``."""
    w = kernel.reshape(-1, kernel.shape[-1]).T.astype(np.float64)
    v = u.astype(np.float64) @ w
    v = v / (np.linalg.norm(v) + EPS)
    u2 = v @ w.T
    u2 = u2 / (np.linalg.norm(u2) + EPS)
    return float(np.sum((u2 @ w) * v)), u2, v


def _sn_layers(model):
    return [layer for layer in model._flatten_layers() if isinstance(layer, SpectralNorm)]


# ------------------------------------------------------------------------------------- layer
def test_one_power_iteration_matches_the_authors_formula():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(4, 3)).astype("float32")
    bias = np.array([0.5, -1.0, 0.25], np.float32)
    u = rng.normal(size=(1, 3)).astype("float32")
    x = rng.normal(size=(5, 4)).astype("float32")
    layer = SpectralNorm(keras.layers.Dense(3))
    layer.build((None, 4))
    layer.layer.set_weights([kernel, bias])
    layer.u.assign(u)
    sigma, u2, _ = _authors_iteration(kernel, u)
    expected = x @ (kernel / sigma) + bias
    np.testing.assert_allclose(np_(layer(x, training=False)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np_(layer.u), u)  # inference: computed from u, not stored
    np.testing.assert_allclose(np_(layer(x, training=True)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(layer.u), u2, rtol=1e-5)  # training: u <- u'
    np.testing.assert_allclose(np_(layer.layer.kernel), kernel)  # the stored kernel is untouched


def test_conv_kernel_is_the_out_by_rest_matrix():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    layer = SpectralNorm(keras.layers.Conv2D(4, 3, strides=2, padding="same",
                                             activation="relu"))
    layer.build(x.shape)
    kernel, bias = (np_(w) for w in layer.layer.weights)
    u = np_(layer.u)
    sigma, _, _ = _authors_iteration(kernel, u)
    plain = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")
    plain.build(x.shape)
    plain.set_weights([kernel / sigma, bias])
    np.testing.assert_allclose(np_(layer(x, training=True)), np_(plain(x)), rtol=1e-5, atol=1e-6)
    assert layer.u.shape == (1, 4)


@pytest.mark.parametrize("make, in_shape", [
    (lambda: keras.layers.Dense(6), (3, 9)),
    (lambda: keras.layers.Conv2D(5, 3), (2, 7, 7, 4)),
    (lambda: LinearMaxout(3, 2), (3, 5)),
])
def test_sigma_converges_to_the_largest_singular_value(make, in_shape):
    keras.utils.set_random_seed(3)
    layer = SpectralNorm(make())
    x = np.random.default_rng(2).normal(size=in_shape).astype("float32")
    for _ in range(200):
        layer(x, training=True)
    kernel = np_(layer.layer.kernel)
    top = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    normalized, sigma = layer.normalized_kernel()
    normalized = np_(normalized)
    assert float(np_(sigma)) == pytest.approx(top, rel=1e-4)
    assert np.linalg.svd(normalized.reshape(-1, kernel.shape[-1]),
                         compute_uv=False)[0] == pytest.approx(1.0, abs=1e-4)
    # more iterations per call reach the same estimate at once
    many = SpectralNorm(make(), power_iterations=200)
    many.build(in_shape)
    many.layer.set_weights(layer.layer.get_weights())
    assert float(np_(many.normalized_kernel()[1])) == pytest.approx(top, rel=1e-4)


def test_u_is_unchanged_at_inference_and_advances_in_training():
    layer = SpectralNorm(keras.layers.Dense(4))
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    layer(x)  # builds; the default is training=False
    u0 = np_(layer.u).copy()
    layer(x, training=False)
    layer(x, training=None)
    np.testing.assert_array_equal(np_(layer.u), u0)
    layer(x, training=True)
    u1 = np_(layer.u).copy()
    assert not np.allclose(u1, u0)
    np.testing.assert_allclose(np.linalg.norm(u1), 1.0, rtol=1e-5)
    # inside a model the call context's training flag reaches the wrapped layers
    d = DCGANDiscriminator(width=4, norm="spectral")
    d.build()
    image = np.zeros((2, 28, 28, 1), np.float32)
    before = [np_(s.u).copy() for s in _sn_layers(d)]
    d(image, training=False)
    assert all(np.array_equal(np_(s.u), b) for s, b in zip(_sn_layers(d), before))
    d(image, training=True)
    assert all(not np.allclose(np_(s.u), b) for s, b in zip(_sn_layers(d), before))


def test_the_gradient_treats_u_and_v_as_constants():
    """As the authors' code (the power iteration runs on ``W.data``): ∂σ/∂W = u' vᵀ."""
    layer = SpectralNorm(keras.layers.Dense(3))
    layer.build((None, 4))
    kernel, u = np_(layer.layer.kernel), np_(layer.u)
    _, u2, v = _authors_iteration(kernel, u)

    def loss_fn():
        return [spectral_normalize(layer.layer.kernel, layer.u)[2]], None

    (_, _), (grads,) = backend.gradients(loss_fn, [[layer.layer.kernel]])
    # kernel is Wᵀ (in, out): ∂σ/∂kernel = (u'ᵀ v)ᵀ = vᵀ u'
    np.testing.assert_allclose(np_(grads[0]), v.T @ u2, rtol=1e-5, atol=1e-7)


def test_layer_arguments_and_config_round_trip():
    with pytest.raises(ValueError, match="wraps a Dense, Conv1D, Conv2D, Conv3D, LinearMaxout or "
                                         "MinibatchDiscrimination layer; got Conv2DTranspose"):
        SpectralNorm(keras.layers.Conv2DTranspose(2, 3))
    with pytest.raises(ValueError, match="power_iterations must be an integer >= 1; got 0"):
        SpectralNorm(keras.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="epsilon"):
        SpectralNorm(keras.layers.Dense(2), epsilon=0.0)
    layer = SpectralNorm(keras.layers.Conv2D(3, 2, padding="same"), power_iterations=2)
    clone = SpectralNorm.from_config(layer.get_config())
    assert clone.power_iterations == 2 and clone.epsilon == EPS
    assert isinstance(clone.layer, keras.layers.Conv2D) and clone.layer.padding == "same"
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, SpectralNorm)


# ----------------------------------------------------------------------------- discriminators
@pytest.mark.parametrize("make", [
    lambda: DCGANDiscriminator(width=4, norm="spectral"),
    lambda: DCGANDiscriminator(width=4, norm="spectral",
                               minibatch_discrimination={"num_kernels": 2, "kernel_dim": 2}),
    lambda: MLPDiscriminator(units=8, depth=2, norm="spectral"),
    lambda: MLPDiscriminator(units=8, depth=3, maxout_pieces=5, norm="spectral"),
])
def test_spectral_discriminators_normalize_every_kernel_and_round_trip(make):
    d = make()
    d.build()
    layers = list(d._flatten_layers())
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers)
    wrapped = {id(s.layer) for s in _sn_layers(d)}
    kernels = [layer for layer in layers  # every weight layer, minibatch discrimination's T too
               if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D, LinearMaxout,
                                     MinibatchDiscrimination))]
    assert kernels and {id(layer) for layer in kernels} == wrapped
    assert all(layer.use_bias for layer in kernels if isinstance(layer, keras.layers.Conv2D))
    config = d.get_config()
    assert config["norm"] == "spectral"
    clone = type(d).from_config(config)
    clone.build()
    assert len(_sn_layers(clone)) == len(_sn_layers(d))
    assert len(clone.weights) == len(d.weights)


def test_discriminator_norm_options_are_checked():
    with pytest.raises(ValueError, match="MLPDiscriminator norm"):
        MLPDiscriminator(norm="batch")
    with pytest.raises(ValueError, match="DCGANDiscriminator norm"):
        DCGANDiscriminator(norm="spectal")
    # the default nets are unchanged: no wrapper, same weights as before
    assert not _sn_layers(MLPDiscriminator())
    assert MLPDiscriminator().get_config()["norm"] is None


def test_a_saved_discriminator_keeps_u(tmp_path):
    d = DCGANDiscriminator(width=4, norm="spectral")
    d.build()
    x = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    for _ in range(3):
        d(x, training=True)
    d.save(tmp_path / "d.keras")
    loaded = keras.saving.load_model(tmp_path / "d.keras")
    for a, b in zip(_sn_layers(d), _sn_layers(loaded)):
        np.testing.assert_array_equal(np_(a.u), np_(b.u))
    np.testing.assert_allclose(np_(loaded(x, training=False)), np_(d(x, training=False)),
                               rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------------- inside the GAN
def _sn_gan(seed=0):
    gan = GAN(MLPGenerator(latent_dim=2, units=8, depth=1),
              MLPDiscriminator(units=8, depth=2, norm="spectral"), loss="hinge", seed=seed,
              techniques=["spectral_norm"])
    gan.compile()
    return gan


def test_u_advances_exactly_twice_per_simultaneous_step_under_fit():
    """One simultaneous step runs D on the real and on the generated batch (two training calls,
    both before the optimizer step): u must be two power iterations from its value with the
    pre-step kernel -- on TF, inside JAX's stateless step, and on torch."""
    gan = _sn_gan()
    sn = _sn_layers(gan.discriminator)
    start = [(np_(s.layer.kernel).copy(), np_(s.u).copy()) for s in sn]
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    gan.fit(x, batch_size=8, epochs=1, verbose=0)
    backend.sync_state(gan)
    for s, (kernel, u) in zip(sn, start):
        _, u1, _ = _authors_iteration(kernel, u)
        _, u2, _ = _authors_iteration(kernel, u1)
        np.testing.assert_allclose(np_(s.u), u2, rtol=1e-4, atol=1e-6)
        assert not np.allclose(np_(s.layer.kernel), kernel)  # D stepped after its calls


def test_u_is_saved_and_resumed_exactly(tmp_path):
    x = np.random.default_rng(1).normal(size=(16, 2)).astype("float32")
    a = _sn_gan(seed=4)
    a.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    backend.sync_state(a)
    a.save_weights(tmp_path / "a.weights.h5")
    b = _sn_gan(seed=4)
    b.build_optimizers()
    assert not np.allclose(np_(_sn_layers(b.discriminator)[0].u),
                           np_(_sn_layers(a.discriminator)[0].u))
    b.load_weights(tmp_path / "a.weights.h5")
    for sa, sb in zip(_sn_layers(a.discriminator), _sn_layers(b.discriminator)):
        np.testing.assert_array_equal(np_(sa.u), np_(sb.u))
    # the resumed run's next step is the uninterrupted run's next step
    for gan in (a, b):
        gan.fit(x[:8], batch_size=8, epochs=1, shuffle=False, verbose=0)
        backend.sync_state(gan)
    for va, vb in zip(a.weights, b.weights):
        np.testing.assert_allclose(np_(va), np_(vb), rtol=1e-6, atol=1e-7, err_msg=va.path)


def test_a_checkpoint_ships_u_with_d(tmp_path):
    gan = _sn_gan(seed=2)
    gan.fit(np.random.default_rng(2).normal(size=(8, 2)).astype("float32"), batch_size=8,
            epochs=1, verbose=0)
    backend.sync_state(gan)
    loaded = ganzoo.load(gan.save_pretrained(tmp_path / "ck", name="tiny-sn"))
    assert loaded.loss_name == "hinge" and [t.key for t in loaded.techniques] == ["spectral_norm"]
    x = np.random.default_rng(3).normal(size=(5, 2)).astype("float32")
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        for sa, sb in zip(_sn_layers(gan.discriminator), _sn_layers(loaded.discriminator)):
            np.testing.assert_array_equal(np_(sa.u), np_(sb.u))
        np.testing.assert_allclose(np_(loaded.discriminator(x)), np_(gan.discriminator(x)),
                                   rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------- technique
def test_spectral_norm_technique_defaults_to_hinge_and_composes_with_other_losses():
    gan = ganzoo.create("dcgan", dataset="mnist", techniques=["spectral_norm"],
                        generator={"width": 4}, discriminator={"width": 4})
    assert gan.loss_name == "hinge" and gan.discriminator.norm == "spectral"
    assert len(_sn_layers(gan.discriminator)) == 3  # down0, down1, to_logit
    for loss in ("nonsat", "lsgan", "wasserstein"):
        assert ganzoo.create("mlp", dataset="ring8", techniques=["spectral_norm"],
                             loss=loss).loss_name == loss
    gan = ganzoo.create("mlp", dataset="ring8", loss="nonsat",
                        techniques=["spectral_norm", "one_sided_label_smoothing"])
    assert [t.key for t in gan.techniques] == ["spectral_norm", "one_sided_label_smoothing"]
    # hinge (SNGAN's default) has no targets for D: label smoothing needs a loss that has
    with pytest.raises(ValueError, match="needs one of the losses"):
        ganzoo.create("mlp", dataset="ring8",
                      techniques=["spectral_norm", "one_sided_label_smoothing"])


def test_spectral_norm_technique_needs_a_spectral_discriminator():
    with pytest.raises(ValueError, match="needs a discriminator built with norm='spectral'"):
        GAN(MLPGenerator(latent_dim=2, units=4, depth=1), MLPDiscriminator(units=4, depth=1),
            loss="hinge", techniques=["spectral_norm"])
    with pytest.raises(ValueError, match="norm='spectral', but norm='batch' was given"):
        ganzoo.create("dcgan", dataset="mnist", techniques=["spectral_norm"],
                      discriminator={"norm": "batch"})


def test_a_sngan_trains_a_few_steps_under_fit():
    gan = ganzoo.create("dcgan", dataset="mnist", techniques=["spectral_norm"],
                        generator={"width": 4}, discriminator={"width": 4}, seed=0)
    sn = _sn_layers(gan.discriminator)
    before = [np_(s.u).copy() for s in sn]
    x = np.random.default_rng(0).uniform(-1, 1, (12, 28, 28, 1)).astype("float32")
    hist = gan.fit(x, batch_size=4, epochs=1, verbose=0)
    backend.sync_state(gan)
    assert len(hist.history["d_loss"]) == 1
    assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history
    assert int(np_(gan.d_optimizer.iterations)) == 3
    for s, u in zip(sn, before):
        assert not np.allclose(np_(s.u), u)
        np.testing.assert_allclose(np.linalg.norm(np_(s.u)), 1.0, rtol=1e-5)
