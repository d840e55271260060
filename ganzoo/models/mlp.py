"""MLP generator / discriminator for the 2-D toy mixtures (``ring8``, ``grid25``).

G maps ``z`` (batch, latent_dim) ~ N(0, I) to points (batch, 2) through ``depth`` hidden layers of
``units`` ReLU units and a linear output layer; D maps points through ``depth`` hidden layers of
``units`` units to one logit. ``image_shape`` is the shape of one sample, ``(2,)``, so the GAN
engine treats toys and images alike.

The defaults (``norm=None``, ``maxout_pieces=None``, Glorot-uniform init) are the nets of ganzoo's
first toy checkpoints: plain ``Dense`` + ReLU layers with biases in both nets. The options below give
the networks of the toy protocol of the mode-collapse literature (VEEGAN, Srivastava et al. 2017;
PacGAN, Lin et al. 2018), as built in PacGAN's code (github fjxmlzn/PacGAN,
``synthetic_data_experiments/2DRing_GAN&PacGAN/pacgan_task.py`` and ``config.py``; Theano/Blocks,
on top of the ALI code) -- G ``MLPGenerator(latent_dim=2, units=400, depth=4, norm="batch",
kernel_initializer=N(0, 0.02))``, D ``MLPDiscriminator(units=200, depth=3, maxout_pieces=5,
kernel_initializer=N(0, 0.02))``:

* ``MLPGenerator(norm="batch")``: each hidden layer is ``Dense`` *without bias* -> batch norm ->
  ReLU (the authors' Blocks ``MLP(..., use_bias=False)``: BN's shift is the bias); the linear
  output layer keeps its bias. Batch norm follows Blocks' ``BatchNormalization`` brick as the
  authors use it: epsilon 1e-4 (the brick's default), scale initialised to 1 and shift to 0, and
  population statistics updated every training step as ``0.95 * population + 0.05 * batch``
  (their ``bn_updates``), i.e. Keras momentum 0.95. One difference stays: Blocks averages the
  batch *standard deviation* ``sqrt(var + eps)`` and Keras the variance, so the population
  divisor differs slightly (training-mode outputs are identical). ``G(z, training=False)`` -- what
  :meth:`ganzoo.GAN.sample` uses -- normalizes with the population statistics, as the authors'
  plotting and metric code does (the decoder applied outside their ``batch_normalization``
  context). (Not TF1's ``tf.contrib.layers.batch_norm``: the synthetic experiments are not
  TensorFlow code.)
* ``MLPDiscriminator(maxout_pieces=k)``: each hidden layer is a
  :class:`~ganzoo.layers.LinearMaxout` of ``units`` units with ``k`` pieces (no other
  activation), as the authors' Blocks ``LinearMaxout`` bricks.
* ``kernel_initializer``: the initializer of every ``Dense`` / ``LinearMaxout`` kernel of the net,
  output layers included (a Keras initializer name, config dict or instance; stored in the config
  as given, or serialized). The authors initialise every weight matrix of both nets from
  N(0, 0.02) (Blocks ``IsotropicGaussian(0.02)``, pushed from the GAN brick to the decoder's
  linear layers and set on each discriminator brick) and every bias to 0 (``Constant(0.0)``);
  ganzoo's biases start at 0 too. Each layer builds its own initializer from the config, so an
  unseeded initializer draws different weights per layer; an initializer with a fixed ``seed``
  would give equal-shaped layers equal weights.

``MLPDiscriminator(norm="spectral")``: every hidden layer (``Dense`` or ``LinearMaxout``), the
logit layer, and the minibatch-discrimination tensor and the AC-GAN classifier head when D has
them, are :class:`~ganzoo.layers.SpectralNorm`-wrapped (SNGAN, Miyato et al. 2018); the
default ``norm=None`` has no normalization. The options each class supports are its
``supported_options`` (:mod:`ganzoo.models.options`).

``D(x, return_features=True)`` returns ``(logits, features)`` with the features = the last hidden
layer's output (``units`` values; feature matching's layer), taken before the optional
:class:`~ganzoo.layers.MinibatchDiscrimination` layer (``minibatch_discrimination={...}``).

``num_classes=K`` (both nets; default ``None``: unconditional) conditions them on a class as in
:mod:`ganzoo.models.dcgan`: G's one-hot class is concatenated to ``z``; D's to its input
(``condition="input"``, cGAN) or D gets an auxiliary classifier head on its features
(``condition="auxiliary"``, AC-GAN; ``D.classify(features)``).

The technique options, as in :mod:`ganzoo.models.dcgan`: ``MLPGenerator(dropout=p,
noise_std=σ)`` -- dropout and N(0, σ²) noise on every hidden layer's output (after its
activation), in training and in sampling, keyed by the latent vector; ``MLPDiscriminator(
packing=m)`` -- inputs of m points with their coordinates concatenated (``m * input_dim``
features, PacGAN's toy D); ``MLPDiscriminator(outputs=n)`` -- n logits per input (MAD-GAN).
"""

