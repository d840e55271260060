"""``ganzoo.evaluate``: score a GAN against its dataset, write ``metrics.json`` and the model card.

::

    import ganzoo
    results = ganzoo.evaluate("dcgan-mnist")            # or a GAN / checkpoint directory
    results["metrics"]        # {"fid": ..., "kid": ..., "precision": ..., "classes_seen": ...}
    ganzoo.evaluation.write_metrics("checkpoints/dcgan-mnist", results)

Metric sets by domain (the "Evaluation" issue):

* **MNIST, Fashion-MNIST** (datasets with a shipped domain classifier,
  ``checkpoints/classifier-<dataset>``, see :mod:`ganzoo.classifiers`): in the classifier's
  penultimate feature space ``fid``, ``kid`` (+ ``kid_std``: 100 subsets of 1,000), ``precision``
  and ``recall`` (k = 3); from its softmax ``confident`` (share of samples whose largest class
  probability is >= 0.9), ``class_share_min`` / ``class_share_max`` (the smallest and largest
  share of a predicted class), ``classes_seen``, ``class_kl`` (KL of the
  predicted-label histogram to the train split's label histogram) and ``classifier_is`` (the
  Inception-Score *formula* on the domain classifier's probabilities, 10 splits -- not the
  Inception Score). The reference set is the real **test** split (10,000 images); 10,000 generated
  samples by default.
* ``inception_fid``, ``inception_kid``, ``inception_is``: only when asked for (Keras's ImageNet
  InceptionV3, see :mod:`ganzoo.metrics.inception`). Offline without the weights they are
  recorded under ``results["unavailable"]`` with the reason -- never a number, never a crash.
* **Toys** (``ring8``, ``grid25``): :func:`ganzoo.metrics.toy_metrics` (``modes``,
  ``num_modes``, ``high_quality``, ``reverse_kl``) over 2,500 samples.
* **Stacked MNIST** (``stacked_mnist``): the VEEGAN / PacGAN protocol,
  :func:`ganzoo.metrics.mode_coverage`: ``modes`` (+ ``num_modes``), the digit triples read by
  ``classifier-mnist`` channel by channel that at least one sample falls in, and ``kl``,
  KL(mode histogram || uniform over the 1,000 triples), over 26,000 samples by default.

Which set applies is the dataset spec's ``metrics`` (:class:`ganzoo.data.DatasetSpec`,
:data:`METRIC_SETS`); the domain classifier is the spec's ``classifier``.

**Conditional GANs** (``cgan``, ``acgan``: ``gan.conditional``, ``gan.num_classes`` = K) are
asked for their classes in a fixed layout, sample ``i`` of class ``i % K``
(:func:`class_layout`: equal counts per class when K divides the sample count, else counts that
differ by at most one), with the latents of the same seeded stream. The same samples give every
metric of the set above and, for a dataset read by a domain classifier (MNIST, Fashion-MNIST,
Stacked MNIST), ``class_accuracy``: the share of samples whose predicted class (the
classifier's argmax; Stacked MNIST: the digit triple read channel by channel) is the class they
were generated for, and ``class_accuracy_min``, the smallest per-class accuracy (every class's
in ``results["details"]["class_accuracy_per_class"]``) -- see
:func:`ganzoo.metrics.class_accuracy`. They are part of the default set of a conditional GAN;
an unconditional GAN's evaluation is unchanged and has neither.

Generated samples come from ONE latent stream, ``np.random.default_rng(seed)``, drawn in batches
of ``batch_size`` (the same numbers as ``gan.latents(num_samples, seed)``, so the same images as
``gan.sample(num_samples, seed)``; a conditional GAN's with the classes of :func:`class_layout`)
and streamed into :class:`~ganzoo.metrics.FeatureStats`: memory holds one batch of images, never
all of them.

``real_floor(dataset)`` runs the same metrics between real images (a seeded subset of the train
split) and the test split: the real-vs-real floor that a perfect generator would reach with this
many samples. ``ganzoo eval --floor DATASET`` stores it in ``docs/floors.json``, which ``ganzoo
table`` shows in ``docs/zoo.md``.
"""

import datetime
import difflib
import json
import time
from pathlib import Path

import numpy as np

from ganzoo import checkpoint

