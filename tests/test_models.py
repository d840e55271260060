import keras
import numpy as np
import pytest

from ganzoo.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3)])
def test_shapes_and_range(shape):
    g = DCGANGenerator(latent_dim=10, image_shape=shape, width=4)
    d = DCGANDiscriminator(image_shape=shape, width=4)
    z = np.random.default_rng(0).standard_normal((3, 10)).astype("float32") * 10
    x = keras.ops.convert_to_numpy(g(z))
    assert x.shape == (3,) + shape
    assert x.min() >= -1 and x.max() <= 1
    assert keras.ops.convert_to_numpy(d(x)).shape == (3, 1)


def test_dcgan_rules_hold_in_the_built_layers():
    g = DCGANGenerator(width=8)
    d = DCGANDiscriminator(width=8)
    g.build(), d.build()
    g_layers = [l for l in g._flatten_layers(include_self=False)]
    d_layers = [l for l in d._flatten_layers(include_self=False)]
    # no pooling anywhere; stride-2 convolutions with a kernel divisible by the stride
    for layer in g_layers + d_layers:
        assert "Pooling" not in type(layer).__name__
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            assert layer.strides == (2, 2) and layer.kernel_size[0] % 2 == 0
    # BN in G except at the output; in D except after the input layer
    assert len([l for l in g_layers if isinstance(l, keras.layers.BatchNormalization)]) == 2
    assert len([l for l in d_layers if isinstance(l, keras.layers.BatchNormalization)]) == 1
    assert d.blocks[0][1] is None and d.blocks[1][1] is not None
    # N(0, 0.02) init
    w = keras.ops.convert_to_numpy(g.project.kernel)
    assert abs(w.std() - 0.02) < 0.002 and abs(w.mean()) < 0.002


def test_get_config_round_trip():
    g = DCGANGenerator(latent_dim=12, image_shape=(32, 32, 3), width=4)
    d = DCGANDiscriminator(image_shape=(32, 32, 3), width=4)
    g2 = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(g))
    d2 = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(d))
    assert type(g2) is DCGANGenerator and g2.get_config() == g.get_config()
    assert type(d2) is DCGANDiscriminator and d2.get_config() == d.get_config()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"image_shape": (30, 30, 1)}, "side 28, 32 or 64"),
        ({"image_shape": (28, 28)}, "channels last"),
        ({"kernel_size": 5}, "divisible by the stride"),
        ({"width": 0}, ">= 1"),
    ],
)
def test_bad_arguments_are_explained(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DCGANGenerator(**kwargs)


@pytest.mark.parametrize("cls, kwargs, expected", [
    (DCGANGenerator, {"width": 2.5}, "width must be an integer >= 1; got 2.5"),
    (DCGANGenerator, {"latent_dim": 99.9}, "latent_dim must be an integer >= 1; got 99.9"),
    (DCGANGenerator, {"kernel_size": 4.0}, "kernel_size must be an integer >= 1; got 4.0"),
    (DCGANGenerator, {"norm": "vbn", "reference_batch_size": 0},
     "reference_batch_size must be an integer >= 1; got 0"),
    (DCGANGenerator, {"norm": "vbn", "reference_batch_size": 63.5},
     "reference_batch_size must be an integer >= 1; got 63.5"),
    (DCGANGenerator, {"norm": "vbm"},
     "DCGANGenerator norm must be one of 'batch', 'vbn'; got 'vbm'. Did you mean vbn?"),
    (DCGANGenerator, {"image_shape": (28.5, 28, 1)},
     "DCGAN supports square images of side 28, 32 or 64 with channels last, e.g. (28, 28, 1) or "
     "(32, 32, 3); got image_shape=(28.5, 28, 1)"),
    (DCGANDiscriminator, {"width": True}, "width must be an integer >= 1; got True"),
    (DCGANDiscriminator, {"minibatch_discrimination": {"num_kernel": 3}},
     "minibatch_discrimination: unknown argument 'num_kernel'. Did you mean num_kernels? "
     "Accepted: kernel_dim, num_kernels."),
    (DCGANDiscriminator, {"minibatch_discrimination": "yes"},
     "minibatch_discrimination must be None, True or a dict of the MinibatchDiscrimination "
     "layer's arguments (num_kernels, kernel_dim); got 'yes'"),
    (MLPGenerator, {"units": 2.5}, "units must be an integer >= 1; got 2.5"),
    (MLPGenerator, {"depth": 0}, "depth must be an integer >= 1; got 0"),
    (MLPDiscriminator, {"input_dim": 2.0}, "input_dim must be an integer >= 1; got 2.0"),
])
def test_sizes_are_integers_not_truncated(cls, kwargs, expected):
    with pytest.raises(ValueError) as info:
        cls(**kwargs)
    assert str(info.value) == expected


def test_sizes_accept_numpy_integers():
    g = MLPGenerator(latent_dim=np.int64(3), units=np.int32(4), depth=np.int64(1))
    assert (g.latent_dim, g.units, g.depth) == (3, 4, 1) and type(g.units) is int


# ------------------------------------------------------------------ MLP options (toy protocol)
NORMAL_002 = {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.02}}


def _layers(model, cls):
    return [l for l in model._flatten_layers(include_self=False) if isinstance(l, cls)]


