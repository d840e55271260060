"""Custom Keras layers (backend-agnostic, ``keras.ops`` only)."""

from ganzoo.layers.latent_noise import LatentNoise
from ganzoo.layers.maxout import LinearMaxout
from ganzoo.layers.minibatch_discrimination import MinibatchDiscrimination
from ganzoo.layers.spectral_norm import SpectralNorm, spectral_normalize
from ganzoo.layers.virtual_batch_norm import VirtualBatchNormalization

__all__ = ["LatentNoise", "LinearMaxout", "MinibatchDiscrimination", "SpectralNorm",
           "VirtualBatchNormalization", "spectral_normalize"]
