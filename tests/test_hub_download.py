"""The Hub download path, exercised through a real Hugging Face cache layout (no network)."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import ganzoo
from conftest import REPO, tiny_gan
from ganzoo import checkpoint, hub
from ganzoo.checkpoint import CheckpointError

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def make_cache(cache, repo_id, source, commit=COMMIT, ref="main"):
    """Lay ``source``'s files out as huggingface_hub does: blobs/, snapshots/<sha>/ links, refs/."""
    repo_dir = cache / ("models--" + repo_id.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / ref).write_text(commit)
    snap = repo_dir / "snapshots" / commit
    snap.mkdir(parents=True)
    (repo_dir / "blobs").mkdir()
    for f in source.iterdir():
        if f.is_file():
            blob = repo_dir / "blobs" / checkpoint.sha256_file(f)
            shutil.copy(f, blob)
            os.symlink(os.path.relpath(blob, snap), snap / f.name)
    return snap


@pytest.fixture
def cached(tmp_path):
    gan = tiny_gan()
    src = gan.save_pretrained(tmp_path / "src", name="tiny")
    cache = tmp_path / "hf-cache"
    snap = make_cache(cache, "someone/tiny", src)
    return gan, cache, snap


def test_pull_from_cache_offline(cached):
    gan, cache, snap = cached
    path = hub.pull("someone/tiny", revision="main", cache_dir=cache, local_files_only=True)
    assert path == snap
    loaded = ganzoo.load("hf://someone/tiny", cache_dir=cache)
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(loaded.sample(4, seed=2), gan.sample(4, seed=2))


def test_pull_pinned_revision_and_missing_revision(cached):
    _, cache, _ = cached
    assert hub.pull("someone/tiny", revision=COMMIT, cache_dir=cache, local_files_only=True)
    with pytest.raises(hub.HubError, match="not in the Hugging Face cache"):
        hub.pull("someone/tiny", revision="v2", cache_dir=cache, local_files_only=True)


def test_pull_verifies_sha256(cached):
    _, cache, snap = cached
    pin = checkpoint.sha256_file(snap / checkpoint.MANIFEST)
    hub.pull("someone/tiny", cache_dir=cache, manifest_sha256=pin, local_files_only=True)
    blob = (snap / "model.weights.h5").resolve()
    data = bytearray(blob.read_bytes())
    data[100] ^= 1
    blob.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="model.weights.h5 is corrupted"):
        hub.pull("someone/tiny", cache_dir=cache, local_files_only=True)


@pytest.mark.backend_independent
def test_bad_repo_id():
    with pytest.raises(ValueError, match="owner/name"):
        hub.pull("just-a-name")


def test_registry_entry_falls_back_to_hf_cache_offline(tmp_path):
    """No local checkpoints/: `ganzoo sample dcgan-mnist` is served from the HF cache, offline."""
    entry = ganzoo.zoo.get_entry("dcgan-mnist")
    cache = tmp_path / "hf-cache"
    make_cache(cache, entry.hub_repo, ganzoo.checkpoints_root() / "dcgan-mnist")
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HUB_CACHE=str(cache),
               GANZOO_CHECKPOINTS=str(tmp_path / "empty"), PYTHONPATH=str(REPO))
    out = tmp_path / "s.npy"
    run = subprocess.run(
        [sys.executable, "-m", "ganzoo.cli", "sample", "dcgan-mnist", "-n", "4", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    expected = ganzoo.load("dcgan-mnist").sample(4, seed=0)
    np.testing.assert_allclose(np.load(out), expected, atol=1e-6)
