"""GAN losses as pure functions on discriminator *logits* (``keras.ops`` only).

All functions return scalars (means over the batch). D's losses take ``real_target`` /
``fake_target`` (scalars or per-example tensors of shape (batch, 1)) so that techniques can change
D's targets (one-sided label smoothing, label noise); losses without targets ignore them.
"""

from keras import ops


def _bce_with_logits(logits, target):
    # Numerically stable binary cross-entropy: max(l, 0) - l * t + log(1 + exp(-|l|)).
    logits = ops.convert_to_tensor(logits)
    return ops.relu(logits) - logits * target + ops.log1p(ops.exp(-ops.abs(logits)))


def d_nonsat(real_logits, fake_logits, real_target=1.0, fake_target=0.0):
    """Discriminator loss of the original GAN: -log D(x) - log(1 - D(G(z)))."""
    return ops.mean(_bce_with_logits(real_logits, real_target)) + ops.mean(
        _bce_with_logits(fake_logits, fake_target)
    )


def g_nonsat(fake_logits):
    """Non-saturating generator loss (Goodfellow et al. 2014, sec. 3): -log D(G(z))."""
    return ops.mean(_bce_with_logits(fake_logits, 1.0))


def d_wasserstein(real_logits, fake_logits, real_target=None, fake_target=None):
    """The critic's loss of WGAN (Arjovsky et al. 2017): E[D(G(z))] - E[D(x)]."""
    return ops.mean(fake_logits) - ops.mean(real_logits)


def g_wasserstein(fake_logits):
    """The generator's loss of WGAN: -E[D(G(z))]."""
    return -ops.mean(fake_logits)


LOSSES = {"nonsat": (d_nonsat, g_nonsat), "wasserstein": (d_wasserstein, g_wasserstein)}


def get(name):
    """Return ``(d_loss_fn, g_loss_fn)`` for a loss family name."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"Unknown GAN loss {name!r}; known: {sorted(LOSSES)}") from None
