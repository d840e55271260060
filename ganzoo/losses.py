"""GAN losses as pure functions on discriminator *logits* (``keras.ops`` only).

All functions return scalars (means over the batch). ``real_target`` lets a technique change D's
target for real samples (one-sided label smoothing sets 0.9); fake targets stay 0.
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


LOSSES = {"nonsat": (d_nonsat, g_nonsat)}


def get(name):
    """Return ``(d_loss_fn, g_loss_fn)`` for a loss family name."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"Unknown GAN loss {name!r}; known: {sorted(LOSSES)}") from None
