import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import tiny_gan
from ganzoo import checkpoint
from ganzoo.checkpoint import CheckpointError


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A tiny GAN trained two steps and saved, once per module: building and fitting it is most
    of a test's time here (under JAX each new GAN compiles its step), the checks are on files."""
    gan = tiny_gan()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    path = gan.save_pretrained(tmp_path_factory.mktemp("pristine") / "ck", name="tiny",
                               dataset="mnist", training={"command": "pytest", "images_seen": 8})
    return gan, path


@pytest.fixture
def saved(pristine, tmp_path):
    """The GAN and a fresh copy of its checkpoint directory: a test may tamper with the files."""
    import shutil

    gan, path = pristine
    return gan, Path(shutil.copytree(path, tmp_path / "ck"))


def test_layout_and_round_trip(saved):
    gan, path = saved
    names = sorted(p.name for p in path.iterdir())
    assert names == sorted(checkpoint.REQUIRED + (checkpoint.MANIFEST,))
    loaded = ganzoo.load(path)
    np.testing.assert_array_equal(loaded.sample(6, seed=1), gan.sample(6, seed=1))
    # loaded model is compiled and fine-tunes at once, with the saved optimizer settings
    assert loaded.g_optimizer.get_config()["learning_rate"] == pytest.approx(2e-4)
    x = np.zeros((4, 28, 28, 1), "float32")
    loaded.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 1
    card = (path / "README.md").read_text()
    assert "library_name: keras" in card and "pytest" in card and "samples.png" in card
    meta = json.loads((path / "metadata.json").read_text())
    assert meta["training"]["images_seen"] == 8 and meta["parameters"]["generator"] > 0


def test_shipped_weights_exclude_optimizer_state(saved):
    import h5py

    _, path = saved
    with h5py.File(path / "model.weights.h5") as f:
        keys = []
        f.visit(keys.append)
    assert any(k.startswith("generator") for k in keys)
    assert any(k.startswith("discriminator") for k in keys)
    assert not any("optimizer" in k for k in keys)


def test_tampered_weights_are_refused_naming_the_file(saved):
    _, path = saved
    data = bytearray((path / "model.weights.h5").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (path / "model.weights.h5").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"model\.weights\.h5 is corrupted or was modified"):
        ganzoo.load(path)


def test_manifest_regenerated_by_an_attacker_fails_the_pin(saved):
    _, path = saved
    pin = checkpoint.sha256_file(path / checkpoint.MANIFEST)
    checkpoint.verify(path, pin)  # the published state passes
    (path / "config.json").write_text((path / "config.json").read_text().replace("tiny", "evil"))
    checkpoint.write_manifest(path)
    with pytest.raises(CheckpointError, match="pins"):
        checkpoint.load(path, manifest_sha256=pin)


def test_missing_manifest_and_missing_file(saved):
    _, path = saved
    (path / "samples.png").unlink()
    with pytest.raises(CheckpointError, match=r"samples\.png is listed .* but missing"):
        ganzoo.load(path)
    (path / "checksums.sha256").unlink()
    with pytest.raises(CheckpointError, match=r"checksums\.sha256 is missing"):
        ganzoo.load(path)


def test_config_cannot_name_arbitrary_code(saved):
    """Safe mode: a config naming a Lambda layer or an unregistered class is refused."""
    _, path = saved
    config = json.loads((path / "config.json").read_text())
    config["gan"]["config"]["generator"] = {
        "module": "keras.layers", "class_name": "Lambda",
        "config": {"function": {"class_name": "__lambda__", "config": {"code": "x"}}},
    }
    (path / "config.json").write_text(json.dumps(config))
    checkpoint.write_manifest(path)
    with pytest.raises(CheckpointError, match="cannot rebuild the GAN"):
        ganzoo.load(path)


def test_unknown_format_is_refused(saved):
    _, path = saved
    config = json.loads((path / "config.json").read_text())
    config["format"] = "something-else/9"
    (path / "config.json").write_text(json.dumps(config))
    checkpoint.write_manifest(path)
    with pytest.raises(CheckpointError, match="format 'something-else/9'"):
        ganzoo.load(path)


def test_saving_an_uncompiled_gan_is_explained(tmp_path):
    from ganzoo.gan import GAN
    from ganzoo.models import DCGANDiscriminator, DCGANGenerator

    gan = GAN(DCGANGenerator(width=2), DCGANDiscriminator(width=2))
    with pytest.raises(ValueError, match="compile"):
        gan.save_pretrained(tmp_path / "x")


