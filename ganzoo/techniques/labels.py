"""D's targets: one-sided label smoothing and label noise. They need a loss whose D loss has
targets (:data:`ganzoo.losses.TARGET_LOSSES`: nonsat, minimax, lsgan); with hinge or
Wasserstein losses, which have none, the GAN refuses them when it is built."""

import keras
from keras import ops

from ganzoo import validation
from ganzoo.losses import TARGET_LOSSES
from ganzoo.techniques.base import Technique, register_technique


def flip_targets(real_target, fake_target, flip_real, flip_fake):
    """Swap the targets of flipped examples: a flipped real example gets the fake target and a
    flipped generated example the real one. ``flip_*`` are boolean masks of shape (batch, 1)."""
    real_target = ops.broadcast_to(real_target, ops.shape(flip_real))
    fake_target = ops.broadcast_to(fake_target, ops.shape(flip_fake))
    return (ops.where(flip_real, fake_target, real_target),
            ops.where(flip_fake, real_target, fake_target))


@register_technique
class OneSidedLabelSmoothing(Technique):
    """One-sided label smoothing (Salimans et al. 2016, sec. 3.4): D's target for real data is
    ``smoothing`` (0.9) and for generated data stays 0. (Keras's ``label_smoothing=`` argument of
    the cross-entropy losses smooths both sides, which the paper warns against.)"""

    key = "one_sided_label_smoothing"
    order = 20
    losses = TARGET_LOSSES
    paper = "Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016, sec. 3.4"

    def __init__(self, smoothing=0.9, **kwargs):
        super().__init__(**kwargs)
        self.smoothing = validation.probability(smoothing, f"{self.key}: smoothing",
                                                open_left=True)

    def d_targets(self, gan, real_target, fake_target):
        return ops.full_like(real_target, self.smoothing), fake_target

    def get_config(self):
        return {**super().get_config(), "smoothing": self.smoothing}


@register_technique
class LabelNoise(Technique):
    """Label noise: each of D's targets (real and generated examples alike) is flipped with
    probability ``p``, independently per example and step (the "flip labels occasionally" trick of
    Chintala et al.'s ganhacks; the noisy-label view of Arjovsky & Bottou 2017). Composes with
    one-sided smoothing: a flipped generated example gets the (smoothed) real target."""

    key = "label_noise"
    order = 30
    losses = TARGET_LOSSES
    paper = "Chintala et al., How to Train a GAN (ganhacks), 2016, trick 6"

    def __init__(self, p=0.05, **kwargs):
        super().__init__(**kwargs)
        # p = 0.5 would make every target a coin flip: D could learn nothing
        self.p = validation.probability(p, f"{self.key}: p", high=0.5, open_right=True)

    def d_targets(self, gan, real_target, fake_target):
        shape = ops.shape(real_target)
        flip_real = keras.random.uniform(shape, seed=gan.seed_generator) < self.p
        flip_fake = keras.random.uniform(ops.shape(fake_target), seed=gan.seed_generator) < self.p
        return flip_targets(real_target, fake_target, flip_real, flip_fake)

    def get_config(self):
        return {**super().get_config(), "p": self.p}
