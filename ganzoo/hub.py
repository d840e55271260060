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
    downloads. ``manifest_sha256`` pins ``checksums.sha256`` (and with it every file). A download
    that cannot be done (no network, no such repo or revision, no access) is a :class:`HubError`
    saying which, and what to do.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    repo_id = _repo_id(repo_id)
    kwargs = {"repo_id": repo_id, "revision": revision, "cache_dir": cache_dir, "repo_type": "model"}
    what = f"{repo_id}@{revision}"
    try:
        path = snapshot_download(local_files_only=True, **kwargs)
    except LocalEntryNotFoundError:
        if local_files_only:
            raise HubError(
                f"{what} is not in the Hugging Face cache ({cache_dir or 'default cache'}) and "
                "downloads are disabled"
            ) from None
        try:
            path = snapshot_download(token=token, **kwargs)
        except Exception as e:  # the client's HTTP, network and file errors alike
            raise _hub_error(f"download {what} from the Hugging Face Hub", e, revision,
                             "Offline? Put the checkpoint in the Hugging Face cache, or pass a "
                             "local checkpoint directory to ganzoo.load().") from e
    checkpoint.verify(path, manifest_sha256)
    return Path(path)


def _hub_error(doing, error, revision=None, advice=""):
    """A one-line :class:`HubError`: what could not be done, why (the Hub's answer read plainly
    where it has a known meaning, else the error's first line) and what to do about it."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    cause = error
    if isinstance(error, LocalEntryNotFoundError) and error.__cause__ is not None:
        cause = error.__cause__  # snapshot_download wraps what went wrong online
    status = getattr(getattr(cause, "response", None), "status_code", None)
    if isinstance(cause, OfflineModeIsEnabled):
        why = "downloads are disabled (HF_HUB_OFFLINE=1)"
    elif isinstance(cause, GatedRepoError):
        why = "the repo is gated"
        advice = "Accept its conditions on its Hub page and log in (`hf auth login`)."
    elif isinstance(cause, RepositoryNotFoundError):
        why = "no such repo on the Hub, or it is private"
        advice = ("Check the repo id, or log in (`hf auth login`, or HF_TOKEN) as a user with "
                  "access.")
    elif isinstance(cause, RevisionNotFoundError):
        why = f"the repo has no revision {revision!r}"
        advice = "Check the revision: a branch, a tag or a commit of the repo."
    elif isinstance(cause, HfHubHTTPError) and status in (401, 403):
        why = f"the Hub refused the request (HTTP {status})"
        advice = ("Log in (`hf auth login`, or HF_TOKEN) with a valid token that has access (write "
                  "access to push).")
    else:
        lines = str(cause).strip().splitlines()
        why = f"{type(cause).__name__}: {lines[0].rstrip('.')}" if lines else type(cause).__name__
    return HubError(f"Could not {doing}: {why}. {advice}".strip())


def _repo_id(repo_id):
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    repo_id = str(repo_id)
    if repo_id.startswith("hf://"):
        repo_id = repo_id[len("hf://"):]
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"A Hub repo id looks like 'owner/name'; got {repo_id!r}")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as e:
        raise ValueError(f"{repo_id!r} is not a valid Hub repo id: {e}") from None
    return repo_id


def push(model, repo_id, revision=None, token=None, private=False, commit_message=None,
         api=None, create_repo=True, **card):
    """Upload a GAN (saved as a checkpoint first) or a checkpoint directory to ``repo_id``.

    Only the checkpoint's files are sent (not a training run's ``train_state/``), after checking
    them against ``checksums.sha256``. ``api``: an ``huggingface_hub.HfApi`` (default: a new one with
    ``token``). ``create_repo``: create the repo if it does not exist; if the upload then fails,
    the repo this call created is deleted again (an empty repo would look like a published
    model). Network and Hub failures are a :class:`HubError`. Returns the ``CommitInfo`` of the
    upload.
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
        created = _create_if_missing(api, repo_id, private) if create_repo else False
        try:
            return api.upload_folder(
                repo_id=repo_id,
                folder_path=str(folder),
                repo_type="model",
                revision=revision,
                allow_patterns=files,
                commit_message=commit_message or f"Upload ganzoo checkpoint {name}",
            )
        except Exception as e:  # the client's HTTP, network and file errors alike
            error = _hub_error(f"upload {folder} to {repo_id}", e, revision or "main",
                               "Check the network and your token, then push again.")
            if created:
                error = HubError(f"{error} {_delete_created(api, repo_id)}")
            raise error from e


def _create_if_missing(api, repo_id, private):
    """Create ``repo_id`` unless it exists; True if this call created it."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        if api.repo_exists(repo_id, repo_type="model"):
            return False
        api.create_repo(repo_id=repo_id, repo_type="model", private=private)
        return True
    except Exception as e:  # the client's HTTP, network and file errors alike
        if isinstance(e, HfHubHTTPError) and getattr(e.response, "status_code", None) == 409:
            return False  # created meanwhile, not by this call
        raise _hub_error(f"create the repo {repo_id}", e,
                         advice="Check the network and your token.") from e


def _delete_created(api, repo_id):
    """Delete the repo that a failed push created; a sentence saying what became of it."""
    try:
        api.delete_repo(repo_id=repo_id, repo_type="model")
    except Exception as e:
        return (f"An EMPTY repo was left at {repo_id}: this push created it and deleting it failed "
                f"too ({type(e).__name__}); delete it on the Hub, or push again.")
    return f"The repo {repo_id}, created by this push, was deleted again."
