"""A dataset is ONE :class:`DatasetSpec`: what the rest of ganzoo needs to know about it.

Every module that used to re-interpret a dataset's name ("a toy or images? how many classes?
which metrics? how to draw samples?") asks the spec instead::

    from ganzoo import data

    s = data.spec("stacked_mnist")   # unknown name -> ValueError with the close matches
    s.kind, s.shape, s.num_classes   # "images", (28, 28, 3), 1000
    s.metrics, s.classifier          # "stacked" (ganzoo.evaluation's metric set), "mnist"
    x, y = s.load_arrays("train", data_dir="../shared/data/mnist")

The built-in specs are declared beside their loaders (:mod:`ganzoo.data.images`,
:mod:`ganzoo.data.toys`, :mod:`ganzoo.data.stacked`) and registered with :func:`register`.
Checkpoints and entries keep naming their dataset by the string :attr:`DatasetSpec.name`.
"""

import dataclasses
import difflib
from collections.abc import Mapping
from typing import Callable, Optional

SPLITS = ("train", "test")
KINDS = ("images", "points")
RENDERERS = ("grid", "points")
# the metric sets ganzoo.evaluation knows (this package imports no other ganzoo module, so a spec
# names its set): "classifier" (FID/KID/precision/recall/class coverage in a domain classifier's
# feature space), "image" (no domain classifier: Inception metrics on request), "toy" (mode
# coverage of a 2-D mixture), "stacked" (digit triples read per channel by a classifier)
METRIC_SETS = ("classifier", "image", "toy", "stacked")


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """Everything about one dataset, in one declaration.

    Attributes:
        name: registry name, the string entries and checkpoints store (``"mnist"``).
        title: for tables and cards (``"MNIST"``).
        kind: ``"images"`` (uint8 (n, H, W, C), scaled to [-1, 1] by :func:`ganzoo.data.load`) or
            ``"points"`` (float32 (n, 2), unscaled). Decides which families can model it.
        shape: one example, channels last (``(28, 28, 1)``; points ``(2,)``).
        loader: ``loader(spec, split, data_dir) -> (x, y)`` NumPy arrays of a split (``y``: int64
            class labels, or for points the nearest mode).
        sizes: examples per split (``{"train": 60_000, "test": 10_000}``), known without loading.
        num_classes: classes of its labels (what conditional GANs train on); ``None``: no classes.
        metrics: the metric set :mod:`ganzoo.evaluation` applies (:data:`METRIC_SETS`).
        classifier: the dataset whose domain classifier (``checkpoints/classifier-<name>``) the
            metric set reads with (``"mnist"`` for Stacked MNIST's channels); ``None``: none.
        reference_split: the real split generated samples are compared with.
        renderer: how samples are drawn: ``"grid"`` of images, or ``"points"`` scattered over the
            mixture's :attr:`centers`.
        modes: the number of modes the mode metrics count against (toys: centres; Stacked MNIST:
            1,000 digit triples); ``None`` if the metric set has none.
        centers: ``() -> array (modes, 2)``: a 2-D mixture's centres (``None`` for images).
        params: the loader's own settings (a toy's ``sigma``; Stacked MNIST's seeds), plain data.
        source: where the data come from (shown when they are missing or damaged).
        tfds: the TensorFlow Datasets name (the loader's fallback source), or ``None``.
        idx: the original IDX file names per split (``{"train": (images, labels), ...}``), or
            ``None``.
    """

    name: str
    title: str
    kind: str
    shape: tuple
    loader: Callable
    sizes: Mapping
    num_classes: Optional[int] = None
    metrics: str = "image"
    classifier: Optional[str] = None
    reference_split: str = "test"
    renderer: str = "grid"
    modes: Optional[int] = None
    centers: Optional[Callable] = None
    params: Mapping = dataclasses.field(default_factory=dict)
    source: str = ""
    tfds: Optional[str] = None
    idx: Optional[Mapping] = None

    def __post_init__(self):
        def refuse(what):
            raise ValueError(f"DatasetSpec {self.name!r}: {what}")

        if not isinstance(self.name, str) or not self.name:
            refuse(f"name must be a non-empty string; got {self.name!r}")
        if self.kind not in KINDS:
            refuse(f"kind must be one of {KINDS}; got {self.kind!r}")
        if self.renderer not in RENDERERS:
            refuse(f"renderer must be one of {RENDERERS}; got {self.renderer!r}")
        if self.metrics not in METRIC_SETS:
            refuse(f"metrics must be one of {METRIC_SETS}; got {self.metrics!r}")
        if self.reference_split not in SPLITS:
            refuse(f"reference_split must be one of {SPLITS}; got {self.reference_split!r}")
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        if self.kind == "images" and len(self.shape) != 3:
            refuse(f"an image dataset's shape is (H, W, C); got {self.shape}")
        if self.kind == "points" and len(self.shape) != 1:
            refuse(f"a dataset of points has shape (dims,); got {self.shape}")
        if set(self.sizes) != set(SPLITS):
            refuse(f"sizes must give {SPLITS}; got {dict(self.sizes)}")
        if self.renderer == "points" and self.centers is None:
            refuse("the points renderer needs centers=")

    def load_arrays(self, split="train", data_dir=None):
        """``(x, y)`` of a split, as NumPy arrays (see :attr:`loader`)."""
        check_split(split)
        return self.loader(self, split, data_dir)

    def split_size(self, split="train"):
        """Examples in a split, without reading it."""
        check_split(split)
        return self.sizes[split]


