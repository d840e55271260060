"""Class conditions (issue 12, "use the labels"): G and D with ``num_classes``, the cGAN and AC-GAN
techniques, labels through the data path, every update rule and the step context, and
``sample(n, seed, labels=...)``. Run under every backend:
``KERAS_BACKEND=jax python -m pytest tests/test_conditional.py -q``."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

import ganzoo
from ganzoo import checkpoint, losses, training
from ganzoo.gan import GAN
from ganzoo.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganzoo.techniques import ACGAN, Technique, class_cross_entropy
from ganzoo.updates import StepContext
from ganzoo.zoo import registry

from conftest import tiny_gan


def np_(x):
    return ops.convert_to_numpy(x)


def _relu(x):
    return np.maximum(x, 0.0)


def _onehot(labels, k):
    return np.eye(k, dtype="float32")[np.asarray(labels)]


def _tiny(technique="acgan", update="simultaneous", extra=(), **kwargs):
    """A conditional DCGAN on MNIST's shapes (10 classes), small enough for a few steps."""
    return ganzoo.create("dcgan", dataset="mnist", techniques=[technique, *extra], seed=0,
                         generator={"width": 4, "latent_dim": 8}, discriminator={"width": 4},
                         update=update, **kwargs)


def _data(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n, 28, 28, 1)).astype("float32"),
            (np.arange(n) % 10).astype("int64"))


# ----------------------------------------------------------------------------- the models
@pytest.mark.parametrize("make, x_shape", [
    (lambda **kw: DCGANGenerator(latent_dim=4, width=4, **kw), (3, 4)),
    (lambda **kw: DCGANGenerator(latent_dim=4, width=4, norm="vbn", reference_batch_size=4, **kw),
     (3, 4)),
    (lambda **kw: DCGANDiscriminator(width=4, **kw), (3, 28, 28, 1)),
    (lambda **kw: DCGANDiscriminator(width=4, image_shape=(32, 32, 3), norm=None, **kw),
     (3, 32, 32, 3)),
    (lambda **kw: MLPGenerator(latent_dim=2, units=4, depth=1, norm="batch", **kw), (3, 2)),
    (lambda **kw: MLPDiscriminator(units=4, depth=1, maxout_pieces=2, **kw), (3, 2)),
])
def test_shapes_and_configs_with_a_condition(make, x_shape):
    plain, cond = make(), make(num_classes=5)
    plain.build()
    cond.build()
    x = np.random.default_rng(0).normal(size=x_shape).astype("float32")
    labels = np.array([0, 4, 2])
    expected = plain(x).shape
    assert cond(x, labels=labels).shape == expected
    assert plain.get_config()["num_classes"] is None and cond.get_config()["num_classes"] == 5
    clone = type(cond).from_config(cond.get_config())
    assert clone.get_config() == cond.get_config()
    # the condition is one extra input per class, in the first layer only
    changed = [(tuple(a.shape), tuple(b.shape)) for a, b in zip(cond.weights, plain.weights)
               if tuple(a.shape) != tuple(b.shape)]
    assert len(cond.weights) == len(plain.weights) and len(changed) == 1
    (a, b), = changed
    assert a[:-2] == b[:-2] and a[-2] == b[-2] + 5 and a[-1] == b[-1]
    with pytest.raises(ValueError, match="conditioned on the class .* labels="):
        cond(x)
    with pytest.raises(ValueError, match="takes no labels"):
        plain(x, labels=labels)


@pytest.mark.parametrize("D", [
    lambda: DCGANDiscriminator(width=4, num_classes=7, condition="auxiliary"),
    lambda: MLPDiscriminator(units=4, depth=2, num_classes=7, condition="auxiliary"),
])
def test_auxiliary_classifier_head(D):
    d = D()
    plain = type(d).from_config({**d.get_config(), "num_classes": None})
    d.build()
    plain.build()
    x = np.zeros((3,) + d.image_shape, "float32")
    logits, features = d(x, return_features=True)
    assert logits.shape == (3, 1) and d.classify(features).shape == (3, 7)
    assert not d.takes_labels and d.get_config()["condition"] == "auxiliary"
    assert len(d.weights) == len(plain.weights) + 2  # the head's kernel and bias
    with pytest.raises(ValueError, match="takes no labels"):
        d(x, labels=np.zeros(3, "int32"))
    with pytest.raises(ValueError, match="no auxiliary classifier"):
        plain.classify(features)


