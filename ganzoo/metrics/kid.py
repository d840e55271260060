"""Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs")."""

from typing import NamedTuple

import numpy as np

from ganzoo.metrics.stats import as_features


class KIDResult(NamedTuple):
    mean: float
    std: float


def polynomial_kernel(x, y):
    """The KID kernel ``k(x, y) = (x·y / d + 1)^3`` for rows of ``x`` (n, d) and ``y`` (m, d)."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y):
    """Unbiased MMD² with the cubic polynomial kernel between ``x`` (m, d) and ``y`` (n, d):

        1/(m(m-1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n-1)) Σ_{i≠j} k(y_i, y_j)
          - 2/(mn) Σ_{i,j} k(x_i, y_j)

    (the cross term may keep i = j: x and y are independent, so it is unbiased as it is).
    """
    m, n = len(x), len(y)
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2.0 * kxy.sum() / (m * n)
    )


def kid(features_a, features_b, num_subsets=100, subset_size=1000, seed=0):
    """KID: the unbiased MMD² between two feature sets with the cubic polynomial kernel
    ``k(x, y) = (x·y / d + 1)^3`` (Bińkowski et al. 2018), averaged over random subsets.

    Each of ``num_subsets`` rounds draws ``m = min(subset_size, len(a), len(b))`` rows of each set
    without replacement (``np.random.default_rng(seed)``) and computes ``mmd2_unbiased``; returns
    ``KIDResult(mean, std)`` over the rounds (``np.std``, ddof=0, as torch-fidelity). Unbiased:
    its expectation is 0 when both sets come from one distribution, so small negative values are
    normal. Features ``(n, d)``, n >= 2 each; float64 math.
    """
    why = " for the unbiased MMD²"
    a = as_features(features_a, "features_a", min_rows=2, why=why)
    b = as_features(features_b, "features_b", min_rows=2, dim=a.shape[1], why=why)
    if int(num_subsets) != num_subsets or num_subsets < 1:
        raise ValueError(f"num_subsets must be a positive integer; got {num_subsets!r}")
    if int(subset_size) != subset_size or subset_size < 2:
        raise ValueError(f"subset_size must be an integer >= 2; got {subset_size!r}")
    m = int(min(subset_size, len(a), len(b)))
    rng = np.random.default_rng(seed)
    values = np.array([
        mmd2_unbiased(a[rng.choice(len(a), m, replace=False)],
                      b[rng.choice(len(b), m, replace=False)])
        for _ in range(int(num_subsets))
    ])
    return KIDResult(float(values.mean()), float(values.std()))