#: name -> DatasetSpec, in registration order (the order of tables and listings)
SPECS = {}


def register(dataset_spec, overwrite=False):
    """Add a :class:`DatasetSpec` to the registry (``overwrite``: replace one of the same name).
    Returns it."""
    if not isinstance(dataset_spec, DatasetSpec):
        raise TypeError(f"register() takes a DatasetSpec; got {type(dataset_spec).__name__}")
    if dataset_spec.name in SPECS and not overwrite:
        raise ValueError(f"a dataset named {dataset_spec.name!r} is already registered")
    SPECS[dataset_spec.name] = dataset_spec
    return dataset_spec


def names(kind=None):
    """Registered dataset names (of one ``kind``), images first then points, each sorted."""
    return [n for k in KINDS if kind in (None, k)
            for n in sorted(n for n, s in SPECS.items() if s.kind == k)]


def spec(name):
    """The :class:`DatasetSpec` registered as ``name`` (a spec is returned as it is). An unknown
    name is a ``ValueError`` naming its close matches and every known dataset."""
    if isinstance(name, DatasetSpec):
        return name
    if isinstance(name, str) and name in SPECS:
        return SPECS[name]
    known = names()
    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ValueError(f"Unknown dataset {name!r}.{hint} Known: {', '.join(known)}")


def find(name):
    """The spec of ``name``, or ``None`` when no dataset has that name (for readers of old or
    foreign checkpoints that must not fail on a dataset this version does not know)."""
    return SPECS.get(name) if isinstance(name, str) else None


def render_centers(name):
    """What the sample renderer of dataset ``name`` draws samples over: the mixture's centres for
    the ``"points"`` renderer, ``None`` for a grid of images (or a dataset this version does not
    know: its samples are drawn by their shape)."""
    s = find(name)
    if s is None or s.renderer != "points":
        return None
    return s.centers()


def check_split(split):
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")


class SpecView(Mapping):
    """A read-only live view ``name -> value(spec)`` of the registered specs that pass
    ``keep(spec)``: the old ``DATASETS`` / ``TOYS`` tables, derived from the specs."""

    def __init__(self, keep, value):
        self._keep, self._value = keep, value

    def _names(self):
        return [n for n, s in SPECS.items() if self._keep(s)]

    def __getitem__(self, name):
        s = SPECS.get(name)
        if s is None or not self._keep(s):
            raise KeyError(name)
        return self._value(s)

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def __repr__(self):
        return f"{type(self).__name__}({dict(self)!r})"
