"""Minibatch discrimination.

Salimans et al. 2016, "Improved Techniques for Training GANs", sec. 3.2.
"""

import keras
from keras import ops

from ganzoo import validation


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination features appended to a batch of feature vectors.

    Let ``f(x)`` be the input of shape ``(batch, A)``. With a learned tensor
    ``T`` of shape ``(A, B, C)`` (``B = num_kernels``, ``C = kernel_dim``)::

        M_i        = f(x_i) . T                      # (B, C) per example
        c_b(i, j)  = exp(-sum_c |M_i[b, c] - M_j[b, c]|)   # L1 norm over C
        o(x_i)_b   = sum_{j != i} c_b(i, j) + bias_b
        output     = concat([f(x), o(x)], axis=-1)   # (batch, A + B)

    This follows the authors' released code (openai/improved-gan,
    ``mnist_svhn_cifar10/nn.py``, ``MinibatchLayer``) rather than the paper in
    two ways: the ``j = i`` term is left out of the sum (the paper sums over all
    ``j``, which adds the constant ``exp(0) = 1`` to every feature; here we sum
    over all ``j`` and subtract exactly 1), and a learned per-kernel bias of shape
    ``(B,)`` is added to ``o``. The released code also weight-normalizes ``T``
    (with a learned ``log_weight_scale``) and uses a data-dependent
    initialization; neither is done here, ``T`` is a plain weight.

    Initializers: ``T`` ~ N(0, 0.05) (standard deviation 0.05, as in the
    authors' code); the bias starts at 0 (the authors' constant -1 is
    immediately overwritten by their data-dependent init).

    Under spectral normalization (a D built with ``norm="spectral"`` wraps this layer in
    :class:`~ganzoo.layers.SpectralNorm`) ``T`` is used as ``T / σ(T)``, ``σ`` the largest
    singular value of ``T`` seen as the ``(A, B * C)`` matrix of the linear map
    ``f(x) -> M``: the projection is 1-Lipschitz like every other weight layer of such a D.

    The input must have rank 2; flatten convolutional features first (e.g. with
    ``keras.layers.Flatten``).

    The features compare each example with the *other examples of the same
    batch*, so real and generated batches must be passed through the
    discriminator separately (never concatenated into one batch), otherwise a
    generated example is compared with real ones and the feature leaks the
    labels. The batch must hold at least two examples for ``o`` to be
    informative (with one example, ``o`` is just the bias).

    Args:
        num_kernels: ``B``, the number of minibatch features appended.
        kernel_dim: ``C``, the dimension of each kernel's projection.
    """

    def __init__(self, num_kernels=100, kernel_dim=5, **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = validation.positive_int(num_kernels, "num_kernels")
        self.kernel_dim = validation.positive_int(kernel_dim, "kernel_dim")

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                "MinibatchDiscrimination expects a rank-2 input (batch, features); "
                f"got shape {input_shape!r}. Flatten the features first."
            )
        if input_shape[-1] is None:
            raise ValueError(
                "MinibatchDiscrimination needs a known feature dimension; "
                f"got shape {input_shape!r}"
            )
        in_dim = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(in_dim, self.num_kernels, self.kernel_dim),
            initializer=keras.initializers.RandomNormal(mean=0.0, stddev=0.05),
            trainable=True,
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.num_kernels,),
            initializer="zeros",
            trainable=True,
        )

    def call(self, inputs, training=False):
        return self.apply_kernel(inputs, self.kernel)

    def apply_kernel(self, inputs, kernel):
        """The layer's map with ``kernel`` (shape ``(A, B, C)``) in place of ``T`` (spectral
        normalization's ``T / σ``, :class:`~ganzoo.layers.SpectralNorm`)."""
        inputs = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        kernel = ops.cast(kernel, self.compute_dtype)
        # M: (batch, B, C)
        m = ops.tensordot(inputs, kernel, axes=[[1], [0]])
        # Pairwise L1 distances per kernel: (batch_i, batch_j, B)
        diff = ops.expand_dims(m, 1) - ops.expand_dims(m, 0)
        l1 = ops.sum(ops.abs(diff), axis=-1)
        # Sum over j, then drop the j = i term (exp(0) = 1), as in the authors' code.
        o = ops.sum(ops.exp(-l1), axis=1) - 1.0
        o = o + self.bias
        return ops.concatenate([inputs, o], axis=-1)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        feat = None if input_shape[-1] is None else input_shape[-1] + self.num_kernels
        return input_shape[:-1] + (feat,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_kernels": self.num_kernels, "kernel_dim": self.kernel_dim})
        return config
