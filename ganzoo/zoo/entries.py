"""The shipped zoo entries (plain data). Checkpoint pins come from ``pins.json``
(:mod:`ganzoo.zoo.pins`)."""

from ganzoo.data.toys import TOY_SPLITS
from ganzoo.models.mlp import BN_EPSILON, BN_MOMENTUM
from ganzoo.zoo.pins import pinned
from ganzoo.zoo.registry import (RECIPES, TOY_EPOCHS, Entry, on_baseline, register,
                                  register_alias)

_DCGAN_PAPER = (
    "Radford, Metz & Chintala, *Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks*, ICLR 2016, arXiv:1511.06434."
)

# ------------------------------------------------------------------------ the MNIST baseline
# Chosen with benchmarks/time_to_quality.py for quality per CPU-minute (rounds 1-3 and their
# reading: benchmarks/results/README.md): the dcgan family's network (width 32) with D
# unnormalised, R1 (reg_param 5, the paper's gamma 10), alternating updates, Adam(2e-4, 0.5) at a
# constant rate, batch 64, and an EMA of G (half-life 5 % of the run) that the samples come from.
MNIST_EPOCHS = 50
MNIST_BASELINE = {
    "update": "alternating",
    "discriminator": {"norm": None},
    "techniques": ({"name": "r1", "reg_param": 5.0}, {"name": "ema", "run_fraction": 0.05}),
    "hparams": {"epochs": MNIST_EPOCHS},
}
_MNIST_BUDGET = (f"{MNIST_EPOCHS} epochs of the 60,000 training images "
                 f"({MNIST_EPOCHS * 60_000 // 1000:,}k real images seen by D), batch 64 per D step")

_DCGAN_MNIST_NOTES = f"""\
**The MNIST baseline.** Every MNIST entry of the zoo is this recipe plus one technique, trained
for the same budget: {_MNIST_BUDGET}, seed 0 (about 30 CPU-minutes on the 2-core dev machine).

**Chosen for quality per CPU-minute** with `benchmarks/time_to_quality.py` (its tables and their
reading are in `benchmarks/results/README.md`): candidates trained interleaved on the real MNIST
train split and scored every 5 CPU-minutes on 2,000 samples by `classifier-mnist` (share of
confident samples, class shares, FID in the classifier's feature space). The previous recipe
(batch norm in D, simultaneous updates, 10 epochs) levelled off at 0.64-0.66 confident after 5
minutes with its smallest class at 3-5 %; D without normalisation plus R1 and alternating updates
kept improving (0.60 -> 0.73 from 5 to 20 minutes) with every class at 8-13 %. Decaying the
learning rate to 0, D width 64 and G width 64 were no better per CPU-minute; R1's strength (the
paper's gamma 1 or 10) made no difference. The EMA of G adds about +0.01 confident and -0.3 FID
at no training cost.

**Where this follows code rather than the paper.** R1 is the authors' `reg_param * mean ||grad
D(x)||^2` (GAN_stability's train.py) with reg_param 5, the paper's gamma = 10. Alternating updates:
one D step on a real and a fake batch, then one G step on a fresh fake batch, as in the
DCGAN authors' code. G keeps batch norm (momentum 0.9, epsilon 1e-5, gamma ~ N(1, 0.02), as in the
authors' and PyTorch's reference code). The EMA uses TensorFlow's ramp
`min(decay, (1 + t) / (10 + t))`; `gan.sample` draws from the average, `fit` trains G and keeps
updating the average.
"""

register(
    Entry(
        name="dcgan-mnist",
        description="DCGAN (Radford et al. 2016) on MNIST digits, 28x28x1: the zoo's MNIST baseline",
        family="dcgan",
        dataset="mnist",
        hub_repo="ganzoo/dcgan-mnist",
        manifest_sha256=pinned("dcgan-mnist"),
        paper=_DCGAN_PAPER,
        notes=_DCGAN_MNIST_NOTES,
        **on_baseline(MNIST_BASELINE),
    )
)
# R1 is part of the MNIST baseline, so "the baseline plus R1" is the baseline itself: the entry
# r1-mnist (R1 on the previous, batch-norm baseline) retired with its checkpoint and now names it.
register_alias("r1-mnist", "dcgan-mnist",
               "R1 (reg_param 5, the paper's gamma 10) is part of the MNIST baseline, so R1 on "
               "MNIST is dcgan-mnist itself")

