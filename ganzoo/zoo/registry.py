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

import keras

from ganzoo import losses, validation
from ganzoo import techniques as techniques_lib
from ganzoo.gan import DEFAULT_LR, GAN, UPDATES, default_optimizer
from ganzoo.models import FAMILIES
from ganzoo.models import options as model_options
from ganzoo.models.mlp import NORMAL_002

ENTRIES = {}
#: retired entry name -> (the entry it now names, why); ``load`` / ``create`` / ``model_info`` /
#: ``get_entry`` follow it, ``list_models`` does not list it
ALIASES = {}

# The toy entries' training budget in epochs of the 100,000-point train split (1,000 steps of
# batch 100 per epoch). PacGAN's protocol runs 400 epochs, ~55 CPU-minutes a run here even with
# XLA, and every toy entry wants 5 seeds: 40 epochs (~8 minutes) is where a pilot of the plain GAN
# (2026-12-01) had the ring at 94-95 % high-quality samples. The recipe has no learning-rate
# decay, so a run's history shows what any shorter budget would have given.
TOY_EPOCHS = 40

# Each family's reference recipe. ``image_shape`` comes from the dataset's spec; ``data`` is the
# kind of dataset the family models (a ganzoo.data.DatasetSpec's kind: "images" or "points").
#
# "dcgan": chosen for quality per CPU-minute (see the dcgan-mnist model card).
# "mlp": the toy protocol of VEEGAN / PacGAN as in PacGAN's code (github fjxmlzn/PacGAN,
# synthetic_data_experiments/2D{Ring,Grid}_GAN&PacGAN/{config,pacgan_task}.py): z 2-D N(0, I);
# G 4 x 400 (Dense without bias -> batch norm -> ReLU) + linear output; D 3 x LinearMaxout(200
# units, 5 pieces) + linear logit; every kernel N(0, 0.02), biases 0; Adam(1e-4, beta_1 0.8,
# beta_2 0.999 -- Blocks' default); batch 100 (non-saturating loss and simultaneous updates are
# the engine's defaults). See ganzoo.models.mlp for the batch-norm details. Its step is compiled
# with XLA under TensorFlow (``jit_compile``): a step of these small matmuls (batch 100, 400 and
# 1,000 units) is far from the CPU's peak, and XLA trained faster (benchmarks/technique_cost.py
# --jit 0,1 --steps 300, idle 2-core machine, 2026-12-07, points/s of 3 interleaved repeats:
# gan-ring8 6,324 / 5,939 / 5,882 -> 8,812 / 7,258 / 8,636, gan-grid25 6,418 / 5,454 / 6,702 ->
# 8,366 / 7,150 / 7,308; medians 1.45x and 1.14x), where it slows the DCGAN's large convolutions
# (benchmarks/results/pair_speed.md). XLA draws other random numbers than TensorFlow's kernels
# for the same seed, so a run is reproducible with the setting it was trained with (the recipe's).
# It also runs 25 steps per compiled call (``steps_per_execution``; the same weights bit for bit,
# so toy runs from before it are reproduced exactly): Keras's per-call Python path and the
# callbacks' per-call host syncs are a sizeable part of such a step (benchmarks/technique_cost.py
# --entries gan-ring8,dragan-ring8 --spe 1,10,50 --steps 1000, idle 2-core machine, 2026-12-07,
# points/s of 3 interleaved repeats: gan-ring8 10,877 / 10,435 / 11,472 -> 12,671 / 11,927 /
# 13,356 at 10 and 12,850 / 11,895 / 12,326 at 50; dragan-ring8 8,977 / 7,346 / 8,707 ->
# 10,468 / 9,499 / 9,713 and 10,340 / 10,515 / 10,536; medians 1.13-1.21x; 25 divides an epoch's
# 1,000 steps).
RECIPES = {
    "dcgan": {
        "data": "images",
        "generator": {"latent_dim": 100, "width": 32, "kernel_size": 4},
        "discriminator": {"width": 32, "kernel_size": 4},
        "hparams": {"batch_size": 64, "epochs": 10, "learning_rate": 2e-4, "beta_1": 0.5,
                    "beta_2": 0.999, "seed": 0},
    },
    "mlp": {
        "data": "points",
        "generator": {"latent_dim": 2, "units": 400, "depth": 4, "norm": "batch",
                      "kernel_initializer": NORMAL_002},
        "discriminator": {"units": 200, "depth": 3, "maxout_pieces": 5,
                          "kernel_initializer": NORMAL_002},
        "hparams": {"batch_size": 100, "epochs": TOY_EPOCHS, "learning_rate": 1e-4,
                    "beta_1": 0.8, "beta_2": 0.999, "seed": 0, "jit_compile": True,
                    "steps_per_execution": 25},
    },
}