import copy

import keras
from keras import layers

from ganzoo import validation
from ganzoo.layers import LinearMaxout
from ganzoo.layers.latent_noise import latent_keys, noise_layers
from ganzoo.models import options
from ganzoo.models.dcgan import (
    DiscriminatorHead, condition_input, minibatch_spec, num_classes_option,
)

# PacGAN's (and ALI's) toy nets: Blocks BatchNormalization's epsilon, their population update
# ``m * 0.05 + p * 0.95``; every weight N(0, 0.02) (``weights_init_std``).
BN_MOMENTUM = 0.95
BN_EPSILON = 1e-4
NORMAL_002 = {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.02}}


def _initializer(value, name):
    """``value`` in a JSON-able form (an instance is serialized), checked to be an initializer."""
    if isinstance(value, keras.initializers.Initializer):
        return keras.initializers.serialize(value)
    if not isinstance(value, (str, dict)):
        raise ValueError(f"{name} must be a Keras initializer (a name such as 'glorot_uniform', a "
                         f"config dict or an instance); got {value!r}")
    try:
        keras.initializers.get(value)
    except (ValueError, TypeError, KeyError):
        raise ValueError(f"{name} must be a Keras initializer (a name such as 'glorot_uniform', a "
                         f"config dict or an instance); got {value!r}") from None
    return copy.deepcopy(value)


def _pieces(value):
    return None if value is None else validation.positive_int(value, "maxout_pieces")


@keras.saving.register_keras_serializable(package="ganzoo")
class MLPGenerator(keras.Model):
    """z (batch, latent_dim) -> points (batch, output_dim), linear output."""

    supported_options = options.supports(
        "generator", norm=(None, "batch"), dropout=True, noise_std=True, num_classes=True)

    def __init__(self, latent_dim=64, units=128, depth=2, output_dim=2, norm=None,
                 kernel_initializer="glorot_uniform", num_classes=None, dropout=0.0,
                 noise_std=0.0, **kwargs):
        super().__init__(**kwargs)
        self.dropout = validation.probability(dropout, "MLPGenerator dropout", open_right=True)
        self.noise_std = validation.nonnegative_float(noise_std, "MLPGenerator noise_std")
        self.num_classes = num_classes_option(num_classes)
        self.latent_dim = validation.positive_int(latent_dim, "latent_dim")
        self.units = validation.positive_int(units, "units")
        self.depth = validation.positive_int(depth, "depth")
        self.image_shape = (validation.positive_int(output_dim, "output_dim"),)
        self.norm = options.choice(self, "norm", norm)
        self.kernel_initializer = _initializer(kernel_initializer, "kernel_initializer")
        batch_norm = self.norm == "batch"
        self.hidden = [
            layers.Dense(self.units, activation=None if batch_norm else "relu",
                         use_bias=not batch_norm, kernel_initializer=self.kernel_initializer,
                         name=f"fc{i}")
            for i in range(self.depth)
        ]
        self.norms = [
            layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=f"fc{i}_bn")
            for i in range(self.depth)
        ] if batch_norm else []
        self.out = layers.Dense(self.image_shape[0], kernel_initializer=self.kernel_initializer,
                                name="out")
        self.noise = noise_layers(self.dropout, self.noise_std, self.depth)

    def build(self, input_shape=None):
        if not self.built:
            self.built = True
            labels = None if self.num_classes is None else keras.ops.zeros((1,), "int32")
            self.call(keras.ops.zeros((1, self.latent_dim)), labels=labels)

    @property
    def takes_labels(self):
        """Whether ``G(z, labels=...)`` needs a class per latent (``num_classes`` is set)."""
        return self.num_classes is not None

    def call(self, z, labels=None, training=False):
        z = condition_input(z, labels, self.num_classes, type(self).__name__)
        keys = latent_keys(z) if self.noise else None
        for i, layer in enumerate(self.hidden):
            z = layer(z)
            if self.norms:
                z = keras.ops.relu(self.norms[i](z, training=training))
            if self.noise:
                z = self.noise[i](z, keys)
        return self.out(z)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.image_shape

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "units": self.units,
                "depth": self.depth, "output_dim": self.image_shape[0], "norm": self.norm,
                "kernel_initializer": self.kernel_initializer, "num_classes": self.num_classes,
                "dropout": self.dropout, "noise_std": self.noise_std}


