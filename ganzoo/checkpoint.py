"""The checkpoint directory: one layout in ``checkpoints/``, in the Hub cache and on the Hub, for
every kind of model ganzoo ships (GANs and the domain classifiers of :mod:`ganzoo.classifiers`).

::

    <name>/
      config.json        what to build: format version, name, dataset, description, the kind
                         (absent for a GAN) and the model's Keras config -- for a GAN under "gan"
                         (generator, discriminator, loss, both optimizers' configs), for a
                         classifier under "model"
      model.weights.h5   the model's weights (no optimizer state; fine-tuning starts fresh Adam
                         moments); for a GAN: generator + discriminator, float32 stored as
                         float16 (:data:`STORED_FLOAT`)
      metadata.json      versions, parameter counts, date, training budget, metrics (and what a
                         kind adds: a classifier's classes and label histograms)
      README.md          model card (front matter for the Hub; metrics, data, hyper-parameters, the
                         exact command that trained it)
      samples.png        a GAN's sample grid (64 images from seed 0); a classifier's errors
      curves.png         (a GAN trained by ``ganzoo train``) its training curves
      metrics.json       (once evaluated) the full record of ``ganzoo eval``
      seeds.json         (once a seed study is aggregated) per-seed metrics of the same recipe
                         and their mean / std over seeds (:mod:`ganzoo.seeds`)
      checksums.sha256   ``sha256sum`` format, one line per file above

This module owns the layout, the manifest, the integrity check, the atomic write and safe-mode
loading for every kind. A :class:`Kind` says only what differs: how its model is serialized and
rebuilt, which object's weights the file holds, what ``samples.png`` and the model card show.
The GAN's kind is :data:`GAN_KIND`; the classifiers' is declared in :mod:`ganzoo.classifiers`.
Turning a name into a directory is :func:`ganzoo.loading.resolve`.

Loading verifies every file against ``checksums.sha256`` (and, for a released checkpoint, the
manifest itself against the sha256 pinned in ``ganzoo/zoo/pins.json``) *before* reading anything,
then rebuilds the model from ``config.json`` with Keras safe mode (no lambdas, only registered
ganzoo classes) and reads the weights from HDF5. Nothing in a checkpoint is executed; there is no
pickle.

This module imports no model module: a kind names its model class by its registered Keras name
(the name ``config.json`` holds), so :mod:`ganzoo.gan` and the models sit below it.
"""

import datetime
import hashlib
import importlib
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import contextlib
import ctypes
import errno

import h5py
import keras
import numpy as np
from keras.src.saving import serialization_lib  # SafeModeScope has no public name

from ganzoo import guards, modelcard

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
# A GAN's float32 weights are stored as float16: half the bytes, so that the whole zoo (some 35
# image entries and 24 toys of ~3.1-3.6 MB in float32, MAD-GAN's and minibatch discrimination's up
# to 9.4 MB) fits in git under checkpoints/'s 150 MB. Rounding moves a weight by at most 2**-11 of
# its value; measured on 2026-12-07 (same samples, weights rounded vs not): dcgan-mnist's FID on
# 10,000 samples 3.8897 -> 3.8900, confident 0.7389 -> 0.7390 (its seed-to-seed std: 0.07 FID);
# gan-grid25's high-quality share 78.80 % -> 78.76 %. A checkpoint's metrics are measured on the
# stored weights (``ganzoo eval`` loads them) and its sample grid is drawn from them; ``ganzoo
# train``'s resume state (train_state/) stays float32, so resuming is exact. Keras reads a float16
# dataset into a float32 variable (``assign`` casts) under TensorFlow, JAX and torch. A variable
# with a value beyond float16's range stays float32; integer state is untouched. The domain
# classifiers keep float32 (their weights define the feature space every FID is measured in).
STORED_FLOAT = "float16"
_FLOAT16_MAX = float(np.finfo(np.float16).max)


def _storable(x, dtype):
    """Whether the array ``x`` is float32 and fits ``dtype``'s range."""
    return x.dtype == np.float32 and (
        np.dtype(dtype) != np.float16 or not x.size or float(np.max(np.abs(x))) <= _FLOAT16_MAX)


