"""PacGAN (Lin, Khetan, Fanti & Oh 2018): D judges m samples packed together, real with real and
generated with generated, which penalizes mode collapse (a collapsed G makes packs whose members
look alike)."""

from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique

PACGAN_PAPER = ("Lin, Khetan, Fanti & Oh, PacGAN: The power of two samples in generative "
                "adversarial networks, NeurIPS 2018, arXiv:1712.04086")


def pack(x, m):
    """``x`` of ``m·B`` samples -> ``B`` packs of ``m``: pack ``i`` holds samples ``i, B + i, ...,
    (m-1)·B + i`` concatenated along the last axis in that order -- (m·B, d) points -> (B, m·d),
    (m·B, H, W, C) images -> (B, H, W, m·C). The batch is read as m consecutive parts of B: the
    part ``j`` is member ``j`` of every pack."""
    m = validation.integer(m, "packing", minimum=1)
    shape = tuple(x.shape[1:])
    if x.shape[0] is not None and x.shape[0] % m:
        raise ValueError(f"PacGAN packs m = {m} samples into each input of D: the batch must be a "
                         f"multiple of {m}; got {x.shape[0]}")
    if m == 1:
        return x
    parts = ops.reshape(x, (m, -1) + shape)  # (member, pack, ...)
    order = (1,) + tuple(range(2, len(shape) + 1)) + (0, len(shape) + 1)  # (pack, ..., member, C)
    return ops.reshape(ops.transpose(parts, order), (-1,) + shape[:-1] + (m * shape[-1],))


def unpack(x, m):
    """The inverse of :func:`pack`: ``B`` packs -> the ``m·B`` samples in their batch order."""
    shape = tuple(x.shape[1:])
    members = ops.reshape(x, (-1,) + shape[:-1] + (m, shape[-1] // m))  # (pack, ..., member, C)
    order = (len(shape),) + tuple(range(len(shape))) + (len(shape) + 1,)
    return ops.reshape(ops.transpose(members, order), (-1,) + shape[:-1] + (shape[-1] // m,))


@register_technique
class PacGAN(Technique):
    """PacGAN (Lin et al. 2018): D's every input -- real and generated, in D's and in G's loss --
    is a pack of ``packing`` = m samples of one kind (D sees the real and the generated batch in
    separate calls, so real samples are only packed with real ones). D is built for it
    (``discriminator_kwargs``: ``packing=m``): the MLP toy D takes the m points' coordinates
    concatenated (``m * 2`` features), the DCGAN D the m images concatenated along the channels
    (``m * C``). The loss and the update rule are the GAN's own.

    Exact to the authors' code (github fjxmlzn/PacGAN; the 2-D toys
    ``synthetic_data_experiments/*/pacgan_task.py`` with ``pacgan/bricks.py``, and Stacked MNIST
    ``stacked_MNIST_experiments/VEEGAN_experiment/model.py``):

    * **A step consumes m·B real and m·B generated samples; D's batch is B.** Their batch size B
      counts packs (toys 100, Stacked MNIST 64): each step D sees B real packs, each of m
      independently drawn data points (their dataset is stored pre-packed, every member an
      independent draw with replacement), and B generated packs, for which G runs m times on B
      fresh latents each and the m outputs are concatenated (member j of every pack is the j-th
      G call). ganzoo reads the data pipeline's batch as the m·B samples (it must be a multiple
      of m; a shuffled batch makes each pack m random data points, drawn without replacement
      within an epoch); the step draws m·B latents and G runs in m calls of B
      (``generator_calls = m``: batch-norm statistics per call, as in their code). An entry with
      their setting therefore uses ``batch_size = m * 100`` (toys) or ``m * 64`` (Stacked MNIST).
    * Packs are laid out as :func:`pack` says: member j's features/channels are the j-th block
      of D's input, as their concatenation along axis 1 (points) / axis 3 (images).
    * D's input layer is the only change to D; the paper keeps D's size otherwise the same.

    The default ``packing = 2`` is their main setting (PacGAN2 on the 2-D ring and on Stacked
    MNIST; they also report m = 3, 4). Gradient penalties (``wgan_gp``, ``dragan``, ``r1``) act
    on D's packed inputs (D is a function of the pack: the penalty is on the gradient with
    respect to the whole pack, one interpolation/perturbation per pack). The packing comes after
    the other input transforms (DiffAugment, instance noise act on each sample). Not for a
    class-conditional GAN (a pack of m samples has m classes) nor with ``madgan``.
    """

    key = "pacgan"
    order = 20  # d_input after DiffAugment (5) and instance noise (10): pack the final samples
    paper = PACGAN_PAPER

    def __init__(self, packing=2, **kwargs):
        super().__init__(**kwargs)
        self.packing = validation.integer(packing, "pacgan: packing", minimum=2)

    @property
    def discriminator_kwargs(self):
        return {"packing": self.packing}

    @property
    def generator_calls(self):
        return self.packing

    def check(self, gan):
        super().check(gan)  # (a D built for packs of m: the options contract)
        if gan.conditional:
            raise ValueError("technique 'pacgan' cannot be used with a class-conditional GAN: a "
                             "pack of m samples has m classes")
        if any(t.key == "madgan" for t in gan.techniques):
            raise ValueError("techniques 'pacgan' and 'madgan' cannot be combined: MAD-GAN's D "
                             "names the generator of each sample, and a pack mixes them")

    def d_input(self, gan, x):
        return pack(x, self.packing)

    def get_config(self):
        return {**super().get_config(), "packing": self.packing}
