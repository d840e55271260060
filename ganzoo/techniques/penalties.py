"""Gradient penalties on D: WGAN-GP, DRAGAN and R1. Input gradients come from
:func:`ganzoo.backend.input_gradient` (the one module that knows the backend's autodiff), so each
penalty is differentiable again with respect to D's weights and is minimized by D's own optimizer
step -- there is no separate penalty step. All three act on D's logit (the critic's output)."""

import keras
from keras import ops

from ganzoo import backend, validation
from ganzoo.models.options import Excluding
from ganzoo.techniques.base import Technique, WassersteinCritic, register_technique


NORM_EPSILON = 1e-12


def gradient_norms(grads):
    """Per-example L2 norm over every non-batch axis: ``sqrt(Σ g² + 1e-12)``.

    The authors' code has no epsilon. We add one because an input gradient that is exactly zero
    (a ReLU discriminator whose units are all off at a point -- it happened on ring8) makes the
    derivative of the square root infinite and the whole step NaN; 1e-12 changes the norm by at
    most 1e-6.
    """
    grads = ops.cast(grads, "float32")  # (16-bit input gradients under mixed precision)
    axes = tuple(range(1, len(grads.shape)))
    return ops.sqrt(ops.sum(ops.square(grads), axis=axes) + NORM_EPSILON)


def _per_example(values, like):
    return ops.reshape(ops.convert_to_tensor(values), (-1,) + (1,) * (len(like.shape) - 1))


def wgan_gp_penalty(critic, real, fake, epsilon, weight=10.0):
    """``weight * E[(||∇D(x̂)||₂ - 1)²]`` at ``x̂ = real + ε (fake - real)``, one ε per example
    (shape (batch,)) -- Gulrajani et al. 2017, Algorithm 1."""
    real = ops.convert_to_tensor(real)
    fake = ops.cast(fake, real.dtype)  # (G's 16-bit images, real in float32: mixed precision)
    x_hat = real + _per_example(epsilon, real) * (fake - real)
    _, grads = backend.input_gradient(critic, x_hat)
    return weight * ops.mean(ops.square(gradient_norms(grads) - 1.0))


def dragan_points(real, uniform, alpha, scale=0.5):
    """DRAGAN's sample points as in the authors' notebook (kodalinaveen3/DRAGAN):
    ``x_p = x + scale · std(x) · u`` with ``u ~ U[0, 1)`` per element and ``std`` the batch's
    (population) standard deviation over all elements; ``x̂ = x + α (x_p - x)``, ``α ~ U[0, 1]``
    per example."""
    real, uniform = ops.convert_to_tensor(real), ops.convert_to_tensor(uniform)
    perturbed = real + scale * ops.std(real) * uniform
    return real + _per_example(alpha, real) * (perturbed - real)


def dragan_penalty(critic, real, uniform, alpha, weight=10.0, scale=0.5):
    """``weight * E[(||∇D(x̂)||₂ - 1)²]`` at :func:`dragan_points` (Kodali et al. 2017)."""
    _, grads = backend.input_gradient(critic, dragan_points(real, uniform, alpha, scale))
    return weight * ops.mean(ops.square(gradient_norms(grads) - 1.0))


def r1_penalty(critic, real, reg_param=10.0):
    """``reg_param * E_real[||∇D(x)||²]``, as the authors' code computes it (Mescheder et al.'s
    ``GAN_stability/gan_training/train.py``: ``reg_param * compute_grad2(d_real, x_real).mean()``,
    no ½). The paper writes ``(γ/2) E[||∇D(x)||²]`` (eq. 9), so ``reg_param = γ/2``: their
    configs' ``reg_param: 10`` is the paper's γ = 20."""
    _, grads = backend.input_gradient(critic, ops.convert_to_tensor(real))
    grads = ops.cast(grads, "float32")  # (16-bit input gradients under mixed precision)
    axes = tuple(range(1, len(grads.shape)))
    return reg_param * ops.mean(ops.sum(ops.square(grads), axis=axes))


def _critic(gan, labels=None):
    """D's logit as a function of its input alone; a D conditioned on its input (cGAN) sees
    ``labels``, the classes of the points the penalty is taken at, held fixed."""
    if labels is not None and getattr(gan.discriminator, "takes_labels", False):
        return lambda x: gan.discriminator(x, training=True, labels=labels)
    return lambda x: gan.discriminator(x, training=True)


