"""Use the labels: the conditional GAN (Mirza & Osindero 2014) and AC-GAN (Odena et al. 2017).

Both make G class-conditional (``num_classes=K`` on the generator: the one-hot class is
concatenated to ``z``) and train on ``(images, labels)`` batches of a dataset with classes
(``needs_labels``); they differ in how D uses the class:

* ``cgan``: D is conditioned on its input (``condition="input"``: the one-hot class as K extra
  input channels / features); it judges whether an image is a real image *of that class*.
* ``acgan``: D is not conditioned; it has an auxiliary classifier head (``condition="auxiliary"``)
  and both players add a class cross-entropy to their losses.

``ganzoo.create("dcgan", dataset="mnist", techniques=["cgan"])`` sets the class count from the
dataset (:func:`with_dataset_classes`) and refuses a dataset without classes (the 2-D toys). The
step draws the generated batch's classes through :meth:`choose_fake_labels`; sample a class with
``gan.sample(n, seed, labels=3)``.
"""

from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import (
    Technique, get_technique, register_technique, technique_parameters,
)

FAKE_LABELS = ("real", "uniform")
MIRZA = "Mirza & Osindero, Conditional Generative Adversarial Nets, 2014, arXiv:1411.1784"
ODENA = ("Odena, Olah & Shlens, Conditional Image Synthesis with Auxiliary Classifier GANs, "
         "ICML 2017, arXiv:1610.09585")


def class_cross_entropy(labels, logits):
    """Mean softmax cross-entropy of int ``labels`` (batch,) under class ``logits`` (batch, K):
    ``mean(logsumexp(logits) - logits[label])``."""
    logits = ops.convert_to_tensor(logits)
    onehot = ops.one_hot(ops.reshape(labels, (-1,)), ops.shape(logits)[-1], dtype=logits.dtype)
    return ops.mean(ops.logsumexp(logits, axis=-1) - ops.sum(onehot * logits, axis=-1))


class ClassConditional(Technique):
    """What ``cgan`` and ``acgan`` share: the class count, the generated batch's classes, the
    checks. Not registered itself."""

    needs_labels = True
    group = "class condition"
    condition = None  # D's option: "input" (cGAN) or "auxiliary" (AC-GAN)
    default_fake_labels = "uniform"

    def __init__(self, num_classes=None, fake_labels=None, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = (None if num_classes is None else validation.integer(
            num_classes, f"{self.key}: num_classes", minimum=2))
        self.fake_labels = validation.choice(
            self.default_fake_labels if fake_labels is None else fake_labels,
            f"{self.key}: fake_labels", FAKE_LABELS)

    @property
    def generator_kwargs(self):
        return {} if self.num_classes is None else {"num_classes": self.num_classes}

    @property
    def discriminator_kwargs(self):
        if self.num_classes is None:
            return {"condition": self.condition}
        return {"num_classes": self.num_classes, "condition": self.condition}

    def check(self, gan):
        # the relation of G's and D's classes first (it names both); then the options contract
        G, D = gan.generator, gan.discriminator
        if getattr(G, "num_classes", None) is None:
            raise ValueError(
                f"technique {self.key!r} needs a class-conditional generator (num_classes=K, e.g. "
                f"DCGANGenerator(num_classes=10)); ganzoo.create(..., techniques=[{self.key!r}]) "
                "builds it from the dataset's classes")
        if self.num_classes is not None and G.num_classes != self.num_classes:
            raise ValueError(f"technique {self.key!r} has num_classes={self.num_classes}; the "
                             f"generator is built for {G.num_classes}")
        if getattr(D, "num_classes", None) != G.num_classes or getattr(
                D, "condition", None) != self.condition:
            raise ValueError(
                f"technique {self.key!r} needs a discriminator with num_classes={G.num_classes}, "
                f"condition={self.condition!r}; got num_classes="
                f"{getattr(D, 'num_classes', None)!r}, condition={getattr(D, 'condition', None)!r}")
        super().check(gan)

    def choose_fake_labels(self, gan, labels, batch):
        if self.fake_labels == "real":
            if labels is None:
                raise ValueError(f"technique {self.key!r} (fake_labels='real') generates the "
                                 "real batch's classes, but the batch has no labels")
            return labels
        return None  # the GAN's default: uniform over the classes

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "fake_labels": self.fake_labels}


@register_technique
class ConditionalGAN(ClassConditional):
    """Conditional GAN (Mirza & Osindero 2014): G and D both see the class. G gets the one-hot
    class concatenated to ``z``; D gets it as K extra constant input channels of the image (a
    point's extra features), and tells real (image, class) pairs from generated ones.

    The paper's MNIST nets (maxout MLPs) first map ``z`` and ``y`` (resp. ``x`` and ``y``)
    through separate hidden layers and join them; ganzoo joins them at the input, as the keras.io
    "Conditional GAN" example (and DCGAN-tensorflow's ``y_dim`` option) do for conv nets. The
    generated batch has the *real batch's* classes (``fake_labels="real"``), as in both of those
    reference codes; ``fake_labels="uniform"`` draws them uniformly instead (PyTorch-GAN's
    ``cgan.py``). The loss is unchanged: D's loss and G's loss are the GAN's loss family,
    conditioned.

    Combines with R1 and DRAGAN, whose penalty is taken at real points (perturbed, for DRAGAN)
    with those points' classes held fixed in D's condition (as conditional StyleGAN2-ADA takes
    R1); not with ``wgan_gp``, whose interpolates between real and generated points have no
    class.
    """

    key = "cgan"
    order = 0
    condition = "input"
    default_fake_labels = "real"
    paper = MIRZA

    def check(self, gan):
        super().check(gan)
        penalties = [t.key for t in gan.techniques if t.group == "gradient penalty"
                     and not getattr(t, "at_real_points", False)]
        if penalties:
            raise ValueError(f"technique 'cgan' cannot be combined with the gradient penalty "
                             f"{penalties[0]!r}: it is taken at points between real and generated "
                             "data, which have no class for D's condition (R1 and DRAGAN, taken "
                             "at real points with their classes, combine; or use 'acgan', whose "
                             "D is not conditioned on its input)")