def store_weights_as(path, dtype):
    """Rewrite the Keras weights file ``path`` with every float32 array that fits ``dtype``
    stored as ``dtype`` (groups, other arrays and every attribute copied as they are). Written
    into a new file that replaces ``path`` (HDF5 does not give back the space of a deleted
    dataset). Returns the number of arrays converted."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    converted = 0

    def copy(src, dst):
        nonlocal converted
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for key, obj in src.items():
            if isinstance(obj, h5py.Group):
                copy(obj, dst.create_group(key))
                continue
            x = obj[()]
            if isinstance(x, np.ndarray) and _storable(x, dtype):
                x, converted = x.astype(dtype), converted + 1
            out = dst.create_dataset(key, data=x)
            for k, v in obj.attrs.items():
                out.attrs[k] = v

    try:
        with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
            copy(src, dst)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return converted


def _weights_record(kind):
    """``metadata.json["weights"]`` of a kind that stores its float32 weights in another dtype."""
    return {"file": WEIGHTS, "float32_stored_as": kind.stored_float}


@contextlib.contextmanager
def _as_stored(variables, dtype):
    """Inside: every float32 variable that fits ``dtype`` holds its value rounded to ``dtype``
    (what a checkpoint stores); after: the exact values again."""
    kept = []
    try:
        if dtype is not None:
            for v in variables:
                x = keras.ops.convert_to_numpy(v)
                if _storable(x, dtype):
                    kept.append((v, x))
                    v.assign(x.astype(dtype).astype(np.float32))
        yield
    finally:
        for v, x in kept:
            v.assign(x)


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


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """No checkpoint directory at a path (a :class:`CheckpointError` and a ``FileNotFoundError``);
    ``directory``: where it was looked for."""

    def __init__(self, message, directory=None):
        super().__init__(message)
        self.directory = None if directory is None else Path(directory)


def checkpoints_root():
    """Where released checkpoints live: ``$GANZOO_CHECKPOINTS``, else the ``checkpoints/`` folder
    beside the ganzoo package."""
    env = os.environ.get("GANZOO_CHECKPOINTS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "checkpoints"


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


def require_directory(directory):
    """``directory`` as a Path if it is a folder, else :class:`CheckpointNotFoundError` (nothing
    there) or :class:`CheckpointError` (a file)."""
    directory = Path(directory)
    if not directory.exists():
        raise CheckpointNotFoundError(f"No checkpoint directory at {directory}: nothing is there, "
                                      "so it is not a checkpoint directory", directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a checkpoint directory")
    return directory


def verify(directory, manifest_sha256=None):
    """Check every file against ``checksums.sha256``; raise :class:`CheckpointError` naming the file.

    ``manifest_sha256``: the expected sha256 of ``checksums.sha256`` itself (pinned by a registry
    entry), so a tampered file cannot hide behind a regenerated manifest.
    """
    directory = require_directory(directory)
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


# -- kinds ----------------------------------------------------------------------------------------

DEFAULT_KIND = "gan"  # the kind of a config.json that names none (GAN checkpoints predate kinds)
KINDS = {}  # kind name -> Kind, filled by register_kind
# Kinds declared by modules that ``import ganzoo`` leaves out (they bring their models and
# training code): kind name -> module, imported when a checkpoint or a model of the kind is met.
KIND_MODULES = {"classifier": "ganzoo.classifiers"}


def get_kind(name):
    """The :class:`Kind` called ``name`` (importing the module that declares it), or None."""
    if name not in KINDS and name in KIND_MODULES:
        importlib.import_module(KIND_MODULES[name])
    return KINDS.get(name)




class Kind:
    """What one kind of model adds to the common layout; everything else is this module's.

    A kind is registered once (:func:`register_kind`) and overrides only what differs from these
    defaults: a model serialized without its compile config, whose own weights are the file, a
    blank ``samples.png``, no extra metadata, and a card (``card``) it must supply.
    """

    name = None  # config.json's "kind" (not written for DEFAULT_KIND)
    key = "model"  # the config.json key holding the model's Keras config
    label = "model"  # in messages ("cannot rebuild the GAN")
    loader = None  # the call that loads this kind, named when a checkpoint of it is misused
    registered_name = None  # Keras registered name of the class config.json must rebuild
    stored_float = None  # the dtype float32 weights are stored in (None: float32)

    @property
    def model_class(self):
        """The registered class (looked up by name: this module imports no model module)."""
        return keras.saving.get_registered_object(self.registered_name)

    def check_savable(self, model):
        """Raise if ``model`` cannot be saved as this kind."""
        cls = self.model_class
        if cls is None or not isinstance(model, cls):
            raise TypeError(f"a {self.label} checkpoint holds a {self.registered_name}; got "
                            f"{type(model).__name__}")

    def default_name(self, directory, dataset):
        return Path(directory).name

    def description(self, model, dataset):
        return ""

    def serialize(self, model):
        """``config.json[key]``: the model's Keras config (by default without optimizers)."""
        config = keras.saving.serialize_keras_object(model)
        config.pop("compile_config", None)
        return config

    def model_config(self, config, compile=True):
        """What to rebuild from ``config.json[key]`` (``compile``: restore its optimizers)."""
        return dict(config)

    def shipped(self, model):
        """The object whose weights ``model.weights.h5`` holds (saved, and loaded into)."""
        return model

    def parameters(self, model):
        return {self.name: _param_count(model)}

    def metadata(self, model, dataset, **details):
        """Fields this kind adds to ``metadata.json``; ``details``: the kind's own arguments of
        :func:`save`."""
        if details:
            raise TypeError(f"save() got arguments that a {self.label} checkpoint does not take: "
                            f"{', '.join(sorted(details))}")
        return {}

    def write_samples(self, model, path, dataset, **details):
        """Write ``samples.png``; return ``metadata["samples"]``."""
        raise NotImplementedError

    def write_records(self, directory, metadata):
        """Write the optional files drawn from the metadata (:data:`RECORDS`)."""

    def card(self, config, metadata):
        """The model card (README.md), from config.json and metadata.json only."""
        raise NotImplementedError

    def loaded(self, model, directory, config):
        """Finish a model whose weights were just read."""


