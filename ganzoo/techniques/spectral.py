"""Spectral normalization of D (Miyato et al. 2018): an architecture technique. The layer is
:class:`ganzoo.layers.SpectralNorm`; this technique asks the family for it (``norm="spectral"``)
and sets SNGAN's default loss."""

from ganzoo.layers import SpectralNorm
from ganzoo.techniques.base import Technique, contains_layer, register_technique


@register_technique
class SpectralNormalizationTechnique(Technique):
    """Spectral normalization (Miyato et al. 2018, SNGAN): every convolution and dense layer of
    D, the logit layer included, uses ``W / σ(W)``, σ estimated by one power iteration per
    training forward pass with the vector ``u`` kept as a (saved) weight -- the authors' Chainer
    layers (pfnet-research/sngan_projection; see :mod:`ganzoo.layers.spectral_norm` for where
    they differ from the paper). D has no batch norm (``discriminator_kwargs``:
    ``norm="spectral"``).

    The loss defaults to the hinge loss, as SNGAN's code (``loss_type: hinge`` in its configs),
    through :attr:`engine`; unlike other techniques' engine losses it is a default, not a
    requirement: ``ganzoo.create(..., techniques=["spectral_norm"], loss="nonsat")`` (or any
    other loss) works, and a technique that sets D's targets (label smoothing, label noise) needs
    such a target loss. The update rule and the optimizer are left to the recipe (SNGAN's
    settings vary: the paper's standard CNNs Adam 1e-4 / 2e-4 with β = (0.5, 0.9 or 0.999) and 1
    or 5 D steps per G step; the code's ResNet configs Adam(2e-4, β = (0, 0.9)) with 5).
    """

    key = "spectral_norm"
    order = 0
    engine = {"loss": "hinge"}
    discriminator_kwargs = {"norm": "spectral"}
    paper = ("Miyato, Kataoka, Koyama & Yoshida, Spectral Normalization for Generative "
             "Adversarial Networks, ICLR 2018, arXiv:1802.05957")

    def check(self, gan):
        # No super().check(): the engine's loss is SNGAN's default here, not a requirement.
        if not contains_layer(gan.discriminator, SpectralNorm):
            raise ValueError(
                "technique 'spectral_norm' needs a discriminator with SpectralNorm layers; build "
                "it with norm='spectral' (DCGANDiscriminator or MLPDiscriminator; ganzoo.create "
                "does this)"
            )
