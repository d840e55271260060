"""Stacked MNIST (Metz et al. 2017; the VEEGAN / PacGAN mode-collapse protocol).

Each image is 28x28x3: its three channels are three MNIST digits drawn independently and
uniformly (with replacement) from an MNIST split, so the data have 10 x 10 x 10 = 1,000 modes,
one per digit triple. The label of an image is its mode, ``100 * d0 + 10 * d1 + d2`` for the
digits ``d0, d1, d2`` of channels 0, 1, 2 (:func:`mode_index`).

* ``train``: 128,000 images from the MNIST **train** split, drawn with
  ``np.random.default_rng(0)``;
* ``test``: 26,000 images from the MNIST **test** split, drawn with ``np.random.default_rng(1)``.

Which MNIST image fills each channel is :func:`stacked_indices` (``(n, 3)`` indices into the
MNIST split), so the data are the same on every machine and backend. The MNIST files are found
the way ``ganzoo.data.load("mnist", data_dir=...)`` finds them (the original IDX files in
``data_dir``, ``data_dir/mnist`` or ``$GANZOO_DATA_DIR/mnist``, else TFDS); nothing is written.
"""

import numpy as np

from ganzoo.data import images, specs

CHANNELS = 3
DIGITS = 10
NUM_MODES = DIGITS**CHANNELS
BASE = "mnist"
#: split -> (images, seed); the images of a split are drawn from the same MNIST split
SPLITS = {"train": (128_000, 0), "test": (26_000, 1)}


def stacked_indices(split="train", base_size=None):
    """``(n, 3)`` int64: row i holds the indices into the MNIST ``split`` of the digits in
    channels 0, 1, 2 of stacked image i (``base_size``: the MNIST split's size, default the
    official one)."""
    specs.check_split(split)
    n, seed = SPLITS[split]
    if base_size is None:
        base_size = specs.spec(BASE).split_size(split)
    return np.random.default_rng(seed).integers(base_size, size=(n, CHANNELS), dtype=np.int64)


def mode_index(digits):
    """The mode of digit triples ``digits`` (..., 3) -> ``100 * d0 + 10 * d1 + d2`` (int64)."""
    d = np.asarray(digits, dtype=np.int64)
    if d.shape[-1:] != (CHANNELS,):
        raise ValueError(f"digits must have a last axis of {CHANNELS}; got shape {d.shape}")
    return d @ (DIGITS ** np.arange(CHANNELS - 1, -1, -1, dtype=np.int64))


def mode_digits(modes):
    """The digit triples (..., 3) of mode indices (the inverse of :func:`mode_index`)."""
    m = np.asarray(modes, dtype=np.int64)
    return np.stack([m // DIGITS**(CHANNELS - 1 - c) % DIGITS for c in range(CHANNELS)], axis=-1)


def stack(x, y, indices):
    """Stacked images and their modes from MNIST arrays ``x`` (n, 28, 28, 1) uint8, ``y`` (n,) and
    ``indices`` (m, 3): channel c of image i is ``x[indices[i, c]]``."""
    x = np.asarray(x)
    out = np.empty((len(indices),) + x.shape[1:3] + (CHANNELS,), dtype=x.dtype)
    for c in range(CHANNELS):
        out[..., c] = x[indices[:, c], ..., 0]
    return out, mode_index(np.asarray(y)[indices])


def stacked_arrays(spec, split="train", data_dir=None):
    """The loader: ``(images uint8 (n, 28, 28, 3), modes int64 (n,))`` of a split, built from the
    real MNIST split (see the module docstring)."""
    specs.check_split(split)
    x, y = images.load_arrays(BASE, split, data_dir)
    return stack(x, y, stacked_indices(split, base_size=len(x)))


specs.register(specs.DatasetSpec(
    name="stacked_mnist", title="Stacked MNIST (1,000 modes)", kind="images", shape=(28, 28, 3),
    loader=stacked_arrays, sizes={split: n for split, (n, _) in SPLITS.items()},
    num_classes=NUM_MODES, metrics="stacked", classifier=BASE, modes=NUM_MODES,
    params={"base": BASE, "seeds": {split: seed for split, (_, seed) in SPLITS.items()}},
    source="built from MNIST (ganzoo.data.stacked): "
           + specs.spec(BASE).source))
