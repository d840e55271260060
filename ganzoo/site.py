"""The documentation site's generated pages, from the checkpoints on disk and the code.

``mkdocs build`` (``mkdocs.yml`` at the repository root) runs the hook ``docs/hooks.py``, which
adds the pages of :func:`pages` to the site before it is rendered -- nothing here is written into
``docs/`` or committed, so the site can never disagree with ``checkpoints/``:

* ``index.md``: getting started -- README's introduction, its two commands, the Python and
  command-line sections (copied from README.md, so the two never drift apart);
* ``gallery.md``: every GAN checkpoint (:func:`ganzoo.zootable.collect`), one card per entry with
  its ``samples.png``, headline metric with its seed note, training budget and a link to its model
  card, then the full metrics table of ``docs/zoo.md`` per dataset; registered entries without a
  checkpoint are listed as such;
* ``zoo/<name>/index.md`` + ``zoo/<name>/samples.png``: each checkpoint's model card (its
  ``README.md``) and sample grid;
* ``techniques/index.md`` and ``techniques/<key>.md``: one page per registered technique, from its
  class docstring, paper, hyper-parameters and declarations, its module's formulas, and the entries
  that use it beside their baseline.

Like ``ganzoo table``, no dates or timings: the same checkpoints give the same pages.
"""

import inspect
import json
import re
from pathlib import Path

GALLERY = "gallery.md"
THUMB_WIDTH = 160
# README sections copied into the getting-started page, in this order
README_SECTIONS = ("Two commands", "Python", "Command line")


def card_uri(name):
    """The site path of an entry's model card page."""
    return f"zoo/{name}/index.md"


def grid_uri(name):
    """The site path of an entry's sample grid."""
    return f"zoo/{name}/samples.png"


def technique_uri(key):
    return f"techniques/{key}.md"


# ------------------------------------------------------------------------------ text helpers
def _doc_to_markdown(doc):
    """A docstring as Markdown: dedented, Sphinx roles (``:func:`x```) and double backticks as
    code spans, ``Args:`` blocks kept as a list."""
    text = inspect.cleandoc(doc or "")
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    # an indented literal block ("::" then indented lines) as a fenced code block
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and i + 1 < len(lines):
            out.append(line.rstrip()[:-1])
            j = i + 1
            block = []
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
                block.append(lines[j][4:])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["", "```text"] + [b for b in block if b or block] + ["```", ""]
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _code(value):
    return "`" + json.dumps(value, sort_keys=True, default=str) + "`"


def _rel(page_uri, target_uri):
    """``target_uri`` relative to the folder of ``page_uri`` (both site paths)."""
    depth = page_uri.count("/")
    return "../" * depth + target_uri


# ------------------------------------------------------------------------------ the data
def _rows(checkpoints_root):
    from ganzoo import zootable

    return zootable.in_zoo_order(zootable.collect(checkpoints_root))


def _registered():
    from ganzoo.zoo import ENTRIES

    return ENTRIES


def _by_dataset(rows):
    from ganzoo import zootable

    groups = {}
    for r in rows:
        groups.setdefault(r["dataset"], []).append(r)
    return {d: groups[d] for d in sorted(groups, key=zootable._order)}


def _techniques_links(names, page):
    if not names:
        return "none (baseline)"
    from ganzoo.techniques import TECHNIQUES

    return ", ".join(f"[`{n}`]({_rel(page, technique_uri(n))})" if n in TECHNIQUES else f"`{n}`"
                     for n in names)


def _budget_text(r):
    t = r["training"]
    parts = []
    if isinstance(t.get("epochs"), int):
        parts.append(f"{t['epochs']} epochs")
    if isinstance(t.get("images_seen"), int):
        parts.append(f"{t['images_seen']:,} real {'points' if _toy(r) else 'images'} seen")
    if isinstance(t.get("wall_time_minutes"), (int, float)):
        parts.append(f"{t['wall_time_minutes']:g} min on 2 CPU cores")
    return ", ".join(parts) or "not recorded"


def _toy(r):
    from ganzoo import zootable

    return zootable._points(r["dataset"])


def _image(r, page, width=THUMB_WIDTH):
    if not r["has_grid"]:
        return "no sample grid"
    return (f"![{r['name']} samples]({_rel(page, grid_uri(r['dir']))})"
            f'{{ width="{width}" loading="lazy" }}')


