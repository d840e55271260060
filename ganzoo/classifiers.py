"""Domain classifiers for evaluation: train, save as a checkpoint, load verified.

``checkpoints/classifier-mnist`` and ``checkpoints/classifier-fashion_mnist`` are trained by
ganzoo on the train split and scored on the test split; their penultimate features are the feature
space of FID/KID/precision-recall, their softmax gives class coverage and IS-style scores::

    from ganzoo.classifiers import load_classifier
    clf = load_classifier("mnist")                  # checkpoints/classifier-mnist, sha256-verified
    feats = clf.predict_features(images)            # (n, 128); images (n, 28, 28, 1) in [-1, 1]
    probs = clf.predict_proba(images)               # float32 (n, 10)
    clf.metadata["train_label_hist"]                # label counts of the train split

Train one (the command recorded in its model card)::

    python -m ganzoo.classifiers mnist --data-dir ../shared/data/mnist \
        --out checkpoints/classifier-mnist

The checkpoint directory has the project's one layout (see :mod:`ganzoo.checkpoint`):
``config.json`` (``{"format", "kind": "classifier", "name", "dataset", "description", "model": <the
DomainClassifier's Keras config>}``), ``model.weights.h5``, ``metadata.json`` (test accuracy,
per-class accuracy, label histograms, training budget), ``README.md`` (model card), ``samples.png``
(the first misclassified test images, so the card shows what the classifier gets wrong) and
``checksums.sha256``. This module supplies only what a classifier's checkpoint adds (its
:class:`~ganzoo.checkpoint.Kind`: metadata, error grid, card); writing, the integrity check and
safe-mode loading are :mod:`ganzoo.checkpoint`'s, and names resolve through
:func:`ganzoo.loading.resolve` as for the GANs.
"""

import argparse
import shlex
import sys
import time
from pathlib import Path

import keras
import numpy as np

from ganzoo import checkpoint, loading
from ganzoo.modelcard import _fmt, _table
from ganzoo.models.classifier import DomainClassifier
from ganzoo.zoo.pins import pinned

KIND = "classifier"
DATASETS = ("mnist", "fashion_mnist")
# test-accuracy targets of the shipped checkpoints (the "Evaluation" issue)
TARGETS = {"mnist": 0.993, "fashion_mnist": 0.92}
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"],
}
# Training defaults per dataset. Augmentation: random shifts of up to `shift` pixels (both axes,
# zero = background padding); Fashion-MNIST also mirror images left-right (its classes are
# mirror-symmetric; digits are not).
DEFAULTS = {
    "mnist": {"epochs": 5, "batch_size": 128, "learning_rate": 2e-3, "shift": 2, "flip": False},
    "fashion_mnist": {"epochs": 6, "batch_size": 128, "learning_rate": 2e-3, "shift": 1,
                      "flip": True},
}
# sha256 of checksums.sha256 of each shipped checkpoint (as a registry entry pins a GAN's): loading
# by dataset name refuses any other version. None: not pinned yet.
ERRORS_SHOWN = 64
BN_IMAGES = 10_000  # train images (not augmented) whose statistics the batch-norm layers keep


def checkpoint_name(dataset):
    return f"classifier-{dataset}"


# -- data ------------------------------------------------------------------------------------------

def _scale(x_uint8):
    return x_uint8.astype(np.float32) / 127.5 - 1.0


def augment(x, rng, shift=2, flip=False):
    """uint8 images (n, H, W, C) shifted by independent random offsets in [-shift, shift] on both
    axes (the border filled with 0, the background) and, with ``flip``, mirrored left-right with
    probability 1/2. Deterministic for a given ``rng`` state."""
    n, h, w, _ = x.shape
    out = x.copy()
    if shift > 0:
        padded = np.pad(x, ((0, 0), (shift, shift), (shift, shift), (0, 0)))
        dy = rng.integers(-shift, shift + 1, n)
        dx = rng.integers(-shift, shift + 1, n)
        for oy in range(-shift, shift + 1):
            for ox in range(-shift, shift + 1):
                idx = np.nonzero((dy == oy) & (dx == ox))[0]
                if idx.size:
                    out[idx] = padded[idx, shift + oy : shift + oy + h, shift + ox : shift + ox + w]
    if flip:
        idx = np.nonzero(rng.random(n) < 0.5)[0]
        out[idx] = out[idx, :, ::-1]
    return out


