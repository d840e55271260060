"""The shipped zoo entries (plain data)."""

from ganzoo.zoo.registry import Entry, register

_DCGAN_PAPER = (
    "Radford, Metz & Chintala, *Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks*, ICLR 2016, arXiv:1511.06434."
)

_DCGAN_MNIST_NOTES = """\
**Chosen for quality per CPU-minute.** Width 32 (G: z -> 7x7x64 -> 14x14x32 -> 28x28x1, D: 32 -> 64
channels), 4x4 kernels with stride 2, batch 64. On the 2-core dev machine (Keras 3.15 / TF 2.21 CPU)
this trains at ~2,200 images/s. In 8-minute pilots at equal wall time (batch 64, seed 0), width 32
beat width 64 (~840 images/s) at every 2-minute mark; at 8 minutes 63.3 % vs 61.1 % of 2,000 samples
(z seed 1) were classified with p > 0.9 by a small MNIST CNN (98.9 % test accuracy, a pilot tool, not
a shipped metric), classifier score 6.59 vs 6.31, smallest class share 5.2 % vs 3.9 %. Giving D width
64 (G 32) or alternating updates did not help at equal wall time either (4-minute pilots: 60.5 % and
59.3 % vs 61.3 %). The shipped 30-epoch run (1.8 M images, ~14 min) scores 61.8 % on the same
measure (real MNIST test images: 94.7 %): this network's quality had saturated after ~8 minutes.

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
        generator={"latent_dim": 100, "image_shape": (28, 28, 1), "width": 32, "kernel_size": 4},
        discriminator={"image_shape": (28, 28, 1), "width": 32, "kernel_size": 4},
        loss="nonsat",
        hparams={"batch_size": 64, "epochs": 30, "learning_rate": 2e-4, "beta_1": 0.5,
                 "beta_2": 0.999, "seed": 0},
        hub_repo="ganzoo/dcgan-mnist",
        hub_revision="main",
        manifest_sha256="b82d20e27b47cfcf449cf836141999b3b900d17bfa82be5ece3afd3b8cf18fd2",
        paper=_DCGAN_PAPER,
        notes=_DCGAN_MNIST_NOTES,
    )
)


register(
    Entry(
        name="gan-ring8",
        description="Plain GAN (non-saturating loss) on the ring of 8 Gaussians: the mode-collapse baseline",
        family="mlp",
        dataset="ring8",
        generator={"latent_dim": 64, "units": 128, "depth": 2},
        discriminator={"units": 128, "depth": 2},
        loss="nonsat",
        hparams={"batch_size": 256, "epochs": 100, "learning_rate": 1e-3, "beta_1": 0.5,
                 "beta_2": 0.999, "seed": 0},
        hub_repo="ganzoo/gan-ring8",
        hub_revision="main",
        manifest_sha256="3925fc65ccd97bd8c47ab60e7336ab035d25472cd206de4980ea3b3dd998cb0a",
        paper="Goodfellow et al., *Generative Adversarial Nets*, NeurIPS 2014 (non-saturating loss).",
        notes=(
            "The baseline the mode-collapse techniques are compared with: MLPs with 2 hidden layers "
            "of 128 ReLU units (G: z in R^64), Adam(1e-3, beta_1=0.5), batch 256, 100 epochs of "
            "the fixed 50,000-point train split (19,500 steps, ~1 min on 2 CPU cores). The shipped "
            "run (seed 0) collapsed onto 2 of 8 modes. The outcome varies a lot with the seed: two "
            "earlier unseeded runs of the same recipe reached 7 and 6 modes (74 % and 87 % high "
            "quality). Compare techniques over several seeds, not one run."
        ),
    )
)
