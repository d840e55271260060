"""Seed studies: an entry's recipe trained with several seeds, so the zoo table never ranks noise.

The shipped checkpoint of an entry (``checkpoints/<name>/``) is ALWAYS its seed-0 run, never the
best seed. The other seeds are trained into folders of their own, outside ``checkpoints/`` and not
in git, and each is evaluated there with the same protocol::

    ganzoo train dcgan-mnist --seed 1 --data-dir ../shared/data/mnist --out runs/dcgan-mnist/seed-1
    ganzoo eval runs/dcgan-mnist/seed-1 --data-dir ../shared/data/mnist     # -> its metrics.json
    ...                                                                     # seeds 2, 3, ...
    ganzoo seeds dcgan-mnist runs/dcgan-mnist/seed-*    # -> checkpoints/dcgan-mnist/seeds.json
    python scripts/pin_checkpoints.py dcgan-mnist && ganzoo table

:func:`aggregate_seeds` reads the shipped checkpoint's ``metrics.json`` (seed 0) and each seed
folder's, after checking that

* every folder is a valid checkpoint (:func:`ganzoo.checkpoint.verify`) whose ``metrics.json`` is
  current (computed from its weights, :func:`ganzoo.evaluation.read_metrics`);
* each is the SAME entry and recipe: ``config.json`` equal except the run's seed
  (``gan.config.seed``), the Keras object names that Keras numbers per process (``gan``,
  ``gan_1``; ``adam``, ``adam_1``: :data:`KERAS_NAMES`) and the prose ``description``;
  ``metadata.json``'s name, dataset and hyper-parameters equal except ``seed``, and the same
  training budget (``training.epochs``, ``training.images_seen``: a capped smoke run is refused);
* each was evaluated with the same protocol (:func:`protocol_of`: dataset, sample count, latent
  seed, reference set, feature space -- which names the classifier's manifest sha --, the
  methods and the set of metrics);
* no training seed appears twice (the shipped one counts: it is seed 0), no folder is given twice
  and no two folders hold the same weights;
* the shipped checkpoint's own seed (``metadata.json`` hyper-parameter ``seed``; 0 when absent, as
  in checkpoints written before it was recorded) is 0.

Seeds add up over time: when the shipped checkpoint already has a current ``seeds.json`` (same
weights, same seed-0 metrics and protocol: :func:`read_seeds`), the seeds it records that are not
given as folders now are kept as recorded (``"kept": true`` in ``per_seed``) -- they were checked
against this checkpoint when they were aggregated, and their folders need not survive (train seeds
1-2 today and 3-4 another day). A seed given as a folder replaces its record; a stale
``seeds.json`` keeps nothing (``keep=False`` keeps nothing either).

It then writes ``seeds.json`` into the shipped checkpoint (an optional file of the layout, covered
by the manifest, so the pin changes) and a summary into ``metadata.json["seeds"]`` for the model
card. ``seeds.json``::

    {
      "format": "ganzoo-seeds/1",
      "name": "dcgan-mnist", "dataset": "mnist",
      "shipped_seed": 0,
      "seeds": [0, 1, 2],                    # training seeds, ascending
      "weights_sha256": "...",               # of the shipped model.weights.h5 (staleness)
      "protocol": {"dataset", "num_samples", "latent_seed", "samples", "reference",
                   "feature_space", "inception_feature_space", "methods", "metrics": [names]},
      "per_seed": {"0": {"metrics": {...}, "weights_sha256", "manifest_sha256", "command",
                         "images_seen", "wall_time_minutes", "evaluated", "backend",
                         "keras_version", "ganzoo_version"}, "1": {...}, ...},
      "aggregate": {"fid": {"mean": ..., "std": ..., "n": 3, "non_finite": 0}, ...},
      "aggregation": "...",                  # the rule below, in words
      "created": "2026-...+00:00"
    }

``per_seed[s]["manifest_sha256"]`` is each folder's ``checksums.sha256`` as it was when aggregated
(seed 0's changes at once, as ``seeds.json`` joins its manifest); ``command`` is the training
command from its ``metadata.json``.

Aggregation, per metric over the n seeds: ``mean`` is the arithmetic mean and ``std`` the sample
standard deviation (ddof=1). A non-finite value (reverse KL is ``inf`` when a run has no
high-quality sample) propagates as IEEE arithmetic does: ``mean`` is ``inf`` if any seed is ``inf``
(``-inf`` likewise; ``nan`` if any seed is ``nan`` or both infinities occur) and ``std`` is
``null`` -- the spread of a set holding an infinity is not a number. ``non_finite`` counts those
seeds; the per-seed values say which. ``std`` is also ``null`` when n < 2.

``seeds.json`` is trusted (:func:`read_seeds`) only while it describes the checkpoint as it is:
listed in the manifest with its sha256, built for the current weights (``weights_sha256``, like
``metrics.json``; a re-saved checkpoint drops the file anyway, :data:`ganzoo.checkpoint.OPTIONAL`)
and from the current ``metrics.json`` (same protocol and same seed-0 values: re-evaluating seed 0
differently makes it stale; re-run ``ganzoo seeds``). A stale file is ignored by ``ganzoo table``,
which says so.
"""

