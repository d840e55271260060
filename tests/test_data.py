import gzip

import numpy as np
import pytest

import ganzoo
from ganzoo.data import images as data_images


def _raw_idx_images(path):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)


def test_idx_arrays_are_the_real_mnist(mnist_dir):
    x, y = ganzoo.data.load_arrays("mnist", "train", data_dir=mnist_dir)
    assert x.shape == (60000, 28, 28, 1) and x.dtype == np.uint8
    assert y.shape == (60000,) and set(np.unique(y)) == set(range(10))
    # the well-known first labels of the MNIST training set
    assert list(y[:8]) == [5, 0, 4, 1, 9, 2, 1, 3]
    xt, yt = ganzoo.data.load_arrays("mnist", "test", data_dir=mnist_dir)
    assert xt.shape == (10000, 28, 28, 1) and list(yt[:4]) == [7, 2, 1, 0]


def test_dataset_yields_scaled_batches(mnist_dir):
    ds = ganzoo.data.load("mnist", batch_size=32, data_dir=mnist_dir, shuffle=False)
    batch = next(iter(ds)).numpy()
    raw = _raw_idx_images(mnist_dir / "train-images-idx3-ubyte.gz")[:32]
    assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[..., 0], raw / 127.5 - 1.0, atol=1e-6)
    assert batch.min() == -1.0 and batch.max() == 1.0
    assert ds.cardinality().numpy() == 60000 // 32


def test_labels_shuffle_seed_and_skip(mnist_dir):
    a = ganzoo.data.load("mnist", "test", batch_size=10, data_dir=mnist_dir, labels=True, seed=1)
    b = ganzoo.data.load("mnist", "test", batch_size=10, data_dir=mnist_dir, labels=True, seed=1,
                         skip_batches=2)
    batches = list(a.take(3).as_numpy_iterator())
    x, y = batches[2]
    assert x.shape == (10, 28, 28, 1) and y.dtype == np.int32
    x_skip, y_skip = next(b.as_numpy_iterator())
    np.testing.assert_array_equal(x, x_skip)  # resuming mid-epoch continues the same order
    np.testing.assert_array_equal(y, y_skip)
    c = ganzoo.data.load("mnist", "test", batch_size=10, data_dir=mnist_dir, labels=True, seed=2)
    assert not np.array_equal(next(c.as_numpy_iterator())[1], batches[0][1])


def test_parent_folder_with_dataset_subfolder_works(mnist_dir):
    x, _ = ganzoo.data.load_arrays("mnist", "test", data_dir=mnist_dir.parent)
    assert x.shape == (10000, 28, 28, 1)


def test_unknown_dataset_suggests_close_names():
    with pytest.raises(ValueError, match="Did you mean 'mnist'"):
        ganzoo.data.load("mnits")


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="GANZOO_DATA_DIR"):
        ganzoo.data.load("fashion_mnist", data_dir=tmp_path)


def test_offline_tfds_fails_fast_with_instructions(tmp_path, monkeypatch):
    monkeypatch.setattr(data_images, "_online", lambda *a, **k: False)
    with pytest.raises(ConnectionError, match="no network"):
        data_images.tfds_load("mnist", tfds_data_dir=str(tmp_path))


def test_truncated_idx_file_is_reported(tmp_path, mnist_dir):
    blob = gzip.open(mnist_dir / "t10k-labels-idx1-ubyte.gz").read()
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(blob[:-10]))
    with pytest.raises(ValueError, match="truncated or corrupted"):
        data_images.read_idx(tmp_path / "t10k-labels-idx1-ubyte.gz")


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        ganzoo.data.load("mnist", batch_size=0)


@pytest.mark.slow
def test_tfds_path_builds_real_mnist_offline_from_manual_dir(tmp_path, mnist_dir):
    """The real TFDS builder, fed the IDX files through manual_dir (no network)."""
    ds = data_images.tfds_load("mnist", "test", tfds_data_dir=str(tmp_path), manual_dir=mnist_dir)
    images = np.stack([x for x, _ in ds.take(5).as_numpy_iterator()])
    assert images.shape == (5, 28, 28, 1)
    raw = _raw_idx_images(mnist_dir / "t10k-images-idx3-ubyte.gz")
    # TFDS stores the test split in its own order: each image must be one of the real ones
    flat = raw.reshape(len(raw), -1)
    for img in images:
        assert (flat == img.reshape(-1)).all(axis=1).any()
