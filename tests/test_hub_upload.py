"""``ganzoo.hub.push`` with the real ``huggingface_hub`` client, against a loopback fake Hub
(:mod:`hub_server`) that records what would be sent, byte for byte.
"""

import hashlib
import socket
from pathlib import Path

import numpy as np
import pytest
from huggingface_hub import HfApi, ModelCard, constants

from ganzoo import checkpoint, hub
from ganzoo.checkpoint import CheckpointError
from ganzoo.gan import GAN
from ganzoo.models import DCGANDiscriminator, DCGANGenerator
from hub_server import FakeHub  # tests/ is on sys.path (rootdir conftest, like conftest imports)

TOKEN = "hf_fake"
CHECKPOINT_FILES = {
    "config.json", "model.weights.h5", "metadata.json", "README.md", "samples.png",
    "checksums.sha256",
}


@pytest.fixture
def server(monkeypatch):
    # huggingface_hub refuses every request in offline mode (HF_HUB_OFFLINE, read at import time).
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with FakeHub(token=TOKEN) as fake:
        yield fake
    assert not fake.unhandled, f"the client asked for endpoints the fake lacks: {fake.unhandled}"


@pytest.fixture
def api(server):
    # endpoint= rather than HF_ENDPOINT: huggingface_hub reads the environment at import time.
    return HfApi(endpoint=server.url, token=TOKEN)


@pytest.fixture(scope="module")
def gan():
    model = GAN(DCGANGenerator(latent_dim=8, width=4), DCGANDiscriminator(width=4), seed=0)
    model.compile()
    return model


def _disk_files(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in Path(directory).rglob("*") if p.is_file()}


def _manifest(data):
    entries = {}
    for line in data.decode().splitlines():
        digest, _, name = line.partition("  ")
        entries[name] = digest
    return entries


