"""An exponential moving average of G's weights, used for sampling (Yazıcı et al. 2019; Karras et
al. 2018, 2019).

The average is a second generator of the same architecture, owned by this technique (so its
weights are saved by ``save_weights``, resumed by ``ganzoo train``, threaded through the JAX
trainer and shipped in a checkpoint beside G and D). After every training step::

    beta_t = min(decay, (1 + t) / (10 + t))          # t = completed steps before this one
    avg    = beta_t * avg + (1 - beta_t) * theta

over *every* weight of G, trainable or not (batch-norm moving statistics are averaged like the
kernels, as in ProGAN/StyleGAN's ``Gs``, which copies buffers from the averaged network's own
updates). The ramp ``(1 + t) / (10 + t)`` is TensorFlow's ``ExponentialMovingAverage(num_updates=)``
convention: early in a run the average follows G closely instead of remembering the random init.
``GAN.sample`` / ``generate`` use the average when this technique is present; G itself is what
the optimizer trains and what fine-tuning continues.

``decay`` is chosen per run: its half-life ``ln 2 / -ln(decay)`` steps should be a fraction of the
run (ganzoo's recipes give ``half_life`` as a number of steps; the GAN converts it).
"""


from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique


def ema_beta(step, decay):
    """``min(decay, (1 + step) / (10 + step))`` as a float32 tensor (``step``: steps done before)."""
    step = ops.cast(step, "float32")
    return ops.minimum(ops.cast(decay, "float32"), (1.0 + step) / (10.0 + step))


def decay_for_half_life(half_life):
    """The per-step decay whose weight halves after ``half_life`` steps: ``0.5 ** (1/half_life)``."""
    half_life = validation.positive_float(half_life, "half_life")
    return 0.5 ** (1.0 / half_life)


@register_technique
class GeneratorEMA(Technique):
    """Sample from an exponential moving average of G's weights (see the module docstring).

    Args:
        decay: per-step decay in (0, 1); or
        half_life: steps after which an update's weight in the average has halved
            (``decay = 0.5 ** (1 / half_life)``); or
        run_fraction: the half-life as a fraction of the run's G steps (e.g. 0.05), for recipes
            whose runs differ in length: ``ganzoo.create`` / ``ganzoo train`` know the run's
            steps and set ``half_life = run_fraction * steps`` (:meth:`set_run_length`). Give one
            of the three; a checkpoint records the resolved ``half_life`` beside it.
    """

    key = "ema"
    order = 90  # after every other technique's state update
    shipped = True  # the average is what a user samples: checkpoints carry it
    paper = ("Yazıcı et al., The Unusual Effectiveness of Averaging in GAN Training, ICLR 2019, "
             "arXiv:1806.04498; Karras et al., Progressive Growing of GANs, ICLR 2018")

    def __init__(self, decay=None, half_life=None, run_fraction=None, **kwargs):
        super().__init__(**kwargs)
        if decay is not None and half_life is not None:
            raise ValueError(f"ema: give decay= or half_life=, not both; got decay={decay!r}, "
                             f"half_life={half_life!r}")
        if run_fraction is not None:
            if decay is not None:
                raise ValueError(f"ema: give decay= or run_fraction=, not both; got "
                                 f"decay={decay!r}, run_fraction={run_fraction!r}")
            run_fraction = validation.probability(run_fraction, "ema: run_fraction",
                                                  open_left=True, open_right=False)
        self.run_fraction = run_fraction
        if run_fraction is not None and half_life is None:
            self.decay = self.half_life = None  # set by set_run_length
            self.average = None
            return
        if half_life is not None:
            half_life = validation.positive_float(half_life, "ema: half_life")
            decay = decay_for_half_life(half_life)
            if not 0.0 < decay < 1.0:  # underflow to 0 / rounding to 1 at extreme half-lives
                raise ValueError(f"ema: half_life={half_life!r} steps gives decay {decay!r}, "
                                 "outside (0, 1); use a half_life between 0.01 and 1e15 steps")
        else:
            decay = validation.probability(0.999 if decay is None else decay, "ema: decay",
                                           open_left=True, open_right=True)
        self.decay = decay
        self.half_life = half_life
        self.average = None

    def set_run_length(self, steps):
        """Resolve ``run_fraction``: half-life = ``run_fraction * steps`` G steps (a no-op for a
        fixed ``decay`` / ``half_life``)."""
        if self.run_fraction is None:
            return
        steps = validation.positive_int(steps, "ema: the run's steps")
        self.half_life = max(1.0, self.run_fraction * steps)
        self.decay = decay_for_half_life(self.half_life)

    def attach(self, gan):
        if self.average is not None:
            return
        G = gan.generator
        self.average = type(G).from_config(G.get_config())
        self.average.build()
        self.average.trainable = False
        self.num_updates = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                           trainable=False, name="num_updates")
        self.reset_state(gan)

    def reset_state(self, gan):
        """The average starts as a copy of G (and the ramp from 0)."""
        self.num_updates.assign(0)
        for avg, w in zip(self.average.weights, gan.generator.weights):
            avg.assign(ops.copy(w.value))  # a copy: JAX must not see one buffer twice

    def update_state(self, gan):
        if self.decay is None:
            raise ValueError("ema: run_fraction needs the run's length; build the GAN with "
                             "ganzoo.create(..., total_steps=N) or train it with `ganzoo train`, "
                             "or give half_life= / decay=")
        beta = ema_beta(self.num_updates, self.decay)
        for avg, w in zip(self.average.weights, gan.generator.weights):
            if "int" in str(w.dtype):  # (no integer weights in ganzoo's generators today)
                avg.assign(w)
                continue
            b = ops.cast(beta, avg.dtype)
            avg.assign(b * avg + (1.0 - b) * ops.cast(w, avg.dtype))
        self.num_updates.assign(self.num_updates + 1)

    def sampling_generator(self, gan):
        return self.average

    def get_config(self):
        config = {**super().get_config()}
        if self.run_fraction is not None:
            config["run_fraction"] = self.run_fraction
        if self.half_life is not None:
            config["half_life"] = self.half_life
        else:
            config["decay"] = self.decay
        return config
