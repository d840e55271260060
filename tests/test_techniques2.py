"""Techniques II: WGAN weight clipping, the optimizer and gradient-clipping hyper-parameters,
DiffAugment and TTUR -- each against hand-computed values, under TF, JAX and torch."""

import keras
import numpy as np
import pytest
from keras import ops

import ganzoo
from ganzoo import backend, techniques as T
from ganzoo.gan import GAN
from ganzoo.models import MLPDiscriminator, MLPGenerator
from ganzoo.techniques import augment
from ganzoo.techniques.base import Technique
from ganzoo.zoo.registry import Entry, resolve_entry

C = np.float32(0.01)


def np_(x):
    return ops.convert_to_numpy(x)


def _max_abs(variables):
    return max(float(np.max(np.abs(np_(v)))) for v in variables)


def _tiny_dcgan(techniques, **hparams):
    return ganzoo.create("dcgan", dataset="mnist", techniques=techniques,
                         generator={"width": 4}, discriminator={"width": 4}, **hparams)


def _images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


# ------------------------------------------------------------------------ weight clipping
def test_weight_clipping_engine_and_optimizer():
    gan = _tiny_dcgan(["weight_clipping"])
    assert (gan.loss_name, gan.update, gan.n_critic) == ("wasserstein", "alternating", 5)
    for opt in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(opt, keras.optimizers.RMSprop)
        config = opt.get_config()
        assert config["learning_rate"] == pytest.approx(5e-5)
        assert (config["rho"], config["epsilon"], config["momentum"], config["centered"]) == (
            pytest.approx(0.99), pytest.approx(1e-16), 0.0, False)


def test_after_a_step_every_d_weight_is_in_the_cube():
    gan = _tiny_dcgan(["weight_clipping"])
    D = gan.discriminator
    assert _max_abs(D.trainable_variables) > C  # batch norm's scale starts at 1
    gan.fit(_images(5 * 4), batch_size=5 * 4, epochs=1, verbose=0)
    backend.sync_state(gan)
    assert int(np_(gan.d_optimizer.iterations)) == 5 and int(np_(gan.g_optimizer.iterations)) == 1
    for v in D.trainable_variables:  # kernels, biases, batch norm's scale and offset
        assert np.all(np.abs(np_(v)) <= C), v.path
    scales = [v for v in D.trainable_variables if "gamma" in v.path]
    assert scales  # batch norm's scales (they started at 1) were clamped with the rest
    # batch norm's running statistics are buffers, not parameters: not clamped
    variances = [v for v in D.non_trainable_variables if "moving_variance" in v.path]
    assert variances and max(float(np.max(np_(v))) for v in variances) > C


class Spy(Technique):
    """Records D's largest |weight| at its hooks (an unregistered technique, order around the
    clipping's 40)."""

    key = "spy"

    def __init__(self, order, log, **kwargs):
        super().__init__(name=f"spy{order}", **kwargs)
        self.key, self.order = f"spy{order}", order
        self.record = log.append  # (a list attribute would be copied by Keras's tracking)

    def before_d_step(self, gan):
        self.record((self.order, "d", _max_abs(gan.discriminator.trainable_variables)))

    def update_state(self, gan):
        self.record((self.order, "end", _max_abs(gan.discriminator.trainable_variables)))