@dataclasses.dataclass(frozen=True)
class Entry:
    """A zoo entry: name -> model pair + techniques + dataset + hyper-parameters + checkpoint.

    Attributes:
        name: registry name, e.g. ``"dcgan-mnist"``.
        description: one line for ``list_models`` and the model card.
        family: key of :data:`ganzoo.models.FAMILIES` (``"dcgan"``, ``"mlp"``).
        dataset: a registered dataset's name (:func:`ganzoo.data.spec`: ``"mnist"``,
            ``"ring8"``, ...); kept as the string in checkpoints.
        techniques: technique names or ``{"name": ..., **params}`` dicts (:mod:`ganzoo.techniques`).
        generator / discriminator: keyword arguments of the family's classes (beyond the recipe).
        loss: loss family (:mod:`ganzoo.losses`); default: the techniques' or ``"nonsat"``.
        update: ``"simultaneous"`` or ``"alternating"``; default: the techniques' or simultaneous.
        hparams: training hyper-parameters (``batch_size`` -- per D step --, ``epochs``,
            ``learning_rate``, ``beta_1``, ``beta_2``, ``seed``, ``n_critic``, ``optimizer``,
            ``clip_norm``, ...: see :data:`HPARAMS`).
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


# ------------------------------------------------------------------------- hyper-parameters
def _learning_rate(value, name):
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return value
    return validation.positive_float(value, name)


def _beta(value, name):
    return validation.probability(value, name, open_right=True)  # Adam needs beta in [0, 1)


def _seed(value, name):
    return None if value is None else validation.nonnegative_int(value, name)


def _clip_norm(value, name):
    return None if value is None else validation.positive_float(value, name)


# The training hyper-parameters an entry -- or create's keyword arguments -- may set, each with
# its check (value -> converted value, or ValueError quoting the value and the valid range).
HPARAMS = {
    "batch_size": validation.positive_int,  # per D step
    "epochs": validation.positive_int,
    "learning_rate": _learning_rate,  # a positive number or a keras LearningRateSchedule
    "beta_1": _beta,
    "beta_2": _beta,
    "seed": _seed,  # None: unseeded
    "n_critic": validation.positive_int,
    # two time-scale rule (Heusel et al. 2017): each player's own rate (default: learning_rate)
    "g_learning_rate": _learning_rate,
    "d_learning_rate": _learning_rate,
    # decay both rates to 0 over the run (its epochs of the dataset's train split): "linear"
    # (PolynomialDecay, power 1) or "cosine" (CosineDecay); None keeps them constant
    "lr_decay": lambda value, name: validation.choice(value, name, (None, "linear", "cosine")),
    # both players' optimizer: "adam" (the default: keras Adam, beta_1 / beta_2 / epsilon) or
    # "rmsprop" (keras RMSprop, rho / epsilon; no momentum, not centered) -- see OPTIMIZERS
    "optimizer": lambda value, name: validation.choice(value, name, tuple(OPTIMIZERS)),
    "rho": _beta,  # RMSprop's decay of the squared-gradient average
    # keras's epsilon: Adam's step is m / (sqrt(v) + epsilon), RMSprop's g / sqrt(v + epsilon)
    "epsilon": validation.positive_float,
    # clip each player's gradients to this global norm before its optimizer step (keras's
    # global_clipnorm: all the player's gradients scaled by min(1, clip_norm / ||g||)); a
    # player's own value wins; None: no clipping
    "clip_norm": _clip_norm,
    "g_clip_norm": _clip_norm,
    "d_clip_norm": _clip_norm,
    # compile the train step with XLA under TensorFlow (keras's jit_compile): True, False or
    # "auto" (keras's default: off on a CPU-only machine). Other backends keep "auto" (JAX
    # compiles every step anyway; torch's jit_compile is torch.compile). See _jit_compile.
    "jit_compile": lambda value, name: validation.choice(value, name, ("auto", True, False)),
    # train steps run per call of the compiled step function (keras's steps_per_execution): the
    # same weights bit for bit as one step a call (tests/test_training.py), fewer trips through
    # Python for small steps; callbacks (progress bar, state saving, the NaN guard, the
    # deadline) then act every that many steps. 1 under PyTorch, whose Keras trainer runs one
    # step a call
    "steps_per_execution": validation.positive_int,
}

# The optimizers an entry may choose (hyper-parameter ``optimizer``) and the hyper-parameters that
# are options of only one of them (``learning_rate`` and ``epsilon`` are options of both). A
# recipe's option of the optimizer not chosen is dropped; an entry's own is refused.
OPTIMIZERS = {"adam": ("beta_1", "beta_2"), "rmsprop": ("rho",)}

# create()'s own keyword arguments (a misspelt one lands in **hparams: suggest it)
CREATE_KEYWORDS = ("seed", "dataset", "techniques", "generator", "discriminator", "loss", "update",
                   "total_steps")


def known_hparams():
    """Every hyper-parameter name an entry may set: :data:`HPARAMS`, the recipes' and the
    techniques' (sorted)."""
    names = set(HPARAMS)
    for recipe in RECIPES.values():
        names.update(recipe["hparams"])
    for cls in techniques_lib.TECHNIQUES.values():
        if isinstance(cls.hparams, dict):
            names.update(cls.hparams)
    return sorted(names)


