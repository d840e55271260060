"""Domain classifier: model, NumPy helpers, checkpoint round trip and integrity, training entry."""

import json

import keras
import numpy as np
import pytest

from ganzoo import checkpoint
from ganzoo.checkpoint import CheckpointError
from ganzoo.classifiers import (augment, load_classifier, recompute_batch_norm, save_classifier,
                                train_classifier)
from ganzoo.data import load_arrays
from ganzoo.models.classifier import DomainClassifier


def _images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


@pytest.fixture(scope="module")
def mnist_slice(mnist_dir):
    x, y = load_arrays("mnist", "train", mnist_dir)
    return (x[:256].astype("float32") / 127.5 - 1.0), y[:256]


@pytest.fixture(scope="module")
def tiny(mnist_slice):
    """A narrow classifier trained a few steps on real MNIST images."""
    keras.utils.set_random_seed(0)
    model = DomainClassifier(widths=(4, 8), feature_dim=16)
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = mnist_slice
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    return model


@pytest.fixture
def saved(tiny, mnist_slice, tmp_path):
    x, y = mnist_slice
    save_classifier(tiny, tmp_path / "classifier-mnist", "mnist",
                    metrics={"test_accuracy": 0.5}, training={"command": "pytest", "seed": 0},
                    train_labels=y, test_labels=y, error_images=(x[:3], y[:3], (y[:3] + 1) % 10))
    return tmp_path / "classifier-mnist"


def test_shapes_and_config_round_trip():
    model = DomainClassifier()
    x = _images(5)
    assert tuple(model(x).shape) == (5, 10)
    assert tuple(model.features(x).shape) == (5, 128)
    assert model.predict_features(x).shape == (5, 128)
    p = model.predict_proba(x)
    assert p.shape == (5, 10) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert model.predict_features(np.zeros((0, 28, 28, 1), "float32")).shape == (0, 128)
    # grey images (n, 28, 28) are accepted for single-channel models
    assert model.predict_proba(x[..., 0]).shape == (5, 10)
    clone = DomainClassifier.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    # the shipped architecture stays small: < 2 MB of float32 weights
    assert model.count_params() * 4 < 1_000_000


@pytest.mark.parametrize("bad, match", [
    ((np.zeros((2, 28, 28, 1), np.uint8)), "floating point"),
    ((np.zeros((2, 32, 32, 1), np.float32)), r"shape \(n, 28, 28, 1\)"),
    ((np.zeros((28, 28, 1), np.float32)), "shape"),
    ((np.full((2, 28, 28, 1), 255.0, np.float32)), r"values in \[-1, 1\]"),
    ((np.full((2, 28, 28, 1), np.nan, np.float32)), "NaN"),
    (([[1, 2], [3]]), "shape|convert|floating"),
])
def test_bad_inputs_are_refused(bad, match):
    model = DomainClassifier(widths=(4, 8), feature_dim=16)
    with pytest.raises(ValueError, match=match):
        model.predict_proba(bad)


def test_batching_bad_batch_size_and_zero_one_warning(tiny):
    x = _images(5)
    np.testing.assert_allclose(tiny.predict_features(x, batch_size=2), tiny.predict_features(x),
                               atol=1e-5)
    model = tiny
    with pytest.raises(ValueError, match="batch_size"):
        model.predict_features(_images(2), batch_size=0)
    with pytest.warns(UserWarning, match=r"\[0, 1\]"):
        model.predict_features(np.full((5, 28, 28, 1), 0.5, np.float32))


def test_checkpoint_round_trip(tiny, saved, mnist_slice):
    x, _ = mnist_slice
    names = sorted(p.name for p in saved.iterdir())
    assert names == sorted(checkpoint.REQUIRED + (checkpoint.MANIFEST,))
    loaded = load_classifier(saved)
    assert isinstance(loaded, DomainClassifier) and loaded.get_config() == tiny.get_config()
    np.testing.assert_allclose(loaded.predict_proba(x[:32]), tiny.predict_proba(x[:32]), atol=1e-6)
    np.testing.assert_allclose(loaded.predict_features(x[:32]), tiny.predict_features(x[:32]),
                               atol=1e-5)
    meta = loaded.metadata
    assert meta["kind"] == "classifier" and meta["name"] == "classifier-mnist"
    assert sum(meta["train_label_hist"]) == 256 and len(meta["train_label_hist"]) == 10
    assert meta["metrics"]["test_accuracy"] == 0.5
    config = json.loads((saved / "config.json").read_text())
    assert config["model"]["class_name"] == "DomainClassifier"
    assert "compile_config" not in config["model"]
    card = (saved / "README.md").read_text()
    assert "pytest" in card and "50.00%" in card and "samples.png" in card


def test_weights_file_holds_no_optimizer_state(saved):
    import h5py

    with h5py.File(saved / "model.weights.h5") as f:
        keys = []
        f.visit(keys.append)
    assert keys and not any("optimizer" in k for k in keys)


def test_tampered_weights_are_refused(saved):
    data = bytearray((saved / "model.weights.h5").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / "model.weights.h5").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"model\.weights\.h5 is corrupted or was modified"):
        load_classifier(saved)


