"""The checkpoint directory: one layout in ``checkpoints/``, in the Hub cache and on the Hub.

::

    <name>/
      config.json        what to build: the GAN's Keras config (generator, discriminator, loss),
                         both optimizers' configs, entry name, dataset, format version
      model.weights.h5   generator + discriminator weights (no optimizer state; fine-tuning starts
                         fresh Adam moments)
      metadata.json      versions, parameter counts, date, training budget, metrics
      README.md          model card (front matter for the Hub; metrics, data, hyper-parameters, the
                         exact command that trained it)
      samples.png        sample grid, 64 images from seed 0
      metrics.json       (once evaluated) the full record of ``ganzoo eval``
      checksums.sha256   ``sha256sum`` format, one line per file above

Loading verifies every file against ``checksums.sha256`` (and, for a registry entry, the manifest
itself against the sha256 pinned in the entry) *before* reading anything, then rebuilds the models
from ``config.json`` with Keras safe mode (no lambdas, only registered ganzoo classes) and reads the
weights from HDF5. Nothing in a checkpoint is executed; there is no pickle.
"""

import datetime
import hashlib
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import keras

import ganzoo.models  # noqa: F401  (registers the serializable model classes)
from ganzoo.gan import GAN

FORMAT = "ganzoo-checkpoint/1"
METRICS = "metrics.json"  # optional: written by `ganzoo eval`, covered by the manifest
CONFIG, WEIGHTS, METADATA, CARD, GRID, MANIFEST = (
    "config.json", "model.weights.h5", "metadata.json", "README.md", "samples.png",
    "checksums.sha256",
)
REQUIRED = (CONFIG, WEIGHTS, METADATA, CARD, GRID)
GRID_SEED, GRID_COUNT, POINTS_COUNT = 0, 64, 2500
DEFAULT_LICENSE = "apache-2.0"


def _sample_image_count(gan):
    """Images in the grid, or points in the scatter plot of a 2-D toy."""
    return POINTS_COUNT if len(gan.image_shape) == 1 else GRID_COUNT


def save_sample_image(gan, dataset, path):
    """``samples.png``: 64 images from seed 0 as a grid, or for a 2-D toy 2,500 points from seed 0
    over the mixture's centres."""
    from ganzoo import data
    from ganzoo.utils.images import save_samples

    centers = data.toy_centers(dataset) if dataset in data.TOYS else None
    return save_samples(gan.sample(_sample_image_count(gan), seed=GRID_SEED), path, centers)


class CheckpointError(ValueError):
    """A checkpoint directory is missing a file, or a file does not match its checksum."""


class _Weights(keras.Model):
    """The part of a GAN that a checkpoint ships: G and D (VBN's reference batch is a weight of G).

    Training state is not shipped -- neither the optimizers' moments nor the techniques' state
    (historical averages, which would double a large D: improved-gan-mnist came to 15.8 MB;
    the instance-noise schedule's position). ``ganzoo train`` keeps both in ``train_state/``; a
    loaded checkpoint starts them afresh from its weights (:meth:`Technique.reset_state`)."""

    def __init__(self, gan):
        super().__init__()
        self.generator = gan.generator
        self.discriminator = gan.discriminator
        self.built = True


