"""2-D Gaussian-mixture toys that show mode collapse in seconds.

* ``ring8``: 8 Gaussians on a circle of radius 1 at angles 2πk/8, k = 0..7, σ = 0.01. (Not
  ``linspace(0, 2π, 8)``, which puts the first and last centre on the same point: 7 modes.)
* ``grid25``: a 5x5 grid with spacing 2, centres at -4, -2, 0, 2, 4 on each axis, σ = 0.05.

Mixture weights are uniform. Samples are float32 of shape (n, 2); ``ganzoo.data.load("ring8")``
batches a fixed split of them like any dataset (:func:`toy_arrays`).
"""

import functools

import numpy as np

from ganzoo.data import specs

#: toy name -> sigma: a live view of the toys' specs (``spec.params["sigma"]``)
TOYS = specs.SpecView(lambda s: s.kind == "points", lambda s: s.params["sigma"])


def ring_centers(modes=8, radius=1.0):
    """``modes`` centres on a circle at angles 2πk/modes, float64 (modes, 2)."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centers(side=5, spacing=2.0):
    """A ``side`` x ``side`` grid centred on 0 with ``spacing``, float64 (side², 2)."""
    axis = (np.arange(side) - (side - 1) / 2) * spacing
    return np.array([(x, y) for x in axis for y in axis])


def _toy_spec(name):
    s = specs.find(name)
    if s is None or s.kind != "points":
        raise ValueError(f"Unknown toy dataset {name!r}; known: {', '.join(sorted(TOYS))}")
    return s


def toy_centers(name):
    """The mixture's centres, float64 array of shape (modes, 2)."""
    return np.asarray(_toy_spec(name).centers(), dtype=np.float64)


def toy_sigma(name):
    return _toy_spec(name).params["sigma"]


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


def toy_arrays(name, split="train", data_dir=None):
    """A fixed finite split, so toys train through the same epoch machinery as images:
    ``train`` = 100,000 points drawn with seed 0, ``test`` = 10,000 with seed 1. Returns
    ``(points float32 (n, 2), mode index int64 (n,))``. ``data_dir`` is ignored (a toy is
    generated); ``name`` may be the toy's spec (its loader's signature)."""
    name = getattr(name, "name", name)
    specs.check_split(split)
    n, seed = TOY_SPLITS[split]
    x = toy_sample(name, n, seed=seed)
    return x, nearest_center(x, toy_centers(name))[0].astype(np.int64)


def _register_toy(name, title, centers, sigma):
    specs.register(specs.DatasetSpec(
        name=name, title=title, kind="points", shape=(2,), loader=toy_arrays,
        sizes={split: n for split, (n, _) in TOY_SPLITS.items()}, num_classes=None,
        metrics="toy", renderer="points", modes=len(centers()), centers=centers,
        params={"sigma": sigma}, source="generated (ganzoo.data.toys)"))


_register_toy("ring8", "Toy: ring of 8 Gaussians (ring8)", functools.partial(ring_centers, 8), 0.01)
_register_toy("grid25", "Toy: 5x5 grid of Gaussians (grid25)", functools.partial(grid_centers, 5),
              0.05)
