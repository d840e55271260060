"""Metrics on a classifier's outputs: Inception Score and class coverage."""

from typing import NamedTuple

import numpy as np


class ISResult(NamedTuple):
    mean: float
    std: float


def _as_probs(probs, name="probs", atol=1e-3):
    p = np.asarray(probs)
    if p.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_classes); got shape {p.shape}")
    if p.dtype == bool or not (np.issubdtype(p.dtype, np.integer)
                               or np.issubdtype(p.dtype, np.floating)):
        raise ValueError(f"{name} must hold real numbers; got dtype {p.dtype}")
    p = p.astype(np.float64)
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError(f"{name} must be finite and >= 0 (probabilities, not logits)")
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=atol):
        worst = sums[np.argmax(np.abs(sums - 1))]
        raise ValueError(f"each row of {name} must sum to 1 (softmax outputs, not logits); "
                         f"found a row summing to {worst}")
    return p / sums[:, None]


def _kl_rows(p, q):
    """Σ_c p_c log(p_c / q_c) per row of ``p``, with 0 log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    return terms.sum(axis=-1)


def inception_score(probs, splits=10):
    """Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs"):

        IS = exp( E_x KL(p(y|x) || p(y)) ),   p(y) = E_x p(y|x)

    computed, as in the authors' code, on each of ``splits`` consecutive equal parts of the
    ``probs`` rows ``(n, K)`` (softmax outputs), with p(y) the mean over that part; returns
    ``ISResult(mean, std)`` over the parts (``np.std``, ddof=0). The published numbers use 50k
    samples, 10 splits and the 2015 TF Inception graph (1008 classes); with Keras's ImageNet
    InceptionV3 (1000 classes) values are not comparable to them. 1 <= IS <= K.
    """
    p = _as_probs(probs)
    if int(splits) != splits or splits < 1:
        raise ValueError(f"splits must be a positive integer; got {splits!r}")
    splits = int(splits)
    if len(p) < splits:
        raise ValueError(f"probs needs at least splits={splits} rows; got shape {p.shape}")
    n = len(p)
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]
        scores.append(np.exp(_kl_rows(part, part.mean(axis=0, keepdims=True)).mean()))
    scores = np.array(scores)
    return ISResult(float(scores.mean()), float(scores.std()))


def _as_labels(a, num_classes, name="labels", floats=False):
    """``a`` as int64 class indices in ``0..num_classes-1``; ``floats``: integer-valued floats
    are accepted too."""
    a = np.asarray(a)
    if not np.issubdtype(a.dtype, np.integer):
        if not (floats and np.issubdtype(a.dtype, np.floating) and np.all(a == np.round(a))):
            raise ValueError(f"{name} must be integers; got dtype {a.dtype}")
    a = a.astype(np.int64)
    if a.min() < 0 or a.max() >= num_classes:
        raise ValueError(f"{name} must lie in 0..{num_classes - 1}; got range "
                         f"{a.min()}..{a.max()}")
    return a


def _predictions(pred_labels_or_probs, num_classes, missing):
    """Predicted labels ``(n,)`` (argmax of ``(n, K)`` probabilities) and the checked class
    count K; ``missing``: the error when K is neither given nor the probabilities' width."""
    y = np.asarray(pred_labels_or_probs)
    if y.ndim == 2:
        if num_classes is None:
            num_classes = y.shape[1]
        if y.shape[1] != num_classes:
            raise ValueError(f"probs must have num_classes={num_classes} columns; got {y.shape}")
        y = np.argmax(y, axis=1)
    elif y.ndim != 1:
        raise ValueError("pred_labels_or_probs must be labels (n,) or probabilities (n, K); "
                         f"got shape {y.shape}")
    if num_classes is None:
        raise ValueError(missing)
    if int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}")
    return y, int(num_classes)


