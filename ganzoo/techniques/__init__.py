"""Stabilization techniques as composable units (see :mod:`ganzoo.techniques.base`).

``ganzoo.create("dcgan", dataset="mnist", techniques=["feature_matching", ...])`` builds a GAN with
any combination; ``list_techniques()`` names them all.
"""

from ganzoo.techniques.base import (  # noqa: F401
    TECHNIQUES, Technique, engine_of, get_technique, merge_options, register_technique, resolve,
    technique_parameters, technique_specs,
)
from ganzoo.techniques.augment import DiffAugment, diff_augment  # noqa: F401
from ganzoo.techniques.averaging import GeneratorEMA, decay_for_half_life, ema_beta  # noqa: F401
from ganzoo.techniques.clipping import WeightClipping, clip_weights  # noqa: F401
from ganzoo.techniques.conditional import (  # noqa: F401
    ACGAN, ConditionalGAN, class_cross_entropy, with_dataset_classes,
)
from ganzoo.techniques.generator_noise import GeneratorDropout, GeneratorNoise  # noqa: F401
from ganzoo.techniques.labels import LabelNoise, OneSidedLabelSmoothing, flip_targets  # noqa: F401
from ganzoo.techniques.madgan import MADGAN  # noqa: F401
from ganzoo.techniques.noise import InstanceNoise, instance_noise_sigma  # noqa: F401
from ganzoo.techniques.packing import PacGAN, pack, unpack  # noqa: F401
from ganzoo.techniques.penalties import (  # noqa: F401
    DRAGAN, R1, WGANGP, dragan_penalty, dragan_points, gradient_norms, r1_penalty, wgan_gp_penalty,
)
from ganzoo.techniques.salimans import (  # noqa: F401
    FeatureMatching, HistoricalAveraging, MinibatchDiscriminationTechnique,
    VirtualBatchNormalizationTechnique, feature_matching_loss, historical_penalty,
    running_average,
)
from ganzoo.techniques.spectral import SpectralNormalizationTechnique  # noqa: F401
from ganzoo.techniques.ttur import TTUR  # noqa: F401


def list_techniques():
    """The registered technique names, sorted."""
    return sorted(TECHNIQUES)
