"""Generator / discriminator families. Each module holds one pair."""

from ganzoo.models.dcgan import DCGANDiscriminator, DCGANGenerator  # noqa: F401

FAMILIES = {"dcgan": (DCGANGenerator, DCGANDiscriminator)}
