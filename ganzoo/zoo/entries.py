"""The shipped zoo entries (plain data). Checkpoint pins come from ``pins.json``
(:mod:`ganzoo.zoo.pins`)."""

from ganzoo.data.toys import TOY_SPLITS
from ganzoo.models.mlp import BN_EPSILON, BN_MOMENTUM
from ganzoo.zoo.pins import pinned
from ganzoo.zoo.registry import RECIPES, TOY_EPOCHS, Entry, register

_DCGAN_PAPER = (
    "Radford, Metz & Chintala, *Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks*, ICLR 2016, arXiv:1511.06434."
)

_DCGAN_MNIST_NOTES = """\
**The MNIST budget.** Every MNIST entry of the zoo trains this network family for the same
budget: 10 epochs of the 60,000 training images (600,000 real images seen by D), batch 64 per D
step, seed 0; only the technique differs.

**Chosen for quality per CPU-minute.** Width 32 (G: z -> 7x7x64 -> 14x14x32 -> 28x28x1, D: 32 -> 64
channels), 4x4 kernels with stride 2, batch 64. On the 2-core dev machine (Keras 3.15 / TF 2.21 CPU)
this trains at ~2,200 images/s. In 8-minute pilots at equal wall time (batch 64, seed 0), width 32
beat width 64 (~840 images/s) at every 2-minute mark; at 8 minutes 63.3 % vs 61.1 % of 2,000 samples
(z seed 1) were classified with p > 0.9 by a small MNIST CNN (98.9 % test accuracy, a pilot tool, not
a shipped metric), classifier score 6.59 vs 6.31, smallest class share 5.2 % vs 3.9 %. Giving D width
64 (G 32) or alternating updates did not help at equal wall time either (4-minute pilots: 60.5 % and
59.3 % vs 61.3 %). The shipped 30-epoch run (1.8 M images, ~14 min) scores 61.8 % on the same
measure (real MNIST test images: 94.7 %): this network's quality had saturated after ~8 minutes,
so the zoo's shared budget is 10 epochs (~5 minutes for this entry).

**Where this follows code rather than the paper.** Updates are simultaneous: one forward pass gives
D's and G's gradients and both optimizers step (as in the TensorFlow DCGAN tutorial); the authors'
code alternates. Batch norm uses momentum 0.9 and epsilon 1e-5 and BN's gamma is drawn from
N(1, 0.02), as in the authors' and PyTorch's reference code. D sees real and fake batches in separate
calls (separate batch statistics), as in the authors' code.
"""

register(
    Entry(
        name="dcgan-mnist",
        description="DCGAN (Radford et al. 2016) on MNIST digits, 28x28x1",
        family="dcgan",
        dataset="mnist",
        hub_repo="ganzoo/dcgan-mnist",
        manifest_sha256=pinned("dcgan-mnist"),
        paper=_DCGAN_PAPER,
        notes=_DCGAN_MNIST_NOTES,
    )
)

# ------------------------------------------------------------------ technique entries (data)
# Each is the family's recipe plus techniques; what a technique changes (loss, critic schedule,
# optimizer, architecture option) comes from the technique itself (ganzoo.techniques).
_MNIST_TECHNIQUES = {
    "mbd": ("minibatch discrimination", ["minibatch_discrimination"]),
    "vbn": ("virtual batch normalization in G", ["virtual_batch_normalization"]),
    "fm": ("feature matching", ["feature_matching"]),
    "ha": ("historical averaging", ["historical_averaging"]),
    "ls": ("one-sided label smoothing", ["one_sided_label_smoothing"]),
    "label-noise": ("label noise", ["label_noise"]),
    "instance-noise": ("instance noise annealed to 0 over the first 4,000 steps",
                       [{"name": "instance_noise", "sigma": 0.1, "anneal_steps": 4000}]),
    "wgan-gp": ("WGAN-GP", ["wgan_gp"]),
    "dragan": ("DRAGAN", ["dragan"]),
    # reg_param 5 (the paper's γ = 10): the strength the shipped r1 checkpoints were trained with
    "r1": ("R1 regularization", [{"name": "r1", "reg_param": 5.0}]),
    "improved-gan": ("Salimans et al.'s set combined (feature matching, minibatch "
                     "discrimination, historical averaging, one-sided label smoothing, VBN)",
                     ["feature_matching", "minibatch_discrimination", "historical_averaging",
                      "one_sided_label_smoothing", "virtual_batch_normalization"]),
}

