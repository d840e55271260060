"""Names -> checkpoint directories (:func:`resolve`, for every kind) and ``ganzoo.load`` (a GAN).

One resolver serves every loader: :func:`ganzoo.load` (GANs) and
:func:`ganzoo.classifiers.load_classifier` (domain classifiers) resolve names the same way, and the
checkpoint module (:mod:`ganzoo.checkpoint`) then verifies and rebuilds what the directory holds,
refusing a checkpoint of the wrong kind by name.
"""

import dataclasses
import difflib
import os
from pathlib import Path

from ganzoo import checkpoint, hub
from ganzoo.checkpoint import checkpoints_root  # noqa: F401  (re-exported: ganzoo.checkpoints_root)
from ganzoo.zoo import ALIASES, ENTRIES, canonical_name, create
from ganzoo.zoo import pins

HUB_PREFIX = "hf://"


@dataclasses.dataclass(frozen=True)
class Resolved:
    """Where a name's checkpoint is: ``directory``, the manifest sha256 it must match (``pin``,
    None: checked against its own ``checksums.sha256`` only) and the name it was resolved as."""

    directory: Path
    pin: str = None
    name: str = None


def _looks_like_path(name):
    return isinstance(name, os.PathLike) or "/" in name or os.sep in name or name.startswith(".")


def _check_sha256(sha256):
    if sha256 is None:
        return None
    if (not isinstance(sha256, str) or len(sha256) != 64
            or any(c not in "0123456789abcdef" for c in sha256.lower())):
        raise ValueError(f"sha256 must be 64 hex digits (the sha256 of the checkpoint's "
                         f"checksums.sha256); got {sha256!r}")
    return sha256.lower()


def _known_names(kind):
    """Every name :func:`resolve` accepts for ``kind`` besides paths and Hub ids: the registry's
    entries, every released (pinned) checkpoint, and the kind's own names and aliases."""
    return (set(ENTRIES) | set(pins.released()) | set(getattr(kind, "names", ()))
            | set(getattr(kind, "aliases", {})) | (set(ALIASES) if kind is checkpoint.GAN_KIND
                                                   else set()))


def unknown_name_error(name, kind=None):
    """A ValueError for a name that is no registry entry, released checkpoint or path, with the
    close matches among the names of every kind."""
    kind = kind or checkpoint.GAN_KIND
    close = difflib.get_close_matches(str(name), sorted(_known_names(kind)), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    what = "model" if kind is checkpoint.GAN_KIND else kind.label
    released = sorted(n for n in pins.released() if n not in ENTRIES)
    return ValueError(
        f"Unknown {what} {name!r}.{hint} Known entries: {', '.join(sorted(ENTRIES))}"
        + (f"; other released checkpoints: {', '.join(released)}" if released else "")
        + " (or pass a checkpoint directory, or an 'hf://owner/name' Hub id)."
    )


def resolve(name, kind=None, revision=None, cache_dir=None, sha256=None, local_only=False):
    """Turn ``name`` into a checkpoint directory (:class:`Resolved`), strictly, never guessing.

    ``name`` is one of:

    * ``hf://owner/name``: a checkpoint on the Hub (cache first), at ``revision`` (default main);
    * a registry entry (``ganzoo.list_models()``): ``checkpoints/<name>/``, else the Hugging Face
      cache, else downloaded from the Hub at the entry's pinned revision;
    * a released checkpoint of another kind (``classifier-mnist``) or one of ``kind``'s aliases
      (a dataset, ``"mnist"``, for a classifier): ``checkpoints/<name>/``;
    * a path to a checkpoint directory.

    ``kind``: the :class:`~ganzoo.checkpoint.Kind` asked for (default the GAN): it supplies its
    names, aliases, pins and what to say when a released checkpoint is missing. A released
    name is pinned (its manifest's sha256 in ``ganzoo/zoo/pins.json``); ``sha256`` pins a
    directory or Hub id, and must agree with a released name's pin. An unknown name is a
    ValueError naming the close matches among every kind's names.

    ``local_only``: local checkpoints only, for callers that read or write the checkpoint in place
    (``ganzoo info``, ``ganzoo eval``, ``ganzoo seeds``): nothing is downloaded or read from the
    Hugging Face cache, an ``hf://`` id is a ValueError, and a released name without a checkpoint
    in ``checkpoints/<name>/`` is a :class:`~ganzoo.checkpoint.CheckpointNotFoundError` (a
    ``FileNotFoundError`` whose ``directory`` is where it was looked for) saying how to train it.
    """
    kind = kind or checkpoint.GAN_KIND
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"name must be a string or a path; got {type(name).__name__}")
    sha256 = _check_sha256(sha256)
    if isinstance(name, str) and not name.strip():
        raise ValueError("name is empty: give a registry name (ganzoo.list_models()), a checkpoint "
                         "directory or 'hf://owner/name'")
    if isinstance(name, str) and name.startswith(HUB_PREFIX):
        if local_only:
            raise ValueError(f"{name} is a Hub id, not a local checkpoint: pass a local copy of "
                             "its checkpoint directory")
        path = hub.pull(name, revision=revision or "main", cache_dir=cache_dir,
                        manifest_sha256=sha256)
        return Resolved(path, sha256, name)
    if isinstance(name, str):
        name = getattr(kind, "aliases", {}).get(name, name)
        if kind is checkpoint.GAN_KIND:
            name = canonical_name(name)  # a retired entry name (ganzoo.zoo.ALIASES)
        if name in ENTRIES or name in pins.released() or name in getattr(kind, "names", ()):
            return _released(name, kind, revision, cache_dir, sha256, local_only)
    if _looks_like_path(name) or Path(name).is_dir():
        return Resolved(checkpoint.require_directory(name), sha256, None)
    raise unknown_name_error(name, kind)


