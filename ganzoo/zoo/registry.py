"""Entry specs, the registry, ``list_models`` and ``create`` (untrained models)."""

import dataclasses
import difflib
import fnmatch

from ganzoo.gan import GAN, default_optimizer
from ganzoo.models import FAMILIES

ENTRIES = {}


@dataclasses.dataclass(frozen=True)
class Entry:
    """A zoo entry: name -> model pair + loss + dataset + hyper-parameters + checkpoint source.

    Attributes:
        name: registry name, e.g. ``"dcgan-mnist"``.
        description: one line for ``list_models`` and the model card.
        family: key of :data:`ganzoo.models.FAMILIES` (``"dcgan"``).
        dataset: key of :data:`ganzoo.data.DATASETS`.
        generator / discriminator: keyword arguments of the family's classes.
        loss: loss family (:mod:`ganzoo.losses`).
        update: ``"simultaneous"`` or ``"alternating"`` player updates (:class:`ganzoo.gan.GAN`).
        hparams: training hyper-parameters (``batch_size``, ``epochs``, ``learning_rate``,
            ``beta_1``, ``beta_2``, ``seed``).
        hub_repo / hub_revision: where the checkpoint is published on the Hugging Face Hub.
        manifest_sha256: sha256 of the checkpoint's ``checksums.sha256`` (pins every file).
        paper / license / notes: for the model card.
    """

    name: str
    description: str
    family: str
    dataset: str
    generator: dict = dataclasses.field(default_factory=dict)
    discriminator: dict = dataclasses.field(default_factory=dict)
    loss: str = "nonsat"
    update: str = "simultaneous"
    hparams: dict = dataclasses.field(default_factory=dict)
    hub_repo: str = None
    hub_revision: str = "main"
    manifest_sha256: str = None
    paper: str = ""
    license: str = "apache-2.0"
    notes: str = ""

    def summary(self):
        return {"name": self.name, "description": self.description, "dataset": self.dataset,
                "family": self.family, "loss": self.loss}


def register(entry):
    if entry.name in ENTRIES:
        raise ValueError(f"entry {entry.name!r} is already registered")
    if entry.family not in FAMILIES:
        raise ValueError(f"entry {entry.name!r}: unknown family {entry.family!r}")
    ENTRIES[entry.name] = entry
    return entry


def unknown_name_error(name, kind="model"):
    close = difflib.get_close_matches(str(name), list(ENTRIES), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ValueError(
        f"Unknown {kind} {name!r}.{hint} Known entries: {', '.join(sorted(ENTRIES))} "
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


def create(name, seed=None):
    """Build entry ``name`` with fresh (untrained) weights, compiled with its hyper-parameters."""
    entry = get_entry(name)
    g_cls, d_cls = FAMILIES[entry.family]
    hp = entry.hparams
    gan = GAN(
        g_cls(**entry.generator),
        d_cls(**entry.discriminator),
        loss=entry.loss,
        update=entry.update,
        seed=hp.get("seed") if seed is None else seed,
    )
    gan.compile(g_optimizer=_optimizer(hp), d_optimizer=_optimizer(hp))
    return gan


def _optimizer(hp):
    kw = {k: hp[k] for k in ("learning_rate", "beta_1", "beta_2") if k in hp}
    return default_optimizer(**kw)