@keras.saving.register_keras_serializable(package="ganzoo")
class MLPDiscriminator(DiscriminatorHead, keras.Model):
    """points (batch, input_dim) -> one real/fake logit per point, shape (batch, 1) (``packing=m``:
    packs of m points, (batch, m * input_dim); ``outputs=n``: n logits, (batch, n))."""

    supported_options = options.supports(
        "discriminator", norm=(None, "spectral"), minibatch_discrimination=True, packing=True,
        outputs=True, num_classes=True, condition=("input", "auxiliary"))

    def __init__(self, units=128, depth=2, input_dim=2, minibatch_discrimination=None, norm=None,
                 maxout_pieces=None, kernel_initializer="glorot_uniform", num_classes=None,
                 condition="input", packing=1, outputs=1, **kwargs):
        super().__init__(**kwargs)
        self._init_outputs(packing, outputs)
        self.norm = options.choice(self, "norm", norm)
        self.minibatch_discrimination = minibatch_spec(minibatch_discrimination)
        self.minibatch = self._minibatch_layer()
        self.units = validation.positive_int(units, "units")
        self.depth = validation.positive_int(depth, "depth")
        self.image_shape = (validation.positive_int(input_dim, "input_dim"),)
        self.maxout_pieces = _pieces(maxout_pieces)
        self.kernel_initializer = _initializer(kernel_initializer, "kernel_initializer")
        if self.maxout_pieces is None:
            self.hidden = [self._normalized(layers.Dense(
                self.units, activation="relu", kernel_initializer=self.kernel_initializer,
                name=f"fc{i}")) for i in range(self.depth)]
        else:
            self.hidden = [self._normalized(LinearMaxout(
                self.units, self.maxout_pieces, kernel_initializer=self.kernel_initializer,
                name=f"maxout{i}")) for i in range(self.depth)]
        to_logit = layers.Dense(self.outputs, kernel_initializer=self.kernel_initializer,
                                name="to_logit")
        self.to_logit = self._normalized(to_logit)
        self._init_condition(num_classes, condition)

    def _head_init(self):
        return self.kernel_initializer

    def build(self, input_shape=None):
        if not self.built:
            self.built = True
            self._trace()

    def features(self, x, training=False):
        """The last hidden layer's output, (batch, units)."""
        for layer in self.hidden:
            x = layer(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units, "depth": self.depth,
                "input_dim": self.image_shape[0],
                "minibatch_discrimination": self.minibatch_discrimination,
                "maxout_pieces": self.maxout_pieces, "norm": self.norm,
                "kernel_initializer": self.kernel_initializer, **self._condition_config()}