def test_bad_condition_options_are_clear_errors():
    with pytest.raises(ValueError, match="num_classes .* must be an integer >= 2; got 1"):
        DCGANGenerator(num_classes=1)
    with pytest.raises(ValueError, match="condition must be one of"):
        MLPDiscriminator(num_classes=3, condition="both")
    with pytest.raises(ValueError, match="num_classes=5 on both players"):
        GAN(MLPGenerator(num_classes=4), MLPDiscriminator(num_classes=5))
    with pytest.raises(ValueError, match="generator for None"):
        GAN(MLPGenerator(), MLPDiscriminator(num_classes=5, condition="auxiliary"))


def test_the_one_hot_class_reaches_g_and_d():
    """A conditional MLP pair computed by hand: G sees [z, onehot(c)], D sees [x, onehot(c)]."""
    G = MLPGenerator(latent_dim=2, units=3, depth=1, num_classes=4)
    D = MLPDiscriminator(units=3, depth=1, num_classes=4)
    G.build()
    D.build()
    z = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
    labels = np.array([3, 0, 1, 3])
    w0, b0, w1, b1 = (np_(v) for v in (G.hidden[0].kernel, G.hidden[0].bias, G.out.kernel,
                                        G.out.bias))
    inputs = np.concatenate([z, _onehot(labels, 4)], axis=1)
    expected = _relu(inputs @ w0 + b0) @ w1 + b1
    np.testing.assert_allclose(np_(G(z, labels=labels)), expected, rtol=1e-5, atol=1e-6)
    v0, c0, v1, c1 = (np_(v) for v in (D.hidden[0].kernel, D.hidden[0].bias, D.to_logit.kernel,
                                        D.to_logit.bias))
    expected = _relu(np.concatenate([expected, _onehot(labels, 4)], 1) @ v0 + c0) @ v1 + c1
    np.testing.assert_allclose(np_(D(G(z, labels=labels), labels=labels)), expected, rtol=1e-4,
                               atol=1e-5)


# ---------------------------------------------------------------------------- sampling
def _mlp_gan(technique="cgan", extra=(), **kwargs):
    G = MLPGenerator(latent_dim=2, units=3, depth=1, num_classes=4)
    D = MLPDiscriminator(units=3, depth=1, num_classes=4,
                         condition="input" if technique == "cgan" else "auxiliary")
    gan = GAN(G, D, seed=0, techniques=[technique, *extra], **kwargs)
    gan.compile()
    return gan


def test_sample_gives_the_requested_classes_to_g():
    gan = _mlp_gan()
    G = gan.generator
    w0, b0, w1, b1 = (np_(v) for v in (G.hidden[0].kernel, G.hidden[0].bias, G.out.kernel,
                                        G.out.bias))

    def by_hand(z, labels):
        return _relu(np.concatenate([z, _onehot(labels, 4)], 1) @ w0 + b0) @ w1 + b1

    z = gan.latents(5, seed=3)
    for labels in (2, [0, 1, 2, 3, 0], np.array([3, 3, 1, 0, 2], "int32")):
        expected = by_hand(z, np.broadcast_to(labels, (5,)))
        np.testing.assert_allclose(gan.sample(5, seed=3, labels=labels), expected, rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(gan.generate(z, labels=labels), expected, rtol=1e-5, atol=1e-6)
    # without labels: classes drawn uniformly from the same generator, after the latents
    rng = np.random.default_rng(3)
    z_ = rng.standard_normal((5, 2), dtype=np.float32)
    drawn = rng.integers(0, 4, size=5)
    np.testing.assert_array_equal(z_, z)
    a = gan.sample(5, seed=3)
    np.testing.assert_allclose(a, by_hand(z, drawn), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(a, gan.sample(5, seed=3))
    assert not np.allclose(a, gan.sample(5, seed=4))
    assert gan.sample(0).shape == (0, 2)


@pytest.mark.parametrize("labels, match", [
    (4, r"class indices in \[0, 4\) \(num_classes=4\); got 4"),
    (-1, r"in \[0, 4\)"),
    ([0, 1], r"an int or 3 int class indices \(shape \(3,\)\); got shape \(2,\)"),
    ([0.0, 1.0, 2.0], "int class index"),
    (True, "int class index"),
    ("1", "int class index"),
])
def test_bad_labels_are_clear_errors(labels, match):
    gan = _mlp_gan()
    with pytest.raises(ValueError, match=match):
        gan.sample(3, seed=0, labels=labels)


def test_unconditional_gan_refuses_labels():
    gan = tiny_gan()
    with pytest.raises(ValueError, match=r"labels= is for a conditional GAN; this GAN's "
                                         r"generator is unconditional"):
        gan.sample(2, seed=0, labels=1)
    with pytest.raises(ValueError, match="unconditional"):
        gan.generate(gan.latents(2, 0), labels=[0, 1])
    assert not gan.conditional and not gan.needs_labels
    # and its samples are what they always were: latents(n, seed) through G
    np.testing.assert_array_equal(gan.sample(3, seed=5), gan.generate(gan.latents(3, seed=5)))


def test_conditional_generate_needs_labels():
    with pytest.raises(ValueError, match=r"conditional \(num_classes=4\): give generate\(\) "
                                         r"labels="):
        _mlp_gan().generate(np.zeros((2, 2), "float32"))


def test_sampling_uses_the_ema_generator_with_the_classes():
    gan = _mlp_gan(technique="acgan", extra=["ema"])
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    gan.fit(x, np.arange(8) % 4, batch_size=4, epochs=1, verbose=0)
    ema = next(t for t in gan.techniques if t.key == "ema")
    assert gan.sampler is ema.average
    z, labels = gan.latents(4, seed=1), np.array([0, 1, 2, 3])
    np.testing.assert_allclose(gan.sample(4, seed=1, labels=labels),
                               np_(ema.average(z, labels=labels)), rtol=1e-6)
    assert not np.allclose(gan.sample(4, seed=1, labels=labels),
                           np_(gan.generator(z, labels=labels)))


# ------------------------------------------------------------------------------ AC-GAN loss
def test_class_cross_entropy_by_hand():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [5.0, -1.0, 0.5]], "float32")
    labels = np.array([2, 0, 1])
    expected = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(3), labels])
    np.testing.assert_allclose(np_(class_cross_entropy(labels, logits)), expected, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"class_weight": 0.5, "fake_class_loss": False}])
