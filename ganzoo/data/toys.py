"""2-D Gaussian-mixture toys that show mode collapse in seconds.

* ``ring8``: 8 Gaussians on a circle of radius 1 at angles 2πk/8, k = 0..7, σ = 0.01. (Not
  ``linspace(0, 2π, 8)``, which puts the first and last centre on the same point: 7 modes.)
* ``grid25``: a 5x5 grid with spacing 2, centres at -4, -2, 0, 2, 4 on each axis, σ = 0.05.

Mixture weights are uniform. Samples are float32 of shape (n, 2); ``ganzoo.data.load("ring8")``
batches a fixed split of them like any dataset (:func:`toy_arrays`).
"""

import numpy as np

TOYS = {"ring8": 0.01, "grid25": 0.05}


def toy_centers(name):
    """The mixture's centres, float64 array of shape (modes, 2)."""
    if name == "ring8":
        angles = 2 * np.pi * np.arange(8) / 8
        return np.stack([np.cos(angles), np.sin(angles)], axis=1)
    if name == "grid25":
        axis = np.arange(-4.0, 5.0, 2.0)
        return np.array([(x, y) for x in axis for y in axis])
    raise ValueError(f"Unknown toy dataset {name!r}; known: {', '.join(sorted(TOYS))}")


def toy_sigma(name):
    toy_centers(name)  # validates the name
    return TOYS[name]


def toy_sample(name, n, seed=None):
    """``n`` points of the mixture: a uniformly chosen centre plus N(0, σ² I) noise."""
    centers, sigma = toy_centers(name), toy_sigma(name)
    rng = np.random.default_rng(seed)
    idx = rng.integers(len(centers), size=n)
    return (centers[idx] + sigma * rng.standard_normal((n, 2))).astype(np.float32)


def nearest_center(points, centers):
    """``(index, distance)`` of each point's nearest centre (Euclidean)."""
    dist = np.linalg.norm(
        np.asarray(points, np.float64)[:, None, :] - np.asarray(centers, np.float64)[None], axis=-1
    )
    index = dist.argmin(axis=1)
    return index, dist[np.arange(len(dist)), index]


# train: 100,000 points, one epoch of PacGAN's / VEEGAN's toy protocol (their ``num_sample``);
# test: the evaluation reference (ganzoo.evaluation reads the test split).
TOY_SPLITS = {"train": (100_000, 0), "test": (10_000, 1)}


def toy_arrays(name, split="train"):
    """A fixed finite split, so toys train through the same epoch machinery as images:
    ``train`` = 100,000 points drawn with seed 0, ``test`` = 10,000 with seed 1. Returns
    ``(points float32 (n, 2), mode index int64 (n,))``."""
    if split not in TOY_SPLITS:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    n, seed = TOY_SPLITS[split]
    x = toy_sample(name, n, seed=seed)
    return x, nearest_center(x, toy_centers(name))[0].astype(np.int64)