def class_coverage(pred_labels_or_probs, data_label_hist=None, num_classes=None, min_share=None):
    """Class coverage of generated samples under a classifier (the MNIST analogue of the toys'
    mode metrics; e.g. Metz et al. 2017 count modes with a pretrained classifier).

    ``pred_labels_or_probs``: predicted labels ``(n,)`` in ``0..K-1``, or class probabilities /
    logits ``(n, K)`` (argmax). ``data_label_hist``: the data's label counts or frequencies
    ``(K,)``; ``None`` means uniform. With p_gen the histogram of predicted labels (normalized):

    * ``classes_seen``: classes with at least one predicted sample;
    * ``classes_min_share``: classes with p_gen(c) >= ``min_share`` (default ``0.1 / K``, a tenth of
      a uniform share), a coverage count that ignores a stray sample;
    * ``kl``: KL(p_gen || p_data) = Σ_c p_gen(c) log(p_gen(c) / p_data(c)) over classes with
      p_gen(c) > 0 (``inf`` if one has p_data(c) = 0); 0 when the histograms match;
    * ``share_min`` / ``share_max``: the smallest and the largest p_gen(c) (a balanced 10-class
      generator has both near 0.1);
    * ``histogram``: predicted-label counts per class; ``num_classes``, ``samples``.
    """
    hist = None
    if data_label_hist is not None:
        hist = np.asarray(data_label_hist, dtype=np.float64)
        if hist.ndim != 1:
            raise ValueError(f"data_label_hist must be 1-D (num_classes,); got shape {hist.shape}")
        if num_classes is None:
            num_classes = len(hist)
    y, num_classes = _predictions(pred_labels_or_probs, num_classes,
                                  "num_classes is required with labels and no data_label_hist")
    if len(y) == 0:
        raise ValueError("pred_labels_or_probs is empty")
    y = _as_labels(y, num_classes, floats=True)
    if data_label_hist is None:
        hist = np.ones(num_classes)
    if hist.shape != (num_classes,):
        raise ValueError(f"data_label_hist must have num_classes={num_classes} entries; "
                         f"got shape {hist.shape}")
    if not np.isfinite(hist).all() or (hist < 0).any() or hist.sum() <= 0:
        raise ValueError("data_label_hist must be finite, >= 0 and not all 0")
    if min_share is None:
        min_share = 0.1 / num_classes
    counts = np.bincount(y, minlength=num_classes)
    p_gen, p_data = counts / counts.sum(), hist / hist.sum()
    nz = p_gen > 0
    kl = float("inf") if (p_data[nz] == 0).any() else float(
        np.sum(p_gen[nz] * np.log(p_gen[nz] / p_data[nz])))
    return {
        "classes_seen": int(nz.sum()),
        "classes_min_share": int((nz & (p_gen >= min_share)).sum()),
        "share_min": float(p_gen.min()),
        "share_max": float(p_gen.max()),
        "min_share": float(min_share),
        "kl": kl,
        "histogram": counts.tolist(),
        "num_classes": num_classes,
        "samples": int(len(y)),
    }


CONFIDENT_THRESHOLD = 0.9


def confident_share(probs, threshold=CONFIDENT_THRESHOLD):
    """The share of samples whose largest class probability is at least ``threshold``: samples
    the domain classifier reads as one clear class (real MNIST test digits: ~0.98 by ganzoo's
    classifier). ``probs``: class probabilities ``(n, K)``."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probs must be class probabilities (n, K) with n >= 1; got shape {p.shape}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1]; got {threshold!r}")
    return float(np.mean(p.max(axis=1) >= threshold))


def class_accuracy(pred_labels_or_probs, labels, num_classes=None):
    """How well a conditional generator follows its condition: the share of samples whose
    predicted class (by a domain classifier) equals the class they were generated for.

    ``pred_labels_or_probs``: predicted labels ``(n,)``, or class probabilities / logits
    ``(n, K)`` (argmax); ``labels``: the requested classes ``(n,)`` in ``0..K-1``.
    ``num_classes``: K (default: the probabilities' columns, else required). Returns

    * ``accuracy``: mean over all samples of ``pred == label``;
    * ``per_class``: for each class c the accuracy over the samples requested as c (``None``
      for a class no sample was requested as);
    * ``min``: the smallest per-class accuracy (over the requested classes): the class the
      generator follows worst;
    * ``counts``: samples requested per class; ``num_classes``, ``samples``.

    With classes requested in equal numbers, a generator that ignores its condition scores the
    share of its samples in each class averaged over the classes -- ``1 / K`` whatever its class
    shares are (e.g. all samples read as one class: that class scores 1, the others 0); one
    whose samples are always read as the requested class scores 1.
    """
    y, num_classes = _predictions(pred_labels_or_probs, num_classes,
                                  "num_classes is required with predicted labels")
    want = np.asarray(labels)
    if want.shape != y.shape:
        raise ValueError(f"labels must have one class per sample, shape {y.shape}; got shape "
                         f"{want.shape}")
    if len(y) == 0:
        raise ValueError("no samples")
    y = _as_labels(y, num_classes, "predicted labels")
    want = _as_labels(want, num_classes)
    hit = (y == want)
    counts = np.bincount(want, minlength=num_classes)
    hits = np.bincount(want, weights=hit.astype(np.float64), minlength=num_classes)
    per_class = [float(hits[c] / counts[c]) if counts[c] else None for c in range(num_classes)]
    return {
        "accuracy": float(hit.mean()),
        "per_class": per_class,
        "min": float(min(a for a in per_class if a is not None)),
        "counts": counts.tolist(),
        "num_classes": num_classes,
        "samples": int(len(y)),
    }
