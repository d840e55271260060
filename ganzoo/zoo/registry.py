"""Entry specs, the registry, ``list_models`` and ``create`` (untrained models).

An entry is data: a family (model pair), a dataset, techniques and hyper-parameters. What an entry
leaves out comes from its family's recipe (:data:`RECIPES`) and its techniques (e.g. WGAN-GP's
optimizer settings and a critic without batch norm); :func:`register` stores the resolved entry, so
``entry.generator`` / ``entry.hparams`` / ... are what is actually built and trained.
``create("dcgan", dataset=..., techniques=[...])`` builds the same way without registering.
"""

import dataclasses
import difflib
import fnmatch
import inspect

from ganzoo import techniques as techniques_lib
from ganzoo.gan import GAN, default_optimizer
from ganzoo.models import FAMILIES

ENTRIES = {}

# Each family's reference recipe (chosen for quality per CPU-minute; see the dcgan-mnist and
# gan-ring8 model cards). ``image_shape`` comes from the dataset.
RECIPES = {
    "dcgan": {
        "generator": {"latent_dim": 100, "width": 32, "kernel_size": 4},
        "discriminator": {"width": 32, "kernel_size": 4},
        "hparams": {"batch_size": 64, "epochs": 10, "learning_rate": 2e-4, "beta_1": 0.5,
                    "beta_2": 0.999, "seed": 0},
    },
    "mlp": {
        "generator": {"latent_dim": 64, "units": 128, "depth": 2},
        "discriminator": {"units": 128, "depth": 2},
        "hparams": {"batch_size": 256, "epochs": 30, "learning_rate": 1e-3, "beta_1": 0.5,
                    "beta_2": 0.999, "seed": 0},
    },
}


@dataclasses.dataclass(frozen=True)
class Entry:
    """A zoo entry: name -> model pair + techniques + dataset + hyper-parameters + checkpoint.

    Attributes:
        name: registry name, e.g. ``"dcgan-mnist"``.
        description: one line for ``list_models`` and the model card.
        family: key of :data:`ganzoo.models.FAMILIES` (``"dcgan"``, ``"mlp"``).
        dataset: key of :data:`ganzoo.data.DATASETS` or a toy (``"ring8"``).
        techniques: technique names or ``{"name": ..., **params}`` dicts (:mod:`ganzoo.techniques`).
        generator / discriminator: keyword arguments of the family's classes (beyond the recipe).
        loss: loss family (:mod:`ganzoo.losses`); default: the techniques' or ``"nonsat"``.
        update: ``"simultaneous"`` or ``"alternating"``; default: the techniques' or simultaneous.
        hparams: training hyper-parameters (``batch_size`` -- per D step --, ``epochs``,
            ``learning_rate``, ``beta_1``, ``beta_2``, ``seed``, ``n_critic``).
        hub_repo / hub_revision: where the checkpoint is published on the Hugging Face Hub.
        manifest_sha256: sha256 of the checkpoint's ``checksums.sha256`` (pins every file).
        paper / license / notes: for the model card.
    """

    name: str
    description: str
    family: str
    dataset: str
    techniques: tuple = ()
    generator: dict = dataclasses.field(default_factory=dict)
    discriminator: dict = dataclasses.field(default_factory=dict)
    loss: str = None
    update: str = None
    hparams: dict = dataclasses.field(default_factory=dict)
    hub_repo: str = None
    hub_revision: str = "main"
    manifest_sha256: str = None
    paper: str = ""
    license: str = "apache-2.0"
    notes: str = ""

    def summary(self):
        return {"name": self.name, "description": self.description, "dataset": self.dataset,
                "family": self.family, "loss": self.loss,
                "techniques": [technique_name(t) for t in self.techniques]}


def technique_name(spec):
    return spec if isinstance(spec, str) else spec["name"]


def _image_shape(family, dataset):
    from ganzoo import data

    if dataset in data.TOYS:
        return {}
    if dataset not in data.DATASETS:
        data.load_arrays(dataset)  # raises the "unknown dataset" error with close matches
    return {"image_shape": tuple(data.DATASETS[dataset]["shape"])}


def _check_options(cls, options, what):
    accepted = inspect.signature(cls.__init__).parameters
    unknown = [k for k in options if k not in accepted]
    if unknown:
        takes = ", ".join(k for k in accepted if k not in ("self", "kwargs"))
        raise ValueError(f"the {what} ({cls.__name__}) has no option {', '.join(unknown)}; it "
                         f"takes {takes}")


