"""The two time-scale update rule (Heusel et al. 2017): G and D learn with their own learning
rates."""

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique

TTUR_PAPER = ("Heusel et al., GANs Trained by a Two Time-Scale Update Rule Converge to a Local "
              "Nash Equilibrium, NeurIPS 2017, arXiv:1706.08500")

# The rates of the authors' DCGAN runs (D's, G's): github.com/bioinf-jku/TTUR, DCGAN_FID_batched
# (``run.sh <disc. lr> <gen. lr>``, Adam beta_1 = 0.5, batch 64) and the legends of its
# Results/figures/dcgan_*.pdf -- the same pairs as the paper's Table 1 ("b, a": b is the
# discriminator's rate, a the generator's). The figures' legends put D's rate first: the WGAN-GP
# ones read "TTUR 3e-4 1e-4" where gan_64x64_FID.py sets D_LR = 3e-4, G_LR = 1e-4.
DCGAN_RATES = {
    "celeba": (1e-5, 5e-4),
    "cifar10": (1e-4, 5e-4),
    "svhn": (1e-5, 1e-4),
    "lsun": (1e-5, 1e-4),
}


@register_technique
class TTUR(Technique):
    """Two time-scale update rule (Heusel et al. 2017): D and G are trained with their own
    learning rates, ``d_learning_rate`` and ``g_learning_rate`` (the hyper-parameters of the same
    names, which this technique sets; an entry's own values override it).

    The defaults are the authors' DCGAN setting for CelebA, the paper's headline DCGAN result
    (FID 12.5 against 21.4 with one rate): D 1e-5, G 5e-4, with Adam(beta_1 = 0.5) as in
    ganzoo's DCGAN recipe. In their DCGAN runs the *generator* has the larger rate (CelebA 50x,
    CIFAR-10 5x, SVHN and LSUN 10x), although the paper's convergence analysis puts the
    generator on the slower time scale; their WGAN-GP runs (``WGAN_GP/gan_64x64_FID.py``) use
    D 3e-4 > G 1e-4 with one critic step. The code takes the two rates on the command line
    (``run.sh <disc. lr> <gen. lr>``); the pairs of its runs are in ``DCGAN_RATES`` (from the
    repository's result figures and the paper's Table 1). Their DCGAN code alternates one D
    step and one G step on the same ``z`` (``update="alternating"``); the technique changes
    only the rates and leaves the update rule to the entry.
    """

    key = "ttur"
    order = 50
    paper = TTUR_PAPER

    def __init__(self, d_learning_rate=DCGAN_RATES["celeba"][0],
                 g_learning_rate=DCGAN_RATES["celeba"][1], **kwargs):
        super().__init__(**kwargs)
        self.d_learning_rate = validation.positive_float(d_learning_rate,
                                                         f"{self.key}: d_learning_rate")
        self.g_learning_rate = validation.positive_float(g_learning_rate,
                                                         f"{self.key}: g_learning_rate")

    @property
    def hparams(self):
        return {"d_learning_rate": self.d_learning_rate, "g_learning_rate": self.g_learning_rate}

    def get_config(self):
        return {**super().get_config(), "d_learning_rate": self.d_learning_rate,
                "g_learning_rate": self.g_learning_rate}
