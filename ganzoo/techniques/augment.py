"""Differentiable augmentation (DiffAugment, Zhao et al. 2020): D sees every image -- real and
generated, in D's and in G's loss -- through the same kind of random, differentiable transform, so
G's gradient flows through it and D cannot overfit a small training set.

The transforms are pure functions of the images and their random draws (tested against
hand-computed values), written in ``keras.ops``: ``brightness``, ``saturation``, ``contrast``
(the policy ``color``), ``translation`` and ``cutout``. :func:`diff_augment` draws the random
values from a ``keras.random.SeedGenerator`` (the GAN's, whose state is saved and resumed, so a
resumed run draws what an uninterrupted one would) and applies a policy.
"""

import keras
from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique

DIFFAUGMENT_PAPER = ("Zhao et al., Differentiable Augmentation for Data-Efficient GAN Training, "
                     "NeurIPS 2020, arXiv:2006.10738")

# The policies of the authors' code, in the order their transforms are applied within each.
POLICIES = {
    "color": ("brightness", "saturation", "contrast"),
    "translation": ("translation",),
    "cutout": ("cutout",),
}
DEFAULT_POLICY = "color,translation,cutout"


def _per_image(u, x):
    """``u`` (shape (batch,)) reshaped to broadcast over an image batch ``x``."""
    return ops.reshape(ops.cast(u, x.dtype), (-1, 1, 1, 1))


# ------------------------------------------------------------------ the transforms, pure
def brightness(x, u):
    """``x + (u - 0.5)``: one shift per image, ``u`` uniform in [0, 1), shape (batch,)."""
    x = ops.convert_to_tensor(x)
    return x + (_per_image(u, x) - 0.5)


def saturation(x, u):
    """``(x - m) · 2u + m`` with ``m`` each pixel's mean over the channels (a no-op on a single
    channel, where ``m = x``)."""
    x = ops.convert_to_tensor(x)
    mean = ops.mean(x, axis=-1, keepdims=True)
    return (x - mean) * (_per_image(u, x) * 2.0) + mean


def contrast(x, u):
    """``(x - m) · (u + 0.5) + m`` with ``m`` each image's mean over all its pixels and
    channels."""
    x = ops.convert_to_tensor(x)
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * (_per_image(u, x) + 0.5) + mean


def translation_shift(size, ratio=0.125):
    """The largest shift, in pixels, of an image side of ``size``: ``int(size · ratio + 0.5)``."""
    return int(size * ratio + 0.5)


def _shift_matrix(shift, size, dtype):
    """(batch, size, size) 0/1 matrices ``S[b, i, k] = [k == i + shift_b]``: ``S @ x`` moves the
    content of ``x`` by ``-shift_b`` along the axis, with zeros where it leaves the image."""
    index = ops.arange(size, dtype="int32")
    target = ops.expand_dims(index, 0) + ops.expand_dims(ops.cast(shift, "int32"), 1)  # (b, i)
    return ops.cast(ops.equal(ops.expand_dims(target, 2), ops.reshape(index, (1, 1, size))),
                    dtype)


def translation(x, shift_h, shift_w):
    """``out[b, i, j] = x[b, i + shift_h[b], j + shift_w[b]]``, zero where that pixel is outside
    the image (the authors' zero-padded gather). ``shift_*``: integers, shape (batch,), drawn
    uniformly in ``[-s, s]`` with ``s`` = :func:`translation_shift`. Written as a product with 0/1
    matrices, so it is exact and differentiable in ``x`` on every backend."""
    x = ops.convert_to_tensor(x)
    height, width = int(x.shape[1]), int(x.shape[2])
    rows = _shift_matrix(shift_h, height, x.dtype)
    cols = _shift_matrix(shift_w, width, x.dtype)
    x = ops.einsum("bik,bkwc->biwc", rows, x)
    return ops.einsum("bjl,bilc->bijc", cols, x)


def cutout_size(size, ratio=0.5):
    """The side of the cut-out square along an image side of ``size``:
    ``int(size · ratio + 0.5)``."""
    return int(size * ratio + 0.5)


