"""Hugging Face Hub helpers: ``pull`` a checkpoint (cache first, pinned revision, sha256-verified)
and ``push`` one (the checkpoint directory with its generated model card).

A Hub repository holds exactly a ganzoo checkpoint directory (see :mod:`ganzoo.checkpoint`).
"""

import tempfile
from pathlib import Path

from ganzoo import checkpoint


class HubError(RuntimeError):
    """A Hub download or upload could not be done."""


def pull(repo_id, revision="main", cache_dir=None, token=None, manifest_sha256=None,
         local_files_only=None):
    """Return the local path of ``repo_id`` at ``revision``, verified against its checksums.

    Looks in the Hugging Face cache first (works offline, e.g. with ``HF_HUB_OFFLINE=1``), then
    downloads. ``manifest_sha256`` pins ``checksums.sha256`` (and with it every file).
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    repo_id = _repo_id(repo_id)
    kwargs = {"repo_id": repo_id, "revision": revision, "cache_dir": cache_dir, "repo_type": "model"}
    try:
        path = snapshot_download(local_files_only=True, **kwargs)
    except LocalEntryNotFoundError:
        if local_files_only:
            raise HubError(
                f"{repo_id}@{revision} is not in the Hugging Face cache "
                f"({cache_dir or 'default cache'}) and downloads are disabled"
            ) from None
        try:
            path = snapshot_download(token=token, **kwargs)
        except Exception as e:
            raise HubError(
                f"Could not download {repo_id}@{revision} from the Hugging Face Hub ({type(e).__name__}: "
                f"{e}). Offline? Put the checkpoint in the HF cache, or pass a local checkpoint "
                "directory to ganzoo.load()."
            ) from e
    checkpoint.verify(path, manifest_sha256)
    return Path(path)


def _repo_id(repo_id):
    repo_id = str(repo_id)
    if repo_id.startswith("hf://"):
        repo_id = repo_id[len("hf://"):]
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"A Hub repo id looks like 'owner/name'; got {repo_id!r}")
    return repo_id


def push(model, repo_id, revision=None, token=None, private=False, commit_message=None,
         api=None, create_repo=True, **card):
    """Upload a GAN (saved as a checkpoint first) or a checkpoint directory to ``repo_id``.

    Only the checkpoint's files are sent (not a training run's ``train_state/``), after checking
    them against ``checksums.sha256``. ``api``: an ``huggingface_hub.HfApi`` (default: a new one with
    ``token``). Returns the ``CommitInfo`` of the upload.
    """
    from huggingface_hub import HfApi

    repo_id = _repo_id(repo_id)
    api = api or HfApi(token=token)
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(model, (str, Path)):
            folder = Path(model)
            name = folder.resolve().name
        else:
            name = card["name"] = card.get("name") or repo_id.split("/")[1]
            folder = checkpoint.save(model, Path(tmp) / "checkpoint", **card)
        files = sorted(checkpoint.verify(folder)) + [checkpoint.MANIFEST]
        if create_repo:
            api.create_repo(repo_id=repo_id, repo_type="model", private=private, exist_ok=True)
        return api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            repo_type="model",
            revision=revision,
            allow_patterns=files,
            commit_message=commit_message or f"Upload ganzoo checkpoint {name}",
        )
