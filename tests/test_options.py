"""The options contract (ganzoo.models.options): each family states the architecture options it
supports, techniques that need one are refused by name on a family without it, and what a family
declares is what it builds. Spectral normalization reaches every weight layer of D."""

import inspect

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.gan import GAN
from ganzoo.layers import MinibatchDiscrimination, SpectralNorm
from ganzoo.models import FAMILIES, DCGANDiscriminator, MLPDiscriminator, options
from ganzoo.techniques import TECHNIQUES, get_technique, merge_options

ROLES = options.ROLES
MBD = {"num_kernels": 3, "kernel_dim": 2}


def np_(x):
    return keras.ops.convert_to_numpy(x)


class Need:
    """A stand-in technique: only what the contract reads."""

    def __init__(self, key="need", generator_kwargs=None, discriminator_kwargs=None):
        self.key = key
        self.generator_kwargs = generator_kwargs or {}
        self.discriminator_kwargs = discriminator_kwargs or {}


# ------------------------------------------------------------------------------- refusals
def test_refusal_names_the_family_the_option_the_supported_values_and_a_family_with_it():
    with pytest.raises(ValueError) as info:
        ganzoo.create("mlp", dataset="ring8", techniques=["virtual_batch_normalization"])
    assert str(info.value) == (
        "technique 'virtual_batch_normalization' cannot be used with the 'mlp' family: it needs "
        "the generator option norm='vbn', and the 'mlp' generator (MLPGenerator) supports "
        "norm=None or 'batch'. The 'dcgan' family supports it.")


def test_refusal_of_an_option_a_family_lacks_and_of_one_no_family_has():
    lacking = {"dcgan": FAMILIES["dcgan"],
               "plain": (FAMILIES["mlp"][0], type("PlainD", (), {
                   "supported_options": options.supports("discriminator", norm=(None,))}))}
    with pytest.raises(ValueError) as info:
        options.check_family(get_technique("pacgan"), "plain", lacking)
    assert str(info.value) == (
        "technique 'pacgan' cannot be used with the 'plain' family: it needs the discriminator "
        "option packing=2, and the 'plain' discriminator (PlainD) has no option packing. The "
        "'dcgan' family supports it.")
    with pytest.raises(ValueError, match="needs the discriminator option norm='layer', and the "
                                         "'dcgan' discriminator \\(DCGANDiscriminator\\) "
                                         "supports norm='batch' or None or 'spectral'. No "
                                         "family supports it yet"):
        options.check_family(Need(discriminator_kwargs={"norm": "layer"}), "dcgan")
    with pytest.raises(ValueError, match="'widht' is not a declared generator option"):
        options.check_family(Need(generator_kwargs={"widht": 3}), "dcgan")


def test_a_built_player_without_the_option_is_refused():
    G, D = FAMILIES["mlp"]
    with pytest.raises(ValueError) as info:
        GAN(G(units=4, depth=1), D(units=4, depth=1), techniques=["spectral_norm"])
    assert str(info.value) == (
        "technique 'spectral_norm' needs a discriminator built with norm='spectral' "
        "(MLPDiscriminator; ganzoo.create builds it); this one has norm=None")
    with pytest.raises(ValueError, match="refuses a discriminator built with norm='batch': "
                                         "WGAN-GP penalizes each example's gradient"):
        GAN(FAMILIES["dcgan"][0](width=4), FAMILIES["dcgan"][1](width=4), loss="wasserstein",
            update="alternating", n_critic=5, techniques=["wgan_gp"])


def test_a_clash_names_who_set_the_other_value():
    a = Need("a", discriminator_kwargs={"norm": "spectral"})
    b = Need("b", discriminator_kwargs={"norm": None})
    with pytest.raises(ValueError, match="technique 'b' needs discriminator option norm=None, "
                                         "but norm='spectral' is set by technique 'a'"):
        merge_options([a, b], "discriminator_kwargs", {}, "discriminator")
    with pytest.raises(ValueError, match="norm='spectral', but norm='batch' was given"):
        merge_options([a], "discriminator_kwargs", {"norm": "batch"}, "discriminator")


def test_every_technique_declares_its_options():
    for key, cls in TECHNIQUES.items():
        technique = cls()
        for role in ROLES:
            for name in getattr(technique, f"{role}_kwargs"):
                options.option(role, name)  # raises for an undeclared option


