"""Image datasets: IDX files or TFDS -> tf.data (see the package docstring)."""

import gzip
import hashlib
import os
import socket
import struct
import zlib
from pathlib import Path

import numpy as np

from ganzoo.data import specs

_IDX = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

#: the image datasets as the dicts they were before specs (``tfds``, ``shape``, ``idx``,
#: ``classes``, ``sizes``, ``title``, ``source``): a live read-only view of the image specs
DATASETS = specs.SpecView(
    lambda s: s.kind == "images",
    lambda s: {"tfds": s.tfds, "shape": s.shape, "idx": s.idx, "classes": s.num_classes,
               "sizes": dict(s.sizes), "title": s.title, "source": s.source})

# The original IDX files, as published: dataset -> file name (without ".gz") ->
# (bytes of the .gz, sha256 of the .gz, sha256 of the decompressed IDX file). The .gz figures are
# the published ones (shared/data/README.md); the content sha256 lets a file that was re-gzipped
# (Debian's dataset-fashion-mnist strips the gzip header) or decompressed be recognized too.
# tests/test_data.py checks this table against the real files.
ORIGINAL_FILES = {
    "mnist": {
        "train-images-idx3-ubyte": (
            9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        "train-labels-idx1-ubyte": (
            28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        "t10k-images-idx3-ubyte": (
            1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        "t10k-labels-idx1-ubyte": (
            4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte": (
            26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        "train-labels-idx1-ubyte": (
            29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        "t10k-images-idx3-ubyte": (
            4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        "t10k-labels-idx1-ubyte": (
            5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    },
}
# (resolved path, size, mtime_ns, dataset) of the files found original in this process: a
# training run reloads the same files every epoch, and hashing them each time costs ~0.1 s/file
_VERIFIED = set()

_HOW_TO_GET = (
    "Get the data in one of these ways: pass data_dir= a folder holding the original IDX files "
    "({files}) -- for example ../shared/data/{name} on the ganzoo dev machines; set "
    "GANZOO_DATA_DIR to a folder with a '{name}/' subfolder of those files; or go online once so "
    "TensorFlow Datasets can download and prepare '{tfds}'."
)


def split_size(name, split="train"):
    """Examples in a split, without reading it (:attr:`DatasetSpec.sizes`)."""
    return specs.spec(name).split_size(split)


def num_classes(name):
    """The number of classes of a dataset's labels (:attr:`DatasetSpec.num_classes`), or
    ``None`` for a toy of points (its ``load_arrays`` labels are the nearest mixture mode, not
    classes of the data)."""
    return specs.spec(name).num_classes


def _good_copy(dataset):
    """Where to get the original files of ``dataset`` (None: of every dataset in
    :data:`ORIGINAL_FILES`)."""
    names = [dataset] if dataset is not None else list(ORIGINAL_FILES)
    where = "; ".join(f"{specs.spec(n).title}: {specs.spec(n).source}" for n in names)
    return f"Get a good copy of the original file from {where}."


def _decompress(path, raw, dataset):
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        raise ValueError(f"{path} is corrupted or truncated: it is not a complete gzip file "
                         f"({type(e).__name__}: {e}). {_good_copy(dataset)}") from None


def _verify_original(path, raw, data, stat, dataset):
    """Check that an IDX file named like one of ``dataset``'s original files is that file: the
    sha256 of the .gz bytes, else of the decompressed content (a re-gzipped or decompressed
    original passes). A file with another name is not checked."""
    name = path.name[: -len(".gz")] if path.suffix == ".gz" else path.name
    known = ORIGINAL_FILES.get(dataset, {}).get(name)
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, dataset)
    if known is None or key in _VERIFIED:
        return
    size, gz_sha256, content_sha256 = known
    if not (path.suffix == ".gz" and len(raw) == size
            and hashlib.sha256(raw).hexdigest() == gz_sha256):
        content = hashlib.sha256(data).hexdigest()
        if content != content_sha256:
            raise _not_original(path, name, dataset, content)
    _VERIFIED.add(key)


def _not_original(path, name, dataset, content):
    """The ValueError for a file that is not ``dataset``'s original ``name``: which original file
    it is, if it is one (``content``: the sha256 of its IDX content)."""
    title = specs.spec(dataset).title
    for other, files in ORIGINAL_FILES.items():
        for other_name, (_, _, digest) in files.items():
            if digest == content:
                return ValueError(
                    f"{path} is the {specs.spec(other).title} file {other_name}, not {title}'s"
                    + ("" if other_name == name else f" {name}")
                    + f" (a folder of the wrong dataset, or a renamed file). {_good_copy(dataset)}")
    expected = ORIGINAL_FILES[dataset][name][2]
    return ValueError(f"{path} is not {title}'s original {name} (sha256 of its IDX content "
                      f"{content}, expected {expected}): modified, corrupted or another dataset. "
                      + _good_copy(dataset))


def read_idx(path, dataset=None):
    """Read one (optionally gzipped) IDX file into a NumPy uint8 array, checking its header.

    With ``dataset`` (``"mnist"``, ``"fashion_mnist"``), a file named like one of its original
    files (``train-images-idx3-ubyte[.gz]``, ...) must be that file (:data:`ORIGINAL_FILES`,
    sha256): the two datasets share their file names, so a wrong folder is otherwise silently
    the other dataset. A corrupted file is a ``ValueError`` naming it.
    """
    path = Path(path)
    with open(path, "rb") as f:
        stat = os.fstat(f.fileno())
        raw = f.read()
    data = _decompress(path, raw, dataset) if path.suffix == ".gz" else raw
    if dataset is not None:
        _verify_original(path, raw, data, stat, dataset)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"{path}: the IDX header is cut short -- truncated or corrupted. "
                         f"{_good_copy(dataset)}")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims} ({int(np.prod(dims))} bytes), "
                         f"file holds {body.size} bytes -- truncated or corrupted. "
                         f"{_good_copy(dataset)}")
    return body.reshape(dims)


def _idx_dir(spec, data_dir):
    """The folder holding the spec's IDX files, or None."""
    if spec.idx is None:
        return None
    candidates = []
    if data_dir is not None:
        candidates += [Path(data_dir), Path(data_dir) / spec.name]
    elif os.environ.get("GANZOO_DATA_DIR"):
        candidates.append(Path(os.environ["GANZOO_DATA_DIR"]) / spec.name)
    for folder in candidates:
        if (folder / spec.idx["train"][0]).exists() or (folder / spec.idx["test"][0]).exists():
            return folder
    return None


def load_arrays(name, split="train", data_dir=None):
    """``(images uint8 (n, H, W, C), labels int64 (n,))`` for a dataset split (toys: float32
    points (n, 2) and mode indices, see :func:`ganzoo.data.toys.toy_arrays`): the spec's
    loader (:meth:`DatasetSpec.load_arrays`)."""
    return specs.spec(name).load_arrays(split, data_dir)


def idx_or_tfds_arrays(spec, split, data_dir=None):
    """The loader of the image datasets published as files: the original IDX files in
    ``data_dir`` (or ``data_dir/<name>``, or ``$GANZOO_DATA_DIR/<name>``), else TFDS."""
    name = spec.name
    folder = _idx_dir(spec, data_dir)
    if folder is not None:
        image_file, label_file = (folder / f for f in spec.idx[split])
        for f in (image_file, label_file):
            if not f.exists():
                raise FileNotFoundError(f"{f} is missing (needed for {name!r} split {split!r})")
        x = read_idx(image_file, name)
        y = read_idx(label_file, name).astype(np.int64)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{image_file} has {x.shape[0]} images but {label_file} "
                             f"has {y.shape[0]} labels")
        return x.reshape((-1,) + spec.shape), y
    if data_dir is not None and spec.idx is not None:
        raise FileNotFoundError(
            f"No IDX files for {name!r} in {data_dir} (looked for "
            f"{spec.idx['train'][0]} there and in {Path(data_dir) / name}). "
            + _HOW_TO_GET.format(name=name, tfds=spec.tfds, files=", ".join(spec.idx["train"]))
        )
    ds = tfds_load(name, split)
    x, y = [], []
    for image, label in ds.as_numpy_iterator():
        x.append(image)
        y.append(label)
    return np.stack(x).reshape((-1,) + spec.shape), np.asarray(y, np.int64)


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

    spec = specs.spec(name)
    if spec.tfds is None:
        raise ValueError(f"dataset {name!r} has no TensorFlow Datasets source; use "
                         f"ganzoo.data.load_arrays({name!r})")
    kwargs = {}
    if manual_dir is not None:
        kwargs["download_and_prepare_kwargs"] = {
            "download_config": tfds.download.DownloadConfig(manual_dir=str(manual_dir))
        }
    builder = tfds.builder(spec.tfds, data_dir=tfds_data_dir)
    if manual_dir is None and not builder.is_prepared() and not _online():
        files = ", ".join(spec.idx["train"]) if spec.idx else "the dataset files"
        raise ConnectionError(
            f"TensorFlow Datasets has not prepared {spec.tfds!r} in {builder.data_dir} and "
            "there is no network to download it. "
            + _HOW_TO_GET.format(name=name, tfds=spec.tfds, files=files)
        )
    return tfds.load(spec.tfds, split=split, as_supervised=True, data_dir=tfds_data_dir, **kwargs)


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
        name: a registered dataset (:func:`ganzoo.data.spec`): ``"mnist"``, ``"fashion_mnist"``,
            ``"cifar10"``, ``"stacked_mnist"``, ``"ring8"``, ...
        split: ``"train"`` or ``"test"``.
        batch_size: images per batch.
        data_dir: folder of the original IDX files (or its parent); ``None`` uses
            ``$GANZOO_DATA_DIR`` or TFDS.
        labels: also yield int32 class labels: batches are then ``(images, labels)`` (what a
            conditional GAN trains on; a GAN without conditions accepts them too).
        shuffle: shuffle the whole split once per pass, in an order fixed by ``seed``.
        seed: shuffle seed; a training run uses ``seed + epoch`` so that resuming mid-epoch with
            ``skip_batches`` continues in the same order.
        drop_remainder: drop the last partial batch (GAN steps like equal batch sizes).
        skip_batches: skip this many batches from the start (resuming mid-epoch).
    """
    import tensorflow as tf

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    spec = specs.spec(name)
    x, y = spec.load_arrays(split, data_dir)
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(x))
        x, y = x[order], y[order]
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)) if labels else x)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if skip_batches:
        ds = ds.skip(skip_batches)

    toy = spec.kind == "points"

    def scale(images, *rest):
        images = tf.cast(images, tf.float32) if toy else tf.cast(images, tf.float32) / 127.5 - 1.0
        return (images, *rest) if rest else images

    ds = ds.map(scale, num_parallel_calls=1).prefetch(2)
    options = tf.data.Options()
    # tf.data's autotune thread can stall the end of every fit() by ~37 s on these machines
    # (see NOTES.md); the pipeline is trivial, so fixed parallelism costs nothing.
    options.autotune.enabled = False
    return ds.with_options(options)


# -- the image datasets published as files -------------------------------------------------------
_SIZES = {"train": 60_000, "test": 10_000}
specs.register(specs.DatasetSpec(
    name="mnist", title="MNIST", kind="images", shape=(28, 28, 1), loader=idx_or_tfds_arrays,
    sizes=_SIZES, num_classes=10, metrics="classifier", classifier="mnist",
    source="https://storage.googleapis.com/cvdf-datasets/mnist/", tfds="mnist", idx=_IDX))
specs.register(specs.DatasetSpec(
    name="fashion_mnist", title="Fashion-MNIST", kind="images", shape=(28, 28, 1),
    loader=idx_or_tfds_arrays, sizes=_SIZES, num_classes=10, metrics="classifier",
    classifier="fashion_mnist",
    source="https://github.com/zalandoresearch/fashion-mnist (data/fashion/)",
    tfds="fashion_mnist", idx=_IDX))
specs.register(specs.DatasetSpec(
    name="cifar10", title="CIFAR-10", kind="images", shape=(32, 32, 3), loader=idx_or_tfds_arrays,
    sizes={"train": 50_000, "test": 10_000}, num_classes=10, metrics="image",
    source="https://www.cs.toronto.edu/~kriz/cifar.html", tfds="cifar10"))
