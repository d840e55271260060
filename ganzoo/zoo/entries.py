"""The shipped zoo entries (plain data). Checkpoint pins come from ``pins.json``
(:mod:`ganzoo.zoo.pins`)."""

from ganzoo.zoo.pins import pinned
from ganzoo.zoo.registry import Entry, register

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
    "r1": ("R1 regularization", ["r1"]),
    "improved-gan": ("Salimans et al.'s set combined (feature matching, minibatch "
                     "discrimination, historical averaging, one-sided label smoothing, VBN)",
                     ["feature_matching", "minibatch_discrimination", "historical_averaging",
                      "one_sided_label_smoothing", "virtual_batch_normalization"]),
}

_TOY_TECHNIQUES = {
    # B=5 kernels of dimension 3 (not the image default 100x5): the pairwise L1 tensor is
    # batch² x B x C, and 256² x 500 made a step ~80x slower than the baseline's on 2 cores
    "mbd": ("minibatch discrimination (5 kernels of dimension 3)",
            lambda toy: [{"name": "minibatch_discrimination", "num_kernels": 5, "kernel_dim": 3}]),
    "fm": ("feature matching", lambda toy: ["feature_matching"]),
    "instance-noise": ("instance noise annealed to 0 over the first 3,000 steps",
                       lambda toy: [{"name": "instance_noise", "sigma": _TOY_NOISE[toy],
                                     "anneal_steps": 3_000}]),
    "wgan-gp": ("WGAN-GP", lambda toy: ["wgan_gp"]),
    "dragan": ("DRAGAN", lambda toy: ["dragan"]),
    "r1": ("R1 regularization", lambda toy: ["r1"]),
}
_TOY_NOISE = {"ring8": 0.2, "grid25": 0.5}  # ~1/4 of the distance between neighbouring modes
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

_BASELINE_NOTES = {
    "ring8": (
        "The baseline the mode-collapse techniques are compared with: MLPs with 2 hidden layers "
        "of 128 ReLU units (G: z in R^64), Adam(1e-3, beta_1=0.5), batch 256, 30 epochs of "
        "the fixed 50,000-point train split (5,850 steps, well under a minute on 2 CPU cores; "
        "every toy entry gets this budget). The outcome of a plain GAN varies a lot with the "
        "seed: earlier runs of the same recipe for 100 epochs reached 2 (seed 0), 7 and 6 "
        "modes (unseeded). Compare techniques over several seeds, not one run."
    ),
    "grid25": "The grid25 baseline: the gan-ring8 recipe (MLPs 2x128, Adam(1e-3, 0.5), batch 256, "
              "30 epochs of the fixed 50,000-point train split) on the 5x5 grid.",
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
        _technique_entry(_prefix, _toy, "mlp", f"MLP GAN with {_what} on {_TOY_NAMES[_toy]}",
                         _techniques(_toy), f"gan-{_toy}",
                         "30 epochs of 50,000 points, batch 256 per D step")