def check_hparams(hparams, what="hyper-parameters", also=()):
    """``hparams`` with every value checked (and converted: ``int`` / ``float``); an unknown name
    is a ``ValueError`` with its close matches (among the known names and ``also``)."""
    validation.check_kwargs(hparams, known_hparams(), what, kind="hyper-parameter", also=also)
    return {k: HPARAMS[k](v, k) if k in HPARAMS else v for k, v in hparams.items()}


# --------------------------------------------------------------------- datasets and options
def _dataset_options(family, dataset):
    """The architecture options ``dataset`` fixes for ``family`` (``image_shape``); a dataset that
    is unknown, or of the wrong kind for the family, is a ``ValueError``."""
    from ganzoo import data

    if not isinstance(dataset, str):  # entries and checkpoints name their dataset
        raise ValueError(f"Unknown dataset {dataset!r}: give a dataset's name. Known: "
                         f"{', '.join(data.names())}")
    spec = data.spec(dataset)
    kind = spec.kind
    wanted = RECIPES[family]["data"]
    if kind != wanted:
        fits = sorted(f for f, r in RECIPES.items() if r["data"] == kind)
        raise ValueError(f"the {family!r} family models {wanted}, but {dataset!r} is a dataset of "
                         f"{kind}; use the family {' or '.join(map(repr, fits))} for it")
    if kind == "points":
        return {}
    return {"image_shape": spec.shape}


def _accepted_options(cls):
    return [k for k in inspect.signature(cls.__init__).parameters if k not in ("self", "kwargs")]


def _check_options(cls, options, what):
    validation.check_kwargs(options, _accepted_options(cls), f"the {what} ({cls.__name__})",
                            kind="option")


def _check_technique_options(techniques, family):
    """A technique that needs an architecture option (or value) the family's contract lacks
    cannot be used with it (:func:`ganzoo.models.options.check_family`)."""
    for t in techniques:
        model_options.check_family(t, family, FAMILIES)


