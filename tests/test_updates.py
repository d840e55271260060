"""Update rules (ganzoo.updates): the registry, the typed step context, the numbers of the
simultaneous and alternating rules against the engine before they became objects (to float32
round-off), and the unrolled rule's second-order G gradient on a toy (against an independent NumPy float64 unrolling
differentiated by finite differences). Run under every backend:
``KERAS_BACKEND=jax python -m pytest tests/test_updates.py -q``."""

import hashlib
import json
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from ganzoo import backend, checkpoint, updates
from ganzoo.gan import GAN, UPDATES
from ganzoo.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganzoo.updates import FunctionalOptimizer, StepContext

REPO = Path(__file__).resolve().parent.parent
BACKEND = keras.config.backend()


def np_(x):
    return ops.convert_to_numpy(x)


# ----------------------------------------------------- the rules reproduce the old engine
# Every weight of the GAN (G, D, technique state, latent seed) and both optimizers' variables after
# 3 `fit` steps, recorded per backend (tests/data/update_rules_<backend>.npz) with the engine as it
# was before update rules became objects (gan.py's `_simultaneous_step` / `_alternating_step`,
# commit 0228143). They were first kept as sha256 checksums, bit for bit -- which held only on CPUs
# where TensorFlow runs oneDNN's kernels (AVX-512 VNNI/BF16): CI's machine without them computes
# other float32 round-offs (measured: weights differ by at most 1.2e-6 between TensorFlow's oneDNN
# and Eigen kernels here), so the comparison is now to float32 round-off. The recorded arrays
# still reproduce the old checksums bit for bit on a oneDNN machine (test below). A changed rule
# moves weights by about one Adam step (>= 1e-4) and fails.
REFERENCE_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_SHA = {  # the old engine's checksums, which the recorded arrays reproduce
    "tensorflow": {"sim-plain": "2ba68b95c0f3ee7c", "sim-tech": "60c291cd1de9ce26",
                   "alt-1-fm": "a9661e702289e7f9", "alt-3-wgan": "e0a839bf1515dc6b",
                   "dcgan-alt": "9792cf703b5acbad", "dcgan-sim": "c2b610bb3a8f700e"},
    "jax": {"sim-plain": "071557eb74262d79", "sim-tech": "7454f180fe91939c",
            "alt-1-fm": "f2b0211d0fa5e725", "alt-3-wgan": "ab827c9429df119b",
            "dcgan-alt": "cfafd77d0965d2dc", "dcgan-sim": "e0f251bbdbd32bb6"},
    "torch": {"sim-plain": "846bcec1ad678443", "sim-tech": "bb011f83e922bfc8",
              "alt-1-fm": "0ecce0c2033495fd", "alt-3-wgan": "63f81b8f8736c60f",
              "dcgan-alt": "2627f4c01fff34c9", "dcgan-sim": "4ec53de1c72f4b2a"},
}
ATOL, RTOL = 1e-5, 1e-3


def _reference(name):
    with np.load(REFERENCE_DIR / f"update_rules_{BACKEND}.npz") as ref:
        return [ref[k] for k in sorted(k for k in ref.files if k.startswith(name + "/"))]


NOISE = {"name": "instance_noise", "sigma": 0.2, "anneal_steps": 10}
R1_5 = {"name": "r1", "reg_param": 5.0}  # the strength the checksums were recorded with
CASES = {
    "sim-plain": dict(kind="mlp", update="simultaneous"),
    "sim-tech": dict(kind="mlp", update="simultaneous",
                     techniques=[NOISE, "label_noise", "feature_matching", "historical_averaging",
                                 "dragan"]),
    # G's step of the alternating rule computes the real side lazily (feature matching)
    "alt-1-fm": dict(kind="mlp", update="alternating",
                     techniques=[NOISE, "one_sided_label_smoothing", "feature_matching", R1_5]),
    "alt-3-wgan": dict(kind="mlp", update="alternating", n_critic=3, loss="wasserstein",
                       techniques=[{"name": "wgan_gp", "n_critic": 3}, "ema"]),
    "dcgan-alt": dict(kind="dcgan", update="alternating", techniques=["feature_matching"]),
    "dcgan-sim": dict(kind="dcgan", update="simultaneous", techniques=[R1_5]),
}


