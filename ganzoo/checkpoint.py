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
      seeds.json         (once a seed study is aggregated) per-seed metrics of the same recipe
                         and their mean / std over seeds (:mod:`ganzoo.seeds`)
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

import ctypes
import errno

import keras
from keras.src.saving import serialization_lib  # SafeModeScope has no public name

import ganzoo.models  # noqa: F401  (registers the serializable model classes)
from ganzoo import guards
from ganzoo.gan import GAN

FORMAT = "ganzoo-checkpoint/1"
METRICS = "metrics.json"  # optional: written by `ganzoo eval`, covered by the manifest
SEEDS = "seeds.json"  # optional: written by `ganzoo seeds` (ganzoo.seeds), covered by the manifest
CONFIG, WEIGHTS, METADATA, CARD, GRID, MANIFEST = (
    "config.json", "model.weights.h5", "metadata.json", "README.md", "samples.png",
    "checksums.sha256",
)
CURVES = "curves.png"  # optional: the training curves of a `ganzoo train` run (ganzoo.curves)
REQUIRED = (CONFIG, WEIGHTS, METADATA, CARD, GRID)
OPTIONAL = (METRICS, SEEDS)  # measured on the weights: dropped when a checkpoint is re-saved
RECORDS = (CURVES,)  # drawn from metadata.json's training record when it has a history
LAYOUT = REQUIRED + OPTIONAL + RECORDS + (MANIFEST,)  # every file a checkpoint directory may hold
# What a training run (``ganzoo train``) keeps in its --out beside the checkpoint's files.
RUN_ENTRIES = ("train_state", ".ganzoo-train.lock")
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

    centers = data.render_centers(dataset)
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
        # techniques whose state is part of the model a user samples (G's moving average)
        for technique in gan.techniques:
            if technique.shipped:
                setattr(self, f"technique_{technique.key}", technique)
        self.built = True


def sha256_file(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(directory):
    """Write ``checksums.sha256`` over the checkpoint's own files (the layout's files, with
    ``metrics.json`` and ``seeds.json`` when present); anything else in the directory (a run's
    markers, notes) is not part of the checkpoint and is not listed -- a listed file that is not
    shipped would fail every load."""
    directory = Path(directory)
    names = sorted(n for n in REQUIRED + OPTIONAL + RECORDS if (directory / n).is_file())
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


def is_checkpoint(directory):
    """Whether ``directory`` holds a ganzoo checkpoint (a manifest and a ganzoo ``config.json``)."""
    directory = Path(directory)
    if not (directory / MANIFEST).is_file() or not (directory / CONFIG).is_file():
        return False
    try:
        return json.loads((directory / CONFIG).read_text()).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def foreign_entries(directory):
    """Names in ``directory`` that neither a checkpoint nor a training run put there: writing a
    checkpoint there would mix with (or, for a README.md / config.json of someone else's, replace)
    them. A directory that is not a ganzoo checkpoint owns even the layout's file names."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    own = set(RUN_ENTRIES) | (set(LAYOUT) if is_checkpoint(directory) else set())
    return sorted(p.name for p in directory.iterdir() if p.name not in own)


def check_destination(directory, overwrite=False, what="checkpoint"):
    """Refuse a destination that is a file, or a folder holding files that are not ours (unless
    ``overwrite``): ``ValueError`` naming them."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{directory} exists and is not a directory: cannot write a {what} there")
    foreign = foreign_entries(directory)
    if foreign and not overwrite:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ValueError(
            f"{directory} is not empty and is not a ganzoo checkpoint (it holds {shown}): "
            f"writing a {what} there would replace or mix with those files. Use an empty or new "
            "folder, or pass overwrite=True (--overwrite) to replace its checkpoint files."
        )