# ------------------------------------------------------------- WGAN-GP with spectral norm
def test_wgan_gp_takes_a_spectrally_normalized_critic():
    gan = ganzoo.create("dcgan", dataset="mnist", techniques=["spectral_norm", "wgan_gp"],
                        generator={"width": 4}, discriminator={"width": 4})
    assert gan.loss_name == "wasserstein" and gan.discriminator.norm == "spectral"
    assert gan.update == "alternating" and gan.n_critic == 5
    # alone, WGAN-GP's critic has no normalization; SNGAN alone keeps its hinge default
    assert ganzoo.create("mlp", dataset="ring8", techniques=["wgan_gp"]).discriminator.norm is None
    assert ganzoo.create("mlp", dataset="ring8", techniques=["spectral_norm"]).loss_name == "hinge"
    with pytest.raises(ValueError, match="technique 'wgan_gp' cannot work with discriminator "
                                         "option norm='batch' \\(it was given\\)"):
        ganzoo.create("dcgan", dataset="mnist", techniques=["wgan_gp"],
                      discriminator={"norm": "batch"})


# ------------------------------------------------------- the contract is what is built
_SAMPLE = {"minibatch_discrimination": MBD, "packing": 2, "outputs": 3, "num_classes": 3,
           "dropout": 0.25, "noise_std": 0.1, "reference_batch_size": 4}
_SMALL = {("dcgan", "generator"): {"width": 4, "latent_dim": 8},
          ("dcgan", "discriminator"): {"width": 4},
          ("mlp", "generator"): {"units": 4, "depth": 1, "latent_dim": 3},
          ("mlp", "discriminator"): {"units": 4, "depth": 1}}


def _variants(family, role):
    cls = FAMILIES[family][FAMILIES_ROLE[role]]
    for name, values in cls.supported_options.items():
        for value in ((_SAMPLE[name],) if values is True else values):
            kwargs = {name: value}
            if name == "condition":
                kwargs["num_classes"] = 3
            if name == "reference_batch_size":
                kwargs["norm"] = "vbn"
            yield f"{family}-{role}-{name}={value!r}", cls, kwargs


FAMILIES_ROLE = {"generator": 0, "discriminator": 1}
VARIANTS = [v for f in sorted(FAMILIES) for r in ROLES for v in _variants(f, r)]


