import gzip
import os

import numpy as np
import pytest

import ganzoo
from ganzoo.data import images as data_images

# IDX files, the tf.data pipeline, the TFDS builder: numpy and tf.data, never a Keras model, so
# the same under every Keras backend (tests/conftest.py runs these once, under TensorFlow)
pytestmark = pytest.mark.backend_independent


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


# -- the original files are verified: a folder of the other dataset, a modified or corrupted file
# -- is a ValueError naming the file, never silently other data

def test_table_of_original_files_matches_the_real_files(mnist_dir, fashion_mnist_dir):
    import hashlib

    for name, folder in (("mnist", mnist_dir), ("fashion_mnist", fashion_mnist_dir)):
        table = data_images.ORIGINAL_FILES[name]
        official = {f for split in data_images._IDX.values() for f in split}
        assert {f + ".gz" for f in table} == official
        for file, (size, gz_sha256, content_sha256) in table.items():
            raw = (folder / (file + ".gz")).read_bytes()
            assert len(raw) == size
            assert hashlib.sha256(raw).hexdigest() == gz_sha256
            assert hashlib.sha256(gzip.decompress(raw)).hexdigest() == content_sha256


def test_folder_of_the_other_dataset_is_named(mnist_dir, fashion_mnist_dir):
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz is the MNIST file "
                                         r"train-images-idx3-ubyte, not Fashion-MNIST's \("):
        ganzoo.data.load("fashion_mnist", data_dir=mnist_dir)
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz is the Fashion-MNIST file "
                                         r"t10k-images-idx3-ubyte, not MNIST's \(.*cvdf-datasets"):
        ganzoo.data.load_arrays("mnist", "test", data_dir=fashion_mnist_dir)


def _labels(mnist_dir):
    return gzip.decompress((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())


def test_renamed_original_file_is_named(tmp_path, mnist_dir):
    # MNIST's train labels under the name of its test labels
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(
        (mnist_dir / "train-labels-idx1-ubyte.gz").read_bytes())
    with pytest.raises(ValueError, match=r"is the MNIST file train-labels-idx1-ubyte, not "
                                         r"MNIST's t10k-labels-idx1-ubyte"):
        data_images.read_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", "mnist")


def test_modified_original_file_is_refused(tmp_path, mnist_dir):
    blob = bytearray(_labels(mnist_dir))
    blob[-1] = (blob[-1] + 1) % 10  # one label changed: still a valid IDX file
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(bytes(blob)))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz is not MNIST's original "
                                         r"t10k-labels-idx1-ubyte \(sha256 of its IDX content "):
        data_images.read_idx(path, "mnist")
    # A file under another name, or read without naming a dataset, is not compared.
    assert data_images.read_idx(path)[-1] == blob[-1]
    (tmp_path / "my-labels.gz").write_bytes(path.read_bytes())
    assert data_images.read_idx(tmp_path / "my-labels.gz", "mnist")[-1] == blob[-1]


def test_regzipped_or_decompressed_original_is_accepted(tmp_path, mnist_dir):
    # Debian's dataset-fashion-mnist ships the original data with another gzip header
    blob = _labels(mnist_dir)
    regzipped = tmp_path / "t10k-labels-idx1-ubyte.gz"
    regzipped.write_bytes(gzip.compress(blob, mtime=0))
    plain = tmp_path / "plain" / "t10k-labels-idx1-ubyte"
    plain.parent.mkdir()
    plain.write_bytes(blob)
    for path in (regzipped, plain):
        labels = data_images.read_idx(path, "mnist")
        assert labels.shape == (10000,) and list(labels[:4]) == [7, 2, 1, 0]


def test_verification_is_done_once_per_file_version(tmp_path, mnist_dir, monkeypatch):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())
    hashed = []
    real_sha256 = data_images.hashlib.sha256
    monkeypatch.setattr(data_images.hashlib, "sha256",
                        lambda data=b"": hashed.append(len(data)) or real_sha256(data))
    data_images.read_idx(path, "mnist")
    assert len(hashed) == 1  # the .gz bytes matched: the content need not be hashed
    data_images.read_idx(path, "mnist")
    assert len(hashed) == 1  # same path, size and mtime: not hashed again
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    data_images.read_idx(path, "mnist")
    assert len(hashed) == 2  # touched: checked again


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "not gzip"])
def test_corrupted_gzip_is_named_with_where_to_get_a_copy(tmp_path, mnist_dir, damage):
    raw = bytearray((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    elif damage == "flipped byte":
        raw[len(raw) // 2] ^= 0xFF
    else:
        raw = bytearray(b"<html>404 Not Found</html>")  # what a failed download often leaves
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(bytes(raw))
    for dataset, where in ((None, "Fashion-MNIST: https://"), ("mnist", "cvdf-datasets/mnist")):
        with pytest.raises(ValueError) as raised:
            data_images.read_idx(path, dataset)
        message = str(raised.value)
        assert message.startswith(f"{path} is corrupted or truncated: it is not a complete gzip "
                                  "file (")
        assert "Get a good copy of the original file from" in message and where in message