def test_push_checkpoint_dir_uploads_exactly_its_files(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    # A training run keeps its resumable state in a subfolder; it must never be published. The
    # README.md in it has the name of a checkpoint file, to catch a name-only filter.
    (path / "train_state").mkdir()
    (path / "train_state" / "junk.bin").write_bytes(b"\x00optimizer state\xff" * 100)
    (path / "train_state" / "README.md").write_text("not the model card\n")
    on_disk = _disk_files(path)
    assert {"train_state/junk.bin", "train_state/README.md"} <= set(on_disk)

    info = hub.push(path, "someone/tiny-gan", api=api)

    assert list(server.repos) == ["someone/tiny-gan"]
    assert server.repos["someone/tiny-gan"]["private"] is False
    assert len(server.commits) == 1
    commit = server.commits[0]
    assert commit["repo_id"] == "someone/tiny-gan" and commit["revision"] == "main"
    assert commit["deleted"] == []
    assert commit["summary"] == "Upload ganzoo checkpoint tiny-gan"
    assert info.oid == commit["oid"]

    received = commit["files"]
    assert set(received) == CHECKPOINT_FILES
    assert not any(name.startswith("train_state") for name in received)
    for name, data in received.items():
        assert data == on_disk[name], f"{name} was not uploaded byte for byte"
    assert server.repos["someone/tiny-gan"]["files"] == received
    # The repo was looked up, then created, before anything was sent to it (FakeHub answers 401
    # to a request without "Bearer hf_fake", so all of them carried the api's token).
    assert server.requests[:2] == [("GET", "/api/models/someone/tiny-gan"),
                                   ("POST", "/api/repos/create")]
    assert server.requests[-1] == ("POST", "/api/models/someone/tiny-gan/commit/main")


def test_push_unchanged_checkpoint_again_makes_no_commit(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    first = hub.push(path, "someone/tiny-gan", api=api)
    again = hub.push(path, "hf://someone/tiny-gan", api=api)  # repo exists: create_repo is a no-op
    assert len(server.commits) == 1
    assert again.oid == first.oid


def test_push_gan_object_uploads_card_and_verifiable_checksums(gan, server, api, tmp_path):
    hub.push(gan, "someone/tiny-gan2", api=api)

    assert list(server.repos) == ["someone/tiny-gan2"]
    assert len(server.commits) == 1
    assert server.commits[0]["summary"] == "Upload ganzoo checkpoint tiny-gan2"  # not a temp dir's
    received = server.commits[0]["files"]
    assert set(received) == CHECKPOINT_FILES

    card = received["README.md"].decode()
    assert card.startswith("---\n")
    front_matter = card.split("---\n")[1]
    assert "library_name: keras" in front_matter.splitlines()
    assert ModelCard(card).data.library_name == "keras"  # as the Hub reads it

    manifest = _manifest(received["checksums.sha256"])
    assert set(manifest) == CHECKPOINT_FILES - {"checksums.sha256"}
    for name, digest in manifest.items():
        assert hashlib.sha256(received[name]).hexdigest() == digest, f"{name} does not match"

    # The uploaded bytes are a checkpoint that loads back into the same generator.
    copy = tmp_path / "downloaded"
    copy.mkdir()
    for name, data in received.items():
        (copy / name).write_bytes(data)
    loaded = checkpoint.load(copy)
    assert loaded.checkpoint_config["name"] == "tiny-gan2"  # defaults to the repo's name
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(np.asarray(loaded.sample(4, seed=1)),
                                      np.asarray(gan.sample(4, seed=1)))


def test_push_refuses_tampered_checkpoint_and_sends_nothing(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    weights = path / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))

    with pytest.raises(CheckpointError, match="model.weights.h5"):
        hub.push(path, "someone/tiny-gan", api=api)

    assert server.requests == []  # not even create_repo
    assert server.repos == {} and server.commits == []


# -- failures: every one is a HubError naming the repo and what to do; a repo this push created
# -- is not left behind empty

# A status huggingface_hub does not retry (it retries 500/502/503/504 for ~23 s): the Hub's answer
# when a repo's storage quota is exceeded.
COMMIT_FAILS = 507


def _pushed_files(server, repo_id):
    return set(server.repos[repo_id]["files"])


def test_failed_commit_deletes_the_repo_this_push_created(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    server.fail["_commit"] = COMMIT_FAILS

    with pytest.raises(hub.HubError) as raised:
        hub.push(path, "someone/tiny-gan", api=api)

    message = str(raised.value)
    assert message.startswith(f"Could not upload {path} to someone/tiny-gan: HfHubHTTPError")
    assert "507" in message and "then push again" in message
    assert "The repo someone/tiny-gan, created by this push, was deleted again." in message
    assert "\n" not in message
    assert server.repos == {}  # not left behind, empty
    assert server.requests[-1] == ("DELETE", "/api/repos/delete")


def test_failed_commit_and_failed_delete_say_an_empty_repo_was_left(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    server.fail.update(_commit=COMMIT_FAILS, _delete_repo=500)

    with pytest.raises(hub.HubError, match=r"An EMPTY repo was left at someone/tiny-gan: this "
                                           r"push created it and deleting it failed too"):
        hub.push(path, "someone/tiny-gan", api=api)

    assert server.repos["someone/tiny-gan"]["files"] == {}
    assert ("DELETE", "/api/repos/delete") in server.requests


def test_failed_commit_to_an_existing_repo_leaves_it_alone(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    hub.push(path, "someone/tiny-gan", api=api)
    before = dict(server.repos["someone/tiny-gan"]["files"])
    gan.save_pretrained(path, name="tiny-gan", dataset="mnist", description="a new card")
    server.fail["_commit"] = COMMIT_FAILS
    server.requests.clear()

    with pytest.raises(hub.HubError) as raised:
        hub.push(path, "someone/tiny-gan", api=api)

    assert "deleted" not in str(raised.value) and "EMPTY" not in str(raised.value)
    assert server.repos["someone/tiny-gan"]["files"] == before  # the published checkpoint stays
    assert ("DELETE", "/api/repos/delete") not in server.requests
    assert ("POST", "/api/repos/create") not in server.requests


def test_push_with_a_rejected_token_says_so(gan, server, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    api = HfApi(endpoint=server.url, token="hf_wrong")
    with pytest.raises(hub.HubError, match=r"^Could not create the repo someone/tiny-gan: the Hub "
                                           r"refused the request \(HTTP 401\)\. Log in"):
        hub.push(path, "someone/tiny-gan", api=api)
    assert server.repos == {}


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_push_without_network_says_so(gan, tmp_path, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    api = HfApi(endpoint=f"http://127.0.0.1:{_closed_port()}", token=TOKEN)
    with pytest.raises(hub.HubError, match=r"^Could not create the repo someone/tiny-gan: "
                                           r"ConnectError: .*Connection refused"):
        hub.push(path, "someone/tiny-gan", api=api)


@pytest.fixture
def hub_endpoint(server, monkeypatch, tmp_path):
    """``hub.pull`` (which takes no endpoint) talking to the fake Hub, with an empty cache."""
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return server


def test_pull_of_a_missing_repo_or_revision_says_which(gan, hub_endpoint, api, tmp_path):
    with pytest.raises(hub.HubError, match=r"^Could not download someone/nothing@main from the "
                                           r"Hugging Face Hub: no such repo on the Hub, or it is "
                                           r"private\. Check the repo id"):
        hub.pull("someone/nothing", token=TOKEN)
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    hub.push(path, "someone/tiny-gan", api=api)
    with pytest.raises(hub.HubError, match=r"^Could not download someone/tiny-gan@v2 .*: the repo "
                                           r"has no revision 'v2'\. Check the revision"):
        hub.pull("someone/tiny-gan", revision="v2", token=TOKEN)


@pytest.mark.backend_independent
def test_pull_without_network_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(hub.HubError) as raised:
        hub.pull("someone/tiny-gan", cache_dir=tmp_path / "hf-cache")
    message = str(raised.value)
    assert message.startswith("Could not download someone/tiny-gan@main from the Hugging Face Hub")
    assert "Connection refused" in message and "Offline? Put the checkpoint" in message
    assert "\n" not in message


def test_bad_repo_ids_are_value_errors_before_any_request(gan, server, api, tmp_path):
    path = gan.save_pretrained(tmp_path / "tiny-gan", name="tiny-gan", dataset="mnist")
    for bad in ("someone/bad name", "someone/a..b", "no-owner"):
        with pytest.raises(ValueError, match="repo id"):
            hub.push(path, bad, api=api)
    assert server.requests == []