# ------------------------------------------------------------------ technique entries (data)
# What a technique changes (loss, critic schedule, optimizer, architecture option) comes from the
# technique itself (ganzoo.techniques).
# Technique entries on MNIST_BASELINE: the baseline plus one change, trained for its budget;
# registered before their checkpoints exist (``ganzoo train NAME`` trains them; the gallery lists
# them as "no checkpoint yet"). prefix -> (what, techniques, other Entry fields, baseline
# techniques the authors' recipe has no place for).
_TTUR_MNIST = {"name": "ttur", "d_learning_rate": 1e-4, "g_learning_rate": 5e-4}
_MNIST_ON_BASELINE = {
    "mbd": ("minibatch discrimination", ["minibatch_discrimination"], {}, ()),
    "fm": ("feature matching", ["feature_matching"], {}, ()),
    "vbn": ("virtual batch normalization in G", ["virtual_batch_normalization"], {}, ()),
    "ha": ("historical averaging", ["historical_averaging"], {}, ()),
    "ls": ("one-sided label smoothing", ["one_sided_label_smoothing"], {}, ()),
    "label-noise": ("label noise", ["label_noise"], {}, ()),
    "instance-noise": ("instance noise annealed to 0 over the first 4,000 steps",
                       [{"name": "instance_noise", "sigma": 0.1, "anneal_steps": 4000}], {}, ()),
    "improved-gan": ("Salimans et al.'s set combined (feature matching, minibatch "
                     "discrimination, historical averaging, one-sided label smoothing, VBN)",
                     ["feature_matching", "minibatch_discrimination", "historical_averaging",
                      "one_sided_label_smoothing", "virtual_batch_normalization"], {}, ()),
    "wgan-gp": ("WGAN-GP", ["wgan_gp"], {}, ()),
    "dragan": ("DRAGAN", ["dragan"], {}, ()),
    "lsgan": ("the least-squares loss (LSGAN: a = 0, b = c = 1)", [], {"loss": "lsgan"}, ()),
    "hinge": ("the hinge loss", [], {"loss": "hinge"}, ()),
    "sngan": ("spectral normalization of D and the hinge loss (SNGAN)", ["spectral_norm"], {},
              ("r1",)),
    "wgan": ("WGAN with weight clipping (c = 0.01, RMSProp 5e-5, 5 critic steps)",
             ["weight_clipping"], {}, ("r1",)),
    "ttur": ("the two time-scale update rule (D 1e-4, G 5e-4: the authors' CIFAR-10 pair)",
             [_TTUR_MNIST], {}, ()),
    "unrolled": ("D unrolled 5 steps in G's loss (unrolled GAN)", [],
                 {"update": "unrolled"}, ()),
    "cgan": ("class labels in G and D (conditional GAN)", ["cgan"], {}, ()),
    "acgan": ("an auxiliary classifier on D (AC-GAN)", ["acgan"], {}, ()),
    "pacgan": ("D judging packs of 2 samples (PacGAN2)", [{"name": "pacgan", "packing": 2}], {},
               ()),
    "madgan": ("2 generators and a (k+1)-way D (MAD-GAN)", [{"name": "madgan", "generators": 2}],
               {}, ("r1",)),
    "diffaugment": ("differentiable augmentation of D's inputs (DiffAugment: colour, "
                    "translation, cutout)", ["diffaugment"], {}, ()),
}
_MNIST_BASELINE_NOTE = (
    f"The MNIST baseline (dcgan-mnist: D without normalisation, R1, alternating updates, an EMA "
    f"of G; {_MNIST_BUDGET}) plus this technique; everything else as dcgan-mnist, so its metrics "
    "compare directly with dcgan-mnist's."
)


def _baseline_entry(prefix, dataset, description, notes, techniques=(), fields=None, without=(),
                    epochs=None):
    """Register ``prefix-dataset``: the MNIST baseline's recipe (``on_baseline``) plus
    ``techniques`` and other Entry ``fields``, for ``epochs`` (default: the baseline's)."""
    kwargs = on_baseline(MNIST_BASELINE, techniques, without=without)
    if epochs is not None:
        kwargs["hparams"] = {**kwargs["hparams"], "epochs": epochs}
    dropped = (f" It drops the baseline's {', '.join(without)}, as its authors' recipe has no "
               "place for it." if without else "")
    register(Entry(
        name=f"{prefix}-{dataset}",
        description=description,
        family="dcgan",
        dataset=dataset,
        hub_repo=f"ganzoo/{prefix}-{dataset}",
        manifest_sha256=pinned(f"{prefix}-{dataset}"),
        notes=notes + dropped,
        **{**kwargs, **(fields or {})},
    ))