def sha256_file(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(directory):
    """Write ``checksums.sha256`` over the checkpoint's own files (the layout's files and
    ``metrics.json``); anything else in the directory (a run's markers, notes) is not part of
    the checkpoint and is not listed -- a listed file that is not shipped would fail every load."""
    directory = Path(directory)
    names = sorted(n for n in REQUIRED + (METRICS,) if (directory / n).is_file())
    lines = [f"{sha256_file(directory / n)}  {n}\n" for n in names]
    (directory / MANIFEST).write_text("".join(lines))
    return sha256_file(directory / MANIFEST)


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise CheckpointError(f"{path} is missing: cannot verify the checkpoint's files")
    entries = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or "/" in name or name in ("", ".", ".."):
            raise CheckpointError(f"{path}, line {number}: not '<sha256>  <file name>': {line!r}")
        entries[name] = digest
    return entries


def verify(directory, manifest_sha256=None):
    """Check every file against ``checksums.sha256``; raise :class:`CheckpointError` naming the file.

    ``manifest_sha256``: the expected sha256 of ``checksums.sha256`` itself (pinned by a registry
    entry), so a tampered file cannot hide behind a regenerated manifest.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a checkpoint directory")
    entries = read_manifest(directory)
    if manifest_sha256 is not None:
        actual = sha256_file(directory / MANIFEST)
        if actual != manifest_sha256:
            raise CheckpointError(
                f"{directory / MANIFEST} has sha256 {actual}, but this entry pins {manifest_sha256}: "
                "the checkpoint is not the published one (modified, or a different revision)"
            )
    for name in REQUIRED:
        if name not in entries:
            raise CheckpointError(f"{directory / MANIFEST} does not list the required file {name}")
    for name, digest in entries.items():
        path = directory / name
        if not path.exists():
            raise CheckpointError(f"{path} is listed in {MANIFEST} but missing")
        actual = sha256_file(path)
        if actual != digest:
            raise CheckpointError(
                f"{path} is corrupted or was modified: sha256 {actual} != {digest} in {MANIFEST}"
            )
    return entries


def _read_json(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise CheckpointError(f"{path} cannot be read as JSON: {e}") from None


def _param_count(model):
    return int(sum(int(keras.ops.size(v)) for v in model.weights))


def save(gan, directory, name=None, dataset=None, description="", training=None, metrics=None,
         hyperparameters=None, notes=None, paper=None, license=None):
    """Write ``gan`` as a checkpoint directory (its files replaced, subfolders kept); return its path."""
    from ganzoo import modelcard

    if gan.g_optimizer is None:
        raise ValueError("compile() the GAN before saving it: the checkpoint records its optimizers")
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        config = {
            "format": FORMAT,
            "name": name or directory.name,
            "dataset": dataset,
            "description": description,
            # includes "compile_config" (both optimizers), so the loaded GAN is compiled
            "gan": keras.saving.serialize_keras_object(gan),
        }
        (tmp / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        _Weights(gan).save_weights(tmp / WEIGHTS)
        metadata = {
            "format": FORMAT,
            "name": config["name"],
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "versions": {
                "ganzoo": _ganzoo_version(),
                "keras": keras.__version__,
                "backend": keras.config.backend(),
                "python": platform.python_version(),
            },
            "parameters": {
                "generator": _param_count(gan.generator),
                "discriminator": _param_count(gan.discriminator),
            },
            "dataset": dataset,
            "training": training or {},
            "hyperparameters": hyperparameters or {},
            "metrics": metrics or {},
            "samples": {"file": GRID, "seed": GRID_SEED, "count": _sample_image_count(gan)},
            "card": {"notes": notes or "", "paper": paper or "", "license": license or DEFAULT_LICENSE},
        }
        (tmp / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
        save_sample_image(gan, dataset, tmp / GRID)
        (tmp / CARD).write_text(modelcard.render(config, metadata))
        write_manifest(tmp)
        # Move the files in one by one (the manifest last): a training run keeps its resumable
        # state in a subfolder of the same directory, which must survive.
        directory.mkdir(parents=True, exist_ok=True)
        (directory / METRICS).unlink(missing_ok=True)  # measured on other weights
        for f in sorted(tmp.iterdir(), key=lambda p: p.name == MANIFEST):
            os.replace(f, directory / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return directory


def _ganzoo_version():
    import ganzoo

    return ganzoo.__version__


def load(directory, manifest_sha256=None, compile=True):
    """Verify and load a checkpoint directory -> a compiled :class:`~ganzoo.gan.GAN`."""
    directory = Path(directory)
    verify(directory, manifest_sha256)
    config = _read_json(directory / CONFIG)
    if config.get("format") != FORMAT:
        raise CheckpointError(
            f"{directory / CONFIG}: format {config.get('format')!r} is not {FORMAT!r} "
            "(written by another ganzoo version?)"
        )
    gan_config = dict(config["gan"])
    if not compile:
        gan_config.pop("compile_config", None)
    try:
        gan = keras.saving.deserialize_keras_object(gan_config, safe_mode=True)
    except Exception as e:  # a config that names unknown classes, lambdas, bad arguments
        raise CheckpointError(f"{directory / CONFIG}: cannot rebuild the GAN: {e}") from e
    if not isinstance(gan, GAN):
        raise CheckpointError(f"{directory / CONFIG} describes a {type(gan).__name__}, not a GAN")
    gan.build()
    try:
        _Weights(gan).load_weights(directory / WEIGHTS)
    except Exception as e:
        raise CheckpointError(f"{directory / WEIGHTS} does not fit the models in {CONFIG}: {e}") from e
    for technique in gan.techniques:
        technique.reset_state(gan)
    gan.checkpoint_dir = directory
    gan.checkpoint_config = config
    return gan


def read_metadata(directory):
    return _read_json(Path(directory) / METADATA)


def update_card(directory, metrics=None, notes=None, paper=None, license=None, files=None):
    """Update a verified checkpoint's metadata (metrics, card text), re-render its model card and
    rewrite the manifest. The weights are untouched. ``files``: extra ``{file name: text}`` to
    write beside them (e.g. ``metrics.json``, see :mod:`ganzoo.evaluation`); the manifest lists
    every file of the directory. Returns the new manifest sha256 (the value a registry entry
    pins)."""
    from ganzoo import modelcard

    directory = Path(directory)
    verify(directory)
    config = _read_json(directory / CONFIG)
    metadata = read_metadata(directory)
    if metrics is not None:
        metadata["metrics"] = metrics
    card = metadata.setdefault("card", {"notes": "", "paper": "", "license": DEFAULT_LICENSE})
    for key, value in (("notes", notes), ("paper", paper), ("license", license)):
        if value is not None:
            card[key] = value
    for name, text in sorted((files or {}).items()):
        if name in REQUIRED + (MANIFEST,) or "/" in name or name.startswith("."):
            raise ValueError(f"update_card cannot write {name!r}")
        (directory / name).write_text(text)
    (directory / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    (directory / CARD).write_text(modelcard.render(config, metadata))
    return write_manifest(directory)
