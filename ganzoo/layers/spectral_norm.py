"""Spectral normalization (Miyato, Kataoka, Koyama & Yoshida 2018, *Spectral Normalization for
Generative Adversarial Networks*, ICLR).

A wrapped layer's kernel ``W`` is used as ``W / σ(W)``, ``σ`` its largest singular value
estimated by power iteration. This follows the authors' Chainer code (pfnet-research/
sngan_projection, ``source/links/sn_convolution_2d.py`` / ``sn_linear.py`` and
``source/functions/max_sv.py``):

* ``W`` is seen as a matrix of shape ``(out, -1)`` (a convolution's kernel flattened over its
  window and input channels); ``u`` has shape ``(1, out)`` and starts from N(0, 1) (not
  normalized);
* one power iteration per forward pass: ``v = l2n(u W)``, ``u' = l2n(v Wᵀ)``, with
  ``l2n(x) = x / (||x|| + ε)``, ε = 1e-12; then ``σ = u' W vᵀ``;
* the iteration runs on ``W``'s value (the authors' ``W.data``): ``u'`` and ``v`` are constants
  for autodiff, so ``∂σ/∂W = u' vᵀ`` -- the gradient of the paper's eq. 12;
* ``u ← u'`` only in training mode (``chainer.config.train``); at inference (``training=False``)
  the same iteration is run from the stored ``u`` and its result is *not* stored, so the output
  for given weights and ``u`` is the same in both modes.

``u`` is a non-trainable weight of the layer: it is saved with the model and resumed exactly.
Every training-mode call advances it, as in the authors' code, where each forward pass of D
advances ``u`` (their updater runs D on the fake batch for G's step and on the real and the fake
batch for D's step). ganzoo's step runs D on the real and the generated batch in separate calls,
so ``u`` advances twice per D step (once more for G's forward pass under the alternating rule,
and for each extra training-mode call of D, e.g. a gradient penalty's; the unrolled rule's
look-ahead discards its D state updates, ``u`` included).

Where the code differs from the paper: the paper's Algorithm 1 draws ``u`` "randomly" and runs
one iteration per *update step*; the code advances ``u`` per forward pass and uses ``ε`` in the
normalization. Like the paper (which treats a convolution kernel as a ``d_out x (d_in h w)``
matrix) and the code, a convolution's flattened kernel is normalized, not the operator norm of
the convolution.

``keras.layers.SpectralNormalization`` is not used: in training mode it *assigns* ``W / σ`` to the
trainable kernel (so the stored kernel is renormalized at every call, the gradient is taken with
respect to the normalized kernel without the ``σ(W)`` term, and inference uses whatever was
last assigned), and under JAX the assignment to a trainable variable inside Keras's stateless
step is dropped. This wrapper stores only ``u`` and computes ``W / σ`` inside ``call`` in both
modes, which is exact on TF, JAX and torch.
"""

import keras
from keras import ops

from ganzoo import validation
from ganzoo.layers.maxout import LinearMaxout
from ganzoo.layers.minibatch_discrimination import MinibatchDiscrimination

EPSILON = 1e-12
_CONVS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)
# layers whose map is ``layer.apply_kernel(inputs, kernel)``
_OWN = (LinearMaxout, MinibatchDiscrimination)
_SUPPORTED = (keras.layers.Dense,) + _OWN + _CONVS


def _l2_normalize(x, epsilon):
    return x / (ops.sqrt(ops.sum(ops.square(x))) + epsilon)


