"""WGAN with weight clipping (Arjovsky, Chintala & Bottou 2017): the critic's parameters are kept in
a cube ``[-c, c]`` so that it stays K-Lipschitz, the "hard" constraint that WGAN-GP later replaced
with a gradient penalty."""

from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import WassersteinCritic, register_technique

WGAN_PAPER = ("Arjovsky, Chintala & Bottou, Wasserstein Generative Adversarial Networks, "
              "ICML 2017, arXiv:1701.07875")


def clip_weights(variables, clip):
    """Clamp every variable of ``variables`` to ``[-clip, clip]`` in place (PyTorch's
    ``p.data.clamp_(-c, c)``)."""
    for v in variables:
        v.assign(ops.clip(v, -clip, clip))


@register_technique
class WeightClipping(WassersteinCritic):
    """WGAN (Arjovsky et al. 2017): Wasserstein loss, every trainable parameter of the critic
    clamped to ``[-clip, clip]`` (c = 0.01), ``n_critic`` = 5 critic steps per generator step (each
    on its own real batch and fresh ``z``; G's step on fresh ``z``), RMSProp with learning rate
    5e-5 for both players -- the defaults of the authors' code (github.com/martinarjovsky/
    WassersteinGAN, ``main.py``).

    Where the authors' code differs from the paper, ganzoo follows the code:

    * **When the clamp happens.** The paper's Algorithm 1 clips *after* each RMSProp step of the
      critic. ``main.py`` clamps at the *start* of each critic iteration, before the critic's
      forward pass: every critic step sees clipped weights (the very first one included, so the
      initial weights are clamped too), while the generator's step sees the critic as its last
      RMSProp step left it, not yet clamped. This technique clamps in the ``before_d_step`` hook
      (before each of the ``n_critic`` D steps), which is that order exactly. It also clamps in
      ``update_state`` at the end of every training step -- the clamp the next critic iteration
      would do first (clamping is idempotent, so nothing changes in the sequence of computations)
      -- so that D's stored weights (saved, resumed, shipped) are inside the cube after every step.
    * **Which parameters.** ``netD.parameters()``: every trainable parameter, batch norm's scale
      and offset included (their DCGAN critic has batch norm and the scale, initialized near 1, is
      clamped to 0.01 at once); batch norm's running statistics are buffers, not parameters, and
      are not clamped. Here: ``discriminator.trainable_variables``.
    * **RMSProp.** PyTorch's ``optim.RMSprop(lr=5e-5)`` defaults: ``alpha`` = 0.99, ``eps`` = 1e-8
      added to ``sqrt(v)``. Keras's RMSprop adds its epsilon *inside* the square root, so the
      technique sets ``rho`` = 0.99 and ``epsilon`` = 1e-16 = (1e-8)², which gives the same update
      up to a relative 1e-8/sqrt(v) (Keras's default, 1e-7 inside the root, would shrink the
      critic's small early steps up to ~30-fold). No momentum, not centered (PyTorch's defaults).
    * **Sign.** The authors' critic minimizes ``D(real) - D(fake)`` and G minimizes ``D(fake)``;
      ganzoo's ``wasserstein`` loss is the paper's sign. The two are mirror images (negate the
      critic's last layer), with the same training dynamics.

    Not supported: the code's burst of 100 critic iterations per generator iteration for the
    first 25 generator iterations and every 500th one. ganzoo's training step consumes a fixed
    ``n_critic`` real batches (a compiled step with fixed shapes); a data-dependent number of
    critic steps per generator step would need the generator's step to be skipped inside the
    step. It is a heuristic of the code (not in the paper), and WGAN-GP's code dropped it.

    The clamp cannot be simulated by the ``unrolled`` rule's look-ahead of D, so that rule is
    refused. ``clip`` is the cube's half-width ``c`` (the code's ``clamp_upper = -clamp_lower``).
    """

    key = "weight_clipping"
    order = 40
    paper = WGAN_PAPER
    # PyTorch's RMSprop(lr=5e-5) in Keras's convention (see the docstring)
    hparams = {"optimizer": "rmsprop", "learning_rate": 5e-5, "rho": 0.99, "epsilon": 1e-16}

    def __init__(self, clip=0.01, n_critic=5, **kwargs):
        super().__init__(n_critic=n_critic, **kwargs)
        self.clip = validation.positive_float(clip, f"{self.key}: clip")

    def check(self, gan):
        super().check(gan)
        if gan.update_rule.key == "unrolled":
            raise ValueError(
                "technique 'weight_clipping' clamps D's weights before each D step; the "
                "'unrolled' update rule's look-ahead of D does not simulate the clamp. Use "
                "update='alternating' (the authors' rule; ganzoo.create sets it for you)."
            )

    def before_d_step(self, gan):
        clip_weights(gan.discriminator.trainable_variables, self.clip)

    def update_state(self, gan):
        clip_weights(gan.discriminator.trainable_variables, self.clip)

    def get_config(self):
        return {**super().get_config(), "clip": self.clip}