def register_kind(kind):
    """Make ``kind`` (a :class:`Kind`) known to :func:`save`, :func:`load` and
    :func:`update_card`; returns it."""
    KINDS[kind.name] = kind
    return kind


def _kind_for(model):
    for name in (*KINDS, *KIND_MODULES):  # the kinds imported so far first
        kind = get_kind(name)
        cls = kind.model_class
        if cls is not None and isinstance(model, cls):
            return kind
    raise TypeError(f"cannot save a {type(model).__name__} as a checkpoint: it is none of "
                    f"{', '.join(k.registered_name for k in KINDS.values())}")


class _GANKind(Kind):
    """A GAN: G and D (and shipped technique state) in the weights file, both optimizers' configs
    in config.json so a loaded GAN is compiled, a sample grid, training curves, the GAN card."""

    name = DEFAULT_KIND
    key = "gan"
    label = "GAN"
    loader = "ganzoo.load"
    registered_name = "ganzoo>GAN"
    stored_float = STORED_FLOAT

    def check_savable(self, gan):
        super().check_savable(gan)
        if gan.g_optimizer is None:
            raise ValueError("compile() the GAN before saving it: the checkpoint records its "
                             "optimizers")

    def serialize(self, gan):
        # includes "compile_config" (both optimizers), so the loaded GAN is compiled
        return keras.saving.serialize_keras_object(gan)

    def model_config(self, config, compile=True):
        config = dict(config)
        if not compile:
            config.pop("compile_config", None)
        return config

    def shipped(self, gan):
        return _Weights(gan)

    def parameters(self, gan):
        return {"generator": _param_count(gan.generator),
                "discriminator": _param_count(gan.discriminator)}

    def write_samples(self, gan, path, dataset):
        save_sample_image(gan, dataset, path)
        return {"file": GRID, "seed": GRID_SEED, "count": _sample_image_count(gan)}

    def write_records(self, directory, metadata):
        if metadata["training"].get("history"):
            from ganzoo import curves

            curves.render(metadata["training"]["history"], metadata["dataset"], directory / CURVES)

    def card(self, config, metadata):
        return modelcard.render(config, metadata)

    def loaded(self, gan, directory, config):
        for technique in gan.techniques:
            if not technique.shipped:
                technique.reset_state(gan)