def _case_gan(case):
    keras.utils.set_random_seed(1)
    c = dict(case)
    if c.pop("kind") == "mlp":
        G, D = MLPGenerator(latent_dim=3, units=8, depth=2), MLPDiscriminator(units=8, depth=2)
        shape = (2,)
    else:
        G = DCGANGenerator(latent_dim=4, width=4)
        D = DCGANDiscriminator(width=4, norm=None if c.get("loss") == "wasserstein" else "batch")
        shape = (28, 28, 1)
    gan = GAN(G, D, seed=7, **c)
    gan.compile()
    return gan, shape


def _variables(gan):
    return [np_(v) for v in list(gan.weights) + gan.g_optimizer.variables
            + gan.d_optimizer.variables]


def _checksum(arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(CASES))
def test_rules_reproduce_the_engine(name):
    gan, shape = _case_gan(CASES[name])
    batch = 6 * gan.n_critic
    x = np.random.default_rng(0).uniform(-1, 1, (3 * batch,) + shape).astype("float32")
    gan.fit(x, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    got, ref = _variables(gan), _reference(name)
    assert [a.shape for a in got] == [r.shape for r in ref]
    for i, (a, r) in enumerate(zip(got, ref)):
        np.testing.assert_allclose(a, r, rtol=RTOL, atol=ATOL, err_msg=f"{name}: variable {i}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_recorded_weights_are_the_old_engines(name):
    """The arrays are the old engine's result: their checksum is the one it recorded."""
    assert _checksum(_reference(name)) == REFERENCE_SHA[BACKEND][name]


# ------------------------------------------------------------------ registry and configs
def test_registry_names_and_specs():
    assert UPDATES == ("simultaneous", "alternating", "unrolled")
    assert isinstance(updates.get_update("simultaneous"), updates.Simultaneous)
    alt = updates.get_update("alternating", n_critic=5)
    assert alt.n_critic == 5 and alt.spec() == "alternating"
    assert updates.get_update({"name": "alternating", "n_critic": 5}, n_critic=5).n_critic == 5
    assert updates.get_update("unrolled").k == 5 and updates.get_update("unrolled").spec() == "unrolled"
    assert updates.get_update({"name": "unrolled", "k": 2}).spec() == {"name": "unrolled", "k": 2}
    rule = updates.Unrolled(k=3)
    assert updates.get_update(rule) is rule


@pytest.mark.parametrize("spec, n_critic, match", [
    ("unroled", 1, "Did you mean: unrolled"),
    ("simultaneous", 5, ("n_critic must be >= 1, and > 1 only with update='alternating'; got "
                         "n_critic=5, update='simultaneous'")),
    ("unrolled", 2, "> 1 only with update='alternating'"),
    ({"name": "unrolled", "kk": 2}, 1, "unknown parameter 'kk'. Did you mean k?"),
    ({"name": "unrolled", "k": 0}, 1, "unrolled: k must be an integer >= 1; got 0"),
    ({"name": "alternating", "n_critic": 3}, 5, "n_critic=3 in the spec but n_critic=5"),
    (3, 1, "update must be one of"),
])
def test_bad_update_specs_are_clear_errors(spec, n_critic, match):
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace(")", r"\)")
                       .replace("?", r"\?").replace("{", r"\{").replace("}", r"\}")):
        updates.get_update(spec, n_critic=n_critic)


def _mlp_gan(**kwargs):
    return GAN(MLPGenerator(latent_dim=2, units=4, depth=1), MLPDiscriminator(units=4, depth=1),
               **kwargs)


def test_gan_config_keeps_update_and_n_critic_keys():
    cfg = _mlp_gan(update="alternating", n_critic=5, loss="wasserstein").get_config()
    assert cfg["update"] == "alternating" and cfg["n_critic"] == 5
    cfg = _mlp_gan(update={"name": "unrolled", "k": 2}).get_config()
    assert cfg["update"] == {"name": "unrolled", "k": 2} and cfg["n_critic"] == 1
    again = GAN.from_config(cfg)
    assert again.update == "unrolled" and again.update_rule.k == 2
    assert _mlp_gan(update="unrolled").get_config()["update"] == "unrolled"


def test_shipped_checkpoint_configs_build_the_same_rule():
    configs = sorted(REPO.glob("checkpoints/*/config.json"))
    seen = set()
    for path in configs:
        cfg = json.loads(path.read_text())
        if cfg.get("format") != checkpoint.FORMAT or "gan" not in cfg:
            continue
        gan_cfg = cfg["gan"]["config"] if "config" in cfg["gan"] else cfg["gan"]
        gan = keras.saving.deserialize_keras_object(cfg["gan"])
        assert gan.update == gan_cfg["update"] and gan.n_critic == gan_cfg.get("n_critic", 1)
        assert gan.get_config()["update"] == gan_cfg["update"]
        seen.add((gan.update, gan.n_critic))
    assert ("alternating", 5) in seen and ("simultaneous", 1) in seen


def test_unrolled_refuses_an_optimizer_it_cannot_simulate():
    gan = _mlp_gan(update="unrolled")
    with pytest.raises(ValueError, match="supports Adam and SGD; D's optimizer is RMSprop"):
        gan.compile(d_optimizer=keras.optimizers.RMSprop())
    gan = _mlp_gan(update="unrolled")
    with pytest.raises(ValueError, match="clipnorm=1.0"):
        gan.compile(d_optimizer=keras.optimizers.Adam(clipnorm=1.0))


# ------------------------------------------------------------------------- step context
def test_step_context_computes_the_real_side_once_when_asked():
    gan = _mlp_gan(seed=0)
    gan.build()
    real, fake = ops.ones((3, 2)), ops.zeros((3, 2))
    ctx = StepContext.fake_only(gan, real, fake)
    assert ctx.real_logits is None and ctx.labels is None and ctx.fake_logits.shape == (3, 1)
    first = ctx.ensure_real().real_logits
    assert ctx.ensure_real().real_logits is first  # not recomputed
    np.testing.assert_allclose(np_(first), np_(gan.discriminator(real)), rtol=1e-6)
    full = StepContext.forward(gan, real, fake)
    assert full.real_features is not None and full.fake_features is not None


# ------------------------------------------------------------- the optimizer, simulated
@pytest.mark.parametrize("make", [
    lambda: keras.optimizers.Adam(0.05, beta_1=0.5),
    lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    lambda: keras.optimizers.SGD(0.1),
    lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.05, 1, 0.5)),
])
def test_simulated_optimizer_steps_match_the_real_ones(make):
    rng = np.random.default_rng(0)
    variables = [keras.Variable(rng.normal(size=(3, 2)).astype("float32")),
                 keras.Variable(rng.normal(size=(2,)).astype("float32"))]
    grads = [[ops.convert_to_tensor(rng.normal(size=v.shape).astype("float32")) for v in variables]
             for _ in range(4)]
    opt = make()
    opt.build(variables)
    opt.apply_gradients(zip(grads[0], variables))  # non-zero moments and step count
    sim = FunctionalOptimizer(opt, variables, steps=3)
    weights = [ops.convert_to_tensor(v) for v in variables]
    before = [np_(v).copy() for v in opt.variables]
    for g in grads[1:]:
        weights, sim = sim.step(weights, g)
    for v, b in zip(opt.variables, before):  # simulating changed nothing
        np.testing.assert_array_equal(np_(v), b)
    for g in grads[1:]:
        opt.apply_gradients(zip(g, variables))
    for w, v in zip(weights, variables):
        np.testing.assert_allclose(np_(w), np_(v), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ unrolled, on a toy
class LinearG(keras.Model):
    """G(z) = a z + b, 1-D."""

    latent_dim, image_shape = 1, (1,)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.a = self.add_weight(shape=(), initializer=keras.initializers.Constant(0.7), name="a")
        self.b = self.add_weight(shape=(), initializer=keras.initializers.Constant(-0.3), name="b")
        self.built = True

    def build(self, input_shape=None):
        pass

    def call(self, z, training=False):
        return z * self.a + self.b


class LinearD(keras.Model):
    """D(x) = w x + c, 1-D; its features are its input."""

    def __init__(self, dead=False, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=(), initializer=keras.initializers.Constant(0.5), name="w")
        self.c = self.add_weight(shape=(), initializer=keras.initializers.Constant(0.1), name="c")
        # a weight whose gradient is always exactly 0 (like a dead ReLU unit's)
        self.dead = self.add_weight(shape=(), initializer="ones", name="dead") if dead else None
        self.built = True

    def build(self, input_shape=None):
        pass

    def call(self, x, training=False, return_features=False):
        logits = x * self.w + self.c
        if self.dead is not None:
            logits = logits + 0.0 * self.dead
        return (logits, x) if return_features else logits


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(0.0, x)


def reference_unrolled_g_loss(a, b, d_state, real, z, k, lr, beta_1, beta_2, eps):
    """The unrolled G loss of the linear toy, written out in NumPy float64: D's non-saturating loss
    gradient by hand, Keras's Adam formula, k steps on the same batch, then G's non-saturating
    loss -- independent of ganzoo."""
    (w, c), (mw, mc), (vw, vc), t0 = d_state
    theta, m, v = np.array([w, c]), np.array([mw, mc]), np.array([vw, vc])
    fake = a * z + b
    for i in range(k):
        lr_, lf = theta[0] * real + theta[1], theta[0] * fake + theta[1]
        g = np.array([np.mean(-_sigmoid(-lr_) * real) + np.mean(_sigmoid(lf) * fake),
                      np.mean(-_sigmoid(-lr_)) + np.mean(_sigmoid(lf))])
        t = t0 + i + 1
        alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        theta = theta - alpha * m / (np.sqrt(v) + eps)
    return np.mean(_softplus(-(theta[0] * fake + theta[1])))


TOY_LR, TOY_B1, TOY_B2, TOY_EPS = 0.05, 0.5, 0.999, 1e-7


def _toy_gan(k, dead=False):
    gan = GAN(LinearG(), LinearD(dead=dead), update={"name": "unrolled", "k": k}, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(TOY_LR, beta_1=TOY_B1, beta_2=TOY_B2,
                                                  epsilon=TOY_EPS))
    return gan


def _toy_data():
    rng = np.random.default_rng(1)
    real = rng.normal(1.5, 0.5, (8, 1)).astype("float32")
    z = rng.normal(size=(8, 1)).astype("float32")
    return real, z


def _d_state(gan):
    opt, D = gan.d_optimizer, gan.discriminator
    idx = opt._get_variable_index
    return ([float(np_(D.w)), float(np_(D.c))],
            [float(np_(opt._momentums[idx(v)])) for v in (D.w, D.c)],
            [float(np_(opt._velocities[idx(v)])) for v in (D.w, D.c)],
            int(np_(opt.iterations)))


@pytest.mark.parametrize("k", [1, 2])
def test_unrolled_g_gradient_matches_finite_differences(k):
    gan = _toy_gan(k)
    real, z = _toy_data()
    # two ordinary D steps first, so that the look-ahead starts from non-zero Adam moments
    for _ in range(2):
        _, d_grads, _ = gan.update_rule.losses_and_gradients(gan, ops.array(real), ops.array(z))
        gan.d_optimizer.apply_gradients(zip(d_grads, gan.discriminator.trainable_variables))
    state = _d_state(gan)
    d_before = [np_(v).copy() for v in gan.discriminator.weights + gan.d_optimizer.variables]

    values, _, g_grads = gan.update_rule.losses_and_gradients(gan, ops.array(real), ops.array(z))
    grad = np.array([float(np_(g)) for g in g_grads])
    a, b = float(np_(gan.generator.a)), float(np_(gan.generator.b))
    r64, z64 = real.astype(np.float64)[:, 0], z.astype(np.float64)[:, 0]

    def ref(a_, b_):
        return reference_unrolled_g_loss(a_, b_, state, r64, z64, k, TOY_LR, TOY_B1, TOY_B2,
                                         TOY_EPS)

    np.testing.assert_allclose(float(np_(values["g_loss"])), ref(a, b), rtol=1e-5)
    h = 1e-6
    fd = np.array([(ref(a + h, b) - ref(a - h, b)) / (2 * h),
                   (ref(a, b + h) - ref(a, b - h)) / (2 * h)])
    np.testing.assert_allclose(grad, fd, rtol=2e-3, atol=1e-6)

    # finite differences of ganzoo's own unrolled loss (float32: a coarser step)
    def own(a_, b_):
        gan.generator.a.assign(a_)
        gan.generator.b.assign(b_)
        out = gan.update_rule.losses_and_gradients(gan, ops.array(real), ops.array(z))[0]
        return float(np_(out["g_loss"]))

    h = 1e-2
    own_fd = np.array([(own(a + h, b) - own(a - h, b)) / (2 * h),
                       (own(a, b + h) - own(a, b - h)) / (2 * h)])
    gan.generator.a.assign(a)
    gan.generator.b.assign(b)
    np.testing.assert_allclose(grad, own_fd, rtol=2e-2, atol=1e-4)

    # the gradient through the look-ahead is not the gradient against today's D
    w, c = state[0]
    lf = w * (a * z64 + b) + c
    plain = np.array([np.mean(-_sigmoid(-lf) * w * z64), np.mean(-_sigmoid(-lf) * w)])
    assert np.max(np.abs(grad - plain) / np.abs(plain)) > 0.05, (grad, plain)

    # the look-ahead changed neither D's weights nor D's optimizer state
    for v, before in zip(gan.discriminator.weights + gan.d_optimizer.variables, d_before):
        np.testing.assert_array_equal(np_(v), before)


def test_unrolled_gradient_is_finite_where_d_has_a_zero_gradient():
    """Adam's second moment is exactly 0 for a weight whose gradient is always 0; the derivative
    of sqrt there must not turn G's gradient into NaN."""
    real, z = (ops.array(a) for a in _toy_data())
    grads = []
    for dead in (False, True):
        gan = _toy_gan(2, dead=dead)
        grads.append([float(np_(g)) for g in gan.update_rule.losses_and_gradients(gan, real, z)[2]])
    assert np.all(np.isfinite(grads[1])), grads
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5)