def test_mlp_defaults_are_the_first_toy_nets_and_old_configs_load():
    """No option given (an old checkpoint's config): Dense + ReLU with biases, no batch norm."""
    from ganzoo.layers import LinearMaxout

    old_g = {"latent_dim": 3, "units": 5, "depth": 2, "output_dim": 2, "name": "mlp_generator"}
    old_d = {"units": 5, "depth": 2, "input_dim": 2, "minibatch_discrimination": None}
    g, d = MLPGenerator.from_config(old_g), MLPDiscriminator.from_config(old_d)
    g.build(), d.build()
    assert not _layers(g, keras.layers.BatchNormalization) and not _layers(d, LinearMaxout)
    assert [w.path for w in g.weights] == ["mlp_generator/fc0/kernel", "mlp_generator/fc0/bias",
                                           "mlp_generator/fc1/kernel", "mlp_generator/fc1/bias",
                                           "mlp_generator/out/kernel", "mlp_generator/out/bias"]
    assert [l.activation.__name__ for l in d.hidden] == ["relu", "relu"]
    assert g.get_config()["norm"] is None and d.get_config()["maxout_pieces"] is None


def test_mlp_protocol_nets():
    """PacGAN's toy nets: G 4 x 400 Dense (no bias) -> BN -> ReLU, D 3 x maxout(200, 5)."""
    from ganzoo.layers import LinearMaxout

    keras.utils.set_random_seed(0)
    g = MLPGenerator(latent_dim=2, units=400, depth=4, norm="batch", kernel_initializer=NORMAL_002)
    d = MLPDiscriminator(units=200, depth=3, maxout_pieces=5, kernel_initializer=NORMAL_002)
    g.build(), d.build()
    bns = _layers(g, keras.layers.BatchNormalization)
    assert len(bns) == 4 and all((b.momentum, b.epsilon) == (0.95, 1e-4) for b in bns)
    assert all(not l.use_bias for l in g.hidden) and g.out.use_bias
    maxouts = _layers(d, LinearMaxout)
    assert len(maxouts) == 3 and all((m.units, m.pieces) == (200, 5) for m in maxouts)
    kernels = [l.kernel for l in g.hidden + [g.out] + maxouts + [d.to_logit]]
    assert [tuple(k.shape) for k in kernels[-4:]] == [(2, 1000), (200, 1000), (200, 1000), (200, 1)]
    for k in kernels:
        w = keras.ops.convert_to_numpy(k)
        assert abs(w.std() - 0.02) < 0.1 * 0.02 + 0.02 / np.sqrt(w.size) * 5, k.path
    assert not np.any(keras.ops.convert_to_numpy(d.to_logit.bias))
    # the hidden layers do not share one initializer's draws
    assert not np.allclose(*(keras.ops.convert_to_numpy(l.kernel) for l in g.hidden[1:3]))
    z = np.random.default_rng(0).standard_normal((64, 2)).astype("float32")
    x_train = keras.ops.convert_to_numpy(g(z, training=True))
    x_eval = keras.ops.convert_to_numpy(g(z, training=False))
    assert x_train.shape == x_eval.shape == (64, 2) and not np.allclose(x_train, x_eval)
    logits, features = d(x_eval, return_features=True)
    assert tuple(logits.shape) == (64, 1) and tuple(features.shape) == (64, 200)
    for model in (g, d):
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))
        assert clone.get_config() == model.get_config()


def test_mlp_protocol_d_trains_with_feature_matching_and_minibatch_discrimination():
    import ganzoo

    gan = ganzoo.create("mlp", dataset="ring8", generator={"units": 8},
                        discriminator={"units": 6}, batch_size=16,
                        techniques=["feature_matching", {"name": "minibatch_discrimination",
                                                         "num_kernels": 5, "kernel_dim": 3}])
    assert gan.discriminator.maxout_pieces == 5 and gan.generator.norm == "batch"
    logits, features = gan.discriminator(np.zeros((4, 2), "float32"), return_features=True)
    assert tuple(features.shape) == (4, 6) and tuple(logits.shape) == (4, 1)
    d0 = [keras.ops.convert_to_numpy(v).copy() for v in gan.discriminator.trainable_variables]
    hist = gan.fit(ganzoo.data.load("ring8", batch_size=16).take(2), epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in hist.history.values())
    assert all(not np.array_equal(a, keras.ops.convert_to_numpy(b))
               for a, b in zip(d0, gan.discriminator.trainable_variables))


@pytest.mark.parametrize("cls, kwargs, expected", [
    (MLPGenerator, {"norm": "vbn"},
     "MLPGenerator norm must be one of None, 'batch'; got 'vbn'"),
    (MLPGenerator, {"kernel_initializer": 0.02},
     "kernel_initializer must be a Keras initializer (a name such as 'glorot_uniform', a config "
     "dict or an instance); got 0.02"),
    (MLPDiscriminator, {"maxout_pieces": 0}, "maxout_pieces must be an integer >= 1; got 0"),
    (MLPDiscriminator, {"maxout_pieces": 5.0}, "maxout_pieces must be an integer >= 1; got 5.0"),
    (MLPDiscriminator, {"kernel_initializer": "normal-ish"},
     "kernel_initializer must be a Keras initializer (a name such as 'glorot_uniform', a config "
     "dict or an instance); got 'normal-ish'"),
])
def test_mlp_options_are_checked(cls, kwargs, expected):
    with pytest.raises(ValueError) as info:
        cls(**kwargs)
    assert str(info.value) == expected


def test_mlp_initializer_instance_is_stored_as_its_config():
    g = MLPGenerator(kernel_initializer=keras.initializers.RandomNormal(stddev=0.02))
    config = g.get_config()["kernel_initializer"]
    assert config["class_name"] == "RandomNormal" and config["config"]["stddev"] == 0.02
    import json

    json.dumps(g.get_config())  # config.json must be able to hold it
