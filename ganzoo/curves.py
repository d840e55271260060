"""Training curves: what a ``ganzoo train`` run records at each epoch's end, and its plot.

A run appends one record per epoch to its training history (kept in ``train_state/progress.json``,
so a resumed run continues the same history, and copied into the checkpoint's
``metadata.json["training"]["history"]``)::

    {"epoch": 3, "images_seen": 179904, "wall_time_s": 212.4,
     "losses": {"d_loss": 1.21, "g_loss": 0.93, ...},     # means over the epoch's steps
     "quality": {"confident": 0.71, "class_share_min": 0.08, "class_share_max": 0.12,
                 "fid": 6.2}}                             # or the toys' modes / high_quality

``losses`` are the means Keras's ``fit`` reports for the epoch (for an epoch split over two
sessions, the mean over the steps of the session that finished it). ``quality`` is measured by a
:class:`QualityProbe` on :data:`QUALITY_SAMPLES` samples from latent seed :data:`QUALITY_SEED`
(standard-normal latents, in batches of 500) -- the time-to-quality benchmark's protocol -- with
the dataset's quick metrics (:func:`quality_metrics`); it is a curve, not the checkpoint's
figures (``ganzoo eval`` scores 10,000 samples from latent seed 0).

:func:`render` draws ``curves.png`` (losses, and quality against images seen), which the
checkpoint ships and its model card shows.
"""

import math

QUALITY_SAMPLES = 2000
# Stacked MNIST's curve counts modes of 1,000: 2,000 samples would cap it near 865
STACKED_QUALITY_SAMPLES = 10_000
QUALITY_SEED = 1
REFERENCE_SIZE = None  # test images in the reference statistics (None: the whole split)
LOSS_KEYS = ("d_loss", "g_loss", "penalty")


#: a dataset spec's metric set -> the quick metrics of its curve points
QUALITY_METRICS = {"classifier": ("confident", "class_shares", "fid"),
                   "toy": ("modes", "high_quality", "reverse_kl"),
                   "stacked": ("modes", "kl")}


def quality_metrics(dataset):
    """The quick metrics of a curve point: ``confident``, ``class_shares`` and ``fid`` for a
    dataset with a domain classifier, ``modes`` and ``high_quality`` for a toy, ``modes`` and
    ``kl`` for Stacked MNIST, None otherwise (an image dataset without a classifier gets no
    quality curve)."""
    from ganzoo import evaluation

    return QUALITY_METRICS.get(evaluation.domain(dataset))


def quality_samples(dataset):
    """Samples per curve point: 2,000 (toys 2,500, Stacked MNIST 10,000)."""
    from ganzoo import evaluation

    kind = evaluation.domain(dataset)
    if kind == "toy":
        return evaluation.TOY_NUM_SAMPLES
    return STACKED_QUALITY_SAMPLES if kind == "stacked" else QUALITY_SAMPLES


class QualityProbe:
    """Measures curve points for one dataset: the reference statistics (the test split through the
    domain classifier) are computed once, then every :meth:`measure` scores only the samples.

    :meth:`measure` takes a GAN (scored on ``gan.sample(num_samples, seed)``: G's moving average
    when it keeps one, uniform classes when it is conditional) or a bare ``generate(z) -> images``
    callable (scored on the same latents, ``latent_dim`` wide). The time-to-quality benchmark
    scores with the same probe, so a model card's curve and the benchmark's marks are one
    protocol.
    """

    def __init__(self, dataset, data_dir=None, classifier=None, num_samples=None,
                 seed=QUALITY_SEED, latent_dim=100, reference_size=None):
        from ganzoo import evaluation

        self.dataset, self.data_dir, self.seed = dataset, data_dir, seed
        self.latent_dim = latent_dim
        self.metrics = quality_metrics(dataset)
        self.kind = evaluation.domain(dataset)
        self.num_samples = num_samples or quality_samples(dataset)
        self.clf = self.ref = None
        if self.kind == "stacked":
            from ganzoo import data
            from ganzoo.classifiers import load_classifier

            self.clf = (classifier if classifier is not None
                        else load_classifier(data.spec(dataset).classifier))
        if self.kind == "classifier":
            from ganzoo import data
            from ganzoo.classifiers import load_classifier
            from ganzoo.metrics import FeatureStats

            self.clf = classifier if classifier is not None else load_classifier(dataset)
            x, _ = data.load_arrays(dataset, "test", data_dir)
            x = x[:reference_size or REFERENCE_SIZE or len(x)].astype("float32") / 127.5 - 1.0
            self.ref = FeatureStats.from_features(self.clf.predict_features(x, batch_size=500))

    def measure(self, gan_or_generate):
        """The ``quality`` dict of one curve point, or None for a dataset without quick metrics."""
        import numpy as np
        from keras import ops

        from ganzoo import evaluation
        from ganzoo.metrics import (
            FeatureStats, class_coverage, confident_share, fid, stacked_mnist_metrics,
        )

        if self.metrics is None:
            return None
        if self.kind == "toy":
            results = evaluation.evaluate(gan_or_generate, data=self.dataset, seed=self.seed,
                                          metrics=list(self.metrics), progress=False,
                                          num_samples=self.num_samples, data_dir=self.data_dir)
            return {k: v for k, v in results["metrics"].items() if isinstance(v, (int, float))}
        if hasattr(gan_or_generate, "sample"):  # a GAN: exactly gan.sample(n, seed)
            images = gan_or_generate.sample(self.num_samples, seed=self.seed)
        else:  # a bare generator: the same latents (GAN.latents' draw), its own batches of 500
            z = np.random.default_rng(self.seed).standard_normal(
                (self.num_samples, self.latent_dim), dtype=np.float32)
            images = np.concatenate([ops.convert_to_numpy(gan_or_generate(z[i:i + 500]))
                                     for i in range(0, len(z), 500)])
        images = np.asarray(images, dtype=np.float32)
        if self.kind == "stacked":
            m = stacked_mnist_metrics(images, self.clf, batch_size=500)
            return {"modes": m["modes"], "num_modes": m["num_modes"], "kl": m["kl"]}
        probs = self.clf.predict_proba(images, batch_size=500)
        cov = class_coverage(probs)
        stats = FeatureStats.from_features(self.clf.predict_features(images, batch_size=500))
        return {"confident": confident_share(probs), "class_share_min": cov["share_min"],
                "class_share_max": cov["share_max"], "fid": float(fid(stats, self.ref))}