def cutout_mask(offset_h, offset_w, height, width, ratio=0.5, dtype="float32"):
    """(batch, height, width, 1) masks: 0 inside each image's rectangle of ``cutout_size`` sides
    starting at ``offset - size // 2`` (rows and columns), 1 elsewhere. ``offset_*``: integers,
    shape (batch,), drawn uniformly in ``[0, side + (1 - size % 2))``.

    The authors' code clamps the rectangle's indices into the image before scattering zeros;
    every rectangle it draws overlaps the image, so the clamp only repeats indices of border
    pixels that are inside the rectangle anyway: the mask is the rectangle cut to the image."""
    masks = []
    for offset, side, frac_size in ((offset_h, height, cutout_size(height, ratio)),
                                    (offset_w, width, cutout_size(width, ratio))):
        start = ops.expand_dims(ops.cast(offset, "int32") - frac_size // 2, 1)  # (b, 1)
        index = ops.expand_dims(ops.arange(side, dtype="int32"), 0)  # (1, side)
        masks.append(ops.logical_and(index >= start, index < start + frac_size))
    inside = ops.logical_and(ops.expand_dims(masks[0], 2), ops.expand_dims(masks[1], 1))
    return ops.expand_dims(1.0 - ops.cast(inside, dtype), -1)


def cutout(x, offset_h, offset_w, ratio=0.5):
    """``x`` with one rectangle per image set to 0 (see :func:`cutout_mask`)."""
    x = ops.convert_to_tensor(x)
    height, width = int(x.shape[1]), int(x.shape[2])
    return x * cutout_mask(offset_h, offset_w, height, width, ratio, x.dtype)


# ----------------------------------------------------------------------- policy and draws
def parse_policy(policy):
    """``"color,translation,cutout"`` -> ``("color", "translation", "cutout")``, checked."""
    if not isinstance(policy, str):
        raise ValueError(f"diffaugment: policy must be a comma-separated string of "
                         f"{', '.join(POLICIES)}; got {policy!r}")
    names = tuple(p.strip() for p in policy.split(",")) if policy.strip() else ()
    if not names:
        raise ValueError(f"diffaugment: policy is empty; give one or more of "
                         f"{', '.join(POLICIES)}, comma-separated (the authors' default: "
                         f"{DEFAULT_POLICY!r})")
    for name in names:
        validation.choice(name, "diffaugment: each name in the policy", tuple(POLICIES))
    if len(set(names)) != len(names):
        raise ValueError(f"diffaugment: policy {policy!r} names a transform twice")
    return names


def diff_augment(x, policy=DEFAULT_POLICY, seed=None, translation_ratio=0.125, cutout_ratio=0.5):
    """Apply the policy's transforms, in its order, with random draws from ``seed`` (a
    ``keras.random.SeedGenerator`` or an int), drawn in the order of the authors' code:
    brightness, saturation, contrast (uniform, one per image), the translation's two shifts, the
    cutout's two offsets (integers, one per image)."""
    x = ops.convert_to_tensor(x)
    batch = ops.shape(x)[0]
    height, width = int(x.shape[1]), int(x.shape[2])

    def uniform():
        return keras.random.uniform((batch,), seed=seed, dtype=x.dtype)

    def integers(low, high):  # uniform in [low, high)
        return keras.random.randint((batch,), low, high, seed=seed, dtype="int32")

    for name in parse_policy(policy):
        if name == "color":
            x = brightness(x, uniform())
            x = saturation(x, uniform())
            x = contrast(x, uniform())
        elif name == "translation":
            sh = translation_shift(height, translation_ratio)
            sw = translation_shift(width, translation_ratio)
            x = translation(x, integers(-sh, sh + 1), integers(-sw, sw + 1))
        else:
            ch, cw = cutout_size(height, cutout_ratio), cutout_size(width, cutout_ratio)
            x = cutout(x, integers(0, height + (1 - ch % 2)), integers(0, width + (1 - cw % 2)),
                       cutout_ratio)
    return x


@register_technique
class DiffAugment(Technique):
    """DiffAugment (Zhao et al. 2020): every input of D -- the real batch and the generated one,
    in D's step and in G's step -- goes through a random differentiable transform, with fresh
    draws for each batch (as in the authors' code, which calls ``DiffAugment`` on each input of D
    separately). Exact to the authors' ``DiffAugment_tf.py`` / ``DiffAugment_pytorch.py``:
    policy ``"color,translation,cutout"`` (their default and their recommendation for small
    datasets; for large ones they suggest a subset, e.g. ``"translation,cutout"`` for BigGAN on
    the full CIFAR-10), colour = brightness ``+ U[-0.5, 0.5)``, saturation ``× U[0, 2)``,
    contrast ``× U[0.5, 1.5)`` (on [-1, 1] images, as in their code); translation by up to
    ``int(side · 1/8 + 0.5)`` pixels per axis with zero fill (4 on 28 x 28 and on 32 x 32);
    cutout of a square of ``int(side · 1/2 + 0.5)`` pixels (14 on 28 x 28, 16 on 32 x 32),
    placed as their code does. Random numbers come from the GAN's seeded stream (saved and
    resumed with the weights); the streams of the three backends differ, the transforms do not.

    Images only: a 2-D toy (points) is refused. On single-channel images saturation is the
    identity (their formula), and its draw is still taken.
    """

    key = "diffaugment"
    order = 5  # before instance noise: D sees the augmented image, then the noise
    paper = DIFFAUGMENT_PAPER

    def __init__(self, policy=DEFAULT_POLICY, translation_ratio=0.125, cutout_ratio=0.5,
                 **kwargs):
        super().__init__(**kwargs)
        self.policy = ",".join(parse_policy(policy))
        self.translation_ratio = validation.probability(
            translation_ratio, f"{self.key}: translation_ratio", open_right=True)
        self.cutout_ratio = validation.probability(cutout_ratio, f"{self.key}: cutout_ratio",
                                                   open_left=True)

    def check(self, gan):
        super().check(gan)
        if len(gan.image_shape) != 3:
            raise ValueError(
                f"technique 'diffaugment' translates, cuts out and recolours images; this GAN's "
                f"samples have shape {tuple(gan.image_shape)} (a 2-D toy, not images). Use it "
                "with an image dataset (e.g. 'mnist')."
            )

    def d_input(self, gan, x):
        return diff_augment(x, self.policy, gan.seed_generator, self.translation_ratio,
                            self.cutout_ratio)

    def get_config(self):
        return {**super().get_config(), "policy": self.policy,
                "translation_ratio": self.translation_ratio, "cutout_ratio": self.cutout_ratio}