def resolve_entry(entry):
    """``entry`` with everything filled in from its family's recipe and its techniques."""
    if entry.family not in FAMILIES:
        raise ValueError(f"entry {entry.name!r}: unknown family {entry.family!r}; known: "
                         f"{', '.join(sorted(FAMILIES))}")
    specs = techniques_lib.technique_specs(entry.techniques)
    # techniques that train on labels (cgan, acgan) get the dataset's class count (or refuse it)
    specs = techniques_lib.with_dataset_classes(specs, entry.dataset)
    techniques = techniques_lib.resolve(specs)
    recipe = RECIPES[entry.family]
    g_cls, d_cls = FAMILIES[entry.family]
    shape = _dataset_options(entry.family, entry.dataset)
    for what, options in (("generator", entry.generator), ("discriminator", entry.discriminator)):
        if not isinstance(options, dict):
            raise ValueError(f"{what} must be a dict of options, e.g. {{'width': 64}}; got "
                             f"{options!r}")
    _check_technique_options(techniques, entry.family)
    g_kw = techniques_lib.merge_options(techniques, "generator_kwargs", entry.generator, "generator")
    d_kw = techniques_lib.merge_options(techniques, "discriminator_kwargs", entry.discriminator,
                                        "discriminator")
    g_kw = {**recipe["generator"], **shape, **g_kw}
    d_kw = {**recipe["discriminator"], **shape, **d_kw}
    _check_options(g_cls, g_kw, f"{entry.family!r} generator")
    _check_options(d_cls, d_kw, f"{entry.family!r} discriminator")
    engine = techniques_lib.engine_of(techniques)  # requirements over defaults (SNGAN's hinge)
    if not isinstance(entry.hparams, dict):
        raise ValueError(f"entry {entry.name!r}: hparams must be a dict; got {entry.hparams!r}")
    given = check_hparams(entry.hparams, f"entry {entry.name!r}")
    owner = {k: t.key for t in techniques for k in t.engine}
    if "n_critic" in engine and "n_critic" in given and given["n_critic"] != engine["n_critic"]:
        raise ValueError(
            f"technique {owner['n_critic']!r} sets n_critic={engine['n_critic']}; got "
            f"n_critic={given['n_critic']}. Give it as the technique's parameter instead: "
            f"{{'name': {owner['n_critic']!r}, 'n_critic': {given['n_critic']}}}"
        )
    hparams = dict(recipe["hparams"])
    for t in techniques:
        hparams.update(t.hparams)
    hparams.update(given)
    if engine.get("n_critic", 1) > 1:
        hparams.setdefault("n_critic", engine["n_critic"])
    hparams = _optimizer_options(hparams, given, techniques)
    loss = entry.loss or engine.get("loss", "nonsat")
    validation.choice(loss, "loss", tuple(losses.LOSSES))
    update = entry.update or engine.get("update", "simultaneous")
    validation.choice(update, "update", UPDATES)
    return dataclasses.replace(
        entry, generator=g_kw, discriminator=d_kw, hparams=hparams, techniques=specs,
        loss=loss, update=update,
    )


def on_baseline(baseline, techniques=(), without=()):
    """An entry's keyword arguments (``generator``, ``discriminator``, ``update``, ``techniques``,
    ``hparams``): a baseline recipe plus ``techniques``, so that every technique entry is the
    baseline with one change and nothing else.

    ``baseline`` is a dict with any of those keys. Where a technique and the baseline disagree,
    the technique wins: a baseline technique is dropped when the entry lists the same one (with
    its own parameters) or one of its group (WGAN-GP's penalty replaces the baseline's R1); the
    baseline's update rule, architecture options and hyper-parameters give way to those a
    technique sets (its ``engine``, ``generator_kwargs`` / ``discriminator_kwargs``,
    ``hparams``), e.g. WGAN-GP's Adam(1e-4, 0.5, 0.9) and its critic schedule.

    ``without``: names of baseline techniques the entry drops, where its authors' recipe has no
    place for them (SNGAN and WGAN with clipping constrain D without R1).
    """
    base_names = [technique_name(s) for s in baseline.get("techniques", ())]
    for name in without:
        if name not in base_names:
            raise ValueError(f"on_baseline: without={name!r} is not a technique of the baseline; "
                             f"it has {', '.join(map(repr, base_names)) or 'none'}")
    specs = techniques_lib.technique_specs(list(techniques))
    chosen = [techniques_lib.get_technique(s) for s in specs]
    keys = {t.key for t in chosen}
    groups = {t.group for t in chosen if t.group is not None}
    base_specs = [s for s in techniques_lib.technique_specs(list(baseline.get("techniques", ())))
                  if (t := techniques_lib.TECHNIQUES[s["name"] if isinstance(s, dict) else s])
                  and t.key not in keys and (t.group is None or t.group not in groups)
                  and t.key not in without]
    every = chosen + [techniques_lib.get_technique(s) for s in base_specs]

    def yielding(options, attribute):
        taken = {k for t in every for k in getattr(t, attribute)}
        return {k: v for k, v in (options or {}).items() if k not in taken}

    out = {
        "generator": yielding(baseline.get("generator"), "generator_kwargs"),
        "discriminator": yielding(baseline.get("discriminator"), "discriminator_kwargs"),
        "techniques": tuple(specs) + tuple(base_specs),
        "hparams": yielding(baseline.get("hparams"), "hparams"),
    }
    if baseline.get("update") and not any("update" in t.engine for t in every):
        out["update"] = baseline["update"]
    return out


