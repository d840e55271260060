"""Generator / discriminator families. Each module holds one pair."""

from ganzoo.models.dcgan import DCGANDiscriminator, DCGANGenerator  # noqa: F401
from ganzoo.models.mlp import MLPDiscriminator, MLPGenerator  # noqa: F401
from ganzoo.models.multi import Generators  # noqa: F401

FAMILIES = {
    "dcgan": (DCGANGenerator, DCGANDiscriminator),
    "mlp": (MLPGenerator, MLPDiscriminator),
}