def test_n_critic_d_steps_per_g_step_each_on_clamped_weights():
    """The authors' order: the clamp runs before each of the n_critic critic steps (the first
    one included, which clamps the initial weights); G's step sees D as its last step left it."""
    log = []
    gan = GAN(MLPGenerator(latent_dim=2, units=8, depth=1),
              MLPDiscriminator(units=8, depth=2, kernel_initializer={
                  "class_name": "RandomNormal", "config": {"stddev": 1.0, "seed": 0}}),
              seed=0, loss="wasserstein", update="alternating", n_critic=5,
              techniques=[T.WeightClipping(), Spy(39, log), Spy(41, log)])
    gan.compile(g_optimizer=keras.optimizers.RMSprop(5e-5, rho=0.99, epsilon=1e-16),
                d_optimizer=keras.optimizers.RMSprop(5e-5, rho=0.99, epsilon=1e-16),
                run_eagerly=True)  # the spies read weights in the step
    x = np.random.default_rng(0).normal(size=(20, 2)).astype("float32")
    gan.fit(x, batch_size=10, epochs=1, verbose=0)  # 2 steps of 5 D steps + 1 G step
    d_before = [m for o, k, m in log if (o, k) == (39, "d")]
    d_after = [m for o, k, m in log if (o, k) == (41, "d")]
    g_seen = [m for o, k, m in log if (o, k) == (39, "end")]
    end = [m for o, k, m in log if (o, k) == (41, "end")]
    assert len(d_before) == len(d_after) == 10 and len(g_seen) == len(end) == 2
    assert d_before[0] > 1.0  # the initial weights (N(0, 1)) ...
    assert all(m <= C for m in d_after)  # ... and every critic step sees the cube
    # between two critic steps one RMSProp step (~lr / sqrt(1 - rho) = 5e-4) may leave the
    # cube; the clamp before the next critic step brings it back
    assert all(m < C + 1e-3 for m in d_before[1:] + g_seen)
    assert any(m > C for m in d_before[1:5]) and any(m > C for m in d_before[6:])
    assert any(m > C for m in g_seen)  # G was scored by the un-clamped critic
    assert all(m <= C for m in end)  # stored weights: in the cube after every step
    backend.sync_state(gan)
    assert int(np_(gan.d_optimizer.iterations)) == 10 and int(np_(gan.g_optimizer.iterations)) == 2


def test_weight_clipping_refuses_the_unrolled_rule_and_bad_clips():
    with pytest.raises(ValueError, match="does not simulate the clamp"):
        GAN(MLPGenerator(latent_dim=2, units=4, depth=1), MLPDiscriminator(units=4, depth=1),
            loss="wasserstein", update="unrolled", techniques=["weight_clipping"])
    with pytest.raises(ValueError) as info:
        T.WeightClipping(clip=0)
    assert str(info.value) == "weight_clipping: clip must be a finite number > 0; got 0"


def test_rmsprop_step_is_pytorchs():
    """The technique's RMSprop(5e-5, rho 0.99, epsilon 1e-16 inside the root) takes PyTorch's
    RMSprop(lr=5e-5) step ``lr · g / (sqrt(v) + 1e-8)``, v = 0.01 g² after one step -- to a
    relative 1e-8 / sqrt(v) (Keras puts epsilon inside the root: sqrt(v + 1e-16))."""
    gan = ganzoo.create("mlp", dataset="ring8", techniques=["weight_clipping"])
    opt = type(gan.d_optimizer).from_config(gan.d_optimizer.get_config())
    w0 = np.array([0.3, -0.2, 0.0, 1e-3], "float32")
    g = np.array([2.0, -0.5, 0.0, 0.01], "float32")
    var = keras.Variable(w0)
    opt.apply_gradients([(ops.convert_to_tensor(g), var)])
    root_v = np.sqrt(0.01 * g.astype(np.float64) ** 2)
    torch_step = 5e-5 * g / (root_v + 1e-8)
    np.testing.assert_allclose(w0 - np_(var), torch_step, rtol=2e-5, atol=1e-9)
    assert np.max(1e-8 / root_v[g != 0]) < 2e-5  # the bound, at these gradients


# ------------------------------------------------------------------- optimizer hparam
def test_optimizer_hyperparameter_chooses_rmsprop():
    default = ganzoo.create("mlp", dataset="ring8")
    assert isinstance(default.d_optimizer, keras.optimizers.Adam)
    gan = ganzoo.create("mlp", dataset="ring8", optimizer="rmsprop", learning_rate=1e-3,
                        rho=0.95, epsilon=1e-6, g_learning_rate=3e-3)
    for opt, rate in ((gan.g_optimizer, 3e-3), (gan.d_optimizer, 1e-3)):
        assert isinstance(opt, keras.optimizers.RMSprop)
        config = opt.get_config()
        assert config["learning_rate"] == pytest.approx(rate)
        assert (config["rho"], config["epsilon"]) == (pytest.approx(0.95), pytest.approx(1e-6))
    adam = ganzoo.create("mlp", dataset="ring8", optimizer="adam", epsilon=1e-8, beta_2=0.9)
    assert adam.d_optimizer.get_config()["epsilon"] == pytest.approx(1e-8)
    assert adam.d_optimizer.get_config()["beta_2"] == pytest.approx(0.9)


