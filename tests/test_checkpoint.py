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
    with checkpoint.as_stored(gan):  # float32 weights are stored as float16
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


def _datasets(path):
    import h5py

    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda k, o: out.update({k: o[()]}) if isinstance(o, h5py.Dataset) else None)
    return out


def test_gan_weights_are_stored_as_float16_and_saving_leaves_the_model_exact(saved):
    gan, path = saved
    exact = [np.array(v) for v in checkpoint.GAN_KIND.shipped(gan).weights]
    stored = _datasets(path / "model.weights.h5")
    assert stored and {a.dtype for a in stored.values()} <= {np.dtype("float16"),
                                                             np.dtype("uint32"),
                                                             np.dtype("int64")}
    assert any(a.dtype == np.float16 for a in stored.values())
    meta = json.loads((path / "metadata.json").read_text())
    assert meta["weights"] == {"file": "model.weights.h5", "float32_stored_as": "float16"}
    assert "float32 stored as float16" in (path / "README.md").read_text()
    loaded = ganzoo.load(path)
    for v, x, w in zip(checkpoint.GAN_KIND.shipped(loaded).weights, exact,
                       checkpoint.GAN_KIND.shipped(gan).weights):
        np.testing.assert_array_equal(np.array(w), x)  # save() did not round the model itself
        if x.dtype == np.float32:  # the loaded float32 variable holds the rounded value
            assert np.array(v).dtype == np.float32
            np.testing.assert_array_equal(np.array(v), x.astype(np.float16).astype(np.float32))
        else:
            np.testing.assert_array_equal(np.array(v), x)
    # the grid is drawn from the stored weights: the loaded GAN draws the same PNG
    again = path.parent / "again.png"
    checkpoint.save_sample_image(loaded, "mnist", again)
    assert again.read_bytes() == (path / "samples.png").read_bytes()


def test_store_weights_as_keeps_what_float16_cannot_hold(tmp_path):
    import h5py

    f32 = np.array([1.0, -2.5, 1e-3, 1.0 / 3.0], np.float32)
    big = np.array([1.0, 7e4], np.float32)  # 70,000 > float16's 65,504
    with h5py.File(tmp_path / "w.h5", "w") as f:
        f.attrs["top"] = "kept"
        g = f.create_group("layer/vars")
        g.create_dataset("0", data=f32).attrs["a"] = 3
        g.create_dataset("1", data=big)
        g.create_dataset("2", data=np.array([5, 6], np.int64))
    assert checkpoint.store_weights_as(tmp_path / "w.h5", "float16") == 1
    with h5py.File(tmp_path / "w.h5") as f:
        assert f.attrs["top"] == "kept" and f["layer/vars/0"].attrs["a"] == 3
        a = f["layer/vars/0"][()]
        assert a.dtype == np.float16
        # 1/3 rounds to float16's nearest: 0.333251953125 (1365 / 4096)
        np.testing.assert_array_equal(a, np.array([1.0, -2.5, 0.0010004043579101562,
                                                   0.333251953125], np.float16))
        assert f["layer/vars/1"].dtype == np.float32 and f["layer/vars/1"][1] == 7e4
        assert f["layer/vars/2"].dtype == np.int64
    assert not list(tmp_path.glob(".*tmp"))


def test_convert_stored_weights_brings_an_older_checkpoint_to_the_layout(make_tiny_gan, tmp_path,
                                                                          monkeypatch):
    gan = make_tiny_gan()
    with monkeypatch.context() as m:  # a checkpoint written before float16 storage
        m.setattr(checkpoint.GAN_KIND, "stored_float", None)
        path = gan.save_pretrained(tmp_path / "old", name="old", dataset="mnist")
    before = _datasets(path / "model.weights.h5")
    assert all(a.dtype != np.float16 for a in before.values())
    halved = sum(a.nbytes for a in before.values() if a.dtype == np.float32) // 2
    checkpoint.update_card(path, metrics={"fid": 1.0}, files={"metrics.json": "{}\n"})
    size = (path / "model.weights.h5").stat().st_size
    pin = checkpoint.convert_stored_weights(path)
    assert pin == checkpoint.sha256_file(path / "checksums.sha256")
    # the file shrinks by about the halved arrays (HDF5's own metadata is laid out anew)
    assert size - (path / "model.weights.h5").stat().st_size > 0.8 * halved
    assert not (path / "metrics.json").exists()  # measured on the float32 weights
    meta = json.loads((path / "metadata.json").read_text())
    assert meta["metrics"] == {} and meta["weights"]["float32_stored_as"] == "float16"
    loaded = ganzoo.load(path, sha256=pin)
    with checkpoint.as_stored(gan):
        np.testing.assert_array_equal(loaded.sample(3, seed=0), gan.sample(3, seed=0))
    assert checkpoint.convert_stored_weights(path) is None  # nothing left to convert


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
