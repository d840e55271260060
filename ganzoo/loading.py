"""``ganzoo.load``: registry name, checkpoint directory or Hub id -> a compiled GAN."""

import os
from pathlib import Path

from ganzoo import checkpoint, hub
from ganzoo.zoo import ENTRIES, create, get_entry


def checkpoints_root():
    """``$GANZOO_CHECKPOINTS``, else the ``checkpoints/`` folder beside the ganzoo package."""
    env = os.environ.get("GANZOO_CHECKPOINTS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "checkpoints"


def _looks_like_path(name):
    return isinstance(name, os.PathLike) or "/" in name or os.sep in name or name.startswith(".")


def load(name, pretrained=True, revision=None, cache_dir=None, sha256=None):
    """Load a GAN, ready to ``sample`` and to ``fit`` (compiled with its entry's optimizers).

    ``name`` is resolved strictly, never guessed:

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
    is executed.
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"name must be a string or a path; got {type(name).__name__}")
    if sha256 is not None and (not isinstance(sha256, str) or len(sha256) != 64
                               or any(c not in "0123456789abcdef" for c in sha256.lower())):
        raise ValueError(f"sha256 must be 64 hex digits (the sha256 of the checkpoint's "
                         f"checksums.sha256); got {sha256!r}")
    sha256 = sha256.lower() if sha256 else None
    if isinstance(name, str) and not name.strip():
        raise ValueError("name is empty: give a registry name (ganzoo.list_models()), a checkpoint "
                         "directory or 'hf://owner/name'")
    if isinstance(name, str) and name.startswith("hf://"):
        path = hub.pull(name, revision=revision or "main", cache_dir=cache_dir,
                        manifest_sha256=sha256)
        return checkpoint.load(path, sha256)
    if isinstance(name, str) and name in ENTRIES:
        entry = get_entry(name)
        if sha256 is not None and entry.manifest_sha256 not in (None, sha256):
            raise ValueError(f"{name} is pinned to {entry.manifest_sha256} by the registry; "
                             f"sha256={sha256} asks for another checkpoint")
        if not pretrained:
            return create(name)
        local = checkpoints_root() / name
        if (local / checkpoint.MANIFEST).exists():
            return checkpoint.load(local, entry.manifest_sha256)
        if entry.hub_repo is None or entry.manifest_sha256 is None:
            raise FileNotFoundError(
                f"{name!r} has no released checkpoint yet (none in {local}, none pinned on the "
                f"Hub); train one with `ganzoo train {name} --out {local}`, or use "
                f"ganzoo.load({name!r}, pretrained=False) for the untrained model"
            )
        path = hub.pull(entry.hub_repo, revision=revision or entry.hub_revision,
                        cache_dir=cache_dir, manifest_sha256=entry.manifest_sha256)
        return checkpoint.load(path, entry.manifest_sha256)
    if _looks_like_path(name) or Path(name).is_dir():
        path = Path(name)
        if not path.is_dir():
            raise FileNotFoundError(f"No checkpoint directory at {path}")
        return checkpoint.load(path, sha256)
    get_entry(name)  # raises: unknown name, with close matches
