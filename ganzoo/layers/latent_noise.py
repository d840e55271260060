"""Dropout and Gaussian noise inside G whose randomness is a function of the latent vector.

ganhacks #17 ("use dropout (50%) in G in both train and test phase", as pix2pix does) and noise
injection into G's layers make G stochastic beyond ``z``. ganzoo draws that randomness from a
*counter-based hash* of each sample's latent vector instead of a random-number stream:

    key(z)      = fmix32(Σ_j fmix32(q_j + j·φ))          q_j = round(z_j · 2^16) as int32
    u(z, s, e)  = top 24 bits of fmix32(fmix32(key(z) ^ fmix32(s)) + e·φ) / 2^24   in [0, 1)

for stream ``s`` (a layer and a draw) and element ``e`` (a unit of that layer's output);
``fmix32`` is MurmurHash3's 32-bit finalizer, ``φ = 0x9E3779B9``, all in int32 arithmetic with
wrap-around (exactly the same bits under TensorFlow, JAX and torch, checked against a NumPy
reference in the tests). So the noise of an image depends only on its own ``z`` -- in training
and in sampling, in any batch or chunking, on every backend -- as batch norm does in inference
mode, and ``gan.sample(n, seed)`` gives the same images for the same seed (the latents are
NumPy's). In a
training step the latents are fresh draws from the GAN's seeded stream, so the noise is fresh
too, and a resumed run repeats it. The layer has no weights: a G without these options has the
weights (and the samples) it always had.
"""

import math

import keras
import numpy as np
from keras import ops

from ganzoo import validation

PHI = 0x9E3779B9  # 2^32 / golden ratio: spreads consecutive counters over the 32 bits
_M1, _M2 = 0x85EBCA6B, 0xC2B2AE35  # MurmurHash3 fmix32 multipliers
KEY_SCALE = 2.0**16  # z is quantized to 1/65536 for its key (an exact power-of-two scaling)
KEY_CLIP = 30000.0  # |z| * 2^16 stays inside int32


def _int32(value):
    """An unsigned 32-bit constant as the int32 with the same bits."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _counters(n, offset=0):
    """``(offset + i) · φ`` for ``i < n`` as int32 bits (NumPy, wrap-around)."""
    i = np.arange(offset, offset + n, dtype=np.uint64)
    return ((i * PHI) & 0xFFFFFFFF).astype(np.uint32).view(np.int32)


def _shift_right(x, bits):
    """Logical right shift of int32 bits (``ops.right_shift`` is arithmetic on negatives)."""
    return ops.bitwise_and(ops.right_shift(x, bits), (1 << (32 - bits)) - 1)


def fmix32(h):
    """MurmurHash3's finalizer on int32 tensors (wrap-around multiplication)."""
    h = ops.bitwise_xor(h, _shift_right(h, 16))
    h = ops.multiply(h, ops.convert_to_tensor(_int32(_M1), "int32"))
    h = ops.bitwise_xor(h, _shift_right(h, 13))
    h = ops.multiply(h, ops.convert_to_tensor(_int32(_M2), "int32"))
    return ops.bitwise_xor(h, _shift_right(h, 16))


def _fmix32_int(h):
    """:func:`fmix32` of one Python int (for the constant stream salts)."""
    h &= 0xFFFFFFFF
    h ^= h >> 16
    h = (h * _M1) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * _M2) & 0xFFFFFFFF
    return _int32(h ^ (h >> 16))


def latent_keys(z):
    """One int32 key per row of ``z`` (batch, d): a hash of the row's values quantized to 2^-16."""
    z = ops.clip(ops.cast(z, "float32"), -KEY_CLIP, KEY_CLIP)
    q = ops.cast(ops.round(z * KEY_SCALE), "int32")
    hashed = fmix32(ops.add(q, ops.convert_to_tensor(_counters(int(z.shape[-1])))))
    return fmix32(ops.sum(hashed, axis=-1))


def hashed_uniform(keys, shape, stream):
    """Uniform numbers in [0, 1) of shape ``(batch,) + shape``, a function of each row's key, the
    ``stream`` (an int) and the element index only (float32, multiples of 2^-24)."""
    shape = tuple(int(s) for s in shape)
    rows = fmix32(ops.bitwise_xor(keys, _fmix32_int(int(stream))))
    counters = ops.convert_to_tensor(_counters(math.prod(shape)))
    bits = fmix32(ops.add(ops.expand_dims(rows, 1), ops.expand_dims(counters, 0)))
    u = ops.cast(_shift_right(bits, 8), "float32") * (2.0**-24)
    return ops.reshape(u, (-1,) + shape)


@keras.saving.register_keras_serializable(package="ganzoo")
class LatentNoise(keras.layers.Layer):
    """Inverted dropout (keep with probability ``1 - rate``, scale kept units by
    ``1 / (1 - rate)``) and additive N(0, ``stddev``²) noise, in that order, on a hidden output of
    G -- in training and in sampling alike. Called as ``layer(x, keys)`` with ``keys`` =
    :func:`latent_keys` of the latents of ``x``'s rows; ``index`` (the layer's position in G)
    gives every layer its own streams. The Gaussian draws use Box-Muller on two uniforms."""

    def __init__(self, rate=0.0, stddev=0.0, index=0, **kwargs):
        super().__init__(**kwargs)
        self.rate = validation.probability(rate, "dropout", open_right=True)
        self.stddev = validation.nonnegative_float(stddev, "noise_std")
        self.index = validation.nonnegative_int(index, "index")
        self.built = True

    def call(self, x, keys):
        shape = tuple(x.shape[1:])
        stream = 3 * self.index
        if self.rate > 0:
            keep = hashed_uniform(keys, shape, stream) >= self.rate
            x = ops.where(keep, x / ops.cast(1.0 - self.rate, x.dtype), ops.zeros_like(x))
        if self.stddev > 0:
            u1 = 1.0 - hashed_uniform(keys, shape, stream + 1)  # in (0, 1]
            u2 = hashed_uniform(keys, shape, stream + 2)
            normal = ops.sqrt(-2.0 * ops.log(u1)) * ops.cos((2.0 * math.pi) * u2)
            x = x + ops.cast(self.stddev * normal, x.dtype)
        return x

    def compute_output_shape(self, input_shape, keys_shape=None):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "stddev": self.stddev,
                "index": self.index}


def noise_layers(rate, stddev, count):
    """``count`` :class:`LatentNoise` layers (index 0, 1, ...) -- or an empty list when both
    ``rate`` and ``stddev`` are 0 (the generator is then exactly the one without the options)."""
    if not rate and not stddev:
        return []
    return [LatentNoise(rate, stddev, index=i, name=f"latent_noise{i}") for i in range(count)]
