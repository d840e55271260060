"""Randomness inside G: dropout in G at train *and* test time (ganhacks #17, as pix2pix) and
Gaussian noise injected into G's hidden layers. Both are generator options of every family
(``dropout`` / ``noise_std``); these techniques set them. The randomness is a hash of each
sample's latent vector (:mod:`ganzoo.layers.latent_noise`): ``sample(n, seed)`` stays
deterministic -- the same seed gives the same images -- and the noise of an image is the same in
any chunking and on every backend."""

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique

GANHACKS = ("Chintala, Denton, Arjovsky & Mathieu, How to Train a GAN? Tips and tricks to make "
            "GANs work (github soumith/ganhacks), #17 and #13; Isola et al., Image-to-Image "
            "Translation with Conditional Adversarial Networks (pix2pix), CVPR 2017, "
            "arXiv:1611.07004")


class _GeneratorOption(Technique):
    """What ``g_dropout`` and ``g_noise`` share: one generator option (checked on the built G by
    the options contract, :meth:`Technique.check`)."""

    option = None  # the generator option
    parameter = None  # the technique's own parameter that gives the option's value

    @property
    def value(self):
        return getattr(self, self.parameter)

    def get_config(self):
        return {**super().get_config(), self.parameter: self.value}

    @property
    def generator_kwargs(self):
        return {self.option: self.value}


@register_technique
class GeneratorDropout(_GeneratorOption):
    """Dropout in G: in both the train and the test phase (ganhacks #17: "provide noise in the
    form of dropout (50%) ... on several layers of our generator at both training and test
    time", after pix2pix, whose generator has no ``z`` and gets its randomness this way).
    Every hidden layer of G (DCGAN: the projection and each up-sampling block; MLP: each hidden
    layer) is followed, after its activation, by inverted dropout of ``rate`` (default 0.5:
    kept units scaled by 1 / (1 - rate)) -- the same when sampling, so samples are drawn from
    the distribution D was trained against. pix2pix drops out the first three of its eight
    decoder blocks; ganzoo's generators have two to four hidden layers and all of them drop."""

    key = "g_dropout"
    order = 0
    option = "dropout"
    parameter = "rate"
    paper = GANHACKS

    def __init__(self, rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.rate = validation.probability(rate, "g_dropout: rate", open_left=True,
                                           open_right=True)


@register_technique
class GeneratorNoise(_GeneratorOption):
    """Noise injection in G: Gaussian noise in G's layers (ganhacks #13: "adding gaussian noise
    to every layer of generator"). N(0, ``std``²) is added to the output of every hidden layer of G,
    after its activation (after the dropout of ``g_dropout`` when both are used). Like dropout in
    G it is part of the generator -- present in training and in sampling -- so G's samples have
    the randomness D saw. ``std`` = 0.1 by default (ganhacks gives no value; the hidden
    activations follow batch norm and a ReLU, so this is about a tenth of their scale)."""

    key = "g_noise"
    order = 0
    option = "noise_std"
    parameter = "std"
    paper = GANHACKS

    def __init__(self, std=0.1, **kwargs):
        super().__init__(**kwargs)
        self.std = validation.positive_float(std, "g_noise: std")
