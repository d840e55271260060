"""Image datasets: IDX files or TFDS -> tf.data (see the package docstring)."""

import difflib
import gzip
import os
import socket
import struct
from pathlib import Path

import numpy as np

from ganzoo.data.toys import TOYS, toy_arrays

# name -> (TFDS name, image shape, IDX file names per split)
_IDX = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DATASETS = {
    "mnist": {"tfds": "mnist", "shape": (28, 28, 1), "idx": _IDX, "classes": 10},
    "fashion_mnist": {"tfds": "fashion_mnist", "shape": (28, 28, 1), "idx": _IDX, "classes": 10},
    "cifar10": {"tfds": "cifar10", "shape": (32, 32, 3), "idx": None, "classes": 10},
}

_HOW_TO_GET = (
    "Get the data in one of these ways: pass data_dir= a folder holding the original IDX files "
    "({files}) -- for example ../shared/data/{name} on the ganzoo dev machines; set "
    "GANZOO_DATA_DIR to a folder with a '{name}/' subfolder of those files; or go online once so "
    "TensorFlow Datasets can download and prepare '{tfds}'."
)


def _spec(name):
    if name not in DATASETS:
        known = sorted(DATASETS) + sorted(TOYS)
        close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"Unknown dataset {name!r}.{hint} Known: {', '.join(known)}")
    return DATASETS[name]


def _check_split(split):
    if split not in _IDX:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")


def read_idx(path):
    """Read one (optionally gzipped) IDX file into a NumPy uint8 array, checking its header."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims} ({int(np.prod(dims))} bytes), "
                         f"file holds {body.size} bytes -- truncated or corrupted")
    return body.reshape(dims)


def _idx_dir(name, data_dir):
    """The folder holding ``name``'s IDX files, or None."""
    spec = _spec(name)
    if spec["idx"] is None:
        return None
    candidates = []
    if data_dir is not None:
        candidates += [Path(data_dir), Path(data_dir) / name]
    elif os.environ.get("GANZOO_DATA_DIR"):
        candidates.append(Path(os.environ["GANZOO_DATA_DIR"]) / name)
    for folder in candidates:
        if (folder / spec["idx"]["train"][0]).exists() or (folder / spec["idx"]["test"][0]).exists():
            return folder
    return None


def load_arrays(name, split="train", data_dir=None):
    """``(images uint8 (n, H, W, C), labels int64 (n,))`` for a dataset split (toys: float32
    points (n, 2) and mode indices, see :func:`ganzoo.data.toys.toy_arrays`)."""
    if name in TOYS:
        return toy_arrays(name, split)
    spec = _spec(name)
    _check_split(split)
    folder = _idx_dir(name, data_dir)
    if folder is not None:
        image_file, label_file = (folder / f for f in spec["idx"][split])
        for f in (image_file, label_file):
            if not f.exists():
                raise FileNotFoundError(f"{f} is missing (needed for {name!r} split {split!r})")
        x = read_idx(image_file)
        y = read_idx(label_file).astype(np.int64)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{image_file} has {x.shape[0]} images but {label_file} "
                             f"has {y.shape[0]} labels")
        return x.reshape((-1,) + spec["shape"]), y
    if data_dir is not None and spec["idx"] is not None:
        raise FileNotFoundError(
            f"No IDX files for {name!r} in {data_dir} (looked for "
            f"{spec['idx']['train'][0]} there and in {Path(data_dir) / name}). "
            + _HOW_TO_GET.format(name=name, tfds=spec["tfds"], files=", ".join(spec["idx"]["train"]))
        )
    ds = tfds_load(name, split)
    x, y = [], []
    for image, label in ds.as_numpy_iterator():
        x.append(image)
        y.append(label)
    return np.stack(x).reshape((-1,) + spec["shape"]), np.asarray(y, np.int64)


def _online(host="storage.googleapis.com", port=443, timeout=3.0):
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def tfds_load(name, split="train", tfds_data_dir=None, manual_dir=None):
    """``tfds.load(name, split=split, as_supervised=True)``, failing fast when offline.

    ``manual_dir``: a folder with the dataset's registered download files (for MNIST the original
    ``*-ubyte.gz`` files); TFDS then prepares the dataset from them without network.
    """
    import tensorflow_datasets as tfds

    spec = _spec(name)
    kwargs = {}
    if manual_dir is not None:
        kwargs["download_and_prepare_kwargs"] = {
            "download_config": tfds.download.DownloadConfig(manual_dir=str(manual_dir))
        }
    builder = tfds.builder(spec["tfds"], data_dir=tfds_data_dir)
    if manual_dir is None and not builder.is_prepared() and not _online():
        files = ", ".join(spec["idx"]["train"]) if spec["idx"] else "the dataset files"
        raise ConnectionError(
            f"TensorFlow Datasets has not prepared {spec['tfds']!r} in {builder.data_dir} and "
            "there is no network to download it. "
            + _HOW_TO_GET.format(name=name, tfds=spec["tfds"], files=files)
        )
    return tfds.load(spec["tfds"], split=split, as_supervised=True, data_dir=tfds_data_dir, **kwargs)


def load(
    name,
    split="train",
    batch_size=64,
    data_dir=None,
    labels=False,
    shuffle=True,
    seed=0,
    drop_remainder=True,
    skip_batches=0,
):
    """A ``tf.data.Dataset`` of image batches, float32, shape (batch, H, W, C), in [-1, 1]
    (toys: float32 points (batch, 2), unscaled).

    Args:
        name: ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"``.
        split: ``"train"`` or ``"test"``.
        batch_size: images per batch.
        data_dir: folder of the original IDX files (or its parent); ``None`` uses
            ``$GANZOO_DATA_DIR`` or TFDS.
        labels: also yield int32 labels: batches are then ``(images, labels)``.
        shuffle: shuffle the whole split once per pass, in an order fixed by ``seed``.
        seed: shuffle seed; a training run uses ``seed + epoch`` so that resuming mid-epoch with
            ``skip_batches`` continues in the same order.
        drop_remainder: drop the last partial batch (GAN steps like equal batch sizes).
        skip_batches: skip this many batches from the start (resuming mid-epoch).
    """
    import tensorflow as tf

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    x, y = load_arrays(name, split, data_dir)
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(x))
        x, y = x[order], y[order]
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)) if labels else x)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if skip_batches:
        ds = ds.skip(skip_batches)

    toy = name in TOYS

    def scale(images, *rest):
        images = tf.cast(images, tf.float32) if toy else tf.cast(images, tf.float32) / 127.5 - 1.0
        return (images, *rest) if rest else images

    ds = ds.map(scale, num_parallel_calls=1).prefetch(2)
    options = tf.data.Options()
    # tf.data's autotune thread can stall the end of every fit() by ~37 s on these machines
    # (see NOTES.md); the pipeline is trivial, so fixed parallelism costs nothing.
    options.autotune.enabled = False
    return ds.with_options(options)
