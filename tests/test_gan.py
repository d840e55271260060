import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import tiny_gan


def _weights(model):
    return [keras.ops.convert_to_numpy(v).copy() for v in model.trainable_variables]


def _changed(before, model):
    return any(not np.array_equal(a, keras.ops.convert_to_numpy(b))
               for a, b in zip(before, model.trainable_variables))


def _fake_data(n=16, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(8)


def test_fit_updates_both_players_with_finite_losses():
    gan = tiny_gan()
    g0, d0 = _weights(gan.generator), _weights(gan.discriminator)
    history = gan.fit(_fake_data(), epochs=2, verbose=0)
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert all(np.isfinite(history.history[key])), key
    assert 0 < history.history["d_real"][-1] < 1
    assert _changed(g0, gan.generator) and _changed(d0, gan.discriminator)
    assert int(gan.g_optimizer.iterations) == 4 and int(gan.d_optimizer.iterations) == 4


def test_fit_accepts_image_label_pairs():
    gan = tiny_gan()
    x = np.zeros((8, 28, 28, 1), "float32")
    ds = tf.data.Dataset.from_tensor_slices((x, np.arange(8))).batch(4)
    gan.fit(ds, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 2


def test_compile_defaults_are_dcgan_adam():
    gan = tiny_gan()
    for opt in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(opt.learning_rate) == pytest.approx(2e-4)
        assert float(opt.beta_1) == pytest.approx(0.5)
    assert gan.g_optimizer is not gan.d_optimizer


def test_sample_is_deterministic_by_seed_with_documented_range():
    gan = tiny_gan()
    a, b, c = gan.sample(5, seed=3), gan.sample(5, seed=3), gan.sample(5, seed=4)
    assert a.dtype == np.float32 and a.shape == (5, 28, 28, 1)
    assert a.min() >= -1 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # an image depends only on its own z (batch norm in inference mode), not on the batch
    np.testing.assert_allclose(gan.sample(2, seed=3), a[:2], atol=1e-6)
    assert gan.sample(0).shape == (0, 28, 28, 1)


def test_latents_are_numpy_standard_normal():
    gan = tiny_gan()
    z = gan.latents(4, seed=7)
    np.testing.assert_array_equal(
        z, np.random.default_rng(7).standard_normal((4, 8), dtype=np.float32)
    )


@pytest.mark.parametrize("n", [-1, 2.5, "3", True])
def test_sample_rejects_bad_counts(n):
    with pytest.raises(ValueError, match=r"n must be an integer >= 0"):
        tiny_gan().sample(n)


def test_generate_rejects_wrong_latent_shape():
    with pytest.raises(ValueError, match=r"z must have shape \(n, 8\); got \(2, 5\)"):
        tiny_gan().generate(np.zeros((2, 5)))


def test_fit_rejects_wrong_image_shape_and_integer_pixels():
    gan = tiny_gan()
    bad_shape = tf.data.Dataset.from_tensor_slices(np.zeros((4, 32, 32, 3), "float32")).batch(2)
    with pytest.raises(ValueError, match=r"expects real images of shape \(batch, 28, 28, 1\)"):
        gan.fit(bad_shape, epochs=1, verbose=0)
    gan = tiny_gan()
    ints = tf.data.Dataset.from_tensor_slices(np.zeros((4, 28, 28, 1), "uint8")).batch(2)
    with pytest.raises(ValueError, match="float images in \\[-1, 1\\]; got dtype uint8"):
        gan.fit(ints, epochs=1, verbose=0)


def test_compile_refuses_single_optimizer_argument():
    gan = tiny_gan()
    with pytest.raises(TypeError, match="g_optimizer= and d_optimizer="):
        gan.compile(optimizer="adam")


def test_gan_config_round_trip():
    gan = tiny_gan()
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(gan))
    assert clone.latent_dim == 8 and clone.generator.get_config() == gan.generator.get_config()
    assert clone.discriminator.get_config() == gan.discriminator.get_config()
