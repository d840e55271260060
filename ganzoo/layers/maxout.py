"""Maxout units after a linear map (Goodfellow et al. 2013, *Maxout Networks*, ICML).

The layout follows Blocks' ``LinearMaxout`` brick (``blocks/bricks/simple.py``: a ``Linear`` to
``units * pieces`` outputs, then ``Maxout``, which reshapes the last axis to ``(units, pieces)`` and
takes the max over the pieces), the layer of the VEEGAN / ALI / PacGAN toy discriminators.
"""

import keras
from keras import ops

from ganzoo import validation


def _initializer(value, name):
    try:
        return keras.initializers.get(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a Keras initializer (a name such as 'glorot_uniform', "
                         f"a config dict or an instance); got {value!r}") from None


@keras.saving.register_keras_serializable(package="ganzoo")
class LinearMaxout(keras.layers.Layer):
    """``units`` maxout units, each the max of ``pieces`` affine functions of the input.

    With a kernel ``W`` of shape ``(in, units * pieces)`` and a bias ``b`` of shape
    ``(units * pieces,)``::

        h       = x @ W + b                                  # (..., units * pieces)
        out[u]  = max_p h[u * pieces + p],  p = 0..pieces-1  # (..., units)

    i.e. the pieces of one unit are adjacent columns of ``W`` (Blocks' layout, so weights from a
    Blocks ``LinearMaxout`` load as they are). ``pieces=1`` is a plain linear layer. The input may
    have any rank >= 2; the map acts on the last axis.

    Args:
        units: number of maxout units (output features), an integer >= 1.
        pieces: affine pieces per unit, an integer >= 1.
        kernel_initializer: Keras initializer (name, config dict or instance) for ``W``;
            default Glorot-uniform, as ``keras.layers.Dense``.
        bias_initializer: Keras initializer for ``b``; default zeros, as ``keras.layers.Dense``.
    """

    def __init__(self, units, pieces, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units = validation.positive_int(units, "units")
        self.pieces = validation.positive_int(pieces, "pieces")
        self.kernel_initializer = _initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _initializer(bias_initializer, "bias_initializer")

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError("LinearMaxout expects an input of rank >= 2 with a known last "
                             f"dimension, e.g. (batch, features); got shape {input_shape!r}")
        self.kernel = self.add_weight(
            name="kernel", shape=(int(input_shape[-1]), self.units * self.pieces),
            initializer=self.kernel_initializer, trainable=True,
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.units * self.pieces,), initializer=self.bias_initializer,
            trainable=True,
        )

    def call(self, inputs):
        return self.apply_kernel(inputs, self.kernel)

    def apply_kernel(self, inputs, kernel):
        """The layer's map with ``kernel`` in place of its own (spectral normalization's
        ``W / σ``, :class:`~ganzoo.layers.SpectralNorm`); the bias is the layer's."""
        inputs = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        h = ops.matmul(inputs, ops.cast(kernel, self.compute_dtype)) + self.bias
        if self.pieces == 1:
            return h
        lead = (-1,) if len(h.shape) == 2 else tuple(ops.shape(h)[:-1])
        return ops.max(ops.reshape(h, lead + (self.units, self.pieces)), axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