@pytest.mark.parametrize("cls, kwargs", [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_each_declared_option_value_builds_and_runs(cls, kwargs):
    family = next(f for f, pair in FAMILIES.items() if cls in pair)
    role = ROLES[FAMILIES[family].index(cls)]
    model = cls(**_SMALL[(family, role)], **kwargs)
    for name, value in kwargs.items():
        assert getattr(model, name) == value  # check_built reads these attributes
    model.build()
    rng = np.random.default_rng(0)
    labels = np.array([0, 2], "int32") if model.takes_labels else None
    call = {} if labels is None else {"labels": labels}
    if role == "generator":
        z = rng.normal(size=(2, model.latent_dim)).astype("float32")
        out = np_(model(z, training=True, **call))
        assert out.shape == (2,) + model.image_shape
    else:
        x = rng.uniform(-1, 1, (2,) + model.packed_shape).astype("float32")
        logits, features = model(x, training=True, return_features=True, **call)
        assert np_(logits).shape == (2, model.outputs)
        if model.classifier is not None:
            assert np_(model.classify(features, training=True)).shape == (2, 3)
        out = np_(logits)
    assert np.isfinite(out).all()


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_contracts_are_constructor_options_and_undeclared_kinds_are_refused(family):
    for role, cls in zip(ROLES, FAMILIES[family]):
        contract = cls.supported_options
        assert contract.role == role
        parameters = inspect.signature(cls.__init__).parameters
        assert set(contract) <= set(parameters), cls.__name__
        for name, values in contract.items():
            if values is True:
                continue
            for kind in options.option(role, name).values:
                if kind in values:
                    continue
                kwargs = {"num_classes": 3} if name == "condition" else {}
                with pytest.raises(ValueError, match=f"{cls.__name__} {name} must be one of"):
                    cls(**{name: kind}, **kwargs)


# ------------------------------------------------------- spectral norm on every D weight
def _sigma_after_iterations(wrapper, iterations=100):
    for _ in range(iterations):
        wrapper.normalized_kernel(training=True)
    kernel, _ = wrapper.normalized_kernel()
    kernel = np_(kernel)
    matrix = kernel.reshape(kernel.shape[0], -1) if kernel.ndim == 3 else kernel
    return np.linalg.svd(matrix, compute_uv=False)[0]


@pytest.mark.parametrize("make", [
    lambda **kw: DCGANDiscriminator(width=4, **kw),
    lambda **kw: MLPDiscriminator(units=6, depth=2, **kw),
], ids=["dcgan", "mlp"])
def test_acgan_head_and_minibatch_tensor_are_spectrally_normalized(make):
    d = make(norm="spectral", minibatch_discrimination=MBD, num_classes=3,
             condition="auxiliary")
    d.build()
    assert isinstance(d.classifier, SpectralNorm)
    assert isinstance(d.classifier.layer, keras.layers.Dense)
    assert isinstance(d.minibatch, SpectralNorm)
    assert isinstance(d.minibatch.layer, MinibatchDiscrimination)
    assert tuple(d.minibatch.u.shape) == (1, MBD["num_kernels"] * MBD["kernel_dim"])
    assert tuple(d.classifier.u.shape) == (1, 3)
    # a training call of the head advances its u (AC-GAN's hooks call it with training=True)
    features = np.random.default_rng(1).normal(size=(2, d.classifier.layer.kernel.shape[0]))
    u = np_(d.classifier.u).copy()
    d.classify(features.astype("float32"))
    np.testing.assert_array_equal(np_(d.classifier.u), u)
    d.classify(features.astype("float32"), training=True)
    assert not np.allclose(np_(d.classifier.u), u)
    for wrapper in (d.classifier, d.minibatch):
        assert _sigma_after_iterations(wrapper) == pytest.approx(1.0, rel=1e-3)
    # u is saved with D: a round trip through the config and the weights keeps it
    clone = type(d).from_config(d.get_config())
    clone.build()
    clone.set_weights(d.get_weights())
    np.testing.assert_array_equal(np_(clone.minibatch.u), np_(d.minibatch.u))
    # without norm="spectral" both stay plain layers (the weights of earlier checkpoints)
    plain = make(minibatch_discrimination=MBD, num_classes=3, condition="auxiliary")
    plain.build()
    assert isinstance(plain.minibatch, MinibatchDiscrimination)
    assert type(plain.classifier) is keras.layers.Dense
    assert not any(isinstance(layer, SpectralNorm) for layer in plain._flatten_layers())


def test_a_spectral_minibatch_layer_computes_the_plain_map_with_t_over_sigma():
    wrapper = SpectralNorm(MinibatchDiscrimination(**MBD))
    x = np.random.default_rng(2).normal(size=(4, 5)).astype("float32")
    out = np_(wrapper(x))
    kernel, sigma = wrapper.normalized_kernel()
    np.testing.assert_allclose(np_(kernel) * float(np_(sigma)), np_(wrapper.layer.kernel),
                               rtol=1e-5, atol=1e-6)
    expected = np_(wrapper.layer.apply_kernel(x, kernel))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- shipped checkpoints
# (that every shipped checkpoint still loads and samples finite values is checked, with much more,
# by test_registry.py's test_entry_end_to_end: one load per checkpoint and backend, not two)


def test_a_spectral_acgan_with_minibatch_discrimination_trains_and_advances_every_u():
    from ganzoo import backend

    gan = ganzoo.create("dcgan", dataset="mnist", seed=0,
                        techniques=["spectral_norm", "acgan",
                                    {"name": "minibatch_discrimination", **MBD}],
                        generator={"width": 4, "latent_dim": 8}, discriminator={"width": 4})
    d = gan.discriminator
    wrappers = [layer for layer in d._flatten_layers() if isinstance(layer, SpectralNorm)]
    assert d.classifier in wrappers and d.minibatch in wrappers
    before = [np_(w.u).copy() for w in wrappers]
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, size=8).astype("int32")
    hist = gan.fit(x, y, batch_size=4, epochs=1, verbose=0)
    backend.sync_state(gan)
    assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history
    assert all(not np.allclose(np_(w.u), b) for w, b in zip(wrappers, before))
