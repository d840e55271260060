import keras
import numpy as np
import pytest

from ganzoo.models import DCGANDiscriminator, DCGANGenerator


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