def test_rmsprop_entries_drop_the_recipes_adam_betas():
    entry = resolve_entry(Entry(name="x", description="", family="dcgan", dataset="mnist",
                                techniques=("weight_clipping",)))
    hp = entry.hparams
    assert hp["optimizer"] == "rmsprop" and "beta_1" not in hp and "beta_2" not in hp
    assert (hp["learning_rate"], hp["rho"], hp["epsilon"], hp["n_critic"]) == (5e-5, 0.99, 1e-16, 5)
    # an entry may go back to Adam: the technique's RMSprop option is dropped then
    hp = resolve_entry(Entry(name="x", description="", family="dcgan", dataset="mnist",
                             techniques=("weight_clipping",),
                             hparams={"optimizer": "adam"})).hparams
    assert hp["optimizer"] == "adam" and "rho" not in hp and hp["beta_1"] == 0.5


@pytest.mark.parametrize("kwargs, expected", [
    ({"optimizer": "adamw"}, "optimizer must be one of 'adam', 'rmsprop'; got 'adamw'. "
                             "Did you mean adam?"),
    ({"optimizer": None}, "optimizer must be one of 'adam', 'rmsprop'; got None"),
    ({"rho": 1.0}, "rho must be a number in [0, 1); got 1.0"),
    ({"epsilon": 0}, "epsilon must be a finite number > 0; got 0"),
    ({"rho": 0.9}, "rho is an option of the 'rmsprop' optimizer, but the optimizer is 'adam' "
                   "(the default); give optimizer='rmsprop' to use it, or leave rho out"),
    ({"optimizer": "rmsprop", "beta_1": 0.5},
     "beta_1 is an option of the 'adam' optimizer, but the optimizer is 'rmsprop' (given); give "
     "optimizer='adam' to use it, or leave beta_1 out"),
    ({"techniques": ["weight_clipping"], "beta_2": 0.9},
     "beta_2 is an option of the 'adam' optimizer, but the optimizer is 'rmsprop' (set by "
     "technique 'weight_clipping'); give optimizer='adam' to use it, or leave beta_2 out"),
    ({"clip_norm": -1.0}, "clip_norm must be a finite number > 0; got -1.0"),
    ({"d_clip_norm": "1"}, "d_clip_norm must be a finite number > 0; got '1'"),
])
def test_bad_optimizer_hyperparameters_are_refused(kwargs, expected):
    with pytest.raises(ValueError) as info:
        ganzoo.create("dcgan", dataset="mnist", **kwargs)
    assert str(info.value) == expected


def test_optimizer_and_clip_norm_survive_a_checkpoint(tmp_path):
    gan = ganzoo.create("mlp", dataset="ring8", techniques=["weight_clipping"], d_clip_norm=2.0)
    gan.save_pretrained(tmp_path / "ck", dataset="ring8")
    loaded = ganzoo.load(str(tmp_path / "ck"))
    assert [t.key for t in loaded.techniques] == ["weight_clipping"]
    assert (loaded.loss_name, loaded.update, loaded.n_critic) == ("wasserstein", "alternating", 5)
    d, g = loaded.d_optimizer.get_config(), loaded.g_optimizer.get_config()
    assert isinstance(loaded.d_optimizer, keras.optimizers.RMSprop)
    assert (d["learning_rate"], d["rho"], d["epsilon"], d["global_clipnorm"]) == (
        pytest.approx(5e-5), pytest.approx(0.99), pytest.approx(1e-16), 2.0)
    assert g["global_clipnorm"] is None


