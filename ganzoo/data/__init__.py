"""Datasets as ``tf.data`` pipelines of images scaled to [-1, 1].

A dataset is ONE :class:`DatasetSpec` (shape, kind, classes, loader, metric set, reference split,
sample renderer, ...), registered by name; ``spec(name)`` returns it (an unknown name is a
``ValueError`` with the close matches) and every other module asks the spec rather than the name.
``names()`` lists them. ``DATASETS`` (the image datasets as dicts) and ``TOYS`` (toy -> sigma)
are read-only views of the specs. See :mod:`ganzoo.data.specs`.

``load(name, split="train", batch_size=64, data_dir=None, ...)`` reads:

* the original IDX ``*-ubyte.gz`` files when ``data_dir`` holds them (e.g. ``../shared/data/mnist``),
  or when ``$GANZOO_DATA_DIR/<name>`` does -- no network, no TFDS preparation step;
* otherwise TensorFlow Datasets (``tfds.load``), which downloads and prepares the dataset the first
  time. Offline, a missing dataset is reported at once with what to do (TFDS itself would retry for
  minutes before failing).

``load(name, labels=True)`` yields ``(images, labels)`` batches (int32 class labels), what a
conditional GAN trains on; ``num_classes(name)`` is the dataset's class count (``None`` for the
toys). ``load_arrays`` gives the same data as NumPy arrays (uint8 images, int labels).

MNIST and Fashion-MNIST use the same file names, so a file named like an original one
(``train-images-idx3-ubyte[.gz]``, ...) must be that dataset's original: its sha256 (of the .gz,
else of the decompressed IDX content, so a re-gzipped or decompressed copy passes) is checked
against the published ones (``images.ORIGINAL_FILES``), once per file version and process. A folder
of the other dataset, a modified or a corrupted file is a ``ValueError`` naming the file -- and,
for the other dataset's file, which one it is. Files under other names are read unchecked.

Toys (``ring8``, ``grid25``): ``toy_sample``, or ``load`` like any dataset (see :mod:`ganzoo.data.toys`).

``stacked_mnist``: 28x28x3 images whose channels are three random MNIST digits (1,000 modes),
built deterministically from the real MNIST files (see :mod:`ganzoo.data.stacked`).

This package imports no other ganzoo module.
"""

from ganzoo.data.specs import (  # noqa: F401
    SPECS, DatasetSpec, find, names, register, render_centers, spec,
)
from ganzoo.data.images import (  # noqa: F401
    DATASETS, load, load_arrays, num_classes, split_size, tfds_load,
)
from ganzoo.data import stacked  # noqa: F401  (registers stacked_mnist)
from ganzoo.data.toys import TOYS, nearest_center, toy_centers, toy_sample, toy_sigma  # noqa: F401
