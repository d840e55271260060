"""Techniques II, part 3 (issue 12): PacGAN (packing), MAD-GAN (k generators, a (k+1)-way D) and
randomness inside G (dropout at train and test time, Gaussian noise) -- each against hand-computed
values, under TF, JAX and torch:
``KERAS_BACKEND=jax python -m pytest tests/test_techniques3.py -q``."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

import ganzoo
from ganzoo import backend, checkpoint, losses
from ganzoo.gan import GAN
from ganzoo.layers.latent_noise import LatentNoise, hashed_uniform, latent_keys
from ganzoo.models import (
    DCGANDiscriminator, DCGANGenerator, Generators, MLPDiscriminator, MLPGenerator,
)
from ganzoo.techniques import Technique, pack, r1_penalty, unpack


def np_(x):
    return ops.convert_to_numpy(x)


def _mlp(techniques, **kwargs):
    """The toy family (2-D points; its recipe's G has batch norm) at a tiny size."""
    return ganzoo.create("mlp", dataset="ring8", techniques=techniques, seed=0,
                         generator={"units": 8, "depth": 2},
                         discriminator={"units": 8, "depth": 2}, **kwargs)


def _dcgan(techniques, **kwargs):
    return ganzoo.create("dcgan", dataset="mnist", techniques=techniques, seed=0,
                         generator={"width": 4, "latent_dim": 8}, discriminator={"width": 4},
                         **kwargs)


def _points(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def _images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def _weights(model):
    return [np_(v).copy() for v in model.trainable_variables]


def _changed(before, model):
    return any(not np.array_equal(a, np_(b)) for a, b in zip(before, model.trainable_variables))


class Spy(Technique):
    """Records the step context's static shapes (an unregistered technique)."""

    key = "spy"

    def __init__(self, log, **kwargs):
        super().__init__(name="spy", **kwargs)
        self.record = log.append  # (a list attribute would be copied by Keras's tracking)

    def d_penalty(self, gan, ctx):
        self.record({name: tuple(getattr(ctx, name).shape) for name in
                     ("real", "fake", "real_in", "fake_in", "real_logits", "fake_logits")})
        return None


def _fit_one_batch(gan, x, batch):
    """One training step on a batch with a static size (tf.data, drop_remainder)."""
    data = tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True)
    return gan.fit(data, epochs=1, verbose=0)


# ==================================================================================== PacGAN
def test_pack_layout_points_and_images():
    x = np.arange(12, dtype="float32").reshape(6, 2)
    # pack i = samples i, B + i, ... with their coordinates concatenated in that order
    np.testing.assert_array_equal(np_(pack(x, 2)), np.concatenate([x[:3], x[3:]], axis=1))
    np.testing.assert_array_equal(np_(pack(x, 3)), np.concatenate([x[:2], x[2:4], x[4:]], 1))
    assert np_(pack(x, 2))[1].tolist() == [2, 3, 8, 9]
    images = _images(4)
    packed = np_(pack(np.concatenate([images, -images], -1), 2))  # 2 channels per image
    assert packed.shape == (2, 28, 28, 4)
    np.testing.assert_array_equal(packed[..., :2], np.concatenate([images, -images], -1)[:2])
    np.testing.assert_array_equal(packed[..., 2:], np.concatenate([images, -images], -1)[2:])
    for m, batch in ((2, x), (3, x), (2, images), (4, images)):
        np.testing.assert_array_equal(np_(unpack(pack(batch, m), m)), batch)
    with pytest.raises(ValueError, match="multiple of 2; got 5"):
        pack(x[:5], 2)


def test_pacgan_builds_its_discriminator_for_packs():
    gan = _mlp([{"name": "pacgan", "packing": 3}])
    D = gan.discriminator
    assert D.packing == 3 and D.packed_shape == (6,) and D.image_shape == (2,)
    assert tuple(D.hidden[0].weights[0].shape)[0] == 6  # m points' coordinates: 3 x 2 inputs
    assert gan._calls("generator_calls") == 3
    gan = _dcgan(["pacgan"])
    D = gan.discriminator
    assert D.packing == 2 and tuple(D.blocks[0][0].kernel.shape)[2] == 2  # 2 x 1 channels
    assert D.get_config()["packing"] == 2
    clone = DCGANDiscriminator.from_config(D.get_config())
    assert clone.get_config() == D.get_config()


def test_pacgan_packs_real_with_real_and_fake_with_fake():
    gan = _mlp(["pacgan"])
    real = 10.0 + _points(6)
    fake = -10.0 + _points(6, seed=1)
    ctx = gan._d_forward(real, fake)
    np.testing.assert_array_equal(np_(ctx.real_in), np_(pack(real, 2)))
    np.testing.assert_array_equal(np_(ctx.fake_in), np_(pack(fake, 2)))
    assert np_(ctx.real_in).min() > 0 > np_(ctx.fake_in).max()  # no pack mixes the two
    assert tuple(ctx.real_logits.shape) == tuple(ctx.fake_logits.shape) == (3, 1)


def test_pacgan_generator_runs_once_per_pack_member():
    """As the authors' code: G runs m times on B latents (batch-norm statistics per call)."""
    gan = _mlp(["pacgan"])
    G = gan.generator
    assert G.norm == "batch"
    z = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    split = np.concatenate([np_(G(z[:4], training=True)), np_(G(z[4:], training=True))])
    np.testing.assert_allclose(np_(gan._fake(z)), split, atol=1e-6)
    assert not np.allclose(np_(G(z, training=True)), split, atol=1e-4)
    # sampling is per sample (inference batch norm): no split
    np.testing.assert_allclose(np_(gan._fake(z[:3], training=False)),
                               np_(G(z[:3], training=False)), atol=1e-6)


def test_a_pacgan_step_consumes_m_times_its_d_batch():
    log = []
    gan = _mlp(["pacgan", Spy(log)])
    x = _points(12)
    before_g, before_d = _weights(gan.generator), _weights(gan.discriminator)
    hist = _fit_one_batch(gan, x, 12)
    shapes = log[0]
    assert shapes["real"] == shapes["fake"] == (12, 2)  # m x B real and generated samples
    assert shapes["real_in"] == shapes["fake_in"] == (6, 4)  # D's batch: B packs of m = 2
    assert shapes["real_logits"] == shapes["fake_logits"] == (6, 1)
    assert all(np.isfinite(v[-1]) for v in hist.history.values())
    backend.sync_state(gan)
    assert _changed(before_g, gan.generator) and _changed(before_d, gan.discriminator)


@pytest.mark.parametrize("penalty", ["r1", "dragan", "wgan_gp"])
def test_gradient_penalties_act_on_packed_inputs(penalty):
    gan = _mlp(["pacgan", penalty])
    real, fake = _points(8), _points(8, seed=1)
    ctx = gan._d_forward(real, fake)
    term = [t for t in gan.techniques if t.key == penalty][0].d_penalty(gan, ctx)
    assert np.isfinite(float(np_(term)))
    if penalty == "r1":  # the gradient w.r.t. the whole pack, one term per pack
        critic = lambda x: gan.discriminator(x, training=True)  # noqa: E731
        expected = r1_penalty(critic, pack(real, 2), 10.0)
        np.testing.assert_allclose(float(np_(term)), float(np_(expected)), rtol=1e-5)
    batch = 8 * gan.n_critic
    hist = gan.fit(_points(batch), batch_size=batch, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history


def test_pacgan_refusals():
    with pytest.raises(ValueError, match="needs a discriminator built with packing=2"):
        GAN(MLPGenerator(latent_dim=2, units=4, depth=1), MLPDiscriminator(units=4, depth=1),
            techniques=["pacgan"])
    with pytest.raises(ValueError, match="pacgan: packing must be an integer >= 2; got 1"):
        ganzoo.techniques.get_technique({"name": "pacgan", "packing": 1})
    with pytest.raises(ValueError, match="packing=2 cannot be combined with a class condition"):
        _dcgan(["pacgan", "cgan"])
    with pytest.raises(ValueError, match="'pacgan' and 'madgan' cannot be combined"):
        _mlp(["pacgan", "madgan"])
    gan = _mlp(["pacgan"])  # fit refuses batches it cannot pack, before training
    with pytest.raises(ValueError, match="must be a multiple of 2; got a batch of 1"):
        gan.fit(_points(13), batch_size=12, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="must be a multiple of 2; got a batch of 5"):
        gan.fit(_points(10), batch_size=5, epochs=1, verbose=0)
    gan = _mlp([{"name": "madgan", "generators": 3}])
    data = tf.data.Dataset.from_tensor_slices(_points(16)).batch(8, drop_remainder=True)
    with pytest.raises(ValueError, match="must be a multiple of 3; got a batch of 8"):
        gan.fit(data, epochs=1, verbose=0)


# =================================================================================== MAD-GAN
def _softmax_ce(logits, label):
    logits = np.asarray(logits, "float64")
    top = logits.max()
    return float(top + np.log(np.exp(logits - top).sum()) - logits[label])


def test_madgan_loss_against_hand_computed_values():
    k, b = 2, 3  # two generators, batches of three: N = 6 rows on each side
    rng = np.random.default_rng(0)
    real = rng.normal(size=(k * b, k + 1)).astype("float32")
    fake = rng.normal(size=(k * b, k + 1)).astype("float32")
    d_expected = sum(
        np.mean([_softmax_ce(real[r], k) for r in range(i * b, (i + 1) * b)])
        + np.mean([_softmax_ce(fake[r], i) for r in range(i * b, (i + 1) * b)])
        for i in range(k))
    g_expected = sum(np.mean([_softmax_ce(fake[r], k) for r in range(i * b, (i + 1) * b)])
                     for i in range(k))
    d_fn, g_fn = losses.get("madgan")
    np.testing.assert_allclose(float(np_(d_fn(real, fake))), d_expected, rtol=1e-5)
    np.testing.assert_allclose(float(np_(g_fn(fake))), g_expected, rtol=1e-5)
    # D undecided (equal logits): every cross-entropy is log(k + 1)
    zeros = np.zeros((4 * 3, 4), "float32")
    np.testing.assert_allclose(float(np_(d_fn(zeros, zeros))), 3 * 2 * math.log(4), rtol=1e-6)
    np.testing.assert_allclose(float(np_(g_fn(zeros))), 3 * math.log(4), rtol=1e-6)
    # a confident D: real rows say "real", generator i's rows say "i" -> D's loss ~ 0
    confident_real = np.tile(np.array([[-20, -20, 20]], "float32"), (4, 1))
    confident_fake = np.array([[20, -20, -20]] * 2 + [[-20, 20, -20]] * 2, "float32")
    assert float(np_(d_fn(confident_real, confident_fake))) < 1e-6
    np.testing.assert_allclose(float(np_(g_fn(confident_fake))), 2 * 40.0, rtol=1e-5)
    # logged score: the softmax probability of "real"
    np.testing.assert_allclose(np_(losses.score("madgan")(zeros)), np.full(12, 0.25), rtol=1e-6)


def test_madgan_players_and_engine():
    gan = _mlp([{"name": "madgan", "generators": 3}])
    G, D = gan.generator, gan.discriminator
    assert isinstance(G, Generators) and G.count == 3 and len(G.generators) == 3
    assert G.latent_dim == gan.latent_dim == 2 + 1 and G.image_shape == (2,)
    assert D.outputs == 4 and gan.loss_name == "madgan" and gan.update == "alternating"
    assert gan._calls("discriminator_calls") == 3
    # one optimizer over the three generators' variables (the authors' combine_all_parameters)
    member = len(G.generators[0].trainable_variables)
    assert len(G.trainable_variables) == 3 * member
    assert len(gan.g_optimizer.variables) > 3 * member  # its moments for every generator
    # independent initial weights
    assert not np.array_equal(np_(G.generators[0].trainable_variables[0]),
                              np_(G.generators[1].trainable_variables[0]))


def test_each_generator_gets_gradients_only_from_its_own_term():
    k, b = 3, 2
    keras.utils.set_random_seed(0)
    G = Generators(MLPGenerator(latent_dim=2, units=4, depth=1), count=k)
    # maxout units: no dead ReLU can zero a generator's own gradient by chance
    D = MLPDiscriminator(units=8, depth=1, maxout_pieces=2, outputs=k + 1)
    G.build()
    D.build()
    z = np.random.default_rng(0).normal(size=(k * b, 3)).astype("float32")
    lists = [g.trainable_variables for g in G.generators]

    def grads_of(term):
        def loss_fn():
            logits = D(G(z, training=True), training=True)
            value = term(logits)
            return [value] * k, None
        _, grads = backend.gradients(loss_fn, lists)
        return [[np.zeros(tuple(v.shape)) if g is None else np_(g) for g, v in zip(gs, vs)]
                for gs, vs in zip(grads, lists)]

    def own(j):  # generator j's term: its batch's cross-entropy to "real"
        return lambda logits: losses.g_madgan(logits[j * b:(j + 1) * b]) / k

    total = grads_of(losses.g_madgan)
    for j in range(k):
        per_term = grads_of(own(j))
        for i in range(k):
            norm = sum(float(np.abs(g).sum()) for g in per_term[i])
            if i == j:
                assert norm > 0
                for a, t in zip(per_term[i], total[i]):  # the whole loss adds nothing else
                    np.testing.assert_allclose(a, t, rtol=1e-5, atol=1e-7)
            else:
                assert norm == 0.0, (i, j)


def test_madgan_step_consumes_k_batches_and_updates_every_generator():
    log = []
    gan = _mlp([{"name": "madgan", "generators": 3}, Spy(log)])
    before = [_weights(g) for g in gan.generator.generators]
    hist = _fit_one_batch(gan, _points(12), 12)
    assert log[0]["real"] == log[0]["fake"] == (12, 2)  # 3 batches of 4: one per generator
    assert log[0]["real_logits"] == log[0]["fake_logits"] == (12, 4)
    assert all(np.isfinite(v[-1]) for v in hist.history.values())
    backend.sync_state(gan)
    assert int(np_(gan.d_optimizer.iterations)) == int(np_(gan.g_optimizer.iterations)) == 1
    assert all(_changed(w, g) for w, g in zip(before, gan.generator.generators))


def test_madgan_d_runs_once_per_generator_batch():
    """D's batch norm sees each generator's batch alone (as the authors' separate D calls)."""
    gan = _dcgan(["madgan"])
    D = gan.discriminator
    x = _images(4)
    _, logits, _ = gan.discriminate(x)
    split = np.concatenate([np_(D(x[:2], training=True)), np_(D(x[2:], training=True))])
    np.testing.assert_allclose(np_(logits), split, rtol=1e-5, atol=1e-6)
    assert not np.allclose(np_(D(x, training=True)), split, atol=1e-4)


def test_madgan_samples_are_uniform_deterministic_and_chunk_invariant():
    gan = _mlp([{"name": "madgan", "generators": 3}])
    G = gan.generator
    z = gan.latents(3000, seed=0)
    index = np_(G.choice(z))
    counts = np.bincount(index, minlength=3)
    assert counts.sum() == 3000 and np.all(np.abs(counts - 1000) < 100), counts
    a = gan.sample(300, seed=7)
    np.testing.assert_array_equal(a, gan.sample(300, seed=7))
    assert not np.array_equal(a, gan.sample(300, seed=8))
    z = gan.latents(300, seed=7)
    # any chunking (up to the float rounding of other batch sizes, as for any G under XLA)
    np.testing.assert_allclose(a, gan.generate(z, batch_size=7), rtol=1e-5, atol=1e-6)
    chosen = np_(G.choice(z))
    for i, member in enumerate(G.generators):
        rows = chosen == i
        np.testing.assert_allclose(a[rows], np_(member(z[rows, :-1], training=False)),
                                   rtol=1e-5, atol=1e-6)
    picked = gan.generate(G.select(z[:10], 2))
    np.testing.assert_allclose(picked, np_(G.generators[2](z[:10, :-1], training=False)),
                               rtol=1e-5, atol=1e-6)


def test_madgan_save_load_gives_identical_samples_with_and_without_ema(tmp_path):
    for name, extra in (("plain", []), ("ema", [{"name": "ema", "half_life": 2}])):
        gan = _mlp([{"name": "madgan", "generators": 3}, *extra])
        gan.fit(_points(24), batch_size=12, epochs=1, verbose=0)
        backend.sync_state(gan)
        if extra:  # the EMA averages all three generators and is what samples
            average = gan.sampler
            assert isinstance(average, Generators) and average.count == 3
            assert average is not gan.generator
        out = gan.save_pretrained(tmp_path / name, dataset="ring8")
        again = ganzoo.load(str(out))
        assert isinstance(again.generator, Generators) and again.generator.count == 3
        with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
            np.testing.assert_array_equal(again.sample(64, seed=3), gan.sample(64, seed=3))
            for a, b in zip(again.generator.weights, gan.generator.weights):
                np.testing.assert_array_equal(np_(a), np_(b))


def test_madgan_refusals():
    G = Generators(MLPGenerator(latent_dim=2, units=4, depth=1), count=2)
    with pytest.raises(ValueError, match="needs a discriminator with k \\+ 1 >= 2 logits"):
        GAN(G, MLPDiscriminator(units=4, depth=1), loss="madgan")
    with pytest.raises(ValueError, match="needs a discriminator with one logit per sample"):
        GAN(MLPGenerator(units=4, depth=1), MLPDiscriminator(units=4, depth=1, outputs=3))
    with pytest.raises(ValueError, match="needs the generator ganzoo.models.Generators"):
        GAN(MLPGenerator(units=4, depth=1), MLPDiscriminator(units=4, depth=1, outputs=3),
            loss="madgan", techniques=["madgan"])
    with pytest.raises(ValueError, match="cannot be combined with the gradient penalty 'r1'"):
        _mlp(["madgan", "r1"])
    with pytest.raises(ValueError, match="takes unconditional generators"):
        _dcgan(["madgan", "acgan"])
    with pytest.raises(ValueError, match="multiple of 2; got 5"):
        G(np.zeros((5, 3), "float32"), training=True)
    with pytest.raises(ValueError, match="madgan: generators must be an integer >= 2; got 1"):
        ganzoo.techniques.get_technique({"name": "madgan", "generators": 1})


# =============================================================== dropout and noise inside G
def _np_fmix(h):
    h = h.astype(np.uint64)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    return (h ^ (h >> 16)).astype(np.uint32)


def _np_uniform(z, shape, stream):
    """The NumPy reference of latent_keys + hashed_uniform (uint32 arithmetic)."""
    q = np.round(np.clip(z, -30000, 30000) * 65536.0).astype(np.int64).astype(np.uint32)
    phi = np.uint64(0x9E3779B9)
    cols = ((np.arange(z.shape[1], dtype=np.uint64) * phi) & 0xFFFFFFFF).astype(np.uint32)
    hashed = _np_fmix((q.astype(np.uint64) + cols) & 0xFFFFFFFF)
    keys = _np_fmix(hashed.astype(np.uint64).sum(axis=1) & 0xFFFFFFFF)
    salt = _np_fmix(np.array([stream], np.uint32))[0]
    rows = _np_fmix(keys ^ salt)
    n = math.prod(shape)
    elems = ((np.arange(n, dtype=np.uint64) * phi) & 0xFFFFFFFF).astype(np.uint64)
    bits = _np_fmix((rows.astype(np.uint64)[:, None] + elems[None, :]) & 0xFFFFFFFF)
    return ((bits >> 8).astype(np.float64) / 2**24).reshape((-1,) + tuple(shape))


def test_hashed_uniforms_are_the_same_bits_on_every_backend():
    z = np.random.default_rng(0).normal(size=(64, 5)).astype("float32")
    u = np_(hashed_uniform(latent_keys(z), (3, 4), stream=7))
    np.testing.assert_array_equal(u, _np_uniform(z, (3, 4), 7).astype("float32"))
    big = np_(hashed_uniform(latent_keys(z), (50, 50), stream=0))
    assert 0 <= big.min() and big.max() < 1
    assert abs(big.mean() - 0.5) < 0.01 and abs(big.var() - 1 / 12) < 0.005
    # a row's numbers depend on its own latent vector only
    np.testing.assert_array_equal(np_(hashed_uniform(latent_keys(z[5:6]), (3, 4), 7)), u[5:6])
    assert not np.array_equal(u[0], u[1])
    assert not np.array_equal(u, np_(hashed_uniform(latent_keys(z), (3, 4), stream=8)))


def test_latent_noise_dropout_rate_and_noise_level():
    z = np.random.default_rng(1).normal(size=(256, 4)).astype("float32")
    keys = latent_keys(z)
    ones = np.ones((256, 40), "float32")
    dropped = np_(LatentNoise(rate=0.5)(ones, keys))
    assert set(np.unique(dropped)) == {0.0, 2.0}  # inverted dropout: kept units x 1 / (1 - p)
    assert abs((dropped == 0).mean() - 0.5) < 0.02
    noisy = np_(LatentNoise(stddev=0.3)(np.zeros_like(ones), keys))
    assert abs(noisy.mean()) < 0.01 and abs(noisy.std() - 0.3) < 0.01
    both = LatentNoise(rate=0.25, stddev=0.1, index=2)
    np.testing.assert_array_equal(np_(both(ones, keys)), np_(both(ones, keys)))
    assert LatentNoise.from_config(both.get_config()).get_config() == both.get_config()


def test_dropout_in_g_at_train_and_test_time_and_deterministic_samples():
    gan = _dcgan(["g_dropout"])
    G = gan.generator
    assert G.dropout == 0.5 and len(G.noise) == 2  # the projection and the one up block
    a = gan.sample(6, seed=3)
    np.testing.assert_array_equal(a, gan.sample(6, seed=3))  # the same seed, the same images
    assert not np.array_equal(a, gan.sample(6, seed=4))
    z = gan.latents(6, seed=3)
    np.testing.assert_allclose(a, gan.generate(z, batch_size=4), rtol=1e-5, atol=1e-6)
    # dropout is on when sampling: the same weights without it give other images
    plain = DCGANGenerator.from_config({**G.get_config(), "dropout": 0.0})
    plain.build()
    assert len(plain.weights) == len(G.weights)  # the dropout layers have no weights
    plain.set_weights(G.get_weights())
    assert not np.allclose(np_(plain(z, training=False)), a, atol=1e-3)


def test_g_dropout_and_g_noise_save_load_gives_identical_samples(tmp_path):
    gan = _mlp(["g_dropout", "g_noise"])
    G = gan.generator
    assert (G.dropout, G.noise_std, len(G.noise)) == (0.5, 0.1, 2)
    hist = gan.fit(_points(20), batch_size=10, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in hist.history.values())
    out = gan.save_pretrained(tmp_path / "noisy", dataset="ring8")
    again = ganzoo.load(str(out))
    assert (again.generator.dropout, again.generator.noise_std) == (0.5, 0.1)
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(again.sample(50, seed=1), gan.sample(50, seed=1))


def test_generator_option_techniques_check_the_built_generator():
    with pytest.raises(ValueError, match="needs a generator built with dropout=0.5"):
        GAN(MLPGenerator(units=4, depth=1), MLPDiscriminator(units=4, depth=1),
            techniques=["g_dropout"])
    with pytest.raises(ValueError, match="needs a generator built with noise_std=0.2"):
        GAN(MLPGenerator(units=4, depth=1, noise_std=0.1), MLPDiscriminator(units=4, depth=1),
            techniques=[{"name": "g_noise", "std": 0.2}])
    with pytest.raises(ValueError, match="g_dropout: rate must be a number in \\(0, 1\\)"):
        ganzoo.techniques.get_technique({"name": "g_dropout", "rate": 1.0})
    with pytest.raises(ValueError, match="dropout must be a number in \\[0, 1\\)"):
        MLPGenerator(dropout=1.0)
    assert GAN(MLPGenerator(units=4, depth=1, dropout=0.5), MLPDiscriminator(units=4, depth=1),
               techniques=["g_dropout"]).generator.dropout == 0.5


# ===================================================================== every one under fit
# (test_techniques.py's test_every_technique_trains_a_step_with_finite_losses leaves these to the
# stronger test below: the same DCGAN, two steps, both players moved, sampling deterministic)
TRAINED_A_FEW_STEPS_HERE = ("pacgan", "madgan", "g_dropout", "g_noise")


@pytest.mark.parametrize("technique", TRAINED_A_FEW_STEPS_HERE)
def test_each_new_technique_trains_a_few_steps(technique):
    gan = _dcgan([technique])
    before_g, before_d = _weights(gan.generator), _weights(gan.discriminator)
    hist = gan.fit(_images(24), batch_size=12, epochs=1, verbose=0)  # 2 steps
    assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history
    backend.sync_state(gan)
    assert _changed(before_g, gan.generator) and _changed(before_d, gan.discriminator)
    np.testing.assert_array_equal(gan.sample(4, seed=0), gan.sample(4, seed=0))