# What a trained entry's run showed that its numbers alone do not say (in its card).
_MNIST_FINDINGS = {
    "improved-gan": (
        " **What its run shows.** The set fails on this baseline: one class is never drawn and "
        "the quality probe stalls by epoch 9. The saved training state says why: G's first "
        "kernel ends at its initial scale (rms 0.0200, drawn from N(0, 0.02)), 0.00058 rms from "
        "its historical average. Historical averaging's pull back to that average (weight 0.01, "
        "our choice: the paper gives none) cancels feature matching's small gradient, so G "
        "hardly moves. Salimans et al. report feature matching and minibatch discrimination in "
        "separate experiments, not together."),
    "wgan": (
        " **What its run shows.** At the shared budget of real images WGAN with clipping is far "
        "behind: 5 critic steps per G step leave G 9,350 updates at RMSProp 5e-5 (13.8 minutes, "
        "less than half the baseline's CPU time), and the quality probe was still falling "
        "steadily when the budget ended (FID on its 2,000 samples 37.5, 30.2, 27.1 at epochs "
        "40, 45, 50), so a longer run would do better. (Gulrajani et al. 2017 report clipped WGAN "
        "converging more slowly than WGAN-GP.)"),
    "madgan": (
        " **What its run shows.** Its digits keep improving (the quality probe's confident share "
        "0.64 at epoch 15, 0.73 at 50) but the classes grow less even: the least-drawn class "
        "falls from 7.0 % of the probe's samples at epoch 15 to 4.3 % at 50, and the probe's FID "
        "(2,000 samples) stops falling after epoch 33 (8.9 at 30, 8.6 at 42, 8.9 at 50). On "
        "10,000 samples one class has 5.4 % and another 14.9 %, which FID charges. Each of the "
        "2 generators makes 32 of a step's 64 fakes (the baseline's batch, split), and the "
        "entry has no R1, as the authors' recipe has none."),
    "diffaugment": (
        " **What its run shows.** At the shared budget it is still converging: the quality "
        "probe's FID (2,000 samples) fell steadily to the end (9.0, 7.8, 7.1 at epochs 30, 40, "
        "50), and its classes are more even than the baseline's (7.8-12.9 % on 10,000 samples) "
        "while fewer digits are read confidently (0.690). Zhao et al. 2020 show its gains where "
        "data are scarce (10-20 % of CIFAR-10, 100-shot sets); on all 60,000 MNIST digits D "
        "does not overfit, and judging translated, cut-out images only slows G here."),
}

for _prefix, (_what, _techniques, _fields, _without) in _MNIST_ON_BASELINE.items():
    _baseline_entry(_prefix, "mnist", f"DCGAN with {_what} on MNIST digits, 28x28x1",
                    _MNIST_BASELINE_NOTE + _MNIST_FINDINGS.get(_prefix, ""), _techniques,
                    _fields, _without)

# ---------------------------------------------------------------------------- Stacked MNIST
# Mode coverage on 1,000 modes (ganzoo.data.stacked: three MNIST digits as the channels of one
# 28x28x3 image, 128,000 training images; modes read per channel by classifier-mnist on 26,000
# samples). The MNIST baseline's recipe and network (3 channels), plus PacGAN2 or unrolling, for
# about the MNIST budget's real images: STACKED_EPOCHS x 128,000 ~ 3.1 M.
STACKED_EPOCHS = 24
_STACKED_BUDGET = (f"{STACKED_EPOCHS} epochs of the 128,000 Stacked MNIST training images "
                   f"({STACKED_EPOCHS * 128:,}k real images seen by D), batch 64 per D step")
_STACKED = {
    "dcgan": ("the zoo's MNIST baseline recipe", [], {}),
    "pacgan": ("D judging packs of 2 samples (PacGAN2)", [{"name": "pacgan", "packing": 2}], {}),
    "unrolled": ("D unrolled 5 steps in G's loss (unrolled GAN)", [], {"update": "unrolled"}),
}
_STACKED_NOTE = (
    f"Stacked MNIST (1,000 modes). The MNIST baseline's recipe and network (dcgan-mnist: D "
    f"without normalisation, R1, alternating updates, an EMA of G) for 28x28x3 images, "
    f"{_STACKED_BUDGET}, seed 0. Published marks (Lin et al. 2018, Table 2, VEEGAN's protocol "
    "with smaller nets): DCGAN 99 modes / KL 3.40, PacDCGAN2 1,000 / 0.06."
)
for _prefix, (_what, _techniques, _fields) in _STACKED.items():
    _baseline_entry(_prefix, "stacked_mnist",
                    f"DCGAN with {_what} on Stacked MNIST (three digits as RGB channels, 1,000 "
                    "modes), 28x28x3", _STACKED_NOTE, _techniques, _fields, epochs=STACKED_EPOCHS)

