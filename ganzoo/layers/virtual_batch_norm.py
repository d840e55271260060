"""Virtual batch normalization.

Salimans et al. 2016, "Improved Techniques for Training GANs", sec. 3.4.
"""

import keras
from keras import ops

from ganzoo import validation


@keras.saving.register_keras_serializable(package="ganzoo")
class VirtualBatchNormalization(keras.layers.Layer):
    """Virtual batch normalization with a learned per-channel scale and offset.

    ``call(inputs, reference)`` takes the current batch ``x`` of shape
    ``(n_x, ..., C)`` and the reference batch activations ``r`` of shape
    ``(n, ..., C)`` at the same layer (the reference batch is fixed once, at the
    start of training, and pushed through the network on every step). The layer
    keeps no reference state: the statistics are recomputed from ``reference``
    on every call. Statistics are per channel (last axis) over all the other
    axes.

    Reference batch (its own statistics, over the batch and spatial axes)::

        mu_r  = mean(r),  sq_r = mean(r^2),  var_r = sq_r - mu_r^2
        r_hat = gamma * (r - mu_r) / sqrt(var_r + epsilon) + beta

    Each example ``x_i`` (mean over its own non-channel axes only)::

        w      = 1 / (n + 1)
        mu_i   = w * mean(x_i)   + (1 - w) * mu_r
        sq_i   = w * mean(x_i^2) + (1 - w) * sq_r
        var_i  = sq_i - mu_i^2
        x_hat_i = gamma * (x_i - mu_i) / sqrt(var_i + epsilon) + beta

    i.e. first and second moments of ``{x_i} U reference`` are combined (not
    variances), following sec. 3.4 of the paper. ``var`` is clamped at 0
    before adding ``epsilon`` to guard against rounding in ``sq - mu^2``.
    Because each example is normalized with its own moments and the reference
    moments only, an example's output does not depend on the other examples of
    ``x``.

    ``gamma`` starts at 1 and ``beta`` at 0 (shape ``(C,)``). Returns the tuple
    ``(x_hat, r_hat)``.

    Args:
        epsilon: small positive float added to the variance.
    """

    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = validation.positive_float(epsilon, "epsilon")

    def build(self, inputs_shape, reference_shape=None):
        inputs_shape = tuple(inputs_shape)
        if len(inputs_shape) < 2:
            raise ValueError(
                "VirtualBatchNormalization expects inputs of rank >= 2 (batch, ..., channels); "
                f"got shape {inputs_shape!r}"
            )
        channels = inputs_shape[-1]
        if channels is None:
            raise ValueError(
                "VirtualBatchNormalization needs a known channel dimension; "
                f"got shape {inputs_shape!r}"
            )
        if reference_shape is not None:
            reference_shape = tuple(reference_shape)
            if len(reference_shape) != len(inputs_shape) or reference_shape[-1] not in (
                None,
                channels,
            ):
                raise ValueError(
                    "reference must have the same rank and channel count as inputs; got inputs "
                    f"shape {inputs_shape!r} and reference shape {reference_shape!r}"
                )
        self.gamma = self.add_weight(
            name="gamma", shape=(int(channels),), initializer="ones", trainable=True
        )
        self.beta = self.add_weight(
            name="beta", shape=(int(channels),), initializer="zeros", trainable=True
        )

    def _normalize(self, x, mean, meansq):
        var = ops.maximum(meansq - ops.square(mean), 0.0)
        return (x - mean) * ops.rsqrt(var + self.epsilon) * self.gamma + self.beta

    def call(self, inputs, reference, training=False):
        x = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        r = ops.convert_to_tensor(reference, dtype=self.compute_dtype)
        rank = len(x.shape)
        if len(r.shape) != rank:
            raise ValueError(
                f"reference must have the same rank as inputs; got shapes {tuple(x.shape)!r} "
                f"and {tuple(r.shape)!r}"
            )
        # Reference statistics over every non-channel axis (batch included).
        ref_axes = tuple(range(rank - 1))
        ref_mean = ops.mean(r, axis=ref_axes, keepdims=True)
        ref_meansq = ops.mean(ops.square(r), axis=ref_axes, keepdims=True)
        ref_out = self._normalize(r, ref_mean, ref_meansq)

        # Per-example statistics over the example's own non-channel axes.
        ex_axes = tuple(range(1, rank - 1))
        if ex_axes:
            ex_mean = ops.mean(x, axis=ex_axes, keepdims=True)
            ex_meansq = ops.mean(ops.square(x), axis=ex_axes, keepdims=True)
        else:
            ex_mean = x
            ex_meansq = ops.square(x)
        n = ops.cast(ops.shape(r)[0], x.dtype)
        new_coeff = 1.0 / (n + 1.0)
        old_coeff = 1.0 - new_coeff
        mean = new_coeff * ex_mean + old_coeff * ref_mean
        meansq = new_coeff * ex_meansq + old_coeff * ref_meansq
        out = self._normalize(x, mean, meansq)
        return out, ref_out

    def compute_output_shape(self, inputs_shape, reference_shape):
        return tuple(inputs_shape), tuple(reference_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon})
        return config