# ------------------------------------------------------------------------------ gallery
def _card(r, page):
    from ganzoo import zootable

    card = _rel(page, card_uri(r["dir"]))
    return [
        f"-   [**{r['name']}**]({card})",
        "",
        "    ---",
        "",
        f"    [{_image(r, page)}]({card})",
        "",
        f"    {zootable._esc(r['description'])}" if r["description"] else "    &nbsp;",
        "",
        f"    **{zootable._headline(r)}**",
        "",
        f"    Techniques: {_techniques_links(r['techniques'], page)}  ",
        f"    Budget: {_budget_text(r)}  ",
        f"    [Model card]({card})",
        "",
    ]


def _metrics_table(dataset, entries, floors, page):
    """The dataset's section of ``docs/zoo.md`` (same columns and cells), with a link to each
    model card instead of the thumbnail."""
    from ganzoo import zootable

    toy = zootable._mode_cells(dataset)
    columns = zootable._columns(dataset, entries)
    header = (["entry", "techniques"] + [c[1] for c in columns]
              + ["seeds", "eval", "images seen", "minutes"])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for r in entries:
        seen, minutes = zootable._budget(r["training"])
        lines.append("| " + " | ".join(
            [f"[`{r['name']}`]({_rel(page, card_uri(r['dir']))})",
             _techniques_links(r["techniques"], page)]
            + zootable._row_cells(r, columns, toy)
            + [zootable._seeds_cell(r), zootable._eval_cell(r["context"]), seen, minutes]) + " |")
    floor = floors.get(dataset)
    if floor:
        cells = zootable._floor_row(floor, columns, toy)
        lines.append("| *real vs real* | — | " + " | ".join(cells) + " | — | "
                     + zootable._eval_cell(floor) + " | — | — |")
    lines += zootable._per_seed_section(entries, columns, toy)
    return lines


def gallery(rows, floors=None, registered=None, aliases=None):
    """The gallery page (Markdown). ``rows``: :func:`ganzoo.zootable.collect`'s; ``registered``:
    entry names -- those without a checkpoint are listed at the end; ``aliases``: retired name ->
    (entry, why), :data:`ganzoo.zoo.ALIASES`."""
    from ganzoo import zootable

    floors = floors or {}
    page = GALLERY
    lines = [
        "# Gallery",
        "",
        "<!-- generated by ganzoo.site from checkpoints/: do not edit -->",
        "",
        f"Every shipped checkpoint of the zoo ({len(rows)} entries), generated from "
        "`checkpoints/*/{config,metadata,metrics,seeds}.json` and `samples.png` when the site is "
        "built. Each grid is `gan.sample(64, seed=0)`. *seed 0 only*: the figures are the "
        "shipped run's, one training seed -- a difference to another entry may be seed noise; "
        "with a seed study an entry shows mean ± std over its seeds. Every MNIST entry trains the "
        "same network for the same budget, every toy entry the same MLPs, so only the technique "
        "differs. [How to read the metrics](#how-to-read-the-metrics) is below; the "
        "[design notes](design.md#evaluation) give the protocol.",
        "",
    ]
    for dataset, entries in _by_dataset(rows).items():
        title = zootable.dataset_title(dataset)
        lines += [f"## {title}", ""]
        refs = sorted({r["context"]["reference"] for r in entries if r["context"].get("reference")})
        if refs:
            lines += ["Reference: " + "; ".join(refs) + ".", ""]
        lines += ['<div class="grid cards" markdown>', ""]
        for r in entries:
            lines += _card(r, page)
        lines += ["</div>", "", f"### All metrics: {title} {{ #all-metrics-{dataset} }}", ""]
        spaces = sorted({r["context"]["feature_space"] for r in entries
                         if r["context"].get("feature_space")})
        if spaces and not _toy(entries[0]):
            lines += ["Feature space: " + "; ".join(f"`{s}`" for s in spaces) + ".", ""]
        lines += _metrics_table(dataset, entries, floors, page) + [""]
    shipped = {r["name"] for r in rows}
    missing = sorted(set(registered or ()) - shipped)
    if missing:
        lines += ["## Registered, no checkpoint yet", "",
                  ", ".join(f"`{n}`" for n in missing), ""]
    if aliases:
        lines += ["## Retired names", "", "These names still load, as the entry they now name:", ""]
        lines += [f"- `{old}` → `{new}`: {why}." for old, (new, why) in sorted(aliases.items())]
        lines += [""]
    lines += ["## How to read the metrics", "", zootable.METRICS_NOTE, ""]
    return "\n".join(lines)


