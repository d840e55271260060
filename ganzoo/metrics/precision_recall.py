"""Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
for Assessing Generative Models")."""

from typing import NamedTuple

import numpy as np

from ganzoo.metrics.stats import as_features


class PRResult(NamedTuple):
    precision: float
    recall: float


def _sq_norms(x):
    return np.einsum("ij,ij->i", x, x)


def _sq_distances(a, a_sq, b, b_sq):
    """Squared Euclidean distances ``(len(a), len(b))``, clamped at 0 against round-off."""
    return np.maximum(a_sq[:, None] + b_sq[None, :] - 2.0 * (a @ b.T), 0.0)


def knn_radii(x, k=3, batch_size=2048):
    """Distance of each row of ``x`` to its k-th nearest neighbour in ``x``, itself excluded.

    Computed as the (k+1)-th smallest distance including the row itself (distance 0), so
    duplicates of a row count as neighbours. Memory: blocks of ``batch_size × batch_size``.
    """
    x = as_features(x, "x", min_rows=k + 1, why=f" (k-th neighbour with k={k})")
    sq = _sq_norms(x)
    radii = np.empty(len(x))
    for i in range(0, len(x), batch_size):
        rows = slice(i, i + batch_size)
        best = np.full((len(x[rows]), 0), np.inf)  # running k+1 smallest per row
        for j in range(0, len(x), batch_size):
            cols = slice(j, j + batch_size)
            d = np.concatenate([best, _sq_distances(x[rows], sq[rows], x[cols], sq[cols])], axis=1)
            best = np.partition(d, k, axis=1)[:, : k + 1] if d.shape[1] > k + 1 else d
        radii[rows] = np.sqrt(np.sort(best, axis=1)[:, k])
    return radii


def _inside(queries, centres, radii, batch_size):
    """For each query row: is it within ``radii[i]`` (inclusive) of some ``centres[i]``?

    Centres are visited largest ball first and a query stops once it is inside one ball.
    """
    order = np.argsort(-radii, kind="stable")
    centres, r_sq = centres[order], radii[order] ** 2
    q_sq, c_sq = _sq_norms(queries), _sq_norms(centres)
    inside = np.zeros(len(queries), dtype=bool)
    for i in range(0, len(queries), batch_size):
        todo = np.arange(i, min(i + batch_size, len(queries)))
        for j in range(0, len(centres), batch_size):
            todo = todo[~inside[todo]]
            if not len(todo):
                break
            cols = slice(j, j + batch_size)
            d = _sq_distances(queries[todo], q_sq[todo], centres[cols], c_sq[cols])
            inside[todo] = (d <= r_sq[None, cols]).any(axis=1)
    return inside


def precision_recall(real_features, fake_features, k=3, batch_size=2048):
    """Improved precision/recall (Kynkäänniemi et al. 2019) of fakes against reals.

    Each real point gets a hypersphere whose radius is the distance to its k-th nearest real
    neighbour (itself excluded); the union of these is the real manifold. Likewise for fakes.

    * precision = fraction of fake points inside at least one real hypersphere (``<=``);
    * recall = fraction of real points inside at least one fake hypersphere.

    Euclidean distances in float64, computed in ``batch_size × batch_size`` blocks (memory
    bounded: 32 MB per block at the default). The paper uses k=3 on VGG-16 features of 50k
    images per set. Needs at least k+1 rows in each set. Returns ``PRResult(precision, recall)``.
    """
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    k, batch_size = int(k), int(batch_size)
    why = f" (k-th neighbour with k={k})"
    real = as_features(real_features, "real_features", min_rows=k + 1, why=why)
    fake = as_features(fake_features, "fake_features", min_rows=k + 1, dim=real.shape[1], why=why)
    real_radii = knn_radii(real, k, batch_size)
    fake_radii = knn_radii(fake, k, batch_size)
    precision = _inside(fake, real, real_radii, batch_size).mean()
    recall = _inside(real, fake, fake_radii, batch_size).mean()
    return PRResult(float(precision), float(recall))