import datetime
import json
import math
import os
from pathlib import Path

from ganzoo import checkpoint

FORMAT = "ganzoo-seeds/1"
SEEDS_FILE = checkpoint.SEEDS
SHIPPED_SEED = 0
#: where a run's seed lives in ``config.json`` (the GAN's latent sampler seed = the run's seed)
CONFIG_SEED = ("gan", "config", "seed")
#: names Keras gives its objects per process ("gan", "gan_1", "adam_3"): not part of the recipe
KERAS_NAMES = (
    ("gan", "config", "name"),
    ("gan", "config", "generator", "config", "name"),
    ("gan", "config", "discriminator", "config", "name"),
    ("gan", "compile_config", "g_optimizer", "config", "name"),
    ("gan", "compile_config", "d_optimizer", "config", "name"),
)
#: ``metrics.json`` keys that define the evaluation protocol (``seed`` is the LATENT seed of the
#: samples; it is called ``latent_seed`` in ``seeds.json``)
PROTOCOL_KEYS = {"dataset": "dataset", "num_samples": "num_samples", "latent_seed": "seed",
                 "samples": "samples", "reference": "reference", "feature_space": "feature_space",
                 "inception_feature_space": "inception_feature_space", "methods": "protocol"}
#: ``metadata.json["training"]`` keys that must match: the same budget
BUDGET_KEYS = ("epochs", "images_seen")
#: hyper-parameters that do not change what a run trains (the same weights bit for bit:
#: ``steps_per_execution``, tests/test_training.py), so the seeds of one recipe may differ in them
NEUTRAL_HPARAMS = ("steps_per_execution",)
AGGREGATION = ("per metric over the n seeds: mean = arithmetic mean, std = sample standard "
               "deviation (ddof=1; null when n < 2). Non-finite values propagate: mean = inf if "
               "any seed is inf (-inf likewise; nan if any is nan or both infinities occur) and "
               "std = null; non_finite counts those seeds.")


class SeedStudyError(ValueError):
    """The seed folders cannot be aggregated with this checkpoint (another entry or recipe,
    another evaluation protocol, a duplicate seed, a shipped checkpoint that is not seed 0)."""


# -- reading one run -------------------------------------------------------------------------------