def missing_from_gallery(gallery_md, checkpoints_root):
    """Registered entries with a checkpoint under ``checkpoints_root`` that ``gallery_md`` lacks
    (no card linking its model card and sample grid): a list of names, empty when complete."""
    from ganzoo import checkpoint

    root = Path(checkpoints_root)
    missing = []
    for name in sorted(_registered()):
        if not (root / name / checkpoint.CONFIG).exists():
            continue
        card = f"[**{name}**]({card_uri(name)})"
        if card not in gallery_md or f"({grid_uri(name)})" not in gallery_md:
            missing.append(name)
    return missing


# ------------------------------------------------------------------------------ model cards
def card_page(directory, name):
    """An entry's model card (its ``README.md``) as a site page: the Hub's YAML front matter is
    dropped, a line saying where it comes from is added."""
    text = (Path(directory) / "README.md").read_text()
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end > 0:
            text = text[end + 5:].lstrip("\n")
    note = (f"\n\n*The model card of `{name}`: `checkpoints/{Path(directory).name}/README.md`, "
            "shown as shipped (also on the Hub). Back to the [gallery](../../gallery.md).*\n")
    return text.rstrip("\n") + note


# ------------------------------------------------------------------------------ techniques
def _instance(cls):
    try:
        return cls()
    except Exception:  # a technique that needs arguments: show its class declarations
        return cls


def _module_functions(cls):
    """Public functions of the technique's module that belong to it: named after its key's first
    word or mentioned in its docstring."""
    module = inspect.getmodule(cls)
    stem = cls.key.split("_")[0]
    doc = cls.__doc__ or ""
    out = []
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ != module.__name__ or name.startswith("_"):
            continue
        if name.startswith(stem) or re.search(rf"\b{re.escape(name)}\b", doc):
            out.append((name, fn))
    return out