def resolve_entry(entry):
    """``entry`` with everything filled in from its family's recipe and its techniques."""
    if entry.family not in FAMILIES:
        raise ValueError(f"entry {entry.name!r}: unknown family {entry.family!r}; known: "
                         f"{', '.join(sorted(FAMILIES))}")
    techniques = techniques_lib.resolve(entry.techniques)
    recipe = RECIPES[entry.family]
    g_cls, d_cls = FAMILIES[entry.family]
    shape = _image_shape(entry.family, entry.dataset) if entry.family != "mlp" else {}
    g_kw = techniques_lib.merge_options(techniques, "generator_kwargs", entry.generator, "generator")
    d_kw = techniques_lib.merge_options(techniques, "discriminator_kwargs", entry.discriminator,
                                        "discriminator")
    g_kw = {**recipe["generator"], **shape, **g_kw}
    d_kw = {**recipe["discriminator"], **shape, **d_kw}
    _check_options(g_cls, g_kw, f"{entry.family!r} generator")
    _check_options(d_cls, d_kw, f"{entry.family!r} discriminator")
    engine = {k: v for t in techniques for k, v in t.engine.items()}
    hparams = dict(recipe["hparams"])
    for t in techniques:
        hparams.update(t.hparams)
    hparams.update(entry.hparams)
    if engine.get("n_critic", 1) > 1:
        hparams.setdefault("n_critic", engine["n_critic"])
    return dataclasses.replace(
        entry, generator=g_kw, discriminator=d_kw, hparams=hparams,
        techniques=tuple(entry.techniques),
        loss=entry.loss or engine.get("loss", "nonsat"),
        update=entry.update or engine.get("update", "simultaneous"),
    )


def register(entry):
    if entry.name in ENTRIES:
        raise ValueError(f"entry {entry.name!r} is already registered")
    entry = resolve_entry(entry)
    ENTRIES[entry.name] = entry
    return entry


def unknown_name_error(name, kind="model"):
    close = difflib.get_close_matches(str(name), list(ENTRIES) + list(FAMILIES), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ValueError(
        f"Unknown {kind} {name!r}.{hint} Known entries: {', '.join(sorted(ENTRIES))}; families "
        f"(for create): {', '.join(sorted(FAMILIES))} "
        "(or pass a checkpoint directory, or an 'hf://owner/name' Hub id)."
    )


def get_entry(name):
    try:
        return ENTRIES[name]
    except KeyError:
        raise unknown_name_error(name) from None


def list_models(pattern=None):
    """Registered entry names matching the ``fnmatch`` ``pattern`` (all when None), sorted."""
    names = sorted(ENTRIES)
    if pattern is not None:
        names = [n for n in names if fnmatch.fnmatch(n, pattern)]
    return names


def create(name, seed=None, *, dataset=None, techniques=None, generator=None, discriminator=None,
           loss=None, update=None, **hparams):
    """A GAN with fresh (untrained) weights, compiled with its hyper-parameters.

    ``create("dcgan-mnist")`` builds a registered entry. ``create("dcgan", dataset="fashion_mnist",
    techniques=["minibatch_discrimination", "one_sided_label_smoothing"])`` builds a family on a
    dataset with any combination of techniques; the family's recipe fills in the rest, and keyword
    arguments override hyper-parameters (``learning_rate=1e-4``). Unknown names and combinations
    that cannot work raise ``ValueError``.
    """
    if name in ENTRIES:
        given = {"dataset": dataset, "techniques": techniques, "generator": generator,
                 "discriminator": discriminator, "loss": loss, "update": update, **hparams}
        given = [k for k, v in given.items() if v is not None]
        if given:
            raise TypeError(f"create({name!r}) builds a registered entry and takes only seed=; "
                            f"got {', '.join(given)}. Use create('<family>', dataset=..., "
                            "techniques=[...]) for your own combination.")
        entry = ENTRIES[name]
    elif name in FAMILIES:
        if dataset is None:
            raise ValueError(f"create({name!r}) needs dataset= (e.g. 'mnist' or 'ring8')")
        entry = resolve_entry(Entry(
            name=f"{name}-{dataset}", description="", family=name, dataset=dataset,
            techniques=tuple(techniques or ()), generator=generator or {},
            discriminator=discriminator or {}, loss=loss, update=update, hparams=hparams))
    else:
        raise unknown_name_error(name)
    return build(entry, seed)


def build(entry, seed=None):
    """The compiled GAN of a resolved entry."""
    g_cls, d_cls = FAMILIES[entry.family]
    hp = entry.hparams
    gan = GAN(
        g_cls(**entry.generator),
        d_cls(**entry.discriminator),
        loss=entry.loss,
        update=entry.update,
        seed=hp.get("seed") if seed is None else seed,
        techniques=entry.techniques,
        n_critic=hp.get("n_critic", 1),
    )
    gan.compile(g_optimizer=_optimizer(hp), d_optimizer=_optimizer(hp))
    return gan


def _optimizer(hp):
    kw = {k: hp[k] for k in ("learning_rate", "beta_1", "beta_2") if k in hp}
    return default_optimizer(**kw)