def _epoch_dataset(x, y, batch_size):
    """A tf.data pipeline over in-memory uint8 arrays, scaled to [-1, 1], autotune off (see
    ganzoo.data.images.load: autotune stalls the end of fit() on the dev machines)."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)))
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(lambda a, b: (tf.cast(a, tf.float32) / 127.5 - 1.0, b), num_parallel_calls=1)
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(2).with_options(options)


# -- training --------------------------------------------------------------------------------------

class _Budget(keras.callbacks.Callback):
    """Counts steps; stops training once ``deadline`` (time.monotonic) has passed."""

    def __init__(self, deadline=None):
        super().__init__()
        self.deadline = deadline
        self.steps = 0
        self.out_of_time = False

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.out_of_time = True
            self.model.stop_training = True


def recompute_batch_norm(model, x, batch_size=500, max_images=10_000):
    """Set every batch-norm layer's moving mean/variance to the average of its batch statistics
    over ``x`` (float, [-1, 1]; the first ``max_images``), in training-mode forward passes ("precise
    BN"). The moving averages kept during training lag behind weights that are still moving fast
    (a run stopped by ``max_minutes``, or a few smoke-test steps, can then score near chance in
    inference mode); recomputing them afterwards costs a few seconds."""
    norms = model.batch_norm_layers()
    saved = [bn.momentum for bn in norms]
    x = x[:max_images]
    try:
        for k, i in enumerate(range(0, len(x), batch_size)):
            for bn in norms:
                bn.momentum = k / (k + 1)  # running average of the batch statistics
            model(x[i : i + batch_size], training=True)
    finally:
        for bn, m in zip(norms, saved):
            bn.momentum = m


def _machine():
    from ganzoo.training import machine_description

    return machine_description()


def evaluate(model, x, y, num_classes, batch_size=500):
    """Accuracy, per-class accuracy, confusion matrix and the classifier score on ``x`` (float, in
    [-1, 1]) with integer labels ``y``; also returns the predictions."""
    proba = model.predict_proba(x, batch_size=batch_size).astype(np.float64)
    pred = proba.argmax(axis=1)
    confusion = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(confusion, (y, pred), 1)
    per_class = [float(confusion[c, c] / confusion[c].sum()) if confusion[c].sum() else None
                 for c in range(num_classes)]
    # exp(E_x KL(p(y|x) || p(y))): the Inception-Score formula with this classifier
    marginal = proba.mean(axis=0)
    kl = (proba * (np.log(proba + 1e-12) - np.log(marginal + 1e-12))).sum(axis=1)
    return {
        "accuracy": float((pred == y).mean()),
        "per_class_accuracy": per_class,
        "confusion": confusion.tolist(),
        "classifier_score": float(np.exp(kl.mean())),
        "mean_max_probability": float(proba.max(axis=1).mean()),
    }, pred


def train_classifier(dataset, out, data_dir=None, epochs=None, batch_size=None, seed=0,
                     max_minutes=None, learning_rate=None, shift=None, flip=None, limit=None,
                     verbose=2, command=None):
    """Train a :class:`DomainClassifier` on ``dataset``'s train split, score it on the test split
    and write the checkpoint directory ``out``. Returns ``(model, metadata)``.

    Args:
        dataset: ``"mnist"`` or ``"fashion_mnist"``.
        out: checkpoint directory to write (its files are replaced).
        data_dir: folder of the original IDX files (see :func:`ganzoo.data.load_arrays`).
        epochs, batch_size, learning_rate, shift, flip: default per dataset from ``DEFAULTS``.
            Adam with cosine decay of the learning rate to 0 over ``epochs``.
        seed: weights, data order and augmentation (same seed -> same run on one machine).
        max_minutes: stop training after this wall time (the checkpoint is still written and
            records the budget actually used).
        limit: use only the first ``limit`` images of each split (smoke tests; recorded).
        verbose: Keras ``fit`` verbosity (2: one line per epoch).
        command: the command line to record; default: this function call.
    """
    from ganzoo.data import DATASETS as DATA_SPECS
    from ganzoo.data import load_arrays

    if dataset not in DEFAULTS:
        raise ValueError(
            f"No classifier recipe for dataset {dataset!r}; known: {', '.join(DEFAULTS)}"
        )
    d = DEFAULTS[dataset]
    epochs = d["epochs"] if epochs is None else int(epochs)
    batch_size = d["batch_size"] if batch_size is None else int(batch_size)
    learning_rate = d["learning_rate"] if learning_rate is None else float(learning_rate)
    shift = d["shift"] if shift is None else int(shift)
    flip = d["flip"] if flip is None else bool(flip)
    if epochs < 1 or batch_size < 1 or shift < 0:
        raise ValueError("need epochs >= 1, batch_size >= 1, shift >= 0; "
                         f"got {epochs}, {batch_size}, {shift}")
    spec = DATA_SPECS[dataset]
    start = time.monotonic()
    x_train, y_train = load_arrays(dataset, "train", data_dir)
    x_test, y_test = load_arrays(dataset, "test", data_dir)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[:limit], y_test[:limit]
    if len(x_train) < batch_size:
        raise ValueError(f"{len(x_train)} training images is less than one batch of {batch_size}")
    num_classes = spec["classes"]
    steps_per_epoch = len(x_train) // batch_size

    keras.utils.set_random_seed(seed)
    model = DomainClassifier(image_shape=spec["shape"], num_classes=num_classes)
    model.build()
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    rng = np.random.default_rng(seed)
    budget = _Budget(None if max_minutes is None else start + 60.0 * float(max_minutes))
    train_start = time.monotonic()
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))
        xe = augment(x_train[order], rng, shift=shift, flip=flip)
        model.fit(_epoch_dataset(xe, y_train[order], batch_size), epochs=epoch + 1,
                  initial_epoch=epoch, verbose=verbose, callbacks=[budget],
                  shuffle=False)  # shuffled above, per epoch, by `rng`
        if budget.out_of_time:
            if verbose:
                print(f"Stopped after {budget.steps} steps: --max-minutes {max_minutes} reached",
                      flush=True)
            break
    train_seconds = time.monotonic() - train_start
    recompute_batch_norm(model, _scale(x_train[rng.permutation(len(x_train))[:BN_IMAGES]]))

    scores, pred = evaluate(model, _scale(x_test), y_test, num_classes)
    if verbose:
        print(f"{checkpoint_name(dataset)}: test accuracy {scores['accuracy']:.4%} on "
              f"{len(y_test)} test images ({train_seconds / 60:.1f} min training)", flush=True)
    images_seen = budget.steps * batch_size
    training = {
        "command": command or (f"ganzoo.classifiers.train_classifier({dataset!r}, {str(out)!r}, "
                               f"epochs={epochs}, batch_size={batch_size}, seed={seed})"),
        "dataset": f"{dataset} train split ({len(x_train)} images"
                   + (f", first {limit} only" if limit is not None else "") + ")",
        "epochs": round(images_seen / (steps_per_epoch * batch_size), 2),
        "epochs_planned": epochs,
        "images_seen": images_seen,
        "steps": budget.steps,
        "wall_time_minutes": round(train_seconds / 60, 2),
        "images_per_second": round(images_seen / max(train_seconds, 1e-9), 1),
        "machine": _machine(),
        "seed": seed,
        "stopped_early": bool(budget.out_of_time),
    }
    hyperparameters = {
        "batch_size": batch_size, "epochs": epochs, "optimizer": "adam",
        "learning_rate": learning_rate, "schedule": "cosine decay to 0 over the planned epochs",
        "augmentation": {"shift_pixels": shift, "horizontal_flip": flip}, "seed": seed,
        "batch_norm_statistics": f"recomputed after training from {min(BN_IMAGES, len(x_train))} "
                                 "train images (not augmented), batches of 500",
    }
    errors = np.nonzero(pred != y_test)[0][:ERRORS_SHOWN]
    metadata = save_classifier(
        model, out, dataset,
        metrics={
            "test_accuracy": scores["accuracy"],
            "test_error": round(1.0 - scores["accuracy"], 6),
            "test_images": int(len(y_test)),
            "per_class_test_accuracy": scores["per_class_accuracy"],
            "test_classifier_score": scores["classifier_score"],
            "test_mean_max_probability": scores["mean_max_probability"],
        },
        training=training,
        hyperparameters=hyperparameters,
        train_labels=y_train,
        test_labels=y_test,
        confusion=scores["confusion"],
        error_images=(_scale(x_test[errors]), y_test[errors], pred[errors]),
    )
    return model, metadata


# -- checkpoint ------------------------------------------------------------------------------------

def label_hist(labels, num_classes):
    return np.bincount(np.asarray(labels, np.int64), minlength=num_classes).astype(int).tolist()


class _ClassifierKind(checkpoint.Kind):
    """A domain classifier's checkpoint: its Keras config without optimizer, the misclassified
    test images as ``samples.png``, classes and label histograms in the metadata, its own card."""

    name = label = KIND
    key = "model"
    loader = "ganzoo.classifiers.load_classifier"
    registered_name = "ganzoo>DomainClassifier"
    model_class = DomainClassifier
    names = tuple(checkpoint_name(d) for d in DATASETS)  # released checkpoints of this kind
    aliases = {d: checkpoint_name(d) for d in DATASETS}  # load_classifier("mnist")

    def pin(self, name):
        return pinned(name)

    def missing(self, name, directory):
        dataset = name[len("classifier-"):]
        return checkpoint.CheckpointNotFoundError(
            f"No {name} checkpoint in {directory}; train it with `python -m ganzoo.classifiers "
            f"{dataset} --data-dir ../shared/data/{dataset} --out {directory}`", directory)

    def check_savable(self, model):
        super().check_savable(model)
        model.build()

    def default_name(self, directory, dataset):
        return checkpoint_name(dataset)

    def description(self, model, dataset):
        return (
            f"A small CNN classifier of {dataset} ({model.num_classes} classes) trained by ganzoo "
            f"on the train split. Its {model.feature_dim}-d penultimate features are ganzoo's "
            "feature space for FID/KID/precision-recall on this dataset; its softmax gives class "
            "coverage and classifier (IS-style) scores."
        )

    def shipped(self, model):
        if not model.compiled:
            return model
        # a fresh, uncompiled copy: the file holds the model's weights only (no optimizer state)
        clean = DomainClassifier.from_config(model.get_config())
        clean.build()
        clean.set_weights(model.get_weights())
        return clean

    def parameters(self, model):
        return {"classifier": int(sum(int(np.prod(v.shape)) for v in model.weights))}

    def metadata(self, model, dataset, train_labels=None, test_labels=None, confusion=None,
                 error_images=None):
        n = model.num_classes
        return {
            "classes": CLASS_NAMES.get(dataset, [str(i) for i in range(n)]),
            "feature_dim": model.feature_dim,
            "input": {"shape": list(model.image_shape), "range": [-1.0, 1.0], "dtype": "float32"},
            "train_label_hist": None if train_labels is None else label_hist(train_labels, n),
            "test_label_hist": None if test_labels is None else label_hist(test_labels, n),
            "test_confusion": confusion,
        }

    def write_samples(self, model, path, dataset, error_images=None, **labels):
        from ganzoo.utils.images import save_grid

        errors = {"file": checkpoint.GRID, "count": 0, "true": [], "predicted": []}
        if error_images is not None:
            images, true, predicted = error_images
            errors.update(count=int(len(images)), true=[int(v) for v in true],
                          predicted=[int(v) for v in predicted])
        if error_images is not None and len(error_images[0]):
            save_grid(np.asarray(error_images[0]), path, nrow=8)
        else:  # a checkpoint always has the file
            save_grid(-np.ones((1,) + model.image_shape, np.float32), path)
        return errors

    def card(self, config, metadata):
        return render_card(config, metadata)

    def loaded(self, model, directory, config):
        model.metadata = checkpoint.read_metadata(directory)


CLASSIFIER_KIND = checkpoint.register_kind(_ClassifierKind())


def save_classifier(model, out, dataset, metrics=None, training=None, hyperparameters=None,
                    train_labels=None, test_labels=None, confusion=None, error_images=None,
                    name=None, description=None, overwrite=False):
    """Write ``model`` as a classifier checkpoint directory ``out`` (through
    :func:`ganzoo.checkpoint.save`: written whole, then swapped in). Returns the metadata dict.

    ``error_images``: ``(images in [-1, 1], true labels, predicted labels)`` for ``samples.png``;
    ``None`` writes a grid of blank images (a checkpoint always has the file).
    """
    if not isinstance(model, DomainClassifier):
        raise TypeError(f"model must be a DomainClassifier; got {type(model).__name__}")
    out = checkpoint.save(
        model, out, name=name, dataset=dataset, description=description, training=training,
        metrics=metrics, hyperparameters=hyperparameters, overwrite=overwrite, kind=CLASSIFIER_KIND,
        train_labels=train_labels, test_labels=test_labels, confusion=confusion,
        error_images=error_images)
    return checkpoint.read_metadata(out)


def render_card(config, metadata):
    """The classifier's model card (README.md), rendered from config.json and metadata.json only."""
    name, dataset = config["name"], config.get("dataset") or "unknown"
    metrics = metadata.get("metrics") or {}
    training = metadata.get("training") or {}
    hparams = metadata.get("hyperparameters") or {}
    classes = metadata.get("classes") or []
    model_cfg = config["model"]["config"]
    arch = {k: model_cfg[k] for k in sorted(model_cfg) if k not in ("name", "trainable", "dtype")}
    acc = metrics.get("test_accuracy")
    lines = [
        "---", "library_name: keras",
        f"license: {metadata.get('card', {}).get('license') or checkpoint.DEFAULT_LICENSE}",
        "tags:", "- image-classification", "- ganzoo", "- keras", "- gan-evaluation",
        f"datasets:\n- {dataset}", "---", "",
        f"# {name}", "", config.get("description") or "", "",
    ]
    if acc is not None:
        lines += [f"**Test accuracy: {acc:.2%}** ({metrics.get('test_images')} {dataset} test "
                  "images).", ""]
    lines += [
        "## Use", "", "```python",
        "from ganzoo.classifiers import load_classifier",
        f'clf = load_classifier("{dataset}")      # sha256-verified, Keras safe mode',
        "feats = clf.predict_features(images)   # images: float32 (n, "
        + ", ".join(map(str, model_cfg["image_shape"]))
        + f") in [-1, 1] -> (n, {model_cfg['feature_dim']})",
        f"probs = clf.predict_proba(images)      # (n, {model_cfg['num_classes']}) softmax",
        "```", "",
        "## Model", "",
        _table([("class", f"`{config['model']['class_name']}` " + _fmt(arch)),
                ("parameters", f"{metadata['parameters']['classifier']:,}"),
                ("input", f"float32 {tuple(model_cfg['image_shape'])}, values in [-1, 1] "
                 "(the GANs' range)"),
                ("features", f"{model_cfg['feature_dim']}-d penultimate layer "
                 "(ReLU of dense + batch norm)")]),
        "", "## Training", "",
    ]
    cmd = training.get("command")
    if cmd:
        lines += ["Trained with:", "", "```bash", cmd, "```", ""]
    if training:
        lines += [_table([(k, _fmt(v)) for k, v in sorted(training.items()) if k != "command"]), ""]
    if hparams:
        rows = [(k, _fmt(v)) for k, v in sorted(hparams.items())]
        lines += ["Hyper-parameters:", "", _table(rows), ""]
    lines += ["## Metrics", ""]
    scalar = [(k, _fmt(v)) for k, v in sorted(metrics.items()) if not isinstance(v, (list, dict))]
    lines += [_table(scalar) if scalar else "No metrics yet.", ""]
    per_class = metrics.get("per_class_test_accuracy")
    train_hist, test_hist = metadata.get("train_label_hist"), metadata.get("test_label_hist")
    if per_class:
        lines += ["| class | test accuracy | train images | test images |",
                  "| --- | --- | --- | --- |"]
        for c, a in enumerate(per_class):
            label = f"{c} {classes[c]}" if c < len(classes) and classes[c] != str(c) else str(c)
            n_train = train_hist[c] if train_hist else "-"
            n_test = test_hist[c] if test_hist else "-"
            lines.append(f"| {label} | {'-' if a is None else f'{a:.2%}'} | {n_train} | {n_test} |")
        lines.append("")
    samples = metadata.get("samples") or {}
    if samples.get("count"):
        pairs = ", ".join(f"{t}→{p}" for t, p in zip(samples["true"], samples["predicted"]))
        lines += ["## Errors", "", "![misclassified test images](samples.png)", "",
                  f"*The first {samples['count']} misclassified test images, in test-set order, "
                  f"row by row (true→predicted): {pairs}.*", ""]
    versions = metadata.get("versions", {})
    lines += [
        "## Files", "",
        "`config.json` (what to build), `model.weights.h5`, `metadata.json` (metrics, confusion "
        "matrix, label histograms of both splits, training budget), this card, `samples.png` and "
        "`checksums.sha256` (sha256 of every other file; ganzoo verifies it before loading).", "",
        f"Written by ganzoo {versions.get('ganzoo')} with Keras {versions.get('keras')} "
        f"({versions.get('backend')} backend) on {metadata.get('created')}.", "",
    ]
    return "\n".join(lines)


# -- loading ---------------------------------------------------------------------------------------

def load_classifier(name_or_dir, manifest_sha256=None):
    """A verified :class:`DomainClassifier` from a checkpoint.

    ``name_or_dir``: a dataset (``"mnist"``), ``"classifier-<dataset>"`` (both looked up in
    ``ganzoo.checkpoints_root()``) or a checkpoint directory, resolved like every checkpoint name
    (:func:`ganzoo.loading.resolve`). Every file is checked against ``checksums.sha256`` (and the
    manifest against ``manifest_sha256`` or the pinned value) before anything is read; the model
    is rebuilt in Keras safe mode. The result carries ``checkpoint_dir`` and ``metadata``
    (``metadata["train_label_hist"]``, ``metadata["metrics"]["test_accuracy"]``, ...). Raises
    :class:`~ganzoo.checkpoint.CheckpointError` for a missing, corrupted or foreign checkpoint.
    """
    found = loading.resolve(name_or_dir, CLASSIFIER_KIND)
    return checkpoint.load(found.directory, manifest_sha256 or found.pin, kind=CLASSIFIER_KIND)


# -- command line ----------------------------------------------------------------------------------

def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    p = argparse.ArgumentParser(
        prog="python -m ganzoo.classifiers",
        description="Train a domain classifier (features/softmax for GAN evaluation) on a "
                    "dataset's train split, score it on the test split and write a checkpoint "
                    "directory.")
    p.add_argument("dataset", choices=DATASETS)
    p.add_argument("--data-dir", default=None, help="folder of the original IDX files")
    p.add_argument("--out", default=None,
                   help="checkpoint directory (default checkpoints/classifier-<dataset>)")
    p.add_argument("--epochs", type=int, default=None, help="default: %s" %
                   ", ".join(f"{k} {v['epochs']}" for k, v in DEFAULTS.items()))
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-minutes", type=float, default=None, help="stop training after N minutes")
    p.add_argument("--limit", type=int, default=None,
                   help="use only the first N images of each split (smoke tests)")
    p.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    args = p.parse_args(argv)
    out = args.out
    if out is None:
        out = checkpoint.checkpoints_root() / checkpoint_name(args.dataset)
    command = "python -m ganzoo.classifiers " + shlex.join(argv)
    _, meta = train_classifier(
        args.dataset, out, data_dir=args.data_dir, epochs=args.epochs, batch_size=args.batch_size,
        seed=args.seed, max_minutes=args.max_minutes, learning_rate=args.learning_rate,
        limit=args.limit, verbose=args.verbose, command=command)
    acc, target = meta["metrics"]["test_accuracy"], TARGETS[args.dataset]
    t = meta["training"]
    print(f"Wrote {out}: test accuracy {acc:.4%} (target {target:.1%}: "
          f"{'met' if acc >= target else 'NOT met'}), {t['images_seen']} images in "
          f"{t['wall_time_minutes']} min ({t['images_per_second']} images/s)", flush=True)
    manifest = checkpoint.sha256_file(Path(out) / checkpoint.MANIFEST)
    print(f"checksums.sha256 sha256 (pin it: python scripts/pin_checkpoints.py "
          f"{checkpoint_name(args.dataset)}): {manifest}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
