"""Spectral normalization of D (Miyato et al. 2018): an architecture technique. The layer is
:class:`ganzoo.layers.SpectralNorm`; this technique asks the family for it (``norm="spectral"``)
and sets SNGAN's default loss."""

from ganzoo.techniques.base import Technique, register_technique


@register_technique
class SpectralNormalizationTechnique(Technique):
    """Spectral normalization (Miyato et al. 2018, SNGAN): every convolution and dense layer of
    D -- the logit layer, and minibatch discrimination's tensor and AC-GAN's classifier head when
    D has them, included -- uses ``W / σ(W)``, σ estimated by one power iteration per
    training forward pass with the vector ``u`` kept as a (saved) weight -- the authors' Chainer
    layers (pfnet-research/sngan_projection; see :mod:`ganzoo.layers.spectral_norm` for where
    they differ from the paper). D has no batch norm (``discriminator_kwargs``:
    ``norm="spectral"``).

    The loss defaults to the hinge loss, as SNGAN's code (``loss_type: hinge`` in its configs),
    through :attr:`engine_defaults`: a default, not a requirement.
    ``ganzoo.create(..., techniques=["spectral_norm"], loss="nonsat")`` (or any other loss)
    works, a technique that sets D's targets (label smoothing, label noise) needs such a target
    loss, and a technique that requires its loss wins: with ``wgan_gp`` the critic is
    spectrally normalized and trained with WGAN-GP's Wasserstein loss and penalty (WGAN-GP
    forbids batch norm in the critic, which makes an example's output depend on its batch;
    spectral normalization rescales the weights and keeps every example's output its own). The update rule and the optimizer are left to the recipe (SNGAN's
    settings vary: the paper's standard CNNs Adam 1e-4 / 2e-4 with β = (0.5, 0.9 or 0.999) and 1
    or 5 D steps per G step; the code's ResNet configs Adam(2e-4, β = (0, 0.9)) with 5).
    """

    key = "spectral_norm"
    order = 0
    engine_defaults = {"loss": "hinge"}
    discriminator_kwargs = {"norm": "spectral"}
    paper = ("Miyato, Kataoka, Koyama & Yoshida, Spectral Normalization for Generative "
             "Adversarial Networks, ICLR 2018, arXiv:1802.05957")
