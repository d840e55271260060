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


def load(name, pretrained=True, revision=None, cache_dir=None):
    """Load a GAN, ready to ``sample`` and to ``fit`` (compiled with its entry's optimizers).

    ``name`` is resolved strictly, never guessed:

    * a registry name (``ganzoo.list_models()``): with ``pretrained=True`` its checkpoint from
      ``checkpoints/<name>/``, else from the Hugging Face cache, else downloaded from the Hub at the
      entry's pinned revision -- every file sha256-verified against the entry's pin; with
      ``pretrained=False`` the entry's untrained model;
    * ``hf://owner/name``: a checkpoint on the Hub (cache first), at ``revision`` (default main);
    * a path to a checkpoint directory (e.g. written by ``gan.save_pretrained``).
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"name must be a string or a path; got {type(name).__name__}")
    if isinstance(name, str) and name.startswith("hf://"):
        return checkpoint.load(hub.pull(name, revision=revision or "main", cache_dir=cache_dir))
    if isinstance(name, str) and name in ENTRIES:
        entry = get_entry(name)
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
        return checkpoint.load(path)
    get_entry(name)  # raises: unknown name, with close matches
