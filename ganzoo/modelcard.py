"""The model card (README.md) of a checkpoint, rendered from its config and metadata."""

import json
import re


def _table(rows):
    out = ["| | |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(out)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (dict, list)):
        return "`" + json.dumps(v, sort_keys=True) + "`"
    return str(v)


def _techniques_section(gan_cfg):
    """One item per technique: its parameters, what it does and where it follows the authors'
    code (the technique's own docstring) and its paper."""
    from ganzoo.techniques import TECHNIQUES

    by_class = {cls.__name__: cls for cls in TECHNIQUES.values()}
    lines = []
    for spec in gan_cfg.get("techniques") or ():
        cls = by_class.get(spec.get("class_name"))
        params = {k: v for k, v in sorted(spec.get("config", {}).items())
                  if k not in ("name", "trainable", "dtype")}
        key = cls.key if cls else spec.get("class_name")
        doc = " ".join((cls.__doc__ or "").split()) if cls else ""
        doc = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", doc).replace("``", "`")
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in params.items())
        lines.append(f"- **`{key}`**({args}): {doc}" + (f" *{cls.paper}.*" if cls and cls.paper else ""))
    if not lines:
        return []
    return ["## Techniques", ""] + lines + [""]


_EVAL_CONTEXT = ("num_samples", "seed", "reference", "feature_space")


def _metrics_section(metrics, num_classes=None):
    """The metrics table; a ``ganzoo eval`` result (see :mod:`ganzoo.evaluation`) also carries
    its sample count, seed, reference set and feature space, shown first. ``num_classes``: a
    conditional GAN's, evaluated on the classes ``i % num_classes``."""
    if "num_samples" not in metrics:
        return [_table([(k, _fmt(v)) for k, v in sorted(metrics.items())]), ""]
    n, seed = metrics["num_samples"], metrics.get("seed")
    labels = f", labels=arange({n}) % {num_classes}" if num_classes else ""
    rows = [("samples", f"{n:,} generated, `gan.sample({n}, seed={seed}{labels})`")]
    for key, label in (("reference", "reference"), ("feature_space", "feature space")):
        if key in metrics:
            rows.append((label, metrics[key]))
    rows += [(k, _fmt(v)) for k, v in sorted(metrics.items()) if k not in _EVAL_CONTEXT]
    return [_table(rows), "", "Computed by `ganzoo eval` (full record: `metrics.json`).", ""]


def _fmt_stat(v):
    if v is None:
        return "—"
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, float) and abs(v) == float("inf"):
        return "∞" if v > 0 else "-∞"
    return _fmt(v)


def _seeds_section(summary, metrics):
    """The seed study (``metadata["seeds"]``, written with ``seeds.json`` by :mod:`ganzoo.seeds`):
    per metric mean ± sample std over the training seeds and every seed's value. Shown only while
    its seed-0 values are this checkpoint's current metrics."""
    seeds = list(summary.get("seeds") or [])
    per_seed = summary.get("per_seed") or {}
    current = {k: v for k, v in metrics.items() if k not in _EVAL_CONTEXT}
    lines = ["## Seeds", ""]
    if (json.dumps(per_seed.get("0"), sort_keys=True)
            != json.dumps(current, sort_keys=True)):
        return lines + ["A seed study (`seeds.json`) was computed from an earlier evaluation of "
                        "this checkpoint; it is out of date (re-run `ganzoo seeds`).", ""]
    n, latent = summary.get("num_samples"), summary.get("latent_seed")
    protocol = f"{n:,} samples, latent seed {latent}" if isinstance(n, int) else "the same protocol"
    lines += [
        f"This checkpoint is the seed-0 run of its recipe (an entry always ships seed 0, never "
        f"its best seed). The same recipe was trained with {len(seeds)} seeds "
        f"({', '.join(map(str, seeds))}) and every run evaluated the same way ({protocol}); "
        "mean ± sample standard deviation (ddof=1) over the seeds:",
        "",
        "| metric | mean ± std | n | " + " | ".join(
            f"seed {s}" + (" (this checkpoint)" if s == 0 else "") for s in seeds) + " |",
        "| --- | --- | --- |" + " --- |" * len(seeds),
    ]
    for name, stats in sorted((summary.get("aggregate") or {}).items()):
        std = stats.get("std")
        pm = _fmt_stat(stats.get("mean")) + (f" ± {_fmt_stat(std)}" if std is not None else "")
        values = [_fmt_stat((per_seed.get(str(s)) or {}).get(name)) for s in seeds]
        lines.append(f"| {name} | {pm} | {stats.get('n')} | " + " | ".join(values) + " |")
    lines += ["", "A non-finite value (∞) makes the mean non-finite and the standard deviation "
              "undefined. Full record (per-seed weights, training commands, protocol): "
              "`seeds.json`.", ""]
    return lines


def _curves_section(history):
    from ganzoo import curves

    last = history[-1]
    quality = last.get("quality") or {}
    shown = ", ".join(f"{k} {_fmt(round(v, 4) if isinstance(v, float) else v)}"
                      for k, v in quality.items())
    return ["![training curves](curves.png)", "",
            f"*Losses are epoch means; quality is measured at each epoch's end on "
            f"{curves.QUALITY_SAMPLES:,} samples (latent seed {curves.QUALITY_SEED}; toys 2,500) "
            f"-- a curve, not the checkpoint's metrics below. Last point (epoch "
            f"{last['epoch']}): {shown or 'no quality measured'}. The numbers are in "
            f"`metadata.json` (`training.history`).*", ""]


def render(config, metadata):
    """The card's markdown; everything it says comes from ``config.json`` and ``metadata.json``."""
    card = metadata.get("card") or {}
    notes, paper, license = card.get("notes"), card.get("paper"), card.get("license")
    name = config["name"]
    dataset = config.get("dataset") or "unknown"
    gan_cfg = config["gan"]["config"]
    g_cfg = gan_cfg["generator"]["config"]
    d_cfg = gan_cfg["discriminator"]["config"]
    training = metadata.get("training") or {}
    metrics = metadata.get("metrics") or {}
    hparams = metadata.get("hyperparameters") or {}
    lines = [
        "---",
        "library_name: keras",
        f"license: {license or 'apache-2.0'}",
        "tags:",
        "- gan",
        "- ganzoo",
        "- keras",
        f"datasets:\n- {dataset}",
        "---",
        "",
        f"# {name}",
        "",
        config.get("description") or "",
        "",
        "![samples](samples.png)",
        "",
        f"*{metadata['samples']['count']} samples, `gan.sample({metadata['samples']['count']}, "
        f"seed={metadata['samples']['seed']})`.*",
        "",
        "## Use",
        "",
        "```python",
        "import ganzoo",
        f'gan = ganzoo.load("{name}")',
        "images = gan.sample(16, seed=0)   # float32 (16, H, W, C) in [-1, 1]",
        "```",
        "",
        "## Model",
        "",
        _table(
            [
                ("generator", f"`{gan_cfg['generator']['class_name']}` "
                 + _fmt({k: g_cfg[k] for k in sorted(g_cfg) if k not in ("name", "trainable", "dtype")})),
                ("discriminator", f"`{gan_cfg['discriminator']['class_name']}` "
                 + _fmt({k: d_cfg[k] for k in sorted(d_cfg) if k not in ("name", "trainable", "dtype")})),
                ("loss", gan_cfg.get("loss")),
                ("updates", f"{gan_cfg.get('update', 'simultaneous')}, "
                 f"{gan_cfg.get('n_critic', 1)} D step(s) per G step"),
                ("parameters", f"G {metadata['parameters']['generator']:,}, "
                 f"D {metadata['parameters']['discriminator']:,}"),
            ]
        ),
        "",
    ]
    lines += _techniques_section(gan_cfg)
    lines += [
        "## Training",
        "",
    ]
    if training:
        cmd = training.get("command")
        if cmd:
            lines += ["Trained with:", "", "```bash", cmd, "```", ""]
        rows = [(k, _fmt(v)) for k, v in sorted(training.items())
                if k not in ("command", "history")]
        lines += [_table(rows), ""]
        if training.get("history"):
            lines += _curves_section(training["history"])
    else:
        lines += ["Not trained (initial weights).", ""]
    if hparams:
        lines += ["Hyper-parameters:", "", _table([(k, _fmt(v)) for k, v in sorted(hparams.items())]), ""]
    lines += ["## Metrics", ""]
    if metrics:
        lines += _metrics_section(metrics, g_cfg.get("num_classes"))
    else:
        lines += ["No metrics computed yet for this checkpoint.", ""]
    if metadata.get("seeds"):
        lines += _seeds_section(metadata["seeds"], metrics)
    if notes:
        lines += ["## Notes", "", notes.strip(), ""]
    if paper:
        lines += ["## Reference", "", paper.strip(), ""]
    versions = metadata.get("versions", {})
    lines += [
        "## Files",
        "",
        "`config.json` (what to build), `model.weights.h5` (G and D weights"
        + (f", float32 stored as {stored}: metrics and samples are those of the stored weights"
           if (stored := (metadata.get("weights") or {}).get("float32_stored_as")) else "")
        + "), `metadata.json`, "
        "this card, `samples.png`, "
        + ("`curves.png` (training curves), " if training.get("history") else "")
        + "and `checksums.sha256` (sha256 of every other file; ganzoo verifies it before "
        "loading).",
        "",
        f"Written by ganzoo {versions.get('ganzoo')} with Keras {versions.get('keras')} "
        f"({versions.get('backend')} backend) on {metadata.get('created')}.",
        "",
    ]
    return "\n".join(lines)