def register(entry):
    if entry.name in ENTRIES:
        raise ValueError(f"entry {entry.name!r} is already registered")
    entry = resolve_entry(entry)
    ENTRIES[entry.name] = entry
    return entry


def register_alias(old, new, why):
    """Make the retired entry name ``old`` name the entry ``new`` (``why``: one sentence for the
    docs and the gallery), so that code written against ``old`` keeps loading a model."""
    if old in ENTRIES or old in ALIASES:
        raise ValueError(f"{old!r} is already a registered entry or alias")
    if new not in ENTRIES:
        raise ValueError(f"alias {old!r} -> {new!r}: {new!r} is not a registered entry")
    ALIASES[old] = (new, why)


def canonical_name(name):
    """The entry a retired name now names (:data:`ALIASES`); any other value unchanged."""
    return ALIASES[name][0] if isinstance(name, str) and name in ALIASES else name


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
        return ENTRIES[canonical_name(name)]
    except KeyError:
        raise unknown_name_error(name) from None


def list_models(pattern=None, pretrained=False):
    """Registered entry names matching the ``fnmatch`` ``pattern`` (all when None), sorted.

    ``pretrained=True`` keeps only the entries with a released checkpoint (pinned in
    ``ganzoo/zoo/pins.json``, so ``ganzoo.load(name)`` finds trained weights); the others are
    registered recipes still waiting for their training run.
    """
    names = sorted(ENTRIES)
    if pretrained:
        from ganzoo.zoo import pins

        names = [n for n in names if n in pins.released()]
    if pattern is not None:
        names = [n for n in names if fnmatch.fnmatch(n, pattern)]
    return names


def create(name, seed=None, *, dataset=None, techniques=None, generator=None, discriminator=None,
           loss=None, update=None, total_steps=None, **hparams):
    """A GAN with fresh (untrained) weights, compiled with its hyper-parameters.

    ``create("dcgan-mnist")`` builds a registered entry. ``create("dcgan", dataset="fashion_mnist",
    techniques=["minibatch_discrimination", "one_sided_label_smoothing"])`` builds a family on a
    dataset with any combination of techniques; the family's recipe fills in the rest, and keyword
    arguments override hyper-parameters (``learning_rate=1e-4``). Unknown names and combinations
    that cannot work raise ``ValueError``, and so do an unknown hyper-parameter (with its close
    matches: ``learning_rat`` -> "Did you mean learning_rate?"), a value out of its range
    (:data:`HPARAMS`), a lone technique where a list is expected and a family/dataset mismatch.
    ``total_steps``: G steps the learning-rate decay (``lr_decay``) spans, for a run whose length
    is not ``epochs`` of the train split (default: the entry's own budget).
    """
    if total_steps is not None:
        total_steps = validation.positive_int(total_steps, "total_steps")
    if seed is not None:
        seed = validation.nonnegative_int(seed, "seed")
    name = canonical_name(name)
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
        # a misspelt keyword lands in **hparams: refuse it before anything else
        check_hparams(hparams, f"create({name!r})", also=CREATE_KEYWORDS)
        if dataset is None:
            raise ValueError(f"create({name!r}) needs dataset= (e.g. 'mnist' or 'ring8')")
        entry = resolve_entry(Entry(
            name=f"{name}-{dataset}", description="", family=name, dataset=dataset,
            techniques=techniques_lib.technique_specs(techniques),
            generator={} if generator is None else generator,
            discriminator={} if discriminator is None else discriminator,
            loss=loss, update=update, hparams=hparams))
    else:
        raise unknown_name_error(name)
    return build(entry, seed, total_steps=total_steps)


def run_steps(entry, epochs=None, steps_per_epoch=None, batch_size=None):
    """G steps of a run of ``entry``: ``epochs`` x batches of the train split per epoch (each of
    ``batch_size`` x ``n_critic`` images), capped by ``steps_per_epoch``; the entry's own values
    where an argument is None."""
    from ganzoo import data

    hp = entry.hparams
    batch = (batch_size or hp.get("batch_size", 64)) * hp.get("n_critic", 1)
    per_epoch = data.split_size(entry.dataset, "train") // batch
    if steps_per_epoch:
        per_epoch = min(per_epoch, steps_per_epoch)
    return (epochs or hp.get("epochs", 1)) * per_epoch