#: what each requestable name adds to ``results["metrics"]``
CLASSIFIER_METRICS = {
    "fid": ("fid",),
    "kid": ("kid", "kid_std"),
    "precision": ("precision",),
    "recall": ("recall",),
    "confident": ("confident",),
    "class_shares": ("class_share_min", "class_share_max"),
    "classes_seen": ("classes_seen",),
    "class_kl": ("class_kl",),
    "classifier_is": ("classifier_is", "classifier_is_std"),
}
#: the classifier metrics read from its softmax (the others from its feature layer)
PROBABILITY_METRICS = ("confident", "class_shares", "classes_seen", "class_kl", "classifier_is")
INCEPTION_METRICS = {
    "inception_fid": ("inception_fid",),
    "inception_kid": ("inception_kid", "inception_kid_std"),
    "inception_is": ("inception_is", "inception_is_std"),
}
TOY_METRICS = {
    "modes": ("modes", "num_modes"),
    "high_quality": ("high_quality",),
    "reverse_kl": ("reverse_kl",),
}
STACKED_METRICS = {
    "modes": ("modes", "num_modes"),
    "kl": ("kl",),
}
#: what a conditional GAN adds (by default) on a dataset read by a domain classifier
CONDITIONAL_METRICS = {
    "class_accuracy": ("class_accuracy", "class_accuracy_min"),
}
#: the metric sets whose classifier can read the requested class back
CONDITIONAL_SETS = ("classifier", "stacked")
#: a dataset spec's ``metrics`` -> the metrics that set computes (by default all of them; an
#: image set may also be asked for the Inception metrics)
METRIC_SETS = {"classifier": CLASSIFIER_METRICS, "image": {}, "toy": TOY_METRICS,
               "stacked": STACKED_METRICS}
DEFAULT_NUM_SAMPLES = 10_000
TOY_NUM_SAMPLES = 2_500
STACKED_NUM_SAMPLES = 26_000
#: generated samples scored when ``num_samples`` is not given, per metric set
NUM_SAMPLES = {"toy": TOY_NUM_SAMPLES, "stacked": STACKED_NUM_SAMPLES}
PR_K = 3
KID_SUBSETS, KID_SUBSET_SIZE = 100, 1000
IS_SPLITS = 10
METRICS_FILE = checkpoint.METRICS
#: keys of a checkpoint's ``metadata["metrics"]`` that describe the evaluation, not a metric
CONTEXT_KEYS = ("num_samples", "seed", "reference", "feature_space")


def domain(dataset):
    """The dataset's metric set (its spec's ``metrics``): ``"toy"``, ``"classifier"`` (an image
    dataset with a shipped domain classifier), ``"image"`` (an image dataset without one:
    Inception metrics only) or ``"stacked"`` (Stacked MNIST's modes). An unknown dataset is a
    ``ValueError`` with the close matches."""
    from ganzoo import data

    return data.spec(dataset).metrics


def default_num_samples(dataset):
    """Generated samples scored when ``num_samples`` is not given (toys 2,500, Stacked MNIST
    26,000, else 10,000)."""
    return NUM_SAMPLES.get(domain(dataset), DEFAULT_NUM_SAMPLES)


def default_metrics(dataset, conditional=False):
    """The metric names evaluated when none are requested (``conditional``: for a conditional
    GAN, whose default set adds ``class_accuracy`` where a domain classifier reads the data)."""
    kind = domain(dataset)
    extra = tuple(CONDITIONAL_METRICS) if conditional and kind in CONDITIONAL_SETS else ()
    return tuple(METRIC_SETS[kind]) + extra


def class_layout(num_samples, num_classes):
    """The classes a conditional GAN is evaluated on: sample ``i`` is of class
    ``i % num_classes`` (int64). 10,000 samples of 10 classes: 1,000 of each."""
    return np.arange(int(num_samples), dtype=np.int64) % int(num_classes)


