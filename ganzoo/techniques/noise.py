"""Instance noise on D's inputs, annealed to zero (Sønderby et al. 2017; Arjovsky & Bottou 2017)."""

import keras
from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique


def instance_noise_sigma(step, sigma, anneal_steps):
    """Linear schedule: ``sigma * max(0, 1 - step / anneal_steps)``."""
    step = ops.cast(step, "float32")
    return sigma * ops.maximum(0.0, 1.0 - step / float(anneal_steps))


@register_technique
class InstanceNoise(Technique):
    """Adds N(0, σ_t²) noise to every input of D -- real and generated, in D's and in G's loss --
    with σ_t annealed linearly from ``sigma`` to 0 over ``anneal_steps`` training steps. The step
    counter is a (non-trainable) weight of this layer, saved and resumed by ``ganzoo train``; a
    loaded checkpoint (weights only) starts the schedule again, so fine-tuning re-anneals."""

    key = "instance_noise"
    order = 10
    paper = ("Sønderby et al., Amortised MAP Inference for Image Super-resolution, ICLR 2017, "
             "sec. 3.4; Arjovsky & Bottou, Towards Principled Methods for Training GANs, ICLR 2017")

    def __init__(self, sigma=0.1, anneal_steps=5000, **kwargs):
        super().__init__(**kwargs)
        self.sigma = validation.nonnegative_float(sigma, f"{self.key}: sigma")
        self.anneal_steps = validation.positive_int(anneal_steps, f"{self.key}: anneal_steps")
        self.step = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                    trainable=False, name="step")

    def current_sigma(self):
        return instance_noise_sigma(self.step, self.sigma, self.anneal_steps)

    def d_input(self, gan, x):
        noise = gan.draw(keras.random.normal, ops.shape(x), dtype=x.dtype)
        return x + ops.cast(self.current_sigma(), x.dtype) * noise

    def update_state(self, gan):
        self.step.assign(self.step + 1)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma, "anneal_steps": self.anneal_steps}