def build(entry, seed=None, total_steps=None):
    """The compiled GAN of a resolved entry. ``total_steps``: G steps of the run the learning-rate
    decay (``lr_decay``) spans; default: the entry's own budget (:func:`run_steps`)."""
    g_cls, d_cls = FAMILIES[entry.family]
    hp = entry.hparams
    techniques = techniques_lib.resolve(entry.techniques)
    generator = g_cls(**entry.generator)
    for technique in techniques:  # the player to train (MAD-GAN: k generators of the family's)
        generator = technique.make_generator(generator)
    gan = GAN(
        generator,
        d_cls(**entry.discriminator),
        loss=entry.loss,
        update=entry.update,
        seed=hp.get("seed") if seed is None else seed,
        techniques=techniques,
        n_critic=hp.get("n_critic", 1),
    )
    # techniques whose settings are fractions of the run (the EMA's half-life) learn its length
    for technique in gan.techniques:
        if hasattr(technique, "set_run_length"):
            technique.set_run_length(total_steps or run_steps(entry))
    steps = None
    if hp.get("lr_decay"):
        steps = total_steps or run_steps(entry)
    gan.compile(g_optimizer=_optimizer(hp, "g", steps),
                d_optimizer=_optimizer(hp, "d", steps and steps * hp.get("n_critic", 1)),
                jit_compile=_jit_compile(hp), steps_per_execution=_steps_per_execution(hp))
    return gan


def _jit_compile(hparams):
    """The entry's ``jit_compile`` (see :data:`HPARAMS`) under TensorFlow; keras's ``"auto"``
    under the other backends and inside a ``tf.distribute`` strategy (where keras turns XLA
    off by itself)."""
    jit = hparams.get("jit_compile", "auto")
    if keras.config.backend() != "tensorflow":
        return "auto"
    import tensorflow as tf

    return "auto" if tf.distribute.has_strategy() else jit


def _steps_per_execution(hparams):
    """The entry's ``steps_per_execution`` (see :data:`HPARAMS`); 1 under PyTorch, whose Keras
    trainer runs one step a call (the same weights either way)."""
    return 1 if keras.config.backend() == "torch" else hparams.get("steps_per_execution", 1)


def _optimizer_options(hparams, given, techniques):
    """``hparams`` without the options of the optimizer the entry does not use (a recipe's Adam
    betas under ``optimizer="rmsprop"``); such an option given by the entry itself (``given``) is
    a ``ValueError``."""
    name = hparams.get("optimizer", "adam")
    setter = next((t.key for t in reversed(techniques) if "optimizer" in t.hparams), None)
    why = (" (given)" if "optimizer" in given else
           f" (set by technique {setter!r})" if setter else " (the default)")
    for other, keys in OPTIMIZERS.items():
        if other == name:
            continue
        for k in keys:
            if k in given:
                raise ValueError(
                    f"{k} is an option of the {other!r} optimizer, but the optimizer is "
                    f"{name!r}{why}; give optimizer={other!r} to use it, or leave {k} out"
                )
            hparams.pop(k, None)
    return hparams


def _optimizer(hp, player, decay_steps=None):
    """The optimizer of ``player`` ("g" / "d"): ``optimizer`` (Adam by default, or RMSprop) with
    its options from ``hp``; the player's own rate if given (TTUR), else ``learning_rate``,
    decayed to 0 over ``decay_steps`` of its own steps when ``lr_decay`` is set; its gradients
    clipped to the global norm ``{player}_clip_norm`` if given, else ``clip_norm`` (keras's
    ``global_clipnorm``, applied to all of the player's gradients at each of its steps)."""
    name = hp.get("optimizer", "adam")
    kw = {k: hp[k] for k in ("learning_rate", "epsilon") + OPTIMIZERS[name] if k in hp}
    if f"{player}_learning_rate" in hp:
        kw["learning_rate"] = hp[f"{player}_learning_rate"]
    if hp.get("lr_decay") and decay_steps:
        rate = kw.get("learning_rate", DEFAULT_LR)
        kw["learning_rate"] = (
            keras.optimizers.schedules.PolynomialDecay(rate, decay_steps, end_learning_rate=0.0)
            if hp["lr_decay"] == "linear" else
            keras.optimizers.schedules.CosineDecay(rate, decay_steps, alpha=0.0))
    clip = hp.get(f"{player}_clip_norm", hp.get("clip_norm"))
    if clip is not None:
        kw["global_clipnorm"] = clip
    if name == "rmsprop":
        return keras.optimizers.RMSprop(**{"learning_rate": DEFAULT_LR, **kw})
    return default_optimizer(**kw)