@register_technique
class WGANGP(WassersteinCritic):
    """WGAN-GP (Gulrajani et al. 2017): Wasserstein loss, gradient penalty λ=10 at random
    interpolates of real and generated data, ``n_critic`` = 5 critic steps (each on a fresh real
    batch) per generator step, no batch norm in the critic, Adam(1e-4, β=(0.5, 0.9)) -- the settings
    of the authors' MNIST code (igul222/improved_wgan_training, ``gan_mnist.py``).

    The critic may have any normalization but batch norm (``discriminator_kwargs``: ``norm`` any
    but ``"batch"``, default none): the authors rule out batch norm because it makes an
    example's output depend on the other examples of its batch, so the per-example gradient the
    penalty constrains is not a property of the critic (sec. 4; they suggest layer norm).
    Spectral normalization (``spectral_norm``) divides each weight by its spectral norm and
    keeps every example's output its own, so it combines with the penalty (as in the SN + GP
    runs of Kurach et al. 2019, *A Large-Scale Study of Regularization and Normalization in
    GANs*)."""

    key = "wgan_gp"
    order = 40
    group = "gradient penalty"
    hparams = {"learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.9}
    discriminator_kwargs = {"norm": Excluding(
        "batch", default=None,
        reason="WGAN-GP penalizes each example's gradient; batch norm in the critic makes an "
               "example's output depend on its batch (Gulrajani et al. 2017, sec. 4)")}
    paper = "Gulrajani et al., Improved Training of Wasserstein GANs, NeurIPS 2017, arXiv:1704.00028"

    def __init__(self, weight=10.0, n_critic=5, **kwargs):
        super().__init__(n_critic=n_critic, **kwargs)
        self.weight = validation.nonnegative_float(weight, f"{self.key}: weight")

    def d_penalty(self, gan, ctx):
        real, fake = ctx.real_in, ops.stop_gradient(ctx.fake_in)
        epsilon = gan.draw(keras.random.uniform, (ops.shape(real)[0],))
        return wgan_gp_penalty(_critic(gan), real, fake, epsilon, self.weight)

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register_technique
class DRAGAN(Technique):
    """DRAGAN (Kodali et al. 2017): gradient penalty λ=10 around perturbed real data. Follows the
    authors' notebook (uniform perturbation scaled by half the batch's standard deviation, see
    :func:`dragan_points`) rather than the paper's final version (x + δ with Gaussian δ); the
    penalty acts on D's logit."""

    key = "dragan"
    order = 40
    group = "gradient penalty"
    at_real_points = True  # perturbed real points keep their class: fine with a cGAN's D
    paper = "Kodali et al., On Convergence and Stability of GANs, 2017, arXiv:1705.07215"

    def __init__(self, weight=10.0, scale=0.5, **kwargs):
        super().__init__(**kwargs)
        self.weight = validation.nonnegative_float(weight, f"{self.key}: weight")
        self.scale = validation.nonnegative_float(scale, f"{self.key}: scale")

    def d_penalty(self, gan, ctx):
        real = ctx.real_in
        uniform = gan.draw(keras.random.uniform, ops.shape(real), dtype=real.dtype)
        alpha = gan.draw(keras.random.uniform, (ops.shape(real)[0],), dtype=real.dtype)
        return dragan_penalty(_critic(gan, ctx.labels), real, uniform, alpha, self.weight,
                              self.scale)

    def get_config(self):
        return {**super().get_config(), "weight": self.weight, "scale": self.scale}


@register_technique
class R1(Technique):
    """R1 regularization (Mescheder et al. 2018): ``reg_param * E_real ||∇D(x)||²`` on D's logit,
    every step, in the authors' code's convention (``reg_param`` default 10, their configs').

    The paper writes the penalty as ``(γ/2) E||∇D(x)||²``; its code has no ½, so ``reg_param``
    is γ/2. ``gamma=`` is accepted as the paper's γ and converted (``reg_param = gamma / 2``):
    checkpoints saved before ganzoo followed the code say ``gamma`` and load with exactly the
    strength they were trained with. Give one of the two."""

    key = "r1"
    order = 40
    group = "gradient penalty"
    at_real_points = True  # real points with their classes: fine with a cGAN's D
    paper = "Mescheder, Geiger & Nowozin, Which Training Methods for GANs do actually Converge?, ICML 2018"

    def __init__(self, reg_param=None, gamma=None, **kwargs):
        super().__init__(**kwargs)
        if reg_param is not None and gamma is not None:
            raise ValueError(f"{self.key}: give reg_param= (the authors' code) or gamma= (the "
                             f"paper's γ = 2 * reg_param), not both; got reg_param={reg_param!r}, "
                             f"gamma={gamma!r}")
        if gamma is not None:
            reg_param = validation.nonnegative_float(gamma, f"{self.key}: gamma") / 2.0
        self.reg_param = validation.nonnegative_float(
            10.0 if reg_param is None else reg_param, f"{self.key}: reg_param")

    def d_penalty(self, gan, ctx):
        return r1_penalty(_critic(gan, ctx.labels), ctx.real_in, self.reg_param)

    def get_config(self):
        return {**super().get_config(), "reg_param": self.reg_param}