@register_technique
class ACGAN(ClassConditional):
    """AC-GAN (Odena, Olah & Shlens 2017): G is class-conditional; D is not, but has an auxiliary
    classifier head -- ``num_classes`` logits on D's features (the input of its real/fake logit),
    ``D.classify(features)``. With ``CE`` the mean softmax cross-entropy
    (:func:`class_cross_entropy`) and ``w = class_weight``::

        D's loss += w * (CE(real labels, C(x_real)) + CE(fake labels, C(G(z, c))))
        G's loss += w * CE(fake labels, C(G(z, c)))

    the paper's objective (sec. 3: D maximizes ``L_S + L_C``, G maximizes ``L_C - L_S``, with
    ``L_C`` the log-likelihood of the right class on real *and* generated images), at ``w = 1``
    beside ganzoo's losses (D's: the sum of the real and the fake term, like ``L_S``). The
    generated batch's classes are uniform (``fake_labels="uniform"``), as in the widely used
    reference codes (the Keras example ``mnist_acgan.py``; PyTorch-GAN ``acgan.py``).

    Where the code differs from the paper: the Keras example ``mnist_acgan.py`` does *not* train
    D's classifier on generated images (sample weight 0 there, 2 on the real ones, citing the
    ICLR 2017 OpenReview discussion of the paper: D learning to classify bad samples
    correctly does not help G); ``fake_class_loss=False`` does the same (D's class term on real
    images only; that example's mean over the real+fake batch makes its weight relative to the
    adversarial loss ``class_weight = 2`` in ganzoo's convention). PyTorch-GAN's ``acgan.py``
    follows the paper's terms, each player's loss halved (the same as ``w = 1`` at half the
    learning rate). D's class loss is reported in the ``penalty`` metric (it is a term a
    technique adds to D's loss).
    """

    key = "acgan"
    order = 55  # after feature matching (which replaces G's loss): the class term is added
    condition = "auxiliary"
    paper = ODENA

    def __init__(self, num_classes=None, fake_labels=None, class_weight=1.0,
                 fake_class_loss=True, **kwargs):
        super().__init__(num_classes=num_classes, fake_labels=fake_labels, **kwargs)
        self.class_weight = validation.nonnegative_float(class_weight, "acgan: class_weight")
        if not isinstance(fake_class_loss, bool):
            raise ValueError(f"acgan: fake_class_loss must be True or False; got "
                             f"{fake_class_loss!r}")
        self.fake_class_loss = fake_class_loss

    def d_penalty(self, gan, ctx):
        D = gan.discriminator
        ctx.ensure_real()
        loss = class_cross_entropy(ctx.labels, D.classify(ctx.real_features, training=True))
        if self.fake_class_loss:
            loss = loss + class_cross_entropy(ctx.fake_labels,
                                              D.classify(ctx.fake_features, training=True))
        return self.class_weight * loss

    def g_loss(self, gan, loss, ctx):
        fake = class_cross_entropy(ctx.fake_labels,
                                   gan.discriminator.classify(ctx.fake_features, training=True))
        return loss + self.class_weight * fake

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight,
                "fake_class_loss": self.fake_class_loss}


def _dataset_classes(dataset, key):
    from ganzoo import data

    classes = data.spec(dataset).num_classes
    if classes is None:
        labeled = ", ".join(n for n in data.names() if data.spec(n).num_classes)
        raise ValueError(
            f"technique {key!r} trains on class labels, but the dataset {dataset!r} has no "
            f"classes (a 2-D toy of points: its mode indices are not class labels). Use a "
            f"labeled dataset ({labeled}).")
    return classes


def with_dataset_classes(specs, dataset):
    """``specs`` with ``num_classes`` set to ``dataset``'s class count for every technique that
    needs labels; a dataset without classes, or a ``num_classes`` that differs from the
    dataset's, is a ``ValueError``. Other specs are returned as they are."""
    out = []
    for spec in specs:
        technique = get_technique(spec)
        if not technique.needs_labels:
            out.append(spec)
            continue
        classes = _dataset_classes(dataset, technique.key)
        if "num_classes" in technique_parameters(type(technique)):
            given = technique.num_classes
            if given is not None and given != classes:
                raise ValueError(f"technique {technique.key!r}: num_classes={given}, but the "
                                 f"dataset {dataset!r} has {classes} classes")
            if isinstance(spec, str):
                spec = {"name": spec, "num_classes": classes}
            elif isinstance(spec, dict):
                spec = {**spec, "num_classes": classes}
            else:
                spec.num_classes = classes
        out.append(spec)
    return tuple(out)