def test_acgan_losses_against_hand_computed_values(kwargs):
    G = MLPGenerator(latent_dim=2, units=3, depth=1, num_classes=3)
    D = MLPDiscriminator(units=3, depth=1, num_classes=3, condition="auxiliary")
    gan = GAN(G, D, seed=0, techniques=[{"name": "acgan", **kwargs}])
    gan.compile()
    rng = np.random.default_rng(0)
    real = rng.normal(size=(4, 2)).astype("float32")
    fake = rng.normal(size=(4, 2)).astype("float32")
    labels, fake_labels = np.array([0, 1, 2, 1], "int32"), np.array([2, 2, 0, 1], "int32")
    ctx = StepContext.forward(gan, real, fake, labels, fake_labels)

    v0, c0, v1, c1, wc, bc = (np_(v) for v in (D.hidden[0].kernel, D.hidden[0].bias,
                                                D.to_logit.kernel, D.to_logit.bias,
                                                D.classifier.kernel, D.classifier.bias))

    def ce(y, x):
        logits = _relu(x @ v0 + c0) @ wc + bc
        return np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(len(y)), y])

    def logit(x):
        return _relu(x @ v0 + c0) @ v1 + c1

    w = kwargs.get("class_weight", 1.0)
    d_class = ce(labels, real) + (ce(fake_labels, fake) if kwargs.get("fake_class_loss", True)
                                  else 0.0)
    d_adv = np_(losses.d_nonsat(logit(real), logit(fake)))
    d_loss, penalty = gan._d_loss(ctx)
    np.testing.assert_allclose(np_(penalty), w * d_class, rtol=1e-5)
    np.testing.assert_allclose(np_(d_loss), d_adv + w * d_class, rtol=1e-5)
    g_adv = np_(losses.g_nonsat(logit(fake)))
    np.testing.assert_allclose(np_(gan._g_loss(ctx)), g_adv + w * ce(fake_labels, fake),
                               rtol=1e-5)


def test_acgan_parameters_are_checked_and_serialized():
    t = ACGAN(num_classes=10, class_weight=2.0, fake_class_loss=False)
    assert ACGAN.from_config(t.get_config()).get_config() == t.get_config()
    assert t.fake_labels == "uniform" and ganzoo.techniques.ConditionalGAN().fake_labels == "real"
    with pytest.raises(ValueError, match="fake_class_loss must be True or False"):
        ACGAN(fake_class_loss=1)
    with pytest.raises(ValueError, match="fake_labels must be one of"):
        ACGAN(fake_labels="random")