def _exchange(a, b):
    """Atomically swap two directories (Linux ``renameat2(RENAME_EXCHANGE)``); False if the
    platform or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _replace_directory(new, directory):
    """Put the complete folder ``new`` in place of ``directory``; whatever ``directory`` held
    besides a checkpoint's own files (a run's ``train_state/``, its lock) moves into the new one.
    On Linux the swap is one atomic ``renameat2``, so a crash leaves the old checkpoint or the new
    one, never a mix; elsewhere two renames (the old one survives as ``.<name>.old-*``)."""
    directory = Path(directory)
    if not directory.exists():
        os.rename(new, directory)
        return
    if _exchange(new, directory):
        old = Path(new)
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
        os.rmdir(old)
        os.rename(directory, old)
        os.rename(new, directory)
    for entry in old.iterdir():
        if entry.name not in LAYOUT:
            os.replace(entry, directory / entry.name)
    shutil.rmtree(old, ignore_errors=True)


def save(gan, directory, name=None, dataset=None, description="", training=None, metrics=None,
         hyperparameters=None, notes=None, paper=None, license=None, overwrite=False):
    """Write ``gan`` as a checkpoint directory; return its path.

    The checkpoint is written completely into a temporary sibling folder and then swapped in (see
    :func:`_replace_directory`), so a crash or a full disk leaves the previous checkpoint intact
    and no partial files. A folder holding files that are not a checkpoint's is refused unless
    ``overwrite`` (:func:`check_destination`); non-finite weights are refused
    (:class:`ganzoo.guards.NonFiniteError`).
    """
    from ganzoo import modelcard

    if gan.g_optimizer is None:
        raise ValueError("compile() the GAN before saving it: the checkpoint records its optimizers")
    directory = Path(directory)
    check_destination(directory, overwrite)
    shipped = _Weights(gan)
    guards.check_finite_weights(shipped.weights, f"the GAN to be saved in {directory}")
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
        shipped.save_weights(tmp / WEIGHTS)
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
        if metadata["training"].get("history"):
            from ganzoo import curves

            curves.render(metadata["training"]["history"], dataset, tmp / CURVES)
        (tmp / CARD).write_text(modelcard.render(config, metadata))
        write_manifest(tmp)  # a metrics.json / seeds.json of other weights is not carried over
        _replace_directory(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return directory


def safe_deserialize(config, what, kind="model"):
    """``keras.saving.deserialize_keras_object`` in safe mode whatever the process set: Keras lets a
    global ``keras.config.enable_unsafe_deserialization()`` override ``safe_mode=True``, so the
    call runs inside ``SafeModeScope(True)``, which nested deserializations see too. Lambdas and
    unregistered classes are refused; nothing from the file is executed."""
    try:
        with serialization_lib.SafeModeScope(True):
            return keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as e:  # a config that names unknown classes, lambdas, bad arguments
        raise CheckpointError(f"{what}: cannot rebuild the {kind}: {e}") from e


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
    gan = safe_deserialize(gan_config, directory / CONFIG, "GAN")
    if not isinstance(gan, GAN):
        raise CheckpointError(f"{directory / CONFIG} describes a {type(gan).__name__}, not a GAN")
    gan.build()
    try:
        _Weights(gan).load_weights(directory / WEIGHTS)
    except Exception as e:
        raise CheckpointError(f"{directory / WEIGHTS} does not fit the models in {CONFIG}: {e}") from e
    for technique in gan.techniques:
        if not technique.shipped:
            technique.reset_state(gan)
    gan.checkpoint_dir = directory
    gan.checkpoint_config = config
    return gan


def read_metadata(directory):
    return _read_json(Path(directory) / METADATA)


def update_card(directory, metrics=None, notes=None, paper=None, license=None, files=None,
                seeds=None):
    """Update a verified checkpoint's metadata (metrics, card text), re-render its model card and
    rewrite the manifest. The weights are untouched. ``files``: extra ``{file name: text}`` to
    write beside them (e.g. ``metrics.json``, see :mod:`ganzoo.evaluation`); the manifest lists
    every file of the directory. ``seeds``: the seed study's summary for the card, stored as
    ``metadata["seeds"]`` (see :mod:`ganzoo.seeds`). Returns the new manifest sha256 (the value a
    registry entry pins)."""
    from ganzoo import modelcard

    directory = Path(directory)
    verify(directory)
    config = _read_json(directory / CONFIG)
    metadata = read_metadata(directory)
    if metrics is not None:
        metadata["metrics"] = metrics
    if seeds is not None:
        metadata["seeds"] = seeds
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
