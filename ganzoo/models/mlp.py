"""MLP generator / discriminator for the 2-D toy mixtures (``ring8``, ``grid25``).

Both nets: ``depth`` hidden Dense layers of ``units`` ReLU units (no batch norm), Glorot-uniform
init (Keras default). G maps ``z`` (batch, latent_dim) ~ N(0, I) to points (batch, 2) with a linear
output layer; D maps points to one logit. ``image_shape`` is the shape of one sample, ``(2,)``, so
the GAN engine treats toys and images alike.
"""

import keras
from keras import layers

from ganzoo.models.dcgan import DiscriminatorHead, minibatch_layer, minibatch_spec


def _check(units, depth):
    if int(units) < 1 or int(depth) < 1:
        raise ValueError(f"units and depth must be >= 1; got units={units}, depth={depth}")


@keras.saving.register_keras_serializable(package="ganzoo")
class MLPGenerator(keras.Model):
    def __init__(self, latent_dim=64, units=128, depth=2, output_dim=2, **kwargs):
        super().__init__(**kwargs)
        _check(units, depth)
        self.latent_dim, self.units, self.depth = int(latent_dim), int(units), int(depth)
        self.image_shape = (int(output_dim),)
        self.hidden = [layers.Dense(self.units, activation="relu", name=f"fc{i}")
                       for i in range(self.depth)]
        self.out = layers.Dense(self.image_shape[0], name="out")

    def build(self, input_shape=None):
        if not self.built:
            self.built = True
            self.call(keras.ops.zeros((1, self.latent_dim)))

    def call(self, z, training=False):
        for layer in self.hidden:
            z = layer(z)
        return self.out(z)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.image_shape

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "units": self.units,
                "depth": self.depth, "output_dim": self.image_shape[0]}


@keras.saving.register_keras_serializable(package="ganzoo")
class MLPDiscriminator(DiscriminatorHead, keras.Model):
    def __init__(self, units=128, depth=2, input_dim=2, minibatch_discrimination=None, norm=None,
                 **kwargs):
        super().__init__(**kwargs)
        _check(units, depth)
        if norm is not None:
            raise ValueError(f"MLPDiscriminator has no normalization layers (norm=None); got {norm!r}")
        self.minibatch_discrimination = minibatch_spec(minibatch_discrimination)
        self.minibatch = minibatch_layer(self.minibatch_discrimination)
        self.units, self.depth = int(units), int(depth)
        self.image_shape = (int(input_dim),)
        self.hidden = [layers.Dense(self.units, activation="relu", name=f"fc{i}")
                       for i in range(self.depth)]
        self.to_logit = layers.Dense(1, name="to_logit")

    def build(self, input_shape=None):
        if not self.built:
            self.built = True
            self.call(keras.ops.zeros((1,) + self.image_shape))

    def features(self, x, training=False):
        for layer in self.hidden:
            x = layer(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units, "depth": self.depth,
                "input_dim": self.image_shape[0],
                "minibatch_discrimination": self.minibatch_discrimination}