# ------------------------------------------------------ labels through the update rules
class Recorder(Technique):
    """Notes the labels every hook of the step sees (run eagerly: concrete values)."""

    key = "recorder"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def _note(self, where, ctx):
        self.seen.append((where, None if ctx.labels is None else np_(ctx.labels),
                          None if ctx.fake_labels is None else np_(ctx.fake_labels)))

    def d_penalty(self, gan, ctx):
        self._note("d", ctx)

    def g_loss(self, gan, loss, ctx):
        self._note("g", ctx)
        return loss


UPDATES = [("simultaneous", 1), ("alternating", 1), ("alternating", 2),
           ({"name": "unrolled", "k": 1}, 1)]


@pytest.mark.parametrize("update, n_critic", UPDATES)
@pytest.mark.parametrize("technique", ["cgan", "acgan", None])
def test_labels_reach_the_step_context_under_every_update_rule(update, n_critic, technique):
    if technique is None:  # unconditional: the labels reach the context, nothing else
        gan = GAN(MLPGenerator(latent_dim=2, units=3, depth=1),
                  MLPDiscriminator(units=3, depth=1), seed=0, update=update, n_critic=n_critic,
                  techniques=[Recorder()])
    else:
        G = MLPGenerator(latent_dim=2, units=3, depth=1, num_classes=4)
        D = MLPDiscriminator(units=3, depth=1, num_classes=4,
                             condition="input" if technique == "cgan" else "auxiliary")
        gan = GAN(G, D, seed=0, update=update, n_critic=n_critic,
                  techniques=[technique, Recorder()])
    gan.compile(run_eagerly=True)
    recorder = next(t for t in gan.techniques if t.key == "recorder")
    batch = 4 * n_critic
    x = np.random.default_rng(0).normal(size=(2 * batch, 2)).astype("float32")
    y = np.array([3, 1, 0, 2, 2, 0, 1, 3] * n_critic * 2, "int32")[: 2 * batch]
    gan.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    seen = recorder.seen
    assert {where for where, _, _ in seen} == {"d", "g"}
    chunks = [y[i:i + 4] for i in range(0, len(y), 4)]
    d_labels = [labels for where, labels, _ in seen if where == "d"]
    if update != {"name": "unrolled", "k": 1}:  # the look-ahead evaluates D's loss k more times
        assert len(d_labels) == len(chunks)
    for labels in d_labels:
        assert any(np.array_equal(labels, c) for c in chunks), (labels, chunks)
    for where, labels, fake_labels in seen:
        assert labels is not None and labels.shape == (4,)
        if technique is None:
            assert fake_labels is None
        else:
            assert fake_labels.shape == (4,) and fake_labels.min() >= 0 and fake_labels.max() < 4
            if technique == "cgan":  # the real batch's classes (keras.io's cGAN)
                np.testing.assert_array_equal(fake_labels, labels)
    # the G step sees the classes of the last D step's chunk (or fresh ones, n_critic > 1)
    last_d = [s for s in seen if s[0] == "d"][-1]
    last_g = [s for s in seen if s[0] == "g"][-1]
    np.testing.assert_array_equal(last_g[1], last_d[1])


# ----------------------------------------------------------- training, saving, refusing
@pytest.mark.parametrize("technique, extra", [("cgan", ()), ("acgan", ("ema",))])
def test_conditional_gan_fits_pairs_and_round_trips(tmp_path, technique, extra):
    gan = _tiny(technique, extra=extra)
    assert gan.conditional and gan.needs_labels and gan.num_classes == 10
    x, y = _data(16)
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype("int32"))).batch(8)
    g0 = [np_(v).copy() for v in gan.generator.trainable_variables]
    history = gan.fit(ds, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert int(np_(gan.g_optimizer.iterations)) == 2
    assert any(not np.array_equal(a, np_(b))
               for a, b in zip(g0, gan.generator.trainable_variables))
    gan.fit(x, y, batch_size=8, epochs=1, verbose=0)  # arrays: fit(x, y)
    assert int(np_(gan.g_optimizer.iterations)) == 4
    gan.save_pretrained(tmp_path / "ckpt", dataset="mnist")
    config = json.loads((tmp_path / "ckpt" / "config.json").read_text())["gan"]["config"]
    assert config["generator"]["config"]["num_classes"] == 10
    assert config["discriminator"]["config"]["condition"] == (
        "input" if technique == "cgan" else "auxiliary")
    loaded = checkpoint.load(tmp_path / "ckpt")
    assert loaded.num_classes == 10
    labels = [0, 9, 3, 3, 7]
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(loaded.sample(5, seed=2, labels=labels),
                                      gan.sample(5, seed=2, labels=labels))
        np.testing.assert_array_equal(loaded.sample(5, seed=2), gan.sample(5, seed=2))
    a, b = gan.sample(5, seed=2, labels=0), gan.sample(5, seed=2, labels=1)
    assert not np.allclose(a, b)  # the class changes the image


def test_conditional_gan_refuses_data_without_labels():
    gan = _tiny("cgan")
    x, y = _data(8)
    with pytest.raises(ValueError, match=r"conditional \(num_classes=10\): it trains on "
                                         r"\(images, labels\) batches"):
        gan.fit(x, batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="a dataset of images only"):
        gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"y must be class indices in \[0, 10\)"):
        gan.fit(x, y + 5, batch_size=4, epochs=1, verbose=0)