def spectral_normalize(kernel, u, power_iterations=1, epsilon=EPSILON):
    """``(kernel / σ, u', σ)`` for a Keras kernel whose *last* axis is the output axis (``Dense``
    ``(in, out)``, ``ConvND`` ``(*window, in, out)``) and ``u`` of shape ``(1, out)``.

    ``W = reshape(kernel, (-1, out))ᵀ`` is the authors' ``(out, -1)`` matrix (up to the order of
    its columns, which changes no singular value). ``power_iterations`` iterations of
    ``v = l2n(u W)``, ``u = l2n(v Wᵀ)`` run on the kernel's value (no gradient); then
    ``σ = u W vᵀ`` is differentiable in the kernel only."""
    kernel = ops.convert_to_tensor(kernel)
    out = kernel.shape[-1]
    matrix = ops.reshape(kernel, (-1, out))  # Wᵀ, shape (K, out)
    fixed = ops.stop_gradient(matrix)
    u = ops.stop_gradient(ops.cast(u, kernel.dtype))
    for _ in range(power_iterations):
        v = _l2_normalize(ops.matmul(u, ops.transpose(fixed)), epsilon)  # (1, K)
        u = _l2_normalize(ops.matmul(v, fixed), epsilon)  # (1, out)
    u, v = ops.stop_gradient(u), ops.stop_gradient(v)
    sigma = ops.sum(ops.matmul(u, ops.transpose(matrix)) * v)
    return kernel / sigma, u, sigma


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralNorm(keras.layers.Wrapper):
    """A ``Dense``, ``Conv1D/2D/3D``, :class:`~ganzoo.layers.LinearMaxout` or
    :class:`~ganzoo.layers.MinibatchDiscrimination` layer whose kernel is spectrally normalized
    at every call (see the module docstring for the exact algorithm). Minibatch
    discrimination's ``T`` of shape ``(A, B, C)`` is normalized as the ``(A, B * C)`` matrix of
    its linear map (``u`` has shape ``(1, B * C)``).

    The wrapped layer keeps its own weights (kernel, bias) and options (strides, padding,
    activation, ...); the wrapper adds ``u`` (non-trainable, shape ``(1, out)``) and computes
    the layer's output with ``kernel / σ``. ``call(x, training=True)`` advances ``u`` by
    ``power_iterations`` power iterations; ``training=False`` leaves it unchanged.

    Args:
        layer: the layer to normalize (built or not). Transposed convolutions, LoRA-enabled and
            quantized layers are refused.
        power_iterations: power iterations per call (the authors' ``Ip``, default 1).
        epsilon: ``ε`` of the normalization ``x / (||x|| + ε)`` (the authors' 1e-12).
    """

    def __init__(self, layer, power_iterations=1, epsilon=EPSILON, **kwargs):
        if not isinstance(layer, _SUPPORTED) or isinstance(
                layer, (keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
                        keras.layers.Conv3DTranspose)):
            raise ValueError(
                "SpectralNorm wraps a Dense, Conv1D, Conv2D, Conv3D, LinearMaxout or "
                f"MinibatchDiscrimination layer; got {type(layer).__name__}"
            )
        if getattr(layer, "lora_rank", None):
            raise ValueError(f"SpectralNorm cannot wrap a LoRA-enabled layer (lora_rank="
                             f"{layer.lora_rank}); got {layer.name!r}")
        super().__init__(layer, **kwargs)
        self.power_iterations = validation.positive_int(power_iterations, "power_iterations")
        self.epsilon = validation.positive_float(epsilon, "epsilon")

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        if getattr(self.layer, "quantization_mode", None) is not None:
            raise ValueError(f"SpectralNorm cannot wrap a quantized layer ({self.layer.name!r})")
        kernel = self._kernel()
        self.u = self.add_weight(
            name="u", shape=(1, self._outputs(kernel)), trainable=False, dtype=kernel.dtype,
            initializer=keras.initializers.RandomNormal(mean=0.0, stddev=1.0),
        )
        self.built = True

    def _kernel(self):
        layer = self.layer
        return layer.kernel if isinstance(layer, _OWN) else layer._kernel

    def _outputs(self, kernel):
        """The output width of the kernel's matrix (the length of ``u``)."""
        if isinstance(self.layer, MinibatchDiscrimination):
            return int(kernel.shape[1]) * int(kernel.shape[2])
        return int(kernel.shape[-1])

    def normalized_kernel(self, training=False):
        """``(kernel / σ, σ)``; advances ``u`` when ``training``."""
        kernel = self._kernel()
        matrix = kernel
        if isinstance(self.layer, MinibatchDiscrimination):  # T (A, B, C) -> (A, B * C)
            matrix = ops.reshape(kernel, (kernel.shape[0], self._outputs(kernel)))
        matrix, u, sigma = spectral_normalize(matrix, self.u, self.power_iterations,
                                              self.epsilon)
        if training:
            self.u.assign(ops.cast(u, self.u.dtype))
        return ops.reshape(matrix, kernel.shape), sigma

    def call(self, inputs, training=False):
        kernel, _ = self.normalized_kernel(training=bool(training))
        layer = self.layer
        if isinstance(layer, _OWN):
            return layer.apply_kernel(inputs, kernel)
        kernel = ops.cast(kernel, layer.compute_dtype)
        inputs = ops.convert_to_tensor(inputs, dtype=layer.compute_dtype)
        if isinstance(layer, keras.layers.Dense):
            x = ops.matmul(inputs, kernel)
            if layer.bias is not None:
                x = ops.add(x, layer.bias)
        else:
            x = layer.convolution_op(inputs, kernel)
            if layer.use_bias:
                if layer.data_format == "channels_last":
                    shape = (1,) * (layer.rank + 1) + (layer.filters,)
                else:
                    shape = (1, layer.filters) + (1,) * layer.rank
                x = ops.add(x, ops.reshape(layer.bias, shape))
        if layer.activation is not None:
            x = layer.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations,
                "epsilon": self.epsilon}