# ---------------------------------------------------------------------------- Fashion-MNIST
# The MNIST baseline on Fashion-MNIST (same network, recipe and budget), judged by
# classifier-fashion_mnist: the three techniques that help most on MNIST (the conditional pair,
# which the techniques issue also asks for, and minibatch discrimination, the best unconditional
# one: FID 1.28 against the baseline's 3.94 +- 0.07).
_FASHION = {
    "dcgan": ("the zoo's MNIST baseline recipe", []),
    "cgan": ("class labels in G and D (conditional GAN)", ["cgan"]),
    "acgan": ("an auxiliary classifier on D (AC-GAN)", ["acgan"]),
    "mbd": ("minibatch discrimination", ["minibatch_discrimination"]),
}
_FASHION_NOTE = (
    f"The MNIST baseline (dcgan-mnist: D without normalisation, R1, alternating updates, an EMA "
    f"of G) on Fashion-MNIST, {MNIST_EPOCHS} epochs of its 60,000 training images, batch 64 per "
    "D step, seed 0; metrics in classifier-fashion_mnist's feature space."
)
for _prefix, (_what, _techniques) in _FASHION.items():
    _baseline_entry(_prefix, "fashion_mnist",
                    f"DCGAN with {_what} on Fashion-MNIST clothes, 28x28x1", _FASHION_NOTE,
                    _techniques)

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
# The mode-collapse techniques of "Techniques II" on the toy protocol: (what, techniques, other
# Entry fields). Each keeps its own authors' settings where the technique sets them (WGAN's
# clipping c = 0.01 with RMSProp 5e-5 and 5 critic steps, SNGAN's hinge loss, MAD-GAN's
# alternating updates); MAD-GAN's k = 4 generators (half the ring's modes: each must cover more
# than one) is ganzoo's choice, the paper's toy runs are 1-D.
_TOY_TECHNIQUES_II = {
    "unrolled": ("D unrolled 5 steps in G's loss (unrolled GAN)", [], {"update": "unrolled"}),
    "pacgan": ("D judging packs of 2 points (PacGAN2)", [{"name": "pacgan", "packing": 2}], {}),
    "madgan": ("4 generators and a 5-way D (MAD-GAN)", [{"name": "madgan", "generators": 4}], {}),
    "wgan": ("weight clipping (WGAN: c = 0.01, RMSProp 5e-5, 5 critic steps)",
             ["weight_clipping"], {}),
    "sngan": ("spectral normalization of D and the hinge loss (SNGAN)", ["spectral_norm"], {}),
}
_TOY_NAMES = {"ring8": "the ring of 8 Gaussians", "grid25": "the 5x5 grid of Gaussians"}

_BUDGET_NOTE = (
    "Same network and budget as {base} ({budget}); only the technique differs, so its metrics "
    "compare directly with {base}'s."
)


def _technique_entry(prefix, dataset, family, description, techniques, base, budget, notes=None,
                     **fields):
    register(Entry(
        name=f"{prefix}-{dataset}",
        description=description,
        family=family,
        dataset=dataset,
        techniques=tuple(techniques),
        hub_repo=f"ganzoo/{prefix}-{dataset}",
        manifest_sha256=pinned(f"{prefix}-{dataset}"),
        notes=notes or _BUDGET_NOTE.format(base=base, budget=budget),
        **fields,
    ))


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
    f"({_PACGAN_EPOCHS * _TOY_STEPS_PER_EPOCH:,} steps) and report the mean of 10 runs; this "
    f"entry trains {TOY_EPOCHS} epochs and ships seed 0's run, its card the mean and spread over "
    "the seeds trained (seeds.json); their batch norm (Blocks) averages the "
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
    for _prefix, (_what, _techniques, _fields) in _TOY_TECHNIQUES_II.items():
        _technique_entry(_prefix, _toy, "mlp", f"MLP GAN with {_what} on {_TOY_NAMES[_toy]}",
                         _techniques, f"gan-{_toy}", _TOY_BUDGET, **_fields)