def test_toy_datasets_refuse_conditional_techniques():
    for technique in ("cgan", "acgan"):
        with pytest.raises(ValueError, match=f"technique '{technique}' trains on class labels, "
                                             "but the dataset 'ring8' has no classes"):
            ganzoo.create("mlp", dataset="ring8", techniques=[technique])


def test_create_sets_and_checks_the_dataset_classes():
    gan = _tiny("acgan")
    assert gan.generator.num_classes == gan.discriminator.num_classes == 10
    assert [t.num_classes for t in gan.techniques] == [10]
    with pytest.raises(ValueError, match="num_classes=5, but the dataset 'mnist' has 10 classes"):
        ganzoo.create("dcgan", dataset="mnist", techniques=[{"name": "cgan", "num_classes": 5}])
    # WGAN-GP's interpolates have no class; R1 and DRAGAN are taken at (perturbed) real points
    with pytest.raises(ValueError, match="cannot be combined with the gradient penalty 'wgan_gp'"):
        _tiny("cgan", update="alternating", extra=("wgan_gp",))
    assert [t.key for t in _tiny("cgan", extra=("r1",)).techniques] == ["cgan", "r1"]
    with pytest.raises(ValueError, match="cannot be combined: both are a class condition"):
        _tiny("cgan", extra=("acgan",))
    # AC-GAN's D is not conditioned on its input: penalties work
    assert [t.key for t in _tiny("acgan", extra=("r1",)).techniques] == ["r1", "acgan"]


def test_techniques_refuse_players_without_the_condition():
    with pytest.raises(ValueError, match="needs a class-conditional generator"):
        GAN(MLPGenerator(), MLPDiscriminator(), techniques=["cgan"])
    with pytest.raises(ValueError, match="condition='auxiliary'; got num_classes=None"):
        GAN(MLPGenerator(num_classes=3), MLPDiscriminator(), techniques=["acgan"])


def test_ganzoo_train_feeds_labels_to_a_conditional_entry(tmp_path, mnist_dir, monkeypatch):
    from ganzoo import curves

    # the epoch's curve point is still measured on the conditional GAN, at a test's size (as in
    # test_training.py) rather than 2,000 samples against the whole test split
    monkeypatch.setattr(curves, "QUALITY_SAMPLES", 100)
    monkeypatch.setattr(curves, "REFERENCE_SIZE", 300)
    entry = registry.resolve_entry(registry.Entry(
        name="acgan-test", description="a conditional test entry", family="dcgan",
        dataset="mnist", techniques=("acgan",), generator={"width": 4, "latent_dim": 8},
        discriminator={"width": 4}, hparams={"batch_size": 8, "epochs": 1}))
    monkeypatch.setitem(registry.ENTRIES, entry.name, entry)
    run = training.TrainingRun(entry.name, tmp_path / "run", data_dir=mnist_dir,
                               steps_per_epoch=2, verbose=0)
    assert run.gan.needs_labels
    assert run.run() is True
    assert int(np_(run.gan.g_optimizer.iterations)) == 2
    meta = json.loads((tmp_path / "run" / "metadata.json").read_text())
    assert set(meta["training"]["history"][-1]["quality"]) >= {"confident", "fid"}
    loaded = ganzoo.load(str(tmp_path / "run"))
    with checkpoint.as_stored(run.gan):
        np.testing.assert_array_equal(loaded.sample(3, seed=0, labels=[1, 2, 3]),
                                      run.gan.sample(3, seed=0, labels=[1, 2, 3]))