GAN_KIND = register_kind(_GANKind())


# -- saving and loading ----------------------------------------------------------------------------

def save(model, directory, name=None, dataset=None, description="", training=None, metrics=None,
         hyperparameters=None, notes=None, paper=None, license=None, overwrite=False, kind=None,
         **details):
    """Write ``model`` (a GAN, or a model of another registered :class:`Kind`) as a checkpoint
    directory; return its path. ``details``: arguments of the model's kind (a classifier's label
    histograms and error images, see :func:`ganzoo.classifiers.save_classifier`).

    The checkpoint is written completely into a temporary sibling folder and then swapped in (see
    :func:`_replace_directory`), so a crash or a full disk leaves the previous checkpoint intact
    and no partial files. A folder holding files that are not a checkpoint's is refused unless
    ``overwrite`` (:func:`check_destination`); non-finite weights are refused
    (:class:`ganzoo.guards.NonFiniteError`).
    """
    kind = kind or _kind_for(model)
    kind.check_savable(model)
    directory = Path(directory)
    check_destination(directory, overwrite)
    shipped = kind.shipped(model)
    guards.check_finite_weights(shipped.weights, f"the {kind.label} to be saved in {directory}")
    tagged = {} if kind.name == DEFAULT_KIND else {"kind": kind.name}
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        config = {
            "format": FORMAT,
            **tagged,
            "name": name or kind.default_name(directory, dataset),
            "dataset": dataset,
            "description": description or kind.description(model, dataset),
            kind.key: kind.serialize(model),
        }
        (tmp / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        shipped.save_weights(tmp / WEIGHTS)
        if kind.stored_float:
            store_weights_as(tmp / WEIGHTS, kind.stored_float)
        metadata = {
            "format": FORMAT,
            **tagged,
            "name": config["name"],
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "versions": {
                "ganzoo": _ganzoo_version(),
                "keras": keras.__version__,
                "backend": keras.config.backend(),
                "python": platform.python_version(),
            },
            "parameters": kind.parameters(model),
            "dataset": dataset,
            "training": training or {},
            "hyperparameters": hyperparameters or {},
            "metrics": metrics or {},
            "card": {"notes": notes or "", "paper": paper or "", "license": license or DEFAULT_LICENSE},
            **kind.metadata(model, dataset, **details),
        }
        if kind.stored_float:
            metadata["weights"] = _weights_record(kind)
        with _as_stored(shipped.weights, kind.stored_float):  # the grid shows the stored weights
            metadata["samples"] = kind.write_samples(model, tmp / GRID, dataset, **details)
        (tmp / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
        kind.write_records(tmp, metadata)
        (tmp / CARD).write_text(kind.card(config, metadata))
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


def read_config(directory, manifest_sha256=None, kind=None):
    """Verify ``directory`` (:func:`verify`) and read its ``config.json`` -> ``(config, kind)``.

    A config of another format, or (with ``kind``) of another kind, is a :class:`CheckpointError`.
    """
    directory = Path(directory)
    verify(directory, manifest_sha256)
    config = _read_json(directory / CONFIG)
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        found = config.get("format") if isinstance(config, dict) else None
        raise CheckpointError(
            f"{directory / CONFIG}: format {found!r} is not {FORMAT!r} "
            "(written by another ganzoo version?)"
        )
    found = config.get("kind", DEFAULT_KIND)
    if kind is None:
        kind = get_kind(found)
        if kind is None:
            raise CheckpointError(f"{directory / CONFIG}: kind {found!r} is not one this ganzoo "
                                  f"knows ({', '.join(sorted(set(KINDS) | set(KIND_MODULES)))})")
    if found != kind.name or kind.key not in config:
        other = get_kind(found)
        what = f"a {other.label}" if other else f"kind {found!r}"
        hint = f" (load {other.label}s with {other.loader})" if other and other.loader else ""
        raise CheckpointError(f"{directory} holds {what}, not a {kind.label} checkpoint{hint}")
    return config, kind


def load(directory, manifest_sha256=None, compile=True, kind=None):
    """Verify and load a checkpoint directory -> its model: for a GAN a compiled
    :class:`~ganzoo.gan.GAN` (``compile=False``: without optimizers).

    ``kind``: the :class:`Kind` the caller expects (default: the GAN); a checkpoint of another
    kind is refused, naming it. The model carries ``checkpoint_dir`` and ``checkpoint_config``.
    """
    directory = Path(directory)
    config, kind = read_config(directory, manifest_sha256, kind or GAN_KIND)
    model = safe_deserialize(kind.model_config(config[kind.key], compile), directory / CONFIG,
                             kind.label)
    cls = kind.model_class
    if cls is None or not isinstance(model, cls):
        expected = cls.__name__ if cls is not None else kind.registered_name
        raise CheckpointError(f"{directory / CONFIG} describes a {type(model).__name__}, "
                              f"not a {expected}")
    model.build()
    try:
        kind.shipped(model).load_weights(directory / WEIGHTS)
    except Exception as e:
        raise CheckpointError(f"{directory / WEIGHTS} does not fit the {kind.label} in {CONFIG}: "
                              f"{e}") from e
    kind.loaded(model, directory, config)
    model.checkpoint_dir = directory
    model.checkpoint_config = config
    return model


def convert_stored_weights(directory):
    """Bring a checkpoint written before its kind stored float32 weights as
    :data:`STORED_FLOAT` to the current layout, in place: the weights file rewritten
    (:func:`store_weights_as`), the sample grid redrawn from the stored weights, ``metadata.json``'s
    ``weights`` record and the card updated, the manifest rewritten. ``metrics.json``,
    ``seeds.json`` and the metrics and seed summary in ``metadata.json`` are dropped: they were
    measured on the float32 weights (run ``ganzoo eval`` and ``ganzoo seeds`` again). Returns the
    new manifest sha256, or None when there is nothing to convert (already stored so, or a kind
    that stores float32)."""
    directory = Path(directory)
    config, kind = read_config(directory)
    metadata = read_metadata(directory)
    stored = (metadata.get("weights") or {}).get("float32_stored_as")
    if not kind.stored_float or stored == kind.stored_float:
        return None
    store_weights_as(directory / WEIGHTS, kind.stored_float)
    for name in OPTIONAL:
        (directory / name).unlink(missing_ok=True)
    metadata["metrics"] = {}
    metadata.pop("seeds", None)
    metadata["weights"] = _weights_record(kind)
    write_manifest(directory)
    model = load(directory, kind=kind)
    metadata["samples"] = kind.write_samples(model, directory / GRID, config["dataset"])
    (directory / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    (directory / CARD).write_text(kind.card(config, metadata))
    return write_manifest(directory)


def as_stored(model):
    """Context manager: inside it ``model`` (a GAN, or a model of another kind) holds the weights
    a checkpoint of it stores -- float32 rounded to the kind's :data:`STORED_FLOAT` --, so it
    computes what the loaded checkpoint computes; on leaving, its exact weights come back::

        path = gan.save_pretrained("ck", ...)
        with checkpoint.as_stored(gan):
            assert np.array_equal(ganzoo.load(path).sample(4, seed=0), gan.sample(4, seed=0))
    """
    kind = _kind_for(model)
    return _as_stored(kind.shipped(model).weights, kind.stored_float)


def read_metadata(directory):
    return _read_json(Path(directory) / METADATA)


def update_card(directory, metrics=None, notes=None, paper=None, license=None, files=None,
                seeds=None):
    """Update a verified checkpoint's metadata (metrics, card text), re-render its model card and
    rewrite the manifest. The weights are untouched. ``files``: extra ``{file name: text}`` to
    write beside them (e.g. ``metrics.json``, see :mod:`ganzoo.evaluation`); the manifest lists
    every file of the directory. ``seeds``: the seed study's summary for the card, stored as
    ``metadata["seeds"]`` (see :mod:`ganzoo.seeds`). Returns the new manifest sha256 (the value a
    registry entry pins). Works for every kind: the card is re-rendered by the checkpoint's kind."""
    directory = Path(directory)
    config, kind = read_config(directory)
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
    (directory / CARD).write_text(kind.card(config, metadata))
    return write_manifest(directory)