def training_seed(config, metadata, where="checkpoint"):
    """The seed a checkpoint was trained with: ``metadata["hyperparameters"]["seed"]`` (0 when
    absent: checkpoints written before it was recorded were all seed 0). A ``config.json`` whose
    GAN seed says otherwise is refused: it cannot tell which seed trained it."""
    hp = metadata.get("hyperparameters") or {}
    seed = hp.get("seed", SHIPPED_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SeedStudyError(f"{where}: metadata.json hyper-parameter seed is {seed!r}, not a "
                             "non-negative integer")
    gan_seed = _get(config, CONFIG_SEED)
    if "seed" in hp and gan_seed is not None and gan_seed != seed:
        raise SeedStudyError(f"{where}: metadata.json says seed {seed}, config.json's GAN seed "
                             f"is {gan_seed}: which seed trained it?")
    return seed


def protocol_of(record):
    """The evaluation protocol of a ``metrics.json`` record (see :data:`PROTOCOL_KEYS`), plus the
    sorted names of its metrics."""
    out = {ours: record.get(theirs) for ours, theirs in PROTOCOL_KEYS.items()}
    out["metrics"] = sorted(record.get("metrics") or {})
    return out


def _get(obj, path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _without(obj, paths):
    obj = json.loads(json.dumps(obj))  # a deep copy
    for path in paths:
        parent = _get(obj, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return obj


def _recipe(config):
    """``config.json`` without what may differ between seeds of one recipe."""
    return _without(config, (CONFIG_SEED,) + KERAS_NAMES + (("description",),))


def _first_difference(a, b, path=()):
    """The path of the first difference between two JSON values, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return path + (key,)
            found = _first_difference(a[key], b[key], path + (key,))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, path + (i,))
            if found is not None:
                return found
        return None
    return None if _canon(a) == _canon(b) else path


def _canon(obj):
    """A canonical text of a JSON value (``nan`` equals ``nan`` here)."""
    return json.dumps(obj, sort_keys=True, allow_nan=True)


def _show(path):
    return ".".join(map(str, path)) or "(top level)"


class _Run:
    """One verified checkpoint with a current ``metrics.json``."""

    def __init__(self, directory, role):
        from ganzoo import evaluation

        self.directory = Path(directory)
        self.role = role
        if not checkpoint.is_checkpoint(self.directory):
            raise SeedStudyError(f"{role} {self.directory} is not a ganzoo checkpoint directory "
                                 "(no checksums.sha256 / ganzoo config.json: an unfinished "
                                 "training run?)")
        entries = checkpoint.verify(self.directory)  # CheckpointError names the bad file
        self.config = checkpoint._read_json(self.directory / checkpoint.CONFIG)
        self.metadata = checkpoint.read_metadata(self.directory)
        self.record = evaluation.read_metrics(self.directory)
        if self.record is None or not self.record.get("metrics"):
            why = ("has no metrics.json" if not (self.directory / checkpoint.METRICS).exists()
                   else "has a metrics.json computed from other weights (stale)")
            raise SeedStudyError(f"{role} {self.directory} {why}: evaluate it first "
                                 f"(ganzoo eval {self.directory})")
        self.seed = training_seed(self.config, self.metadata, f"{role} {self.directory}")
        self.weights_sha256 = entries[checkpoint.WEIGHTS]
        self.manifest_sha256 = checkpoint.sha256_file(self.directory / checkpoint.MANIFEST)
        self.protocol = protocol_of(self.record)

    def summary(self):
        training = self.metadata.get("training") or {}
        return {
            "metrics": dict(self.record["metrics"]),
            "weights_sha256": self.weights_sha256,
            "manifest_sha256": self.manifest_sha256,
            "command": training.get("command"),
            "images_seen": training.get("images_seen"),
            "wall_time_minutes": training.get("wall_time_minutes"),
            "evaluated": self.record.get("evaluated"),
            "backend": self.record.get("backend"),
            "keras_version": self.record.get("keras_version"),
            "ganzoo_version": self.record.get("ganzoo_version"),
        }


def _check_same_recipe(shipped, run):
    where = f"{run.role} {run.directory}"
    theirs, ours = run.config, shipped.config
    if (theirs.get("name"), theirs.get("dataset")) != (ours.get("name"), ours.get("dataset")):
        raise SeedStudyError(
            f"{where} is a checkpoint of {theirs.get('name')!r} on {theirs.get('dataset')!r}; "
            f"{shipped.directory} is {ours.get('name')!r} on {ours.get('dataset')!r}: a seed study "
            "aggregates runs of one entry")
    diff = _first_difference(_recipe(ours), _recipe(theirs))
    if diff is not None:
        raise SeedStudyError(
            f"{where} was trained with another recipe: config.json differs from "
            f"{shipped.directory}'s at {_show(diff)} ({_canon(_get(_recipe(theirs), diff))} vs "
            f"{_canon(_get(_recipe(ours), diff))}); only the seed may differ")
    ignored = ("seed",) + NEUTRAL_HPARAMS
    hp = {k: v for k, v in (run.metadata.get("hyperparameters") or {}).items() if k not in ignored}
    hp0 = {k: v for k, v in (shipped.metadata.get("hyperparameters") or {}).items()
           if k not in ignored}
    diff = _first_difference(hp0, hp)
    if diff is not None:
        raise SeedStudyError(
            f"{where} was trained with other hyper-parameters: {_show(diff)} is "
            f"{_canon(hp.get(diff[0]))} there, {_canon(hp0.get(diff[0]))} in {shipped.directory}; "
            "only the seed may differ")
    for meta_key in ("name", "dataset"):
        if run.metadata.get(meta_key) != shipped.metadata.get(meta_key):
            raise SeedStudyError(f"{where}: metadata.json {meta_key} "
                                 f"{run.metadata.get(meta_key)!r} != "
                                 f"{shipped.metadata.get(meta_key)!r} in {shipped.directory}")
    budget = {k: (run.metadata.get("training") or {}).get(k) for k in BUDGET_KEYS}
    budget0 = {k: (shipped.metadata.get("training") or {}).get(k) for k in BUDGET_KEYS}
    if budget != budget0:
        raise SeedStudyError(
            f"{where} had another training budget ({budget}) than {shipped.directory} "
            f"({budget0}): a seed study compares complete runs of the same recipe")


def _check_same_protocol(shipped, run):
    for key in list(PROTOCOL_KEYS) + ["metrics"]:
        a, b = shipped.protocol.get(key), run.protocol.get(key)
        if _canon(a) != _canon(b):
            raise SeedStudyError(
                f"{run.role} {run.directory} was evaluated with another protocol: {key} is "
                f"{_canon(b)} there, {_canon(a)} for {shipped.directory}. Re-evaluate it the way "
                f"seed 0 was ({shipped.record.get('command') or 'ganzoo eval'})")


# -- aggregation -----------------------------------------------------------------------------------

def aggregate(values):
    """``{"mean", "std", "n", "non_finite"}`` of a list of numbers (see the module docstring for
    non-finite values). ``std`` is the sample standard deviation (ddof=1)."""
    x = [float(v) for v in values]
    n = len(x)
    if n == 0:
        raise ValueError("nothing to aggregate")
    finite = [v for v in x if math.isfinite(v)]
    non_finite = n - len(finite)
    if any(math.isnan(v) for v in x) or (math.inf in x and -math.inf in x):
        mean = math.nan
    elif math.inf in x:
        mean = math.inf
    elif -math.inf in x:
        mean = -math.inf
    else:
        mean = math.fsum(x) / n
    std = None
    if non_finite == 0 and n >= 2:
        std = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1))
    return {"mean": mean, "std": std, "n": n, "non_finite": non_finite}


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _aggregate_metrics(per_seed):
    names = sorted({k for s in per_seed.values() for k in s["metrics"]})
    out = {}
    for name in names:
        values = [s["metrics"].get(name) for s in per_seed.values()]
        if all(_is_number(v) for v in values):
            out[name] = aggregate(values)
    return out


def card_summary(record):
    """The part of ``seeds.json`` the model card shows (``metadata.json["seeds"]``)."""
    return {
        "seeds": list(record["seeds"]),
        "per_seed": {k: dict(v["metrics"]) for k, v in record["per_seed"].items()},
        "aggregate": record["aggregate"],
        "num_samples": record["protocol"].get("num_samples"),
        "latent_seed": record["protocol"].get("latent_seed"),
    }


def _dump(obj):
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=True) + "\n"


def build_record(checkpoint_dir, seed_dirs, keep=True):
    """Check everything (see the module docstring) and return the ``seeds.json`` record; nothing
    is written. With ``keep``, the seeds of a current ``seeds.json`` that are not among
    ``seed_dirs`` stay in the record. :class:`SeedStudyError` (a ``ValueError``) says what does not
    fit."""
    checkpoint_dir = Path(checkpoint_dir)
    seed_dirs = [Path(d) for d in seed_dirs]
    if not seed_dirs:
        raise SeedStudyError("give at least one seed folder besides the shipped checkpoint (seed "
                             "0): one seed is not a seed study")
    shipped = _Run(checkpoint_dir, "the shipped checkpoint")
    if shipped.seed != SHIPPED_SEED:
        raise SeedStudyError(
            f"{checkpoint_dir} was trained with seed {shipped.seed}: the shipped checkpoint of an "
            f"entry is always its seed-{SHIPPED_SEED} run (never the best seed). Ship the seed-0 "
            "run and pass this folder as one of the seed folders")
    seen_dirs = {os.path.realpath(checkpoint_dir): checkpoint_dir}
    runs = {shipped.seed: shipped}
    weights = {shipped.weights_sha256: checkpoint_dir}
    for d in seed_dirs:
        real = os.path.realpath(d)
        if real in seen_dirs:
            raise SeedStudyError(f"{d} is given twice (same folder as {seen_dirs[real]})")
        seen_dirs[real] = d
        run = _Run(d, "seed folder")
        _check_same_recipe(shipped, run)
        _check_same_protocol(shipped, run)
        if run.seed in runs:
            raise SeedStudyError(
                f"{d} holds a run of seed {run.seed}, and so does {runs[run.seed].directory}: each "
                "training seed counts once (the shipped checkpoint is seed 0)")
        if run.weights_sha256 in weights:
            raise SeedStudyError(f"{d} holds the same weights as {weights[run.weights_sha256]} "
                                 "(a copy, not another seed)")
        runs[run.seed] = run
        weights[run.weights_sha256] = d
    per_seed = {s: runs[s].summary() for s in runs}
    previous = read_seeds(checkpoint_dir) if keep else None
    for key, kept in ((previous or {}).get("per_seed") or {}).items():
        if int(key) in runs:  # seed 0, or a seed trained again: its folder's record wins
            continue
        if kept["weights_sha256"] in weights:
            raise SeedStudyError(
                f"{weights[kept['weights_sha256']]} holds the same weights as seed {key} of "
                f"{checkpoint_dir / SEEDS_FILE} (a copy, not another seed)")
        per_seed[int(key)] = dict(kept, kept=True)
        weights[kept["weights_sha256"]] = f"seed {key} of {SEEDS_FILE}"
    order = sorted(per_seed)
    per_seed = {str(s): per_seed[s] for s in order}
    return {
        "format": FORMAT,
        "name": shipped.config.get("name"),
        "dataset": shipped.config.get("dataset"),
        "shipped_seed": SHIPPED_SEED,
        "seeds": order,
        "weights_sha256": shipped.weights_sha256,
        "protocol": shipped.protocol,
        "per_seed": per_seed,
        "aggregate": _aggregate_metrics(per_seed),
        "aggregation": AGGREGATION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def aggregate_seeds(checkpoint_dir, seed_dirs, keep=True):
    """Aggregate the shipped checkpoint (seed 0) and ``seed_dirs`` (other seeds of the same recipe,
    each evaluated with ``ganzoo eval``): write ``seeds.json`` into ``checkpoint_dir``, the summary
    into its ``metadata.json`` and model card, and rewrite its manifest. Returns the ``seeds.json``
    record; its ``"manifest_sha256"`` key (not stored in the file) is the new sha256 of
    ``checksums.sha256`` -- the value a registry entry must now pin."""
    record = build_record(checkpoint_dir, seed_dirs, keep=keep)
    sha = checkpoint.update_card(checkpoint_dir, seeds=card_summary(record),
                                 files={SEEDS_FILE: _dump(record)})
    return dict(record, manifest_sha256=sha)


# -- reading ---------------------------------------------------------------------------------------

def seeds_status(checkpoint_dir):
    """``(status, record, reason)``: ``("absent", None, "")``, ``("current", record, "")`` or
    ``("stale", None, reason)`` for a ``seeds.json`` that no longer describes the checkpoint."""
    from ganzoo import evaluation

    directory = Path(checkpoint_dir)
    path = directory / SEEDS_FILE
    if not path.exists():
        return "absent", None, ""
    try:
        entries = checkpoint.read_manifest(directory)
    except checkpoint.CheckpointError as e:
        return "stale", None, str(e)
    if entries.get(SEEDS_FILE) != checkpoint.sha256_file(path):
        return "stale", None, f"{SEEDS_FILE} is not listed in (or does not match) the manifest"
    try:
        record = json.loads(path.read_text())
    except ValueError as e:
        return "stale", None, f"{SEEDS_FILE} is not JSON: {e}"
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return "stale", None, f"{SEEDS_FILE} is not in the {FORMAT} format"
    if record.get("weights_sha256") != entries.get(checkpoint.WEIGHTS):
        return "stale", None, f"{SEEDS_FILE} was computed for other weights"
    current = evaluation.read_metrics(directory)
    seed0 = (record.get("per_seed") or {}).get(str(SHIPPED_SEED)) or {}
    if current is None:
        return "stale", None, "the checkpoint's metrics.json is missing or stale"
    if (_canon(protocol_of(current)) != _canon(record.get("protocol"))
            or _canon(current.get("metrics")) != _canon(seed0.get("metrics"))):
        return "stale", None, (f"metrics.json was re-evaluated after {SEEDS_FILE} was written "
                               "(re-run `ganzoo seeds`)")
    return "current", record, ""


def read_seeds(checkpoint_dir):
    """The checkpoint's ``seeds.json`` if it is current (see the module docstring), else None."""
    return seeds_status(checkpoint_dir)[1]


# -- the command -----------------------------------------------------------------------------------

def _fmt(v):
    if v is None:
        return "—"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        return f"{v:.4g}"
    return str(v)


def format_summary(record):
    """A plain-text table of a ``seeds.json`` record: per metric mean ± std (n) and the value of
    every seed."""
    seeds = record["seeds"]
    header = ["metric", "mean", "std", "n"] + [f"seed {s}" for s in seeds]
    rows = []
    for name, stats in sorted(record["aggregate"].items()):
        rows.append([name, _fmt(stats["mean"]), _fmt(stats["std"]), str(stats["n"])]
                    + [_fmt(record["per_seed"][str(s)]["metrics"].get(name)) for s in seeds])
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    p = record["protocol"]
    lines += ["", f"{record['name']}: {len(seeds)} training seeds ({', '.join(map(str, seeds))}); "
              f"the shipped checkpoint is seed {record['shipped_seed']}.",
              f"protocol: {p.get('samples')}, reference {p.get('reference')}, feature space "
              f"{p.get('feature_space')}",
              "std: sample standard deviation over seeds (ddof=1); a non-finite value makes the "
              "mean non-finite and the std undefined (—)."]
    return "\n".join(lines)


def resolve_checkpoint(name_or_dir):
    """``(directory, released)``: ``checkpoints/<name>/`` for a released name (a registry entry),
    else the directory itself -- :func:`ganzoo.loading.resolve`, local checkpoints only."""
    from ganzoo import loading

    try:
        found = loading.resolve(name_or_dir, local_only=True)
    except checkpoint.CheckpointNotFoundError as e:
        if e.directory == Path(name_or_dir):  # a path with nothing there
            raise
        raise checkpoint.CheckpointNotFoundError(
            f"{e}; the seed study is written into the shipped checkpoint", e.directory) from None
    return found.directory, found.name is not None


def main_aggregate(name_or_dir, seed_dirs, keep=True):
    """What ``ganzoo seeds NAME DIR [DIR ...] [--fresh]`` runs; returns the text to print."""
    path, is_entry = resolve_checkpoint(name_or_dir)
    record = aggregate_seeds(path, seed_dirs, keep=keep)
    sha = record["manifest_sha256"]
    kept = [k for k, v in record["per_seed"].items() if v.get("kept")]
    lines = [format_summary(record), ""]
    if kept:
        lines += [f"Seeds {', '.join(kept)} kept from the previous {SEEDS_FILE} (their folders "
                  "were not given; --fresh drops them).", ""]
    lines += [f"Wrote {path / SEEDS_FILE} and updated {path / checkpoint.CARD}."]
    if is_entry:
        lines += ["", f"The manifest changed. Update the pin of {name_or_dir} to {sha}",
                  f"  (python scripts/pin_checkpoints.py {name_or_dir}), then run `ganzoo table`."]
    else:
        lines += ["", f"New sha256 of {path / checkpoint.MANIFEST}: {sha}"]
    return "\n".join(lines)
