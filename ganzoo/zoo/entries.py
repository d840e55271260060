"""The shipped zoo entries (plain data)."""

from ganzoo.zoo.registry import Entry, register

_DCGAN_PAPER = (
    "Radford, Metz & Chintala, *Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks*, ICLR 2016, arXiv:1511.06434."
)

register(
    Entry(
        name="dcgan-mnist",
        description="DCGAN (Radford et al. 2016) on MNIST digits, 28x28x1",
        family="dcgan",
        dataset="mnist",
        generator={"latent_dim": 100, "image_shape": (28, 28, 1), "width": 64, "kernel_size": 4},
        discriminator={"image_shape": (28, 28, 1), "width": 64, "kernel_size": 4},
        loss="nonsat",
        hparams={"batch_size": 64, "epochs": 20, "learning_rate": 2e-4, "beta_1": 0.5,
                 "beta_2": 0.999, "seed": 0},
        hub_repo="ganzoo/dcgan-mnist",
        hub_revision="main",
        manifest_sha256=None,
        paper=_DCGAN_PAPER,
    )
)