# ------------------------------------------------------------------------------ toy entries
# The toy protocol (RECIPES["mlp"]); every number in the notes below is derived from these.
_TOY = RECIPES["mlp"]
_TOY_G, _TOY_D, _TOY_HP = _TOY["generator"], _TOY["discriminator"], _TOY["hparams"]
_TOY_POINTS = TOY_SPLITS["train"][0]  # the fixed train split (ganzoo.data.toys)
_TOY_STEPS_PER_EPOCH = _TOY_POINTS // _TOY_HP["batch_size"]  # load() drops a partial batch
_TOY_STEPS = TOY_EPOCHS * _TOY_STEPS_PER_EPOCH
_PACGAN_EPOCHS = 400  # the published protocol's budget (their config.py: num_epoch)
_TOY_BUDGET = (f"{TOY_EPOCHS} epochs of the fixed {_TOY_POINTS:,}-point train split, "
               f"{_TOY_STEPS:,} steps of batch {_TOY_HP['batch_size']} per D step")

# Minibatch discrimination on toys: B=5 kernels of dimension 3 (not the image default 100x5): the
# pairwise L1 tensor is batch^2 x B x C, and 100x5 at batch 256 made a step of the first toy MLPs
# ~80x slower than the baseline's on 2 cores. Instance noise: sigma ~1/4 of the distance between
# neighbouring modes, annealed to 0 over the first _TOY_NOISE_ANNEAL steps. Both act on D's input
# or last features, so they work unchanged on the maxout D.
_TOY_MBD = {"num_kernels": 5, "kernel_dim": 3}
_TOY_NOISE = {"ring8": 0.2, "grid25": 0.5}
_TOY_NOISE_ANNEAL = 3_000
_TOY_TECHNIQUES = {
    "mbd": (lambda toy: f"minibatch discrimination ({_TOY_MBD['num_kernels']} kernels of "
                        f"dimension {_TOY_MBD['kernel_dim']})",
            lambda toy: [{"name": "minibatch_discrimination", **_TOY_MBD}]),
    "fm": (lambda toy: "feature matching", lambda toy: ["feature_matching"]),
    "instance-noise": (lambda toy: f"instance noise annealed to 0 over the first "
                                   f"{_TOY_NOISE_ANNEAL:,} steps",
                       lambda toy: [{"name": "instance_noise", "sigma": _TOY_NOISE[toy],
                                     "anneal_steps": _TOY_NOISE_ANNEAL}]),
    "wgan-gp": (lambda toy: "WGAN-GP", lambda toy: ["wgan_gp"]),
    "dragan": (lambda toy: "DRAGAN", lambda toy: ["dragan"]),
    "r1": (lambda toy: "R1 regularization", lambda toy: [{"name": "r1", "reg_param": 5.0}]),
}
_TOY_NAMES = {"ring8": "the ring of 8 Gaussians", "grid25": "the 5x5 grid of Gaussians"}

_BUDGET_NOTE = (
    "Same network and budget as {base} ({budget}); only the technique differs, so its metrics "
    "compare directly with {base}'s."
)


def _technique_entry(prefix, dataset, family, description, techniques, base, budget):
    register(Entry(
        name=f"{prefix}-{dataset}",
        description=description,
        family=family,
        dataset=dataset,
        techniques=tuple(techniques),
        hub_repo=f"ganzoo/{prefix}-{dataset}",
        manifest_sha256=pinned(f"{prefix}-{dataset}"),
        notes=_BUDGET_NOTE.format(base=base, budget=budget),
    ))


for _prefix, (_what, _techniques) in _MNIST_TECHNIQUES.items():
    _technique_entry(_prefix, "mnist", "dcgan", f"DCGAN with {_what} on MNIST digits, 28x28x1",
                     _techniques, "dcgan-mnist", "10 epochs, 600,000 real images, batch 64 per D step")