def record(epoch, images_seen, wall_time_s, logs, quality):
    """One history record (plain JSON types)."""
    losses = {k: float(v) for k, v in (logs or {}).items()
              if k in ("d_loss", "g_loss", "d_real", "d_fake", "penalty")
              and math.isfinite(float(v))}
    return {"epoch": int(epoch), "images_seen": int(images_seen),
            "wall_time_s": round(float(wall_time_s), 1), "losses": losses,
            "quality": quality}


def render(history, dataset, path):
    """Draw ``history`` (a list of :func:`record` dicts) into ``path`` (PNG): D's and G's losses,
    and the quality curve, against images seen."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if not history:
        raise ValueError("render() needs at least one history record")
    x = [r["images_seen"] / 1e6 for r in history]
    quality = [r.get("quality") or {} for r in history]
    has_quality = any(quality)
    fig, axes = plt.subplots(1, 2 if has_quality else 1, figsize=(9 if has_quality else 4.5, 3.2),
                             squeeze=False)
    ax = axes[0, 0]
    for key in LOSS_KEYS:
        ys = [r["losses"].get(key, math.nan) for r in history]
        if any(math.isfinite(y) for y in ys):
            ax.plot(x, ys, marker=".", label=key)
    ax.set_xlabel("images seen (millions)")
    ax.set_title("losses (epoch means)", fontsize=10)
    ax.legend(fontsize=8)
    if has_quality:
        ax = axes[0, 1]
        first = next(q for q in quality if q)
        toy = "high_quality" in first
        stacked = "kl" in first
        if stacked:  # modes as a share of the dataset's modes, so the left axis stays 0..1
            quality = [{**q, "mode_share": q["modes"] / q["num_modes"]} if "modes" in q else q
                       for q in quality]
        left = (("high_quality", "high-quality share") if toy
                else ("mode_share", "share of modes covered") if stacked
                else ("confident", "confident share"))
        right = (("reverse_kl", "reverse KL") if toy else ("kl", "KL to uniform") if stacked
                 else ("fid", "FID (classifier features)"))
        ax.plot(x, [q.get(left[0], math.nan) for q in quality], color="C0", marker=".")
        ax.set_ylabel(left[1], color="C0")
        ax.set_ylim(0, 1)
        twin = ax.twinx()
        twin.plot(x, [q.get(right[0], math.nan) for q in quality], color="C3", marker=".")
        twin.set_ylabel(right[1], color="C3")
        if not (toy or stacked):
            twin.set_yscale("log")
        ax.set_xlabel("images seen (millions)")
        from ganzoo import data

        n = (quality_samples(dataset) if data.find(dataset) is not None
             else 2_500 if toy else QUALITY_SAMPLES)  # a dataset this version does not know
        n = f"{n:,}"
        ax.set_title(f"quality at each epoch's end ({n} samples, seed {QUALITY_SEED})",
                     fontsize=10)
    fig.suptitle(f"training on {dataset}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
