"""Mode coverage of Stacked MNIST (the VEEGAN / PacGAN protocol; Metz et al. 2017).

A sample's mode is the triple of digits that a per-channel MNIST classifier reads in its three
channels (ganzoo's own ``classifier-mnist``): :func:`predict_digits`, then
:func:`ganzoo.data.stacked.mode_index`. Over the samples' modes:

* ``modes``: the number of distinct modes (of ``num_modes`` = 1,000) with at least one sample;
* ``kl``: KL(p_gen || uniform) = Σ_m p_m log(p_m / (1 / num_modes)) over the observed modes
  (p_m: the share of samples in mode m), as in VEEGAN's and PacGAN's tables: 0 when every mode has
  the same share, log(num_modes) when all samples fall in one mode.

The protocol scores 26,000 samples.
"""

import numpy as np

from ganzoo.data.stacked import CHANNELS, NUM_MODES, mode_index

NUM_SAMPLES = 26_000


def predict_digits(classifier, images, batch_size=500):
    """``(n, 3)`` int64: the class the ``classifier`` (a ``DomainClassifier`` of 28x28x1 digits)
    predicts for each channel of ``images`` (n, 28, 28, 3) in [-1, 1]."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or x.shape[-1] != CHANNELS:
        raise ValueError(f"images must have shape (n, H, W, {CHANNELS}); got {x.shape}")
    return np.stack([np.argmax(classifier.predict_proba(x[..., c:c + 1], batch_size=batch_size),
                               axis=1) for c in range(CHANNELS)], axis=1).astype(np.int64)


def mode_coverage(modes, num_modes=NUM_MODES):
    """``{"modes", "num_modes", "kl", "histogram", "samples"}`` for mode indices ``modes`` (n,)
    in ``0..num_modes-1`` (``histogram``: samples per mode, a list of ``num_modes`` counts)."""
    m = np.asarray(modes)
    if m.ndim != 1 or len(m) == 0:
        raise ValueError(f"modes must be a non-empty 1-D array of mode indices; got shape {m.shape}")
    if not np.issubdtype(m.dtype, np.integer):
        raise ValueError(f"modes must be integers; got dtype {m.dtype}")
    if m.min() < 0 or m.max() >= num_modes:
        raise ValueError(f"modes must lie in 0..{num_modes - 1}; got range {m.min()}..{m.max()}")
    counts = np.bincount(m, minlength=num_modes)
    p = counts[counts > 0] / len(m)
    return {
        "modes": int((counts > 0).sum()),
        "num_modes": int(num_modes),
        "kl": float(np.sum(p * np.log(p * num_modes))),
        "histogram": counts.tolist(),
        "samples": int(len(m)),
    }


def stacked_mnist_metrics(images, classifier, batch_size=500):
    """:func:`mode_coverage` of ``images`` (n, 28, 28, 3) in [-1, 1], their modes read by
    ``classifier`` channel by channel."""
    return mode_coverage(mode_index(predict_digits(classifier, images, batch_size)))