def test_unrolled_step_updates_d_like_the_simultaneous_rule():
    """D's update is the ordinary one: from the same state and seed, one unrolled step and one
    simultaneous step give D the same weights and G different ones. On a DCGAN pair with batch
    norm in D, whose moving statistics the look-ahead must not touch."""
    x = np.random.default_rng(0).uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    results = {}
    for update in ("simultaneous", {"name": "unrolled", "k": 2}):
        keras.utils.set_random_seed(3)
        gan = GAN(DCGANGenerator(latent_dim=4, width=4), DCGANDiscriminator(width=4), seed=5,
                  update=update)
        gan.compile()
        hist = gan.fit(x, batch_size=6, epochs=1, verbose=0, shuffle=False)
        assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history
        assert int(np_(gan.d_optimizer.iterations)) == 1
        results[gan.update] = ([np_(v) for v in gan.discriminator.weights],
                               [np_(v) for v in gan.generator.trainable_weights])
    (d_sim, g_sim), (d_unr, g_unr) = results["simultaneous"], results["unrolled"]
    for a, b in zip(d_sim, d_unr):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(g_sim, g_unr))


def test_unrolled_composes_with_techniques_on_the_toy_protocol_nets():
    """Penalties inside the look-ahead (third-order for a gradient penalty), lazy real features
    for feature matching, and noise drawn from the GAN's seed."""
    gan = GAN(MLPGenerator(latent_dim=2, units=8, depth=2), MLPDiscriminator(units=8, depth=2),
              update={"name": "unrolled", "k": 2}, seed=0,
              techniques=[{"name": "instance_noise", "sigma": 0.1}, "feature_matching", "r1"])
    gan.compile()
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    seed_before = np_(gan.seed_generator.state).copy()
    hist = gan.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history
    assert int(np_(gan.d_optimizer.iterations)) == 2 and int(np_(gan.g_optimizer.iterations)) == 2
    assert not np.array_equal(np_(gan.seed_generator.state), seed_before)


def test_backend_tensor_gradients_are_differentiable_again():
    """d/da of (d/dt (a t)^2 at t=3) = d/da (2 a^2 t) = 4 a t -> 24 at a=2."""
    a = keras.Variable(2.0)

    def loss_fn():
        t = ops.convert_to_tensor(3.0)
        _, (g,) = backend.tensor_gradients(lambda ts: ops.square(a * ts[0]), [t])
        return [g], None

    ([g], _), ((da,),) = backend.gradients(loss_fn, [[a]])
    np.testing.assert_allclose(float(np_(g)), 2 * 4.0 * 3.0, rtol=1e-6)
    np.testing.assert_allclose(float(np_(da)), 4 * 2.0 * 3.0, rtol=1e-6)