_TOY_STD = _TOY_G["kernel_initializer"]["config"]["stddev"]


def _e(x):
    """1e-4, not 0.0001."""
    return f"{x:.0e}".replace("e-0", "e-")


_TOY_PROTOCOL = (
    "the toy protocol of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018), as built "
    "in PacGAN's code (github fjxmlzn/PacGAN, synthetic_data_experiments): "
    f"z ~ N(0, I) in R^{_TOY_G['latent_dim']}; G {_TOY_G['depth']} hidden layers of "
    f"{_TOY_G['units']} units (Dense without bias, batch norm, ReLU) and a linear output; D "
    f"{_TOY_D['depth']} maxout layers of {_TOY_D['units']} units with {_TOY_D['maxout_pieces']} "
    f"pieces and a linear logit; every weight matrix N(0, {_TOY_STD:g}), biases 0; non-saturating loss, "
    f"simultaneous updates, Adam({_e(_TOY_HP['learning_rate'])}, beta_1={_TOY_HP['beta_1']:g}, "
    f"beta_2={_TOY_HP['beta_2']:g}), batch {_TOY_HP['batch_size']}"
)
_TOY_DIFFERENCES = (
    f"Where this differs from the authors' runs: they train {_PACGAN_EPOCHS} epochs "
    f"({_PACGAN_EPOCHS * _TOY_STEPS_PER_EPOCH:,} steps) and report the mean of 10 runs, this "
    f"entry is one run (seed 0) of {TOY_EPOCHS} epochs; their batch norm (Blocks) averages the "
    "batch standard deviation into its population statistics, Keras the variance (epsilon "
    f"{_e(BN_EPSILON)} and momentum {BN_MOMENTUM:g} as theirs); their D sees real and generated "
    "points in one batch, ganzoo's "
    "in separate calls (no batch norm in D, so the plain GAN is unaffected)."
)
_BASELINE_NOTES = {
    "ring8": (
        f"The baseline the mode-collapse techniques are compared with: {_TOY_PROTOCOL}. Budget: "
        f"{_TOY_BUDGET}; every toy entry gets this budget. PacGAN's Table 1 reports for this "
        "GAN on the ring 6.3 +- 0.5 of 8 modes, 98.2 % high-quality samples, reverse KL 0.45 "
        f"(2,500 samples after {_PACGAN_EPOCHS} epochs, mean +- standard error of 10 runs). "
        f"{_TOY_DIFFERENCES} The outcome of a plain GAN varies a lot with the seed: compare "
        "techniques over several seeds, not one run."
    ),
    "grid25": (
        f"The grid25 baseline: the gan-ring8 recipe ({_TOY_PROTOCOL}; {_TOY_BUDGET}) on the 5x5 "
        "grid. PacGAN's Table 1 reports for this GAN on the grid 17.3 +- 0.8 of 25 modes, 94.8 % "
        f"high-quality samples, reverse KL 0.70 (2,500 samples after {_PACGAN_EPOCHS} epochs, "
        f"mean +- standard error of 10 runs). {_TOY_DIFFERENCES}"
    ),
}

for _toy, _notes in _BASELINE_NOTES.items():
    register(Entry(
        name=f"gan-{_toy}",
        description=f"Plain GAN (non-saturating loss) on {_TOY_NAMES[_toy]}: the mode-collapse "
                    "baseline",
        family="mlp",
        dataset=_toy,
        hub_repo=f"ganzoo/gan-{_toy}",
        manifest_sha256=pinned(f"gan-{_toy}"),
        paper="Goodfellow et al., *Generative Adversarial Nets*, NeurIPS 2014 (non-saturating loss).",
        notes=_notes,
    ))

for _toy in ("ring8", "grid25"):
    for _prefix, (_what, _techniques) in _TOY_TECHNIQUES.items():
        _technique_entry(_prefix, _toy, "mlp", f"MLP GAN with {_what(_toy)} on {_TOY_NAMES[_toy]}",
                         _techniques(_toy), f"gan-{_toy}", _TOY_BUDGET)
