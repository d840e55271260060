"""MAD-GAN (Ghosh, Kulharia, Namboodiri, Torr & Dokania 2018, "Multi-Agent Diverse Generative
Adversarial Networks"): k generators and a D that tells which generator made a sample, or that it
is real."""

from ganzoo import validation
from ganzoo.models.multi import Generators
from ganzoo.techniques.base import Technique, register_technique

MADGAN_PAPER = ("Ghosh, Kulharia, Namboodiri, Torr & Dokania, Multi-Agent Diverse Generative "
                "Adversarial Networks, CVPR 2018, arXiv:1704.02906")


@register_technique
class MADGAN(Technique):
    """MAD-GAN (Ghosh et al. 2018): ``generators`` = k generators of the family's architecture
    (:class:`ganzoo.models.Generators`, each with its own initial weights), D with k + 1 logits
    (``discriminator_kwargs``: ``outputs=k+1``; class i = "made by generator i", class k =
    "real") and the ``madgan`` loss (:func:`ganzoo.losses.d_madgan` / ``g_madgan``: softmax
    cross-entropy; each generator is trained to make D say "real").

    Exact to the authors' Torch code (github arnabgho/dcgan.torch ``classify_gen_n_alter.lua``;
    the 2-D toy in arnabgho/multi-gen-toy ``classifying_gen.lua`` does the same):

    * **A step consumes k·B real samples and makes B per generator.** Each of their D steps takes
      one real batch *per generator* and one batch from each generator, every batch in its own D
      call; ganzoo reads the data pipeline's batch as the k real batches (a multiple of k; an
      entry with their batch of 64 uses ``batch_size = 64 * k``), G's batch of k·B latents is
      split in k parts, one per generator, and D runs once per part on each side
      (``discriminator_calls = k``: D's batch-norm statistics per generator batch, as theirs).
    * D's loss sums the k generators' terms ``CE(real batch i, real) + CE(batch of G_i, i)``;
      the generators' loss sums ``CE(batch of G_i, real)``. Generator i's gradient comes from
      its own term only.
    * **One optimizer over all generators' variables** (their ``optim.adam`` on
      ``combine_all_parameters(G)``): ganzoo's G optimizer is built on the k generators'
      variables together. With Adam that is the same update as one Adam per generator (their
      later PyTorch port, ``pytorch/madgan.py``), as Adam's moments are per weight and all
      generators step together -- except a global-norm gradient clip, which then spans them all.
    * D steps first, then the generators are scored by the updated D on the same latents:
      ``engine`` sets the ``alternating`` update rule (their ``optim.adam(fDx)`` then
      ``optim.adam(fGx)``; a recipe may override it). Their G step back-propagates each
      generator's first layer with the last generator's noise (``G['netG'..i]:backward(noise,
      ...)``), a slip ganzoo does not copy: every generator's gradient uses its own latents.
    * Generators start from independent initial weights (their image code re-initialises each
      clone; the toy code and the PyTorch port start all k from one copy).

    Sampling (``gan.sample(n, seed)``): each latent goes to the generator its extra latent
    coordinate picks -- uniformly over the k, deterministic for a seed and the same on every
    backend (see :mod:`ganzoo.models.multi`); ``gan.generator.select(z, i)`` or
    ``gan.generator.generators[i]`` sample one generator. The ``ema`` technique averages all k
    generators (its average is a :class:`~ganzoo.models.Generators` too).

    Refused: a class-conditional GAN, ``pacgan`` (a pack would mix generators), gradient
    penalties (their input gradient is of D's single logit), losses other than ``madgan``.
    """

    key = "madgan"
    order = 0
    paper = MADGAN_PAPER

    def __init__(self, generators=2, **kwargs):
        super().__init__(**kwargs)
        self.generators = validation.integer(generators, "madgan: generators", minimum=2)

    @property
    def engine(self):
        return {"loss": "madgan", "update": "alternating"}

    @property
    def discriminator_kwargs(self):
        return {"outputs": self.generators + 1}

    @property
    def discriminator_calls(self):
        return self.generators

    def make_generator(self, generator):
        if isinstance(generator, Generators):
            return generator
        return Generators(generator, count=self.generators)

    def check(self, gan):
        super().check(gan)  # (D's k + 1 logits, outputs=k+1: the options contract)
        G = gan.generator
        if not isinstance(G, Generators) or G.count != self.generators:
            got = (f"Generators(count={G.count})" if isinstance(G, Generators)
                   else type(G).__name__)
            raise ValueError(
                f"technique 'madgan' (generators={self.generators}) needs the generator "
                f"ganzoo.models.Generators(<a generator>, count={self.generators}) (ganzoo.create "
                f"builds it); got {got}")
        penalties = [t.key for t in gan.techniques if t.group == "gradient penalty"]
        if penalties:
            raise ValueError(f"technique 'madgan' cannot be combined with the gradient penalty "
                             f"{penalties[0]!r}: it penalizes the input gradient of D's single "
                             f"logit, and MAD-GAN's D has {self.generators + 1}")

    def get_config(self):
        return {**super().get_config(), "generators": self.generators}
