"""Streaming feature statistics and the Fréchet distance (FID).

FID (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
Equilibrium") fits a Gaussian to each set of features and reports the Fréchet (2-Wasserstein)
distance between the two Gaussians:

    FID = ||mu1 - mu2||² + Tr(C1 + C2 - 2 (C1 C2)^{1/2})

with the sample means ``mu`` and the unbiased (ddof=1) sample covariances ``C``. ``FeatureStats``
accumulates what this needs batch by batch, so 50k samples of 2048-d Inception features cost two
d×d float64 accumulators (32 MB) plus, optionally, a bounded reservoir of raw rows for the metrics
that need them (KID, precision/recall).

All the math is numpy/scipy float64.
"""

import json
import warnings

import numpy as np
import scipy.linalg

#: rows converted to float64 at a time inside ``FeatureStats.update`` (bounds the temporary copy)
_CHUNK = 4096


def as_features(x, name="features", min_rows=1, dim=None, dtype=np.float64, why=""):
    """``x`` as a 2-D ``(n, d)`` array of ``dtype``, with clear errors for bad shapes
    (``why`` explains ``min_rows`` in the message)."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features); got shape {x.shape}")
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} features per row (to match); "
                         f"got shape {x.shape}")
    if x.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows{why}; got shape {x.shape}")
    if x.dtype == bool or not (np.issubdtype(x.dtype, np.integer)
                               or np.issubdtype(x.dtype, np.floating)):
        raise ValueError(f"{name} must hold real numbers; got dtype {x.dtype}")
    if dtype is not None:
        x = x.astype(dtype, copy=False)
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


class FeatureStats:
    """Running count, mean and covariance of feature rows, plus a bounded reservoir of raw rows.

    ``update(batch)`` adds rows ``(n, d)``; ``mean`` and ``cov`` (unbiased, ddof=1, as
    ``np.cov``) can be read at any time. Internally the sums are taken about a fixed shift (the
    first batch's mean) to avoid cancellation in ``cov = (Σ x xᵀ - n m mᵀ) / (n - 1)``:
    ``sum = Σ (x - s)`` and ``outer = Σ (x - s)(x - s)ᵀ``, both float64. Memory: two accumulators of
    d and d×d float64, independent of the number of rows.

    ``max_keep`` rows (float32) are also kept for KID and precision/recall: every row until
    ``max_keep`` rows have been seen, then a uniform random sample of the whole stream (reservoir
    sampling, Vitter's algorithm R, seeded by ``seed``). ``max_keep=0`` keeps none. The reservoir
    grows as rows arrive; at the default 50,000 rows of 2048-d features it is 400 MB.
    """

    def __init__(self, dim=None, max_keep=50_000, seed=0):
        if dim is not None and (int(dim) != dim or dim < 1):
            raise ValueError(f"dim must be a positive integer or None; got {dim!r}")
        if int(max_keep) != max_keep or max_keep < 0:
            raise ValueError(f"max_keep must be an integer >= 0; got {max_keep!r}")
        self.dim = None if dim is None else int(dim)
        self.max_keep = int(max_keep)
        self.count = 0
        self._shift = None
        self._sum = None
        self._outer = None
        self._rng = np.random.default_rng(seed)
        self._kept = 0
        self._buf = None

    @classmethod
    def from_features(cls, features, max_keep=50_000, seed=0):
        """Statistics of one ``(n, d)`` array (processed in chunks, like a stream)."""
        return cls(max_keep=max_keep, seed=seed).update(features)

    def update(self, features):
        """Add the rows of ``features`` ``(n, d)``; returns ``self``."""
        x = as_features(features, "features", min_rows=0, dim=self.dim, dtype=None)
        if self.dim is None:
            self.dim = x.shape[1]
        for start in range(0, len(x), _CHUNK):
            self._update_chunk(x[start : start + _CHUNK])
        return self

    def _update_chunk(self, chunk):
        x = chunk.astype(np.float64)
        if self._shift is None:
            self._shift = x.mean(axis=0)
            self._sum = np.zeros(self.dim)
            self._outer = np.zeros((self.dim, self.dim))
        xc = x - self._shift
        self._sum += xc.sum(axis=0)
        self._outer += xc.T @ xc
        self._keep(chunk)
        self.count += len(x)

    def _keep(self, chunk):
        """Reservoir sampling of rows; ``self.count`` is still the number seen before ``chunk``."""
        if self.max_keep == 0:
            return
        take = min(self.max_keep - self._kept, len(chunk))
        if take > 0:
            self._grow(self._kept + take)
            self._buf[self._kept : self._kept + take] = chunk[:take]
            self._kept += take
        rest = chunk[take:]
        if len(rest):
            # row with 0-based stream index j replaces slot r ~ U{0..j} if r < max_keep
            j = self.count + take + np.arange(len(rest))
            r = self._rng.integers(0, j + 1)
            hit = r < self.max_keep
            slots, rows = r[hit][::-1], rest[hit][::-1]
            slots, first = np.unique(slots, return_index=True)  # the stream's last write wins
            self._buf[slots] = rows[first]

    def _grow(self, needed):
        capacity = 0 if self._buf is None else len(self._buf)
        if needed <= capacity:
            return
        new = min(self.max_keep, max(needed, 2 * capacity, 1024))
        buf = np.empty((new, self.dim), dtype=np.float32)
        if self._kept:
            buf[: self._kept] = self._buf[: self._kept]
        self._buf = buf

    @property
    def mean(self):
        """Sample mean ``(d,)`` float64."""
        if self.count < 1:
            raise ValueError("FeatureStats.mean needs at least 1 sample; got 0")
        return self._shift + self._sum / self.count

    @property
    def cov(self):
        """Unbiased sample covariance ``(d, d)`` float64: ``Σ (x - m)(x - m)ᵀ / (n - 1)``."""
        if self.count < 2:
            raise ValueError(f"FeatureStats.cov needs at least 2 samples; got {self.count}")
        m = self._sum / self.count
        cov = (self._outer - self.count * np.outer(m, m)) / (self.count - 1)
        return (cov + cov.T) / 2

    @property
    def features(self):
        """The kept raw rows ``(min(count, max_keep), d)`` float32 (a view: do not modify)."""
        if self._buf is None:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        return self._buf[: self._kept]

    @property
    def nbytes(self):
        """Bytes held by the accumulators and the reservoir."""
        arrays = (self._shift, self._sum, self._outer, self._buf)
        return sum(a.nbytes for a in arrays if a is not None)

    def __repr__(self):
        return (f"FeatureStats(dim={self.dim}, count={self.count}, kept={self._kept}, "
                f"max_keep={self.max_keep})")

    def save(self, path):
        """Write the state (accumulators, reservoir, RNG state) to an ``.npz`` file."""
        if self.count == 0:
            raise ValueError("FeatureStats.save: nothing accumulated yet")
        np.savez(
            path,
            count=self.count,
            max_keep=self.max_keep,
            shift=self._shift,
            sum=self._sum,
            outer=self._outer,
            features=self.features,
            rng_state=json.dumps(self._rng.bit_generator.state),
        )

    @classmethod
    def load(cls, path):
        """Read a state written by ``save``; streaming can continue after it."""
        with np.load(path, allow_pickle=False) as f:
            stats = cls(dim=f["shift"].shape[0], max_keep=int(f["max_keep"]))
            stats.count = int(f["count"])
            stats._shift, stats._sum, stats._outer = f["shift"], f["sum"], f["outer"]
            kept = f["features"]
            stats._rng.bit_generator.state = json.loads(str(f["rng_state"]))
        if len(kept):
            stats._grow(len(kept))
            stats._buf[: len(kept)] = kept
            stats._kept = len(kept)
        return stats


def frechet_distance(mu1, cov1, mu2, cov2, eps=1e-6):
    """Fréchet distance between N(mu1, cov1) and N(mu2, cov2) (Heusel et al. 2017, FID):

        ||mu1 - mu2||² + Tr(C1 + C2 - 2 sqrtm(C1 C2))

    ``sqrtm`` is ``scipy.linalg.sqrtm``. As in the reference implementations (TTUR, pytorch-fid):
    if the square root is not finite (singular product, e.g. fewer samples than dimensions),
    ``eps·I`` is added to both covariances and it is recomputed (with a ``RuntimeWarning``); tiny
    imaginary parts from round-off are dropped, and a ``ValueError`` is raised if an imaginary
    part on the diagonal exceeds 1e-3. The value is not clipped: identical statistics can give a
    round-off-sized negative number.
    """
    mu1, mu2 = np.asarray(mu1, dtype=np.float64), np.asarray(mu2, dtype=np.float64)
    cov1, cov2 = np.asarray(cov1, dtype=np.float64), np.asarray(cov2, dtype=np.float64)
    if mu1.ndim != 1 or mu2.ndim != 1:
        raise ValueError(f"mu1 and mu2 must be 1-D (d,); got shapes {mu1.shape} and {mu2.shape}")
    d = mu1.shape[0]
    if mu2.shape != (d,):
        raise ValueError(f"mu1 and mu2 must have the same dimension; got {mu1.shape}, {mu2.shape}")
    for name, c in (("cov1", cov1), ("cov2", cov2)):
        if c.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}) to match the means; got {c.shape}")
    for name, a in (("mu1", mu1), ("mu2", mu2), ("cov1", cov1), ("cov2", cov2)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or infinite values")
    diff = mu1 - mu2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(cov1 @ cov2)
        if not np.isfinite(covmean).all():
            warnings.warn(
                f"frechet_distance: sqrtm(C1 C2) is not finite (singular product); adding "
                f"{eps}·I to both covariances", RuntimeWarning, stacklevel=2)
            offset = eps * np.eye(d)
            covmean = scipy.linalg.sqrtm((cov1 + offset) @ (cov2 + offset))
    if np.iscomplexobj(covmean):
        imag = np.abs(np.diagonal(covmean).imag).max()
        if imag > 1e-3:
            raise ValueError(f"frechet_distance: sqrtm(C1 C2) has an imaginary component {imag}")
        covmean = covmean.real
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(covmean))


def _stats(x, name):
    if isinstance(x, FeatureStats):
        return x
    x = as_features(x, name, min_rows=2, why=" for a covariance")
    return FeatureStats.from_features(x, max_keep=0)


def fid(a, b, eps=1e-6):
    """FID between two feature sets, each a ``FeatureStats`` or an ``(n, d)`` array (n >= 2):
    ``frechet_distance(a.mean, a.cov, b.mean, b.cov)`` with unbiased covariances.

    The value depends on the feature extractor: with ``InceptionFeatures`` (Keras ImageNet
    weights) it is not comparable to FIDs published with the TTUR/pytorch-fid Inception graph.
    """
    sa, sb = _stats(a, "a"), _stats(b, "b")
    if sa.dim != sb.dim:
        raise ValueError(f"feature dimensions differ: {sa.dim} and {sb.dim}")
    return frechet_distance(sa.mean, sa.cov, sb.mean, sb.cov, eps=eps)