def _declarations(cls):
    t = _instance(cls)
    rows = []
    params = [(p.name, p.default) for p in inspect.signature(cls.__init__).parameters.values()
              if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    for name, default in params:
        rows.append((f"parameter `{name}`", "required" if default is inspect.Parameter.empty
                     else f"default {_code(default)}"))
    for attr, label in (("engine", "engine (loss, update, n_critic)"),
                        ("engine_defaults", "engine defaults (yield to a requirement)"),
                        ("hparams", "optimizer defaults"),
                        ("generator_kwargs", "generator options"),
                        ("discriminator_kwargs", "discriminator options")):
        value = getattr(t, attr)
        if value:
            rows.append((label, _code(value)))
    if cls.losses is not None:
        rows.append(("losses it works with", ", ".join(f"`{x}`" for x in cls.losses)))
    if cls.group is not None:
        rows.append(("group (at most one per GAN)", cls.group))
    rows.append(("composition order", str(cls.order)))
    rows.append(("state shipped in checkpoints", "yes" if cls.shipped else
                 "no (restarts from the loaded weights)"))
    return rows


def _title(cls):
    """The technique's name as its docstring opens with it (``"WGAN-GP (Gulrajani et al. ..."``,
    ``"Label noise: ..."``), else its key spelt out (``ema`` -> ``EMA``)."""
    first = " ".join(inspect.cleandoc(cls.__doc__ or "").split())
    m = (re.match(r"([A-Z][\w\- ]{1,50}?) \((?:sec\.|[A-Z]\w+ (?:et al\.|&))", first)
         or re.match(r"([A-Z][\w\- ]{1,50}?):", first))
    if m:
        return m.group(1)
    words = [w.upper() if len(w) <= 3 else w for w in cls.key.split("_")]
    return " ".join(words)[0].upper() + " ".join(words)[1:]


def technique_page(key, rows):
    from ganzoo import zootable
    from ganzoo.techniques import TECHNIQUES

    cls = TECHNIQUES[key]
    page = technique_uri(key)
    module = inspect.getmodule(cls)
    lines = [
        f"# {_title(cls)} (`{key}`)",
        "",
        "<!-- generated by ganzoo.site from the technique's code and checkpoints/: do not edit -->",
        "",
    ]
    if cls.paper:
        lines += [f"**Paper:** {cls.paper}.", ""]
    lines += [f'`ganzoo.create("dcgan", dataset="mnist", techniques=["{key}"])` -- class '
              f"`{cls.__module__}.{cls.__name__}` ([API](../api/techniques.md)).", "",
              "## What it does", "", _doc_to_markdown(cls.__doc__), ""]
    functions = _module_functions(cls)
    if functions:
        lines += ["## The math", ""]
        for name, fn in functions:
            sig = str(inspect.signature(fn))
            lines += [f"`{name}{sig}`", "", "> " + _doc_to_markdown(fn.__doc__).replace(
                "\n", "\n> "), ""]
    lines += ["## Hyper-parameters and declarations", "", "| setting | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in _declarations(cls)]
    lines += ["", f"Module `{module.__name__}`:", "", "> " + _doc_to_markdown(module.__doc__)
              .replace("\n", "\n> "), ""]
    users = [r for r in rows if key in r["techniques"]]
    lines += ["## Entries that use it", ""]
    if not users:
        lines += ["No zoo entry uses it yet.", ""]
        return "\n".join(lines)
    lines += ["Each beside the baseline trained on the same data with the same network and "
              "budget (only the techniques differ). Figures from `ganzoo eval`; *seed 0 only* "
              "means one training run.", ""]
    datasets = []
    for r in users:
        if r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    for dataset in sorted(datasets, key=zootable._order):
        group = [r for r in rows if r["dataset"] == dataset and not r["techniques"]]
        group += [r for r in users if r["dataset"] == dataset]
        lines += [f"### {zootable.dataset_title(dataset)}", "",
                  "| entry | techniques | headline metric | budget | samples (seed 0) |",
                  "| --- | --- | --- | --- | --- |"]
        for r in group:
            lines.append(
                f"| [`{r['name']}`]({_rel(page, card_uri(r['dir']))}) | "
                f"{_techniques_links(r['techniques'], page)} | {zootable._headline(r)} | "
                f"{_budget_text(r)} | {_image(r, page)} |")
        lines.append("")
    return "\n".join(lines)


def techniques_index(rows):
    from ganzoo.techniques import TECHNIQUES

    page = "techniques/index.md"
    lines = ["# Techniques", "",
             "<!-- generated by ganzoo.site from ganzoo.techniques: do not edit -->", "",
             "Every registered technique (`ganzoo.techniques.list_techniques()`). Any combination "
             "works on any family: `ganzoo.create(\"dcgan\", dataset=..., techniques=[...])`; one "
             "page each with the paper, the math, where the code follows the authors, its "
             "hyper-parameters and the entries that use it.", "",
             "| technique | paper | entries |", "| --- | --- | --- |"]
    for key in sorted(TECHNIQUES):
        cls = TECHNIQUES[key]
        users = [r["name"] for r in rows if key in r["techniques"]]
        used = ", ".join(f"[`{n}`]({_rel(page, card_uri(n))})" for n in users) or "—"
        lines.append(f"| [{_title(cls)} (`{key}`)]({key}.md) | {cls.paper or '—'} | {used} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ getting started
def _readme_section(text, title):
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    if not m:
        raise ValueError(f"README.md has no '## {title}' section")
    return m.group(1).strip("\n")


def getting_started(readme):
    """The home page: README's introduction and its :data:`README_SECTIONS`."""
    text = Path(readme).read_text()
    intro = text.split("\n## ", 1)[0].split("\n", 1)[1].strip("\n")
    lines = ["# ganzoo", "", "<!-- generated by ganzoo.site from README.md: do not edit -->", "",
             intro, "",
             "Browse the [gallery](gallery.md) of pretrained entries and the "
             "[techniques](techniques/index.md); the [API reference](api/index.md) documents the "
             "public modules.", ""]
    for title in README_SECTIONS:
        lines += [f"## {title}", "", _readme_section(text, title), ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ all pages
def pages(checkpoints_root, floors=None, readme=None):
    """Every generated file of the site: ``{site path: Markdown text or source Path}``."""
    from ganzoo.techniques import TECHNIQUES

    root = Path(checkpoints_root)
    if floors is not None and not isinstance(floors, dict):
        floors = json.loads(Path(floors).read_text()) if Path(floors).exists() else {}
    rows = _rows(root)
    from ganzoo.zoo import ALIASES

    out = {GALLERY: gallery(rows, floors, registered=list(_registered()), aliases=ALIASES)}
    for r in rows:
        directory = root / r["dir"]
        out[card_uri(r["dir"])] = card_page(directory, r["name"])
        if r["has_grid"]:
            out[grid_uri(r["dir"])] = directory / "samples.png"
    out["techniques/index.md"] = techniques_index(rows)
    for key in sorted(TECHNIQUES):
        out[technique_uri(key)] = technique_page(key, rows)
    if readme is not None:
        out["index.md"] = getting_started(readme)
    return out


def technique_nav():
    """The *Techniques* section of the site's navigation: the index, then one page each."""
    from ganzoo.techniques import TECHNIQUES

    return ["techniques/index.md"] + [{f"{_title(TECHNIQUES[k])} ({k})": technique_uri(k)}
                                      for k in sorted(TECHNIQUES)]