def test_missing_file_and_wrong_pin_are_refused(saved):
    with pytest.raises(CheckpointError, match="pins"):
        load_classifier(saved, manifest_sha256="0" * 64)
    (saved / "metadata.json").unlink()
    with pytest.raises(CheckpointError, match=r"metadata\.json is listed .* but missing"):
        load_classifier(saved)
    with pytest.raises(CheckpointError, match="not a checkpoint directory"):
        load_classifier(saved.parent / "nowhere")


def test_foreign_and_unsafe_configs_are_refused(saved):
    config_path = saved / "config.json"
    config = json.loads(config_path.read_text())
    gan_like = {k: v for k, v in config.items() if k not in ("kind", "model")}
    config_path.write_text(json.dumps({**gan_like, "gan": {}}))
    checkpoint.write_manifest(saved)
    with pytest.raises(CheckpointError, match="holds a GAN, not a classifier"):
        load_classifier(saved)
    evil = dict(config, model={"class_name": "Lambda", "module": "keras.layers",
                               "config": {"function": "lambda x: x"}, "registered_name": None})
    config_path.write_text(json.dumps(evil))
    checkpoint.write_manifest(saved)
    with pytest.raises(CheckpointError, match="cannot rebuild the classifier"):
        load_classifier(saved)


def test_load_by_dataset_name(saved, monkeypatch, tiny):
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(saved.parent))
    monkeypatch.setattr("ganzoo.classifiers.pinned", lambda name: None)  # not the shipped one
    model = load_classifier("mnist")
    assert model.get_config() == tiny.get_config()
    assert load_classifier("classifier-mnist").checkpoint_dir == saved
    with pytest.raises(CheckpointError, match="python -m ganzoo.classifiers fashion_mnist"):
        load_classifier("fashion_mnist")
    with pytest.raises(ValueError, match="Unknown classifier"):
        load_classifier("cifar100")


def test_augment_is_deterministic_and_keeps_ink():
    x = np.zeros((50, 28, 28, 1), np.uint8)
    x[:, 10:18, 10:18] = 200  # ink away from the border: a 2-px shift keeps all of it
    a = augment(x, np.random.default_rng(1), shift=2, flip=True)
    b = augment(x, np.random.default_rng(1), shift=2, flip=True)
    np.testing.assert_array_equal(a, b)
    assert a.shape == x.shape and a.dtype == np.uint8
    np.testing.assert_array_equal(a.reshape(50, -1).sum(1), x.reshape(50, -1).sum(1))
    assert (a != x).any()
    np.testing.assert_array_equal(augment(x, np.random.default_rng(1), shift=0, flip=False), x)


def test_train_classifier_writes_a_loadable_checkpoint(mnist_dir, tmp_path):
    out = tmp_path / "clf"
    model, meta = train_classifier("mnist", out, data_dir=mnist_dir, epochs=1, batch_size=64,
                                   limit=256, verbose=0, command="pytest train")
    t = meta["training"]
    assert t["images_seen"] == 256 and t["steps"] == 4 and t["command"] == "pytest train"
    assert t["seed"] == 0 and "machine" in t and t["wall_time_minutes"] >= 0
    assert 0.0 <= meta["metrics"]["test_accuracy"] <= 1.0
    assert len(meta["metrics"]["per_class_test_accuracy"]) == 10
    assert sum(meta["train_label_hist"]) == 256
    assert sum(p.stat().st_size for p in out.iterdir()) < 2_000_000
    loaded = load_classifier(out)
    x = _images(4)
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x), atol=1e-6)


def test_recompute_batch_norm_sets_the_data_statistics():
    model = DomainClassifier(widths=(4, 8), feature_dim=16)
    model.build()
    x = _images(40, seed=3)
    bn = model.batch_norm_layers()[0]
    recompute_batch_norm(model, x, batch_size=20)
    conv_out = keras.ops.convert_to_numpy(model.blocks[0][0][0](x))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bn.moving_mean),
                               conv_out.mean(axis=(0, 1, 2)), atol=1e-4)
    assert bn.momentum == 0.99  # restored


@pytest.mark.parametrize("dataset, target", [("mnist", 0.993), ("fashion_mnist", 0.92)])
def test_shipped_classifier_is_pinned_and_accurate(dataset, target, request):
    """The shipped domain classifier loads against its pin, states its test accuracy, and really
    has it: re-measured here on the first 2,000 real test images."""
    from ganzoo.classifiers import load_classifier
    from ganzoo.data import load_arrays
    from ganzoo.zoo.pins import pinned

    data_dir = request.getfixturevalue(f"{dataset}_dir")
    assert pinned(f"classifier-{dataset}"), f"classifier-{dataset} is not pinned"
    clf = load_classifier(dataset)
    assert clf.metadata["metrics"]["test_accuracy"] >= target
    x, y = load_arrays(dataset, "test", data_dir)
    x = x[:2000].astype("float32") / 127.5 - 1.0
    if x.ndim == 3:
        x = x[..., None]
    acc = float(np.mean(np.argmax(clf.predict_proba(x), axis=1) == y[:2000]))
    assert acc >= target - 0.01, acc