def _resolve_metrics(dataset, metrics, conditional=False):
    kind = domain(dataset)
    if metrics is None:
        metrics = ["default"]
    elif isinstance(metrics, str):
        metrics = [m for m in metrics.split(",")]
    names = []
    for m in metrics:
        m = str(m).strip()
        if not m:
            continue
        for n in (default_metrics(dataset, conditional) if m == "default" else (m,)):
            if n not in names:
                names.append(n)
    allowed = dict(METRIC_SETS[kind])
    if kind in ("classifier", "image"):
        allowed.update(INCEPTION_METRICS)
    if conditional and kind in CONDITIONAL_SETS:
        allowed.update(CONDITIONAL_METRICS)
    for n in names:
        if n not in allowed:
            every = list(dict.fromkeys(list(CLASSIFIER_METRICS) + list(INCEPTION_METRICS)
                                       + list(TOY_METRICS) + list(STACKED_METRICS)
                                       + list(CONDITIONAL_METRICS)))
            if n in CONDITIONAL_METRICS and kind in CONDITIONAL_SETS:
                raise ValueError(f"metric {n!r} needs the class each sample was generated for: "
                                 "it applies to a conditional GAN ('cgan', 'acgan') only")
            if n in every:
                raise ValueError(f"metric {n!r} does not apply to {dataset!r} ({kind} dataset); "
                                 f"available: {', '.join(allowed)}")
            close = difflib.get_close_matches(n, every + ["default"], n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ValueError(f"Unknown metric {n!r}.{hint} Available for {dataset!r}: "
                             f"{', '.join(allowed)} (or 'default')")
    if not names:
        raise ValueError(
            f"No metrics to compute for {dataset!r}: it has no domain classifier, so ask for "
            f"Inception metrics explicitly ({', '.join(INCEPTION_METRICS)})")
    return names


# -- inputs ----------------------------------------------------------------------------------------

def latent_batches(gan, num_samples, seed, batch_size):
    """Latent batches from ONE stream ``np.random.default_rng(seed)``; concatenated they equal
    ``gan.latents(num_samples, seed)`` (NumPy draws the same numbers in any chunking)."""
    rng = np.random.default_rng(seed)
    for start in range(0, num_samples, batch_size):
        n = min(batch_size, num_samples - start)
        yield rng.standard_normal((n, gan.latent_dim), dtype=np.float32)


def sample_batches(gan, num_samples, seed, batch_size=500, labels=None):
    """``gan``'s samples in batches: together ``gan.sample(num_samples, seed, labels=labels)``;
    without ``labels`` a conditional GAN's classes are those ``gan.sample(num_samples, seed)``
    draws (:meth:`~ganzoo.gan.GAN.sample_labels`)."""
    if labels is None and hasattr(gan, "sample_labels"):
        labels = gan.sample_labels(num_samples, seed)
    start = 0
    for z in latent_batches(gan, num_samples, seed, batch_size):
        if labels is None:
            yield gan.generate(z)
        else:
            yield gan.generate(z, labels=labels[start:start + len(z)])
        start += len(z)


def _array_batches(x, batch_size):
    for start in range(0, len(x), batch_size):
        yield x[start : start + batch_size]


def _as_images(x):
    """uint8 pixels -> float32 in [-1, 1]; float arrays unchanged (float32)."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float32) / 127.5 - 1.0
    return x.astype(np.float32, copy=False)


def _progress(total, desc, enabled):
    # tqdm.auto picks the notebook widget in Jupyter, and warns there when ipywidgets is missing:
    # only worth it for a bar that shows
    if enabled:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="img", disable=not enabled, leave=False,
                dynamic_ncols=True)


def _reference(dataset, reference, reference_size, data_dir):
    """``(images or points, description)`` of the reference set."""
    from ganzoo import data

    spec = data.spec(dataset)
    points = spec.kind == "points"
    if reference is not None:
        x = reference if points else _as_images(reference)
        if reference_size is not None:
            x = x[:reference_size]
        return x, f"a given array of {len(x)} {'points' if points else 'images'}"
    split = spec.reference_split
    x, _ = spec.load_arrays(split, data_dir)
    total = len(x)
    if reference_size is not None and reference_size < total:
        x = x[:reference_size]
        what = f"{dataset} {split} split, first {len(x)} of {total} images"
    else:
        what = f"{dataset} {split} split, {total} images"
    return x, what


def _classifier(dataset, classifier):
    from ganzoo import data
    from ganzoo.classifiers import load_classifier

    if classifier is None:
        classifier = data.spec(dataset).classifier or dataset
    if isinstance(classifier, str) or hasattr(classifier, "__fspath__"):
        classifier = load_classifier(classifier)
    return classifier


def classifier_feature_space(clf, dataset):
    """``"classifier-<dataset> <first 12 hex digits of its manifest's sha256>"``."""

    directory = getattr(clf, "checkpoint_dir", None)
    if directory is None:
        return f"classifier-{dataset} (in-memory model, not a checkpoint)"
    sha = checkpoint.sha256_file(Path(directory) / checkpoint.MANIFEST)
    name = (getattr(clf, "metadata", None) or {}).get("name") or Path(directory).name
    return f"{name} {sha[:12]}"


def _inception(inception):
    from ganzoo.metrics import InceptionFeatures

    if inception is None:
        return InceptionFeatures()
    if isinstance(inception, dict):
        return InceptionFeatures(**inception)
    return inception


# -- the core --------------------------------------------------------------------------------------

class _Accumulator:
    """Streams image batches through the classifier (and Inception) into FeatureStats."""

    def __init__(self, clf, inc, need_probs, need_inc_probs, seed, max_keep):
        from ganzoo.metrics import FeatureStats

        self.clf, self.inc = clf, inc
        self.need_probs, self.need_inc_probs = need_probs, need_inc_probs
        self.stats = FeatureStats(max_keep=max_keep, seed=seed) if clf is not None else None
        self.inc_stats = FeatureStats(max_keep=max_keep, seed=seed) if inc is not None else None
        self.probs, self.inc_probs = [], []
        self.count = 0

    def update(self, batch, batch_size):
        from ganzoo.metrics.inception import softmax

        batch = _as_images(batch)
        if self.clf is not None:
            self.stats.update(self.clf.predict_features(batch, batch_size=batch_size))
            if self.need_probs:
                self.probs.append(self.clf.predict_proba(batch, batch_size=batch_size))
        if self.inc is not None:
            f, logits = self.inc.features_and_logits(batch)
            self.inc_stats.update(f)
            if self.need_inc_probs:
                self.inc_probs.append(softmax(logits))
        self.count += len(batch)


def _consume(batches, acc, total, desc, progress, batch_size):
    with _progress(total, desc, progress) as bar:
        for batch in batches:
            acc.update(batch, batch_size)
            bar.update(len(batch))


def _class_accuracy_metrics(predicted, labels, num_classes, out, details, protocol, how):
    """``class_accuracy`` / ``class_accuracy_min`` of predicted classes against the requested
    ``labels``; ``how``: how a sample's class is read (for the protocol)."""
    from ganzoo.metrics import class_accuracy

    r = class_accuracy(predicted, labels, num_classes)
    out["class_accuracy"], out["class_accuracy_min"] = r["accuracy"], r["min"]
    details["class_accuracy_per_class"] = r["per_class"]
    layout = (f"sample i requested as class i % {num_classes}"
              if np.array_equal(labels, class_layout(len(labels), num_classes))
              else "the classes given with the samples")
    protocol["class_accuracy"] = (f"share of samples whose class, {how}, is the class they were "
                                  f"generated for ({layout}); class_accuracy_min: the smallest "
                                  "per-class accuracy")


def _image_metrics(names, gen, ref, clf, seed, label_hist, out, details, labels=None,
                   protocol=None):
    from ganzoo.metrics import (
        class_coverage, confident_share, fid, inception_score, kid, precision_recall,
    )

    if "fid" in names:
        out["fid"] = fid(gen.stats, ref.stats)
    if "kid" in names:
        r = kid(gen.stats.features, ref.stats.features, KID_SUBSETS, KID_SUBSET_SIZE, seed=seed)
        out["kid"], out["kid_std"] = r.mean, r.std
    if "precision" in names or "recall" in names:
        pr = precision_recall(ref.stats.features, gen.stats.features, k=PR_K)
        if "precision" in names:
            out["precision"] = pr.precision
        if "recall" in names:
            out["recall"] = pr.recall
    if gen.need_probs:
        probs = np.concatenate(gen.probs)
        cov = class_coverage(probs, label_hist, num_classes=probs.shape[1])
        if "classes_seen" in names:
            out["classes_seen"] = cov["classes_seen"]
        if "class_kl" in names:
            out["class_kl"] = cov["kl"]
        if "confident" in names:
            out["confident"] = confident_share(probs)
        if "class_shares" in names:
            out["class_share_min"], out["class_share_max"] = cov["share_min"], cov["share_max"]
        details["class_histogram"] = cov["histogram"]
        details["classes_min_share"] = cov["classes_min_share"]
        details["label_reference"] = ("train split label histogram (classifier metadata)"
                                      if label_hist is not None else "uniform (no label histogram)")
        if "classifier_is" in names:
            r = inception_score(probs, splits=IS_SPLITS)
            out["classifier_is"], out["classifier_is_std"] = r.mean, r.std
        if "class_accuracy" in names:
            _class_accuracy_metrics(probs, labels, probs.shape[1], out, details, protocol,
                                    "the domain classifier's argmax")


def _inception_metrics(names, gen, ref, seed, out):
    from ganzoo.metrics import fid, inception_score, kid

    if "inception_fid" in names:
        out["inception_fid"] = fid(gen.inc_stats, ref.inc_stats)
    if "inception_kid" in names:
        r = kid(gen.inc_stats.features, ref.inc_stats.features, KID_SUBSETS, KID_SUBSET_SIZE,
                seed=seed)
        out["inception_kid"], out["inception_kid_std"] = r.mean, r.std
    if "inception_is" in names:
        r = inception_score(np.concatenate(gen.inc_probs), splits=IS_SPLITS)
        out["inception_is"], out["inception_is_std"] = r.mean, r.std


def _stacked_metrics(names, batches, dataset, num_samples, classifier, batch_size, samples_desc,
                     progress, results, details, protocol, labels=None):
    """Stacked MNIST: each sample's digit triple, read channel by channel by the spec's domain
    classifier, streamed batch by batch; returns the sample count."""
    from ganzoo import data
    from ganzoo.metrics import mode_coverage, predict_digits

    spec = data.spec(dataset)
    clf = _classifier(dataset, classifier)
    digits = []
    with _progress(num_samples, samples_desc, progress) as bar:
        for batch in batches:
            digits.append(predict_digits(clf, _as_images(batch), batch_size))
            bar.update(len(batch))
    digits = np.concatenate(digits) if digits else np.zeros((0, 3), np.int64)
    if len(digits) == 0:
        raise ValueError("no samples to evaluate")
    modes = data.stacked.mode_index(digits)
    cov = mode_coverage(modes, num_modes=spec.modes)
    for n in names:
        for key in STACKED_METRICS.get(n, ()):
            results["metrics"][key] = cov[key]
    if "class_accuracy" in names:
        _class_accuracy_metrics(modes, labels, spec.modes, results["metrics"], details, protocol,
                                "the digit triple the domain classifier reads channel by channel "
                                "(mode 100 d0 + 10 d1 + d2)")
    results["reference"] = (f"uniform over the {spec.modes:,} digit triples of {dataset} "
                            "(KL(p_gen || uniform) over the observed modes)")
    results["feature_space"] = (f"{classifier_feature_space(clf, spec.classifier)}, "
                                "argmax per channel")
    details["mode_histogram"] = cov["histogram"]
    protocol["modes"] = ("distinct triples of the digits the domain classifier predicts for "
                         "channels 0, 1, 2 (VEEGAN / PacGAN)")
    protocol["kl"] = "sum_m p_m log(p_m * num_modes) over the modes with p_m > 0"
    return len(digits)


def evaluate_batches(batches, dataset, num_samples, metrics=None, seed=0, batch_size=500,
                     data_dir=None, progress=True, classifier=None, reference=None,
                     reference_size=None, inception=None, samples_desc="samples", labels=None):
    """Evaluate ``num_samples`` images (or toy points) given as an iterable of batches against
    ``dataset``'s reference set. :func:`evaluate` and :func:`real_floor` call this; it is public
    for evaluating arbitrary samples (e.g. ``[images]``). ``labels``: the class each sample was
    generated for (``num_samples`` ints, in the order of the batches), which makes the samples
    conditional ones: ``class_accuracy`` joins the default set."""
    import keras

    import ganzoo

    start = time.monotonic()
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (num_samples,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be {num_samples} int classes (one per sample); got "
                             f"shape {labels.shape}, dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    names = _resolve_metrics(dataset, metrics, conditional=labels is not None)
    kind = domain(dataset)
    results = {
        "dataset": dataset,
        "metrics": {},
        "num_samples": int(num_samples),
        "seed": int(seed),
        "samples": samples_desc,
        "ganzoo_version": ganzoo.__version__,
        "keras_version": keras.__version__,
        "backend": keras.config.backend(),
        "evaluated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    unavailable, details, protocol = {}, {}, {}
    if kind == "toy":
        from ganzoo import data
        from ganzoo.metrics import toy_metrics

        points = []
        with _progress(num_samples, samples_desc, progress) as bar:
            for batch in batches:
                points.append(np.asarray(batch, np.float64))
                bar.update(len(batch))
        x = np.concatenate(points) if points else np.zeros((0, 2))
        m = toy_metrics(x, dataset)
        for n in names:
            for key in TOY_METRICS[n]:
                results["metrics"][key] = m[key]
        centers = data.toy_centers(dataset)
        results["reference"] = (f"{dataset} mixture: {len(centers)} centres, sigma "
                                f"{data.toy_sigma(dataset)}; a sample is high quality within "
                                "3 sigma of its nearest centre")
        results["feature_space"] = "2-D data space"
        count = len(x)
    elif kind == "stacked":
        count = _stacked_metrics(names, batches, dataset, num_samples, classifier, batch_size,
                                 samples_desc, progress, results, details, protocol, labels)
    else:
        want_clf = [n for n in names if n in CLASSIFIER_METRICS or n in CONDITIONAL_METRICS]
        want_inc = [n for n in names if n in INCEPTION_METRICS]
        clf = _classifier(dataset, classifier) if want_clf else None
        inc = None
        if want_inc:
            try:
                inc = _inception(inception)
            except Exception as e:  # MetricUnavailableError, or a bad weights file
                for n in want_inc:
                    unavailable[n] = f"{type(e).__name__}: {e}"
                want_inc = []
        if clf is None and inc is None:
            results["unavailable"] = unavailable
            results["reference"] = None
            results["feature_space"] = None
            results["elapsed_seconds"] = round(time.monotonic() - start, 1)
            return results
        ref_x, results["reference"] = _reference(dataset, reference, reference_size, data_dir)
        keep = max(num_samples, len(ref_x))
        need_probs = any(n in PROBABILITY_METRICS or n in CONDITIONAL_METRICS
                         for n in want_clf)
        gen = _Accumulator(clf, inc, need_probs, "inception_is" in want_inc, seed, keep)
        ref = _Accumulator(clf, inc, False, False, seed, keep)
        _consume(batches, gen, num_samples, samples_desc, progress, batch_size)
        _consume(_array_batches(ref_x, batch_size), ref, len(ref_x), "reference", progress,
                 batch_size)
        count = gen.count
        if clf is not None:
            label_hist = (getattr(clf, "metadata", None) or {}).get("train_label_hist")
            _image_metrics(want_clf, gen, ref, clf, seed, label_hist, results["metrics"], details,
                           labels, protocol)
            results["feature_space"] = classifier_feature_space(clf, dataset)
            protocol.update({"fid/kid/precision/recall": f"{clf.feature_dim}-d penultimate "
                             "features of the domain classifier",
                             "classifier_is": "Inception-Score formula on the domain "
                             f"classifier's softmax, {IS_SPLITS} splits (not the Inception Score)"})
        else:
            results["feature_space"] = None
        if inc is not None:
            _inception_metrics(want_inc, gen, ref, seed, results["metrics"])
            results["inception_feature_space"] = ("InceptionV3 pool features (Keras ImageNet "
                                                  "weights; not comparable to TTUR/pytorch-fid)")
        protocol.update({"kid": f"mean/std over {KID_SUBSETS} subsets of {KID_SUBSET_SIZE}",
                         "precision/recall": f"Kynkaanniemi et al. 2019, k={PR_K}"})
    if count != num_samples:
        raise ValueError(f"expected {num_samples} samples, got {count}")
    if unavailable:
        results["unavailable"] = unavailable
    if details:
        results["details"] = details
    if protocol:
        results["protocol"] = protocol
    results["elapsed_seconds"] = round(time.monotonic() - start, 1)
    return results


def evaluate(gan, data=None, metrics=None, num_samples=None, seed=0, batch_size=500,
             data_dir=None, progress=True, classifier=None, reference=None, reference_size=None,
             inception=None):
    """Evaluate a GAN; returns a JSON-serializable dict (see the module docstring).

    Args:
        gan: a :class:`~ganzoo.gan.GAN` (e.g. from ``ganzoo.load``), or a name / checkpoint
            directory / ``hf://`` id passed to ``ganzoo.load``.
        data: dataset name; default: the checkpoint's (``gan.checkpoint_config["dataset"]``).
        metrics: names (list or comma-separated string); ``None`` or ``"default"``: the dataset's
            standard set. Inception metrics are computed only when listed.
        num_samples: generated samples; default 10,000 (toys: 2,500; Stacked MNIST: 26,000).
        seed: latent seed (the samples are ``gan.sample(num_samples, seed)``; a conditional
            GAN's: ``gan.sample(num_samples, seed, labels=class_layout(num_samples, K))``, see
            :func:`class_layout`); also seeds the KID subsets and the feature reservoirs.
        batch_size: samples generated and featurized per batch (memory bound).
        data_dir: folder of the dataset's IDX files (see :func:`ganzoo.data.load_arrays`).
        progress: show a tqdm progress bar.
        classifier: the domain classifier (a ``DomainClassifier`` or a name / directory for
            ``load_classifier``); default ``checkpoints/classifier-<dataset>``.
        reference: a reference array instead of the test split (uint8 or [-1, 1] images).
        reference_size: use only the first N reference images (quick checks; recorded).
        inception: an ``InceptionFeatures``, or a dict of its keyword arguments.

    Returns:
        ``{"metrics": {...}, "num_samples", "seed", "reference", "feature_space", "dataset",
        "name", "ganzoo_version", "keras_version", "backend", "elapsed_seconds", ...}`` plus
        ``"unavailable": {metric: reason}`` for metrics that could not run here.
    """
    if isinstance(gan, str) or hasattr(gan, "__fspath__"):
        import ganzoo

        gan = ganzoo.load(gan)
    config = getattr(gan, "checkpoint_config", None) or {}
    dataset = data or config.get("dataset")
    if dataset is None:
        raise ValueError("data= is required: this GAN has no checkpoint config naming its dataset")
    from ganzoo import data as data_lib

    spec = data_lib.spec(dataset)
    if num_samples is None:
        num_samples = default_num_samples(dataset)
    for label, v, least in (("num_samples", num_samples, 1), ("batch_size", batch_size, 1),
                            ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
            raise ValueError(f"{label} must be an integer >= {least}; got {v!r}")
    shape = tuple(gan.image_shape)
    if len(shape) != len(spec.shape) or (spec.kind == "images" and shape[-1] != spec.shape[-1]):
        raise ValueError(f"this GAN generates shape {shape}, which does not fit dataset "
                         f"{dataset!r}")
    num_samples, seed = int(num_samples), int(seed)
    labels, desc = None, f"gan.sample({num_samples}, seed={seed})"
    if getattr(gan, "conditional", False):
        # every class in equal numbers, the same layout for every seed: the samples of FID & co.
        # are also those whose classes class_accuracy reads back
        k = int(gan.num_classes)
        if spec.num_classes != k:
            raise ValueError(f"this GAN is conditional on {k} classes; dataset {dataset!r} has "
                             f"{spec.num_classes or 'no'} classes")
        labels = class_layout(num_samples, k)
        desc = (f"gan.sample({num_samples}, seed={seed}, labels=arange({num_samples}) % {k}) "
                "(conditional: class i % K for sample i)")
    results = evaluate_batches(
        sample_batches(gan, num_samples, seed, int(batch_size), labels=labels), dataset,
        num_samples, metrics=metrics, seed=seed, batch_size=int(batch_size),
        data_dir=data_dir, progress=progress, classifier=classifier, reference=reference,
        reference_size=reference_size, inception=inception, samples_desc=desc, labels=labels)
    results["name"] = config.get("name")
    return results


def real_floor(dataset, num_samples=None, seed=0, metrics=None, batch_size=500, data_dir=None,
               progress=True, classifier=None, reference_size=None, inception=None):
    """The real-vs-real floor: the same metrics with real data in place of the samples.

    Images: ``num_samples`` (default 10,000; Stacked MNIST 26,000) train-split images, drawn with
    ``np.random.default_rng(seed)`` (without replacement, in index order), against the test split.
    Toys: the first ``num_samples`` (default 2,500) points of the fixed train split.
    """
    from ganzoo import data

    spec = data.spec(dataset)
    if num_samples is None:
        num_samples = default_num_samples(dataset)
    x, _ = spec.load_arrays("train", data_dir)
    if spec.kind == "points":
        x, desc = x[:num_samples], f"{dataset} train split, first {num_samples} points"
    else:
        if num_samples > len(x):
            raise ValueError(f"num_samples={num_samples} exceeds the train split ({len(x)})")
        idx = np.sort(np.random.default_rng(seed).choice(len(x), num_samples, replace=False))
        x = x[idx]
        desc = (f"{dataset} train split, {num_samples} images (subset drawn with "
                f"default_rng({seed}))")
    results = evaluate_batches(
        _array_batches(x, batch_size), dataset, int(num_samples), metrics=metrics, seed=seed,
        batch_size=batch_size, data_dir=data_dir, progress=progress, classifier=classifier,
        reference_size=reference_size, inception=inception, samples_desc=desc)
    results["name"] = f"real-vs-real floor ({dataset})"
    return results


# -- writing ---------------------------------------------------------------------------------------

def card_metrics(results):
    """The flat dict stored in ``metadata["metrics"]`` and shown on the model card: the metric
    values plus the evaluation's ``num_samples``, ``seed``, ``reference`` and ``feature_space``."""
    out = dict(results["metrics"])
    for key in CONTEXT_KEYS:
        if results.get(key) is not None:
            out[key] = results[key]
    return out


def _dump(obj):
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=True) + "\n"


def write_metrics(checkpoint_dir, results):
    """Write ``results`` as ``metrics.json`` beside the checkpoint (sorted keys, indent 2, with
    the sha256 of the weights it was computed from), put :func:`card_metrics` into
    ``metadata.json``, re-render the model card and the manifest (which lists ``metrics.json``).
    The checkpoint is verified first. Returns the new sha256 of ``checksums.sha256`` -- the value
    the registry entry must now pin. A ``seeds.json`` whose seed-0 figures differ from the new
    record becomes stale (ignored until ``ganzoo seeds`` is run again, see :mod:`ganzoo.seeds`)."""

    directory = Path(checkpoint_dir)
    if not results.get("metrics"):
        raise ValueError("no metric was computed (see results['unavailable']): nothing to write, "
                         "the checkpoint's metrics are left as they are")
    checkpoint.verify(directory)
    record = dict(results)
    record["weights_sha256"] = checkpoint.sha256_file(directory / checkpoint.WEIGHTS)
    return checkpoint.update_card(directory, metrics=card_metrics(results),
                                  files={METRICS_FILE: _dump(record)})


def read_metrics(checkpoint_dir):
    """The checkpoint's ``metrics.json`` if it is listed in its manifest with a matching sha256 and
    was computed from the current weights; else ``None`` (absent, or stale after retraining)."""

    directory = Path(checkpoint_dir)
    path = directory / METRICS_FILE
    if not path.exists():
        return None
    try:
        entries = checkpoint.read_manifest(directory)
    except checkpoint.CheckpointError:
        return None
    if entries.get(METRICS_FILE) != checkpoint.sha256_file(path):
        return None
    record = json.loads(path.read_text())
    if record.get("weights_sha256") != entries.get(checkpoint.WEIGHTS):
        return None
    return record


def aggregate_seeds(checkpoint_dir, seed_dirs):
    """A seed study: the shipped checkpoint (seed 0) and other seeds' checkpoint folders, each
    evaluated with the same protocol, aggregated into the checkpoint's ``seeds.json`` -- see
    :func:`ganzoo.seeds.aggregate_seeds`."""
    from ganzoo import seeds

    return seeds.aggregate_seeds(checkpoint_dir, seed_dirs)


def write_floor(path, results):
    """Store a :func:`real_floor` result in ``path`` (``docs/floors.json``) under its dataset."""
    path = Path(path)
    floors = json.loads(path.read_text()) if path.exists() else {}
    floors[results["dataset"]] = results
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dump(floors))
    return path


def format_table(results):
    """A plain-text table of ``results`` for the terminal."""
    rows = [(k, _fmt_value(v)) for k, v in sorted(results["metrics"].items())]
    unavailable = results.get("unavailable") or {}
    rows += [(k, f"unavailable: {v}") for k, v in sorted(unavailable.items())]
    width = max([len(k) for k, _ in rows] + [6])
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  {'-' * 12}"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [
        "",
        f"samples:       {results.get('samples')} ({results['num_samples']} samples, "
        f"seed {results['seed']})",
        f"reference:     {results.get('reference')}",
        f"feature space: {results.get('feature_space')}",
    ]
    if results.get("inception_feature_space"):
        lines.append(f"inception:     {results['inception_feature_space']}")
    lines.append(f"ganzoo {results['ganzoo_version']}, Keras {results['keras_version']} "
                 f"({results['backend']}), {results['elapsed_seconds']} s")
    return "\n".join(lines)


def _fmt_value(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)