def test_update_card_rewrites_card_metadata_and_manifest(saved):
    _, path = saved
    weights = (path / "model.weights.h5").read_bytes()
    pin = checkpoint.update_card(path, metrics={"fid_test": 1.5}, notes="Hello **notes**")
    assert pin == checkpoint.sha256_file(path / checkpoint.MANIFEST)
    checkpoint.verify(path, pin)
    card = (path / "README.md").read_text()
    assert "Hello **notes**" in card and "| fid_test | 1.5 |" in card
    assert json.loads((path / "metadata.json").read_text())["metrics"] == {"fid_test": 1.5}
    assert (path / "model.weights.h5").read_bytes() == weights


def test_model_info_of_a_checkpoint_directory(saved):
    _, path = saved
    info = ganzoo.model_info(str(path))
    assert info["name"] == "tiny" and info["training"]["images_seen"] == 8


def test_manifest_lists_only_the_checkpoint_files(make_tiny_gan, tmp_path):
    path = make_tiny_gan().save_pretrained(tmp_path / "ck")
    (path / ".done").write_text("")  # a training queue's marker, not part of the checkpoint
    checkpoint.write_manifest(path)
    assert ".done" not in checkpoint.read_manifest(path)
    assert set(checkpoint.read_manifest(path)) == set(checkpoint.REQUIRED)


def _lambda_checkpoint(saved, marker):
    """A copy of ``saved`` whose generator is a Lambda that creates ``marker`` when it runs, with a
    regenerated manifest (what an attacker can do to an unpinned local or Hub checkpoint)."""
    import shutil

    import keras

    fn = lambda x, _p=str(marker): (open(_p, "w").close(), x)[1]  # noqa: E731
    bad = keras.Sequential([keras.Input((8,)), keras.layers.Lambda(fn)])
    saved = saved[1]
    target = saved.parent / "lambda-checkpoint"
    shutil.copytree(saved, target)
    config = json.loads((target / "config.json").read_text())
    config["gan"]["config"]["generator"] = keras.saving.serialize_keras_object(bad)
    assert marker.exists()  # building `bad` ran the code: it is live
    marker.unlink()
    (target / "config.json").write_text(json.dumps(config))
    checkpoint.write_manifest(target)
    return target


def test_safe_mode_holds_even_when_the_process_disabled_it(saved, tmp_path):
    import keras
    from keras.src.backend.common import global_state

    marker = tmp_path / "code-ran"
    target = _lambda_checkpoint(saved, marker)
    before = global_state.get_global_attribute("safe_mode_saving")
    keras.config.enable_unsafe_deserialization()
    try:
        with pytest.raises(CheckpointError, match="cannot rebuild"):
            ganzoo.load(str(target))
    finally:
        global_state.set_global_attribute("safe_mode_saving", before)
    assert not marker.exists(), "code from the checkpoint ran"


def test_a_local_checkpoint_can_be_pinned(saved):
    saved = saved[1]
    pin = checkpoint.sha256_file(saved / checkpoint.MANIFEST)
    np.testing.assert_array_equal(ganzoo.load(str(saved), sha256=pin).sample(2, seed=0),
                                  ganzoo.load(str(saved)).sample(2, seed=0))
    with pytest.raises(CheckpointError, match="pins"):
        ganzoo.load(str(saved), sha256="0" * 64)
    with pytest.raises(ValueError, match="64 hex digits"):
        ganzoo.load(str(saved), sha256="abc")


def test_an_empty_name_is_refused():
    with pytest.raises(ValueError, match="name is empty"):
        ganzoo.load("")


def test_save_refuses_a_folder_of_foreign_files_and_keeps_them(make_tiny_gan, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "README.md").write_text("my project")
    (folder / "config.json").write_text("{}")
    gan = make_tiny_gan()
    with pytest.raises(ValueError, match="not a ganzoo checkpoint.*README.md"):
        gan.save_pretrained(folder)
    assert (folder / "README.md").read_text() == "my project"
    gan.save_pretrained(folder, overwrite=True)
    assert checkpoint.is_checkpoint(folder)


def test_resaving_swaps_the_checkpoint_whole_and_keeps_a_runs_state(make_tiny_gan, tmp_path,
                                                                      monkeypatch):
    folder = tmp_path / "ck"
    make_tiny_gan(seed=0).save_pretrained(folder)
    (folder / "train_state").mkdir()
    (folder / "train_state" / "progress.json").write_text("{}")
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint, "save_sample_image", crash)
    with pytest.raises(OSError):
        make_tiny_gan(seed=1).save_pretrained(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["ck"], "no partial folder is left behind"
    monkeypatch.undo()
    make_tiny_gan(seed=1).save_pretrained(folder)
    assert (folder / "train_state" / "progress.json").exists()
    assert (folder / "model.weights.h5").read_bytes() != before["model.weights.h5"]
    checkpoint.verify(folder)