def _pin(name, kind, sha256):
    """The pin of released ``name``; a ``sha256`` asking for another checkpoint is refused."""
    entry = ENTRIES.get(name)
    if entry is not None:
        pin = entry.manifest_sha256
    elif hasattr(kind, "pin") and name in getattr(kind, "names", ()):
        pin = kind.pin(name)
    else:
        pin = pins.pinned(name)
    if sha256 is not None and pin not in (None, sha256):
        raise ValueError(f"{name} is pinned to {pin} by the registry; sha256={sha256} asks for "
                         "another checkpoint")
    return pin or sha256


def _released(name, kind, revision, cache_dir, sha256, local_only=False):
    entry = ENTRIES.get(name)
    pin = _pin(name, kind, sha256)
    local = checkpoints_root() / name
    if (local / checkpoint.MANIFEST).exists():
        return Resolved(local, pin, name)
    on_hub = entry is not None and entry.hub_repo is not None and entry.manifest_sha256 is not None
    if on_hub and not local_only:
        path = hub.pull(entry.hub_repo, revision=revision or entry.hub_revision,
                        cache_dir=cache_dir, manifest_sha256=entry.manifest_sha256)
        return Resolved(path, entry.manifest_sha256, name)
    if entry is not None:
        missing = (f"no local checkpoint (none in {local}; its released one is on the Hub, "
                   f"{entry.hub_repo}, and only ganzoo.load({name!r}) fetches it)" if on_hub else
                   f"no released checkpoint yet (none in {local}, none pinned on the Hub)")
        untrained = "" if on_hub else (f", or use ganzoo.load({name!r}, pretrained=False) for the "
                                       "untrained model")
        raise checkpoint.CheckpointNotFoundError(
            f"{name!r} has {missing}; train one with `ganzoo train {name} --out {local}`"
            f"{untrained}", directory=local)
    if hasattr(kind, "missing") and name in getattr(kind, "names", ()):
        raise kind.missing(name, local)
    raise checkpoint.CheckpointNotFoundError(f"No {name} checkpoint in {local}", directory=local)


def load(name, pretrained=True, revision=None, cache_dir=None, sha256=None):
    """Load a GAN, ready to ``sample`` and to ``fit`` (compiled with its entry's optimizers).

    ``name`` is resolved strictly, never guessed (:func:`resolve`):

    * a registry name (``ganzoo.list_models()``): with ``pretrained=True`` its checkpoint from
      ``checkpoints/<name>/``, else from the Hugging Face cache, else downloaded from the Hub at the
      entry's pinned revision -- every file sha256-verified against the entry's pin; with
      ``pretrained=False`` the entry's untrained model;
    * ``hf://owner/name``: a checkpoint on the Hub (cache first), at ``revision`` (default main);
    * a path to a checkpoint directory (e.g. written by ``gan.save_pretrained``).

    Which loads are pinned: a registry entry always is (its manifest's sha256 is in
    ``ganzoo/zoo/pins.json``, so a modified file is refused); a directory or an ``hf://`` id is
    checked against its own ``checksums.sha256`` (which catches corruption, not tampering) unless
    you pin it with ``sha256=`` -- the sha256 of that checkpoint's ``checksums.sha256``, printed by
    ``ganzoo eval`` and ``ganzoo info``. Whatever is pinned, the models are rebuilt in Keras safe
    mode (even after ``keras.config.enable_unsafe_deserialization()``): nothing from a checkpoint
    is executed. A domain classifier's checkpoint is refused, naming
    :func:`ganzoo.classifiers.load_classifier`.
    """
    name = canonical_name(name)
    if not pretrained and isinstance(name, str) and name in ENTRIES:
        _pin(name, checkpoint.GAN_KIND, _check_sha256(sha256))
        return create(name)
    found = resolve(name, checkpoint.GAN_KIND, revision=revision, cache_dir=cache_dir, sha256=sha256)
    return checkpoint.load(found.directory, found.pin, kind=checkpoint.GAN_KIND)