# --------------------------------------------------------------------- gradient clipping
def _adam(params, grads_per_step, lr, b1, b2, eps):
    """Keras's Adam (float64), the hand computation."""
    params = [p.astype(np.float64) for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(grads_per_step, start=1):
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        for i, g in enumerate(grads):
            m[i] += (g - m[i]) * (1 - b1)
            v[i] += (g**2 - v[i]) * (1 - b2)
            params[i] -= alpha * m[i] / (np.sqrt(v[i]) + eps)
    return params


def _clip_global(grads, clip):
    norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
    return [g * clip / max(norm, clip) for g in grads]


@pytest.mark.parametrize("hparams, g_clip, d_clip", [
    ({"clip_norm": 1.0}, 1.0, 1.0),
    ({"d_clip_norm": 1.0}, None, 1.0),
    ({"clip_norm": 1.0, "g_clip_norm": 3.0}, 3.0, 1.0),
])
def test_clip_norm_maps_onto_global_clipnorm(hparams, g_clip, d_clip):
    gan = ganzoo.create("mlp", dataset="ring8", learning_rate=0.1, **hparams)
    assert gan.g_optimizer.global_clipnorm == g_clip
    assert gan.d_optimizer.global_clipnorm == d_clip


def test_clipped_update_matches_the_hand_computed_one():
    """Two Adam steps on two variables: the first gradient's global norm (sqrt(9 + 16 + 64 +
    1 + 4 + 4) = 9.90) is clipped to 1, the second's (0.5) is not. Adam is scale-invariant on
    its first step, so the clipping shows in the second."""
    gan = ganzoo.create("mlp", dataset="ring8", learning_rate=0.1, d_clip_norm=1.0)
    opt = type(gan.d_optimizer).from_config(gan.d_optimizer.get_config())  # as a checkpoint does
    w = [np.array([0.5, -1.0, 2.0], "float32"), np.array([[1.0, 0.0], [0.0, -1.0]], "float32")]
    steps = [[np.array([3.0, -4.0, 8.0]), np.array([[1.0, -2.0], [0.0, 2.0]])],
             [np.array([0.3, 0.0, -0.4]), np.array([[0.0, 0.0], [0.0, 0.0]])]]
    steps = [[g.astype("float32") for g in s] for s in steps]
    variables = [keras.Variable(x) for x in w]
    for grads in steps:
        opt.apply_gradients([(ops.convert_to_tensor(g), v) for g, v in zip(grads, variables)])
    b1, b2, eps = 0.8, 0.999, 1e-7  # the mlp recipe's Adam and keras's epsilon
    expect = _adam(w, [_clip_global(s, 1.0) for s in steps], 0.1, b1, b2, eps)
    for v, e in zip(variables, expect):
        np.testing.assert_allclose(np_(v), e, rtol=1e-5, atol=1e-6)
    unclipped = _adam(w, steps, 0.1, b1, b2, eps)
    assert not np.allclose(unclipped[0], expect[0], atol=1e-3)  # the clipping mattered


# ------------------------------------------------------------------------------ DiffAugment
def test_color_transforms_against_hand_computed_values():
    x = np.array([[[[1.0, 3.0], [0.0, 0.0]],
                   [[-1.0, 1.0], [2.0, -2.0]]]], "float32")  # one 2 x 2 image, 2 channels
    np.testing.assert_allclose(np_(augment.brightness(x, np.array([0.75], "float32"))), x + 0.25)
    # saturation, u = 0.25 -> factor 0.5 around each pixel's channel mean
    sat = np.array([[[[1.5, 2.5], [0.0, 0.0]], [[-0.5, 0.5], [1.0, -1.0]]]], "float32")
    np.testing.assert_allclose(np_(augment.saturation(x, np.array([0.25], "float32"))), sat)
    # contrast, u = 0 -> factor 0.5 around the image's mean (0.5 here)
    con = (x - 0.5) * 0.5 + 0.5
    np.testing.assert_allclose(np_(augment.contrast(x, np.array([0.0], "float32"))), con)
    np.testing.assert_allclose(np_(augment.contrast(x, np.array([0.5], "float32"))), x)
    gray = x[..., :1]  # one channel: saturation is the identity
    np.testing.assert_allclose(np_(augment.saturation(gray, np.array([0.9], "float32"))), gray)


def test_translation_against_hand_computed_values():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    out = np_(augment.translation(x, np.array([1]), np.array([-2])))[0, :, :, 0]
    # out[i, j] = x[i + 1, j - 2], zero outside
    expect = np.array([[0, 0, 4, 5], [0, 0, 8, 9], [0, 0, 12, 13], [0, 0, 0, 0]], "float32")
    np.testing.assert_array_equal(out, expect)
    assert augment.translation_shift(28) == 4 and augment.translation_shift(32) == 4
    assert augment.translation_shift(8) == 1


def _reference_translation(x, th, tw):
    """The authors' zero-padded gather, in NumPy: index i + t + 1 into the padded axis,
    clipped to [0, size + 1]."""
    b, h, w, c = x.shape
    out = np.zeros_like(x)
    for n in range(b):
        pad = np.pad(x[n], ((1, 1), (0, 0), (0, 0)))
        rows = pad[np.clip(np.arange(h) + th[n] + 1, 0, h + 1)]
        pad = np.pad(rows, ((0, 0), (1, 1), (0, 0)))
        out[n] = pad[:, np.clip(np.arange(w) + tw[n] + 1, 0, w + 1)]
    return out


def _reference_cutout_mask(oh, ow, h, w, ratio):
    """The authors' cutout mask, in NumPy: the square's indices clamped into the image, zeros
    scattered there."""
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    mask = np.ones((len(oh), h, w), "float32")
    for n in range(len(oh)):
        rows = np.clip(np.arange(sh) + oh[n] - sh // 2, 0, h - 1)
        cols = np.clip(np.arange(sw) + ow[n] - sw // 2, 0, w - 1)
        mask[n][np.ix_(rows, cols)] = 0
    return mask[..., None]


def test_translation_and_cutout_equal_the_authors_every_draw():
    rng = np.random.default_rng(0)
    for h, w in ((4, 5), (5, 4), (8, 8)):
        x = rng.normal(size=(1, h, w, 2)).astype("float32")
        sh, sw = augment.translation_shift(h), augment.translation_shift(w)
        shifts = [(a, b) for a in range(-sh - 1, sh + 2) for b in range(-sw - 1, sw + 2)]
        th, tw = np.array([s[0] for s in shifts]), np.array([s[1] for s in shifts])
        xs = np.repeat(x, len(shifts), axis=0)
        np.testing.assert_array_equal(np_(augment.translation(xs, th, tw)),
                                      _reference_translation(xs, th, tw))
        ch, cw = augment.cutout_size(h), augment.cutout_size(w)
        offsets = [(a, b) for a in range(h + 1 - ch % 2) for b in range(w + 1 - cw % 2)]
        oh, ow = np.array([o[0] for o in offsets]), np.array([o[1] for o in offsets])
        np.testing.assert_array_equal(np_(augment.cutout_mask(oh, ow, h, w)),
                                      _reference_cutout_mask(oh, ow, h, w, 0.5))


def test_cutout_against_hand_computed_values():
    x = np.ones((3, 4, 4, 1), "float32")
    out = np_(augment.cutout(x, np.array([0, 2, 4]), np.array([0, 1, 4])))[..., 0]
    # size 2: rows/cols [offset - 1, offset + 1) cut to the image
    first = np.ones((4, 4)); first[0, 0] = 0
    middle = np.ones((4, 4)); middle[1:3, 0:2] = 0
    last = np.ones((4, 4)); last[3, 3] = 0
    np.testing.assert_array_equal(out, np.stack([first, middle, last]))
    assert augment.cutout_size(28) == 14 and augment.cutout_size(32) == 16


def test_transforms_are_differentiable_in_the_image():
    """The gradient of sum(W * T(x)) is T's adjoint applied to W: translation moves W back,
    cutout masks it."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 4, 1)).astype("float32")
    W = rng.normal(size=(2, 4, 4, 1)).astype("float32")
    th, tw = np.array([1, -1]), np.array([0, 2])

    def weighted(fn):
        return lambda x_: ops.sum(ops.multiply(fn(x_), W), axis=(1, 2, 3))

    _, grad = backend.input_gradient(weighted(lambda x_: augment.translation(x_, th, tw)), x)
    expect = np.zeros_like(W)  # d out[i, j] / d x[i + th, j + tw] = 1
    for n in range(2):
        for i in range(4):
            for j in range(4):
                if 0 <= i + th[n] < 4 and 0 <= j + tw[n] < 4:
                    expect[n, i + th[n], j + tw[n]] += W[n, i, j]
    np.testing.assert_allclose(np_(grad), expect, rtol=1e-6)
    oh, ow = np.array([1, 3]), np.array([2, 0])
    _, grad = backend.input_gradient(weighted(lambda x_: augment.cutout(x_, oh, ow)), x)
    np.testing.assert_allclose(np_(grad), W * _reference_cutout_mask(oh, ow, 4, 4, 0.5))
    _, grad = backend.input_gradient(
        weighted(lambda x_: augment.contrast(x_, np.array([0.0, 1.0], "float32"))), x)
    factor = np.array([0.5, 1.5]).reshape(2, 1, 1, 1)  # (x - m) f + m: d/dx = f W + (1 - f) mean W
    expect = factor * W + (1 - factor) * W.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(np_(grad), expect, rtol=1e-5, atol=1e-6)


def test_g_gradient_flows_through_diffaugment():
    gan = _tiny_dcgan(["diffaugment"])
    G, D = gan.generator, gan.discriminator
    z = np.random.default_rng(0).normal(size=(4, G.latent_dim)).astype("float32")

    def loss_fn():
        fake = G(z, training=True)
        seen = augment.diff_augment(fake, seed=7)  # fixed draws, every transform
        return [ops.mean(D(seen, training=True))], None

    (_, _), (grads,) = backend.gradients(loss_fn, [G.trainable_variables])
    norms = [float(np.linalg.norm(np_(g))) for g in grads]
    assert all(np.isfinite(norms)) and sum(norms) > 0
    assert sum(n > 0 for n in norms) >= len(norms) // 2  # not only the last layer's


def test_diffaugment_augments_every_input_of_d_with_the_gans_stream():
    x = _images(4)
    a, b = _tiny_dcgan(["diffaugment"], seed=5), _tiny_dcgan(["diffaugment"], seed=5)
    seen_a1, seen_a2 = (np_(a.discriminate(x)[0]) for _ in range(2))
    seen_b1 = np_(b.discriminate(x)[0])
    assert seen_a1.shape == x.shape and not np.allclose(seen_a1, x)
    assert not np.allclose(seen_a1, seen_a2)  # fresh draws for each input of D
    np.testing.assert_array_equal(seen_a1, seen_b1)  # the same seeded stream: the same draws
    hist = a.fit(_images(8), batch_size=8, epochs=1, verbose=0)  # a step on this backend
    assert all(np.isfinite(v[-1]) for v in hist.history.values())


@pytest.mark.parametrize("spec, match", [
    ({"name": "diffaugment", "policy": "colour"},
     "diffaugment: each name in the policy must be one of 'color', 'translation', 'cutout'; "
     "got 'colour'. Did you mean color?"),
    ({"name": "diffaugment", "policy": ""}, "diffaugment: policy is empty"),
    ({"name": "diffaugment", "policy": "cutout,cutout"}, "names a transform twice"),
    ({"name": "diffaugment", "cutout_ratio": 0}, "cutout_ratio must be a number in (0, 1]"),
])
def test_bad_diffaugment_arguments(spec, match):
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        T.get_technique(spec)


def test_diffaugment_refuses_2d_toys():
    with pytest.raises(ValueError, match="a 2-D toy, not images"):
        ganzoo.create("mlp", dataset="ring8", techniques=["diffaugment"])


def test_diffaugment_policy_subset_and_config():
    t = T.get_technique({"name": "diffaugment", "policy": "translation, cutout"})
    assert t.policy == "translation,cutout"
    assert T.DiffAugment.from_config(t.get_config()).policy == "translation,cutout"


# ------------------------------------------------------------------------------------ TTUR
def test_ttur_sets_the_authors_rates():
    gan = _tiny_dcgan(["ttur"])
    lr = lambda opt: float(np_(opt.learning_rate))  # noqa: E731
    assert lr(gan.d_optimizer) == pytest.approx(1e-5) and lr(gan.g_optimizer) == pytest.approx(5e-4)
    gan = _tiny_dcgan([{"name": "ttur", "d_learning_rate": 4e-4, "g_learning_rate": 1e-4}])
    assert lr(gan.d_optimizer) == pytest.approx(4e-4) and lr(gan.g_optimizer) == pytest.approx(1e-4)
    gan = _tiny_dcgan(["ttur"], d_learning_rate=3e-4)  # an entry's own rate wins
    assert lr(gan.d_optimizer) == pytest.approx(3e-4) and lr(gan.g_optimizer) == pytest.approx(5e-4)
    assert T.TTUR().hparams == {"d_learning_rate": 1e-5, "g_learning_rate": 5e-4}
    with pytest.raises(ValueError, match="ttur: g_learning_rate must be a finite number > 0"):
        T.TTUR(g_learning_rate=0)