def test_unconditional_checkpoint_configs_build_unconditional_players():
    """Configs written before the option existed (no num_classes key) build the old players."""
    cfg = DCGANDiscriminator(width=4).get_config()
    for key in ("num_classes", "condition"):
        cfg.pop(key)
    d = DCGANDiscriminator.from_config(cfg)
    d.build()
    assert d.num_classes is None and d.classifier is None
    assert tuple(d.weights[0].shape) == (4, 4, 1, 4)
    assert keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(DCGANGenerator(width=4))).num_classes is None


def test_streamed_samples_of_a_conditional_gan_equal_sample(tmp_path, monkeypatch):
    """``ganzoo eval`` and ``ganzoo sample -o x.npy`` stream gan.sample(n, seed) in chunks: a
    conditional GAN's chunks carry the classes sample() draws after the latents."""
    from ganzoo import cli, evaluation

    gan = _tiny("cgan")
    expected = gan.sample(70, seed=4)
    labels = gan.sample_labels(70, seed=4)
    assert labels.shape == (70,) and labels.min() >= 0 and labels.max() < 10
    # (other batch sizes than sample()'s: the same numbers up to float summation order)
    np.testing.assert_allclose(
        np.concatenate(list(evaluation.sample_batches(gan, 70, 4, batch_size=32))), expected,
        atol=1e-6)
    monkeypatch.setattr(cli, "NPY_CHUNK_BYTES", 256 * 28 * 28 * 4)  # 256 images per chunk
    np.testing.assert_array_equal(np.concatenate(list(cli._sample_chunks(gan, 70, 4))), expected)
    assert tiny_gan().sample_labels(5, seed=0) is None


def test_r1_of_a_conditional_d_holds_each_real_point_class_fixed():
    """R1 with a cGAN's D is reg_param * mean ||d D(x, y) / dx||^2 at the real batch with its
    own classes: checked against central finite differences of D along each input pixel."""
    from ganzoo.techniques.penalties import R1
    from ganzoo.updates import StepContext

    gan = ganzoo.create("dcgan", dataset="mnist", seed=0,
                        techniques=["cgan", {"name": "r1", "reg_param": 0.5}],
                        generator={"width": 4, "latent_dim": 8},
                        discriminator={"width": 4, "norm": None})  # per-example D outputs
    x, y = _data(2)
    y_t = keras.ops.convert_to_tensor(y.astype("int32"))
    ctx = StepContext(gan, keras.ops.convert_to_tensor(x), None, labels=y_t)
    ctx.real_in = keras.ops.convert_to_tensor(x)
    got = float(keras.ops.convert_to_numpy(R1(reg_param=0.5).d_penalty(gan, ctx)))

    def d(xx, labels):
        out = gan.discriminator(keras.ops.convert_to_tensor(xx), training=True, labels=labels)
        return keras.ops.convert_to_numpy(out).astype(np.float64).reshape(-1)

    rng = np.random.default_rng(0)
    eps, sq = 1e-2, []
    # sum over 64 random pixels of (dD(x_i, y_i)/dx_ip)^2 by central differences, per example
    pixels = rng.choice(28 * 28, size=64, replace=False)
    for i in range(2):
        g2 = 0.0
        for p in pixels:
            e = np.zeros_like(x)
            e[i].reshape(-1)[p] = eps
            g2 += ((d(x + e, y_t)[i] - d(x - e, y_t)[i]) / (2 * eps)) ** 2
        sq.append(g2)
    # exact gradient restricted to the same pixels, by the ganzoo autodiff path
    from ganzoo import backend

    _, grads = backend.input_gradient(
        lambda xx: gan.discriminator(xx, training=True, labels=y_t), keras.ops.convert_to_tensor(x))
    grads = keras.ops.convert_to_numpy(grads).reshape(2, -1)
    np.testing.assert_allclose([np.sum(grads[i, pixels] ** 2) for i in range(2)], sq, rtol=5e-2)
    assert got == pytest.approx(0.5 * np.mean(np.sum(grads ** 2, axis=1)), rel=1e-5)
    # and the condition matters: other classes give another penalty
    ctx.labels = keras.ops.convert_to_tensor(((y + 1) % 10).astype("int32"))
    other = float(keras.ops.convert_to_numpy(R1(reg_param=0.5).d_penalty(gan, ctx)))
    assert other != pytest.approx(got, rel=1e-6)
