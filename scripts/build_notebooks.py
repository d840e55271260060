"""Write the notebooks in notebooks/ from the cell sources below and, with --execute, run each one
top to bottom (nbclient) and save it with its outputs -- the committed notebooks carry the outputs
of such a run.

    python scripts/build_notebooks.py                  # write the sources (outputs cleared)
    python scripts/build_notebooks.py --execute        # ... and execute (budget: small)
    python scripts/build_notebooks.py --execute --budget full quickstart

tests/test_notebooks.py executes the committed notebooks again (small budget, in a temporary
copy) and fails on any cell error. Needs the ``notebooks`` extra: ``pip install -e ".[notebooks]"``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"

SETUP = '''\
# The budget switch: GANZOO_NOTEBOOK_BUDGET=small is CI's quick run (< 90 s on 2 cores); "full"
# (the default) uses the sizes you would use for real. The outputs saved in this notebook are
# from a run with the SMALL budget (python scripts/build_notebooks.py --execute).
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import ganzoo

BUDGET = os.environ.get("GANZOO_NOTEBOOK_BUDGET", "full")
SMALL = BUDGET == "small"
REPO = Path(ganzoo.__file__).resolve().parent.parent  # the repository (editable install)
# the real IDX files: $GANZOO_TEST_DATA/<name>, else ../shared/data/<name> beside the repository
DATA = Path(os.environ.get("GANZOO_TEST_DATA", REPO.parent / "shared" / "data"))
print(f"budget: {BUDGET}")'''


def show_grid_helper():
    return '''\
from ganzoo.utils.images import make_grid


def show(images, title=None, nrow=None, ax=None, size=4):
    """A grid of images in [-1, 1] (what gan.sample returns) as one matplotlib image."""
    grid = make_grid(images, nrow=nrow)
    if ax is None:
        _, ax = plt.subplots(figsize=(size, size * grid.shape[0] / grid.shape[1]))
    ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax'''


QUICKSTART = [
    ("md", """\
# ganzoo quickstart

List the zoo, load a pretrained entry, sample a grid, walk through its latent space and evaluate
it -- all offline, from the checkpoints in `checkpoints/`."""),
    ("code", SETUP),
    ("md", "## The zoo\n\nEvery entry ships a checkpoint and its metrics (`ganzoo list` on the "
           "command line)."),
    ("code", '''\
for name in ganzoo.list_models():
    info = ganzoo.model_info(name)
    print(f"{name:<24} {info['dataset']:<8} {info['description']}")'''),
    ("md", """\
## Load and sample

`ganzoo.load` finds the checkpoint (local `checkpoints/`, then the Hugging Face cache, then the
Hub), checks every file's sha256 and rebuilds the models in Keras safe mode. `sample(n, seed)` is
deterministic: float32 images in [-1, 1]."""),
    ("code", show_grid_helper()),
    ("code", '''\
gan = ganzoo.load("dcgan-mnist")
x = gan.sample(64, seed=0)
print(x.shape, x.dtype, float(x.min()), float(x.max()))
show(x, "dcgan-mnist: gan.sample(64, seed=0)");'''),
    ("md", """\
## Latent-space interpolation

Ten images between two latent vectors. The latents are N(0, I) in 100 dimensions, where a
straight line passes through low-norm points the generator never saw; spherical interpolation
(slerp) keeps the norm, so every step looks like a sample."""),
    ("code", '''\
def slerp(z0, z1, t):
    omega = np.arccos(np.clip(np.dot(z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1)), -1, 1))
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


z0, z1 = gan.latents(2, seed=3)
ts = np.linspace(0, 1, 10)
rows = np.concatenate([
    gan.generate(np.stack([(1 - t) * z0 + t * z1 for t in ts])),
    gan.generate(np.stack([slerp(z0, z1, t) for t in ts])),
])
show(rows, "top: linear, bottom: slerp", nrow=10, size=8);'''),
    ("md", """\
## Evaluate

`ganzoo.evaluate` computes the dataset's metrics: for MNIST a FID, KID and precision/recall in the
feature space of the domain classifier shipped in `checkpoints/classifier-mnist`, against the test
split. The zoo's numbers use 10,000 samples; the small budget uses 1,000 (FID is biased upwards
with fewer samples, so it reads higher than the card's)."""),
    ("code", '''\
from ganzoo import evaluation

num_samples = 1_000 if SMALL else 10_000
results = ganzoo.evaluate(gan, data_dir=DATA / "mnist", num_samples=num_samples, progress=False)
print(evaluation.format_table(results))
card = evaluation.read_metrics(REPO / "checkpoints" / "dcgan-mnist")
print(f"\\nThe checkpoint's metrics.json ({card['num_samples']:,} samples): "
      f"FID {card['metrics']['fid']:.2f}")'''),
]

FINE_TUNE = [
    ("md", """\
# Fine-tune a pretrained GAN on Fashion-MNIST

Start from `dcgan-mnist`, train it with `fit()` on Fashion-MNIST while a callback shows a sample
grid, save it as a checkpoint, load it back, and push it to a Hub -- here a local one
(`tests/hub_server.py`, the fake Hub the tests use), so that the notebook runs offline."""),
    ("code", SETUP),
    ("code", show_grid_helper()),
    ("code", '''\
import keras

gan = ganzoo.load("dcgan-mnist")
data = ganzoo.data.load("fashion_mnist", data_dir=DATA / "fashion_mnist", batch_size=64)
STEPS = 90 if SMALL else 937  # one epoch of Fashion-MNIST is 937 batches of 64
Z = gan.latents(32, seed=0)   # the same latents at every snapshot
show(gan.generate(Z), "before: dcgan-mnist", nrow=8, size=5);'''),
    ("md", "A Keras callback: every `every` steps, the generator's images for the fixed latents."),
    ("code", '''\
class ShowSamples(keras.callbacks.Callback):
    def __init__(self, z, every):
        super().__init__()
        self.z, self.every = z, every

    def on_train_batch_end(self, batch, logs=None):
        if (batch + 1) % self.every == 0:
            losses = ", ".join(f"{k} {float(v):.3f}" for k, v in (logs or {}).items())
            show(self.model.generate(self.z), f"step {batch + 1}: {losses}", nrow=8, size=5)
            plt.show()


history = gan.fit(data.take(STEPS), epochs=1, verbose=0,
                  callbacks=[ShowSamples(Z, every=STEPS // 3)])'''),
    ("md", """\
## Save and reload

`save_pretrained` writes the same checkpoint layout as `checkpoints/` (weights, config, model card,
sample grid, sha256 manifest); `ganzoo.load` on the folder gives back the same images."""),
    ("code", '''\
import tempfile

work = Path(tempfile.mkdtemp())
path = gan.save_pretrained(work / "dcgan-fashion", name="dcgan-fashion", dataset="fashion_mnist",
                           description="dcgan-mnist fine-tuned on Fashion-MNIST")
print(sorted(p.name for p in path.iterdir()))
again = ganzoo.load(path)
print("same samples after reload:", np.array_equal(again.sample(16, seed=1), gan.sample(16, seed=1)))'''),
    ("md", """\
## Push to the Hub (a local one)

`ganzoo.hub.push` uploads the checkpoint's files (checked against its manifest) with
`huggingface_hub`. Here the endpoint is the loopback fake Hub from `tests/hub_server.py`; against
the real Hub, log in (`hf auth login`) and call `ganzoo.hub.push(path, "you/dcgan-fashion")`, or
`ganzoo push PATH you/dcgan-fashion` on the command line."""),
    ("code", '''\
import sys
import warnings

# huggingface_hub imports tqdm.auto, which warns in Jupyter without ipywidgets (its bars fall
# back to text)
warnings.filterwarnings("ignore", message="IProgress not found")
from huggingface_hub import HfApi, constants  # noqa: E402

from ganzoo import hub

sys.path.insert(0, str(REPO / "tests"))
from hub_server import FakeHub  # noqa: E402

constants.HF_HUB_OFFLINE = False  # the local Hub is reachable even where HF_HUB_OFFLINE=1
with FakeHub(token="hf_local") as server:
    info = hub.push(path, "you/dcgan-fashion", api=HfApi(endpoint=server.url, token="hf_local"))
    files = server.repos["you/dcgan-fashion"]["files"]
print("commit:", info.oid)
for name, content in sorted(files.items()):
    print(f"  {name:<20} {len(content):>10,} bytes")
print(files["README.md"].decode().split("\\n# ", 1)[1][:400])'''),
]

MODE_COLLAPSE = [
    ("md", """\
# Mode collapse on the 2-D toys

`ring8` (8 Gaussians on a circle) and `grid25` (a 5x5 grid) make mode collapse visible in
seconds: a plain GAN covers a few modes, the techniques more or fewer. Every toy entry trains the
same MLPs for the same budget; only the technique differs."""),
    ("code", SETUP),
    ("code", '''\
from ganzoo import data, evaluation

TOYS = ("ring8", "grid25")
entries = {toy: ganzoo.list_models(f"*-{toy}", pretrained=True) for toy in TOYS}
for toy in TOYS:  # the plain GAN first
    entries[toy].sort(key=lambda n: (not n.startswith("gan-"), n))
print(entries)'''),
    ("md", "## Samples over the real modes (2,500 samples, seed 0; red crosses: the centres)"),
    ("code", '''\
def scatter(ax, points, toy, title):
    centers = data.toy_centers(toy)
    ax.scatter(points[:, 0], points[:, 1], s=1, alpha=0.3)
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="red", s=25)
    lim = np.abs(centers).max() * 1.5
    ax.set_xlim(-lim, lim); ax.set_ylim(-lim, lim); ax.set_aspect("equal")
    ax.set_xticks([]); ax.set_yticks([]); ax.set_title(title, fontsize=9)


gans, samples = {}, {}
width = max(len(v) for v in entries.values())
fig, axes = plt.subplots(len(TOYS), width, figsize=(2.2 * width, 2.3 * len(TOYS)))
for row, toy in zip(axes, TOYS):
    for ax, name in zip(row, entries[toy]):
        gans[name] = ganzoo.load(name)
        samples[name] = gans[name].sample(2500, seed=0)
        scatter(ax, samples[name], toy, name)
    for ax in row[len(entries[toy]):]:
        ax.set_axis_off()
fig.tight_layout()'''),
    ("md", """\
## Modes, high-quality samples and reverse KL

Computed by `ganzoo.evaluate` (the same code as `ganzoo eval`): a sample is *high quality* within
3σ of its nearest centre; *modes* counts the centres with at least one; the reverse KL compares the
high-quality samples' mode histogram with the uniform one. These entries were evaluated with one
training seed (seed 0); where a checkpoint has a seed study (`seeds.json`), the table shows its
mean ± std."""),
    ("code", '''\
from IPython.display import Markdown

from ganzoo.seeds import read_seeds


def cell(metrics, agg, key, fmt, mean_fmt=None):
    """Seed 0's figure, or mean ± std over the checkpoint's seed study when it has a current one."""
    if agg is None:
        return format(metrics[key], fmt)
    a, fmt = agg["aggregate"][key], mean_fmt or fmt
    std = "—" if a["std"] is None else format(a["std"], fmt)
    return f"{format(a['mean'], fmt)} ± {std}"


rows = ["| entry | modes | high quality | reverse KL | seeds |", "|---|---|---|---|---|"]
for toy in TOYS:
    for name in entries[toy]:
        m = ganzoo.evaluate(gans[name], progress=False)["metrics"]
        agg = read_seeds(REPO / "checkpoints" / name)  # None: no (current) seed study
        rows.append(f"| `{name}` | {cell(m, agg, 'modes', 'd', '.1f')}/{m['num_modes']} | "
                    f"{cell(m, agg, 'high_quality', '.1%')} | {cell(m, agg, 'reverse_kl', '.3f')} | "
                    f"{len(agg['seeds']) if agg else 1} |")
Markdown("\\n".join(rows))'''),
    ("md", """\
## Train one live: with and without a technique

Fresh weights, the entry's own recipe, a short run: `gan-ring8` (plain GAN) against
`dragan-ring8` (the same MLPs with DRAGAN's gradient penalty on D). The small budget runs a few
hundred steps, the full one 3,000 (about a minute each on a laptop); the checkpoints trained
far longer. After a few hundred steps neither has settled: one run says little (the checkpoints above
are the comparison that counts), but you see the dynamics start."""),
    ("code", '''\
import time

STEPS = 300 if SMALL else 3000
ring = data.load("ring8", batch_size=100)
fig, axes = plt.subplots(1, 2, figsize=(6, 3.2))
for ax, name in zip(axes, ["gan-ring8", "dragan-ring8"]):
    live = ganzoo.create(name, seed=0)
    start = time.time()
    live.fit(ring.take(STEPS), epochs=1, verbose=0)
    m = ganzoo.evaluate(live, data="ring8", progress=False)["metrics"]
    scatter(ax, live.sample(2500, seed=0), "ring8",
            f"{name}, {STEPS} steps: {m['modes']}/8 modes, HQ {m['high_quality']:.0%}")
    print(f"{name}: {time.time() - start:.0f} s, {m}")
fig.tight_layout()'''),
]

TECHNIQUES_TOUR = [
    ("md", """\
# A tour of the techniques

Each technique is a small unit that changes one thing in the GAN's training step (D's inputs, D's
targets, a penalty on D, G's loss, an average of weights). Below: what each one changes (from its
docstring), its checkpoint's samples beside the baseline's, and its metrics (from the checkpoints'
`metrics.json`). Then: composing two and training them."""),
    ("code", SETUP),
    ("code", '''\
import inspect
import json

from IPython.display import Markdown, display
from PIL import Image

from ganzoo import techniques
from ganzoo.zoo import ENTRIES
from ganzoo.zoo.registry import technique_name

CKPT = ganzoo.checkpoints_root()
by_technique = {}  # technique -> the single-technique entries that show it
for name in ganzoo.list_models(pretrained=True):  # the entries with a trained checkpoint
    if len(ENTRIES[name].techniques) == 1:
        by_technique.setdefault(technique_name(ENTRIES[name].techniques[0]), []).append(name)
BASELINE = {"mnist": "dcgan-mnist", "ring8": "gan-ring8", "grid25": "gan-grid25"}


def metrics(name):
    path = CKPT / name / "metrics.json"
    return json.loads(path.read_text())["metrics"] if path.exists() else {}


def headline(name):
    m = metrics(name)
    if "fid" in m:
        return f"FID {m['fid']:.1f}"
    if "modes" in m:
        return f"{m['modes']}/{m['num_modes']} modes, HQ {m['high_quality']:.0%}"
    return "no metrics"


print(techniques.list_techniques())'''),
    ("md", "## Each technique: what it changes, its samples beside the baseline's"),
    ("code", '''\
for key in techniques.list_techniques():
    doc = inspect.getdoc(techniques.TECHNIQUES[key]) or ""
    display(Markdown(f"### `{key}`\\n\\n" + doc.split("\\n\\n")[0]))
    shown = sorted((n for n in by_technique.get(key, []) if ENTRIES[n].dataset in BASELINE),
                   key=lambda n: list(BASELINE).index(ENTRIES[n].dataset))
    if not shown:
        print("(no single-technique checkpoint yet)")
        continue
    pairs = [(BASELINE[ENTRIES[n].dataset], n) for n in shown]
    fig, axes = plt.subplots(1, 2 * len(pairs), figsize=(2.6 * 2 * len(pairs), 2.9))
    for i, (base, name) in enumerate(pairs):
        for ax, shown_name in zip(axes[2 * i:2 * i + 2], (base, name)):
            ax.imshow(Image.open(CKPT / shown_name / "samples.png"), cmap="gray")
            ax.set_axis_off()
            ax.set_title(f"{shown_name}\\n{headline(shown_name)}", fontsize=8)
    plt.show()'''),
    ("md", """\
## The metrics side by side

From the checkpoints' `metrics.json` (seed 0; MNIST: classifier-feature FID / precision / recall
over 10,000 samples; toys: modes and high-quality fraction over 2,500)."""),
    ("code", '''\
rows = ["| technique | MNIST FID | precision | recall | ring8 modes | grid25 modes |",
        "|---|---|---|---|---|---|"]


def cells(names):
    out = {}
    for n in names:
        m, ds = metrics(n), ENTRIES[n].dataset
        if ds == "mnist" and m:
            out.update(fid=f"{m['fid']:.1f}", precision=f"{m['precision']:.2f}",
                       recall=f"{m['recall']:.2f}")
        elif m:
            out[ds] = f"{m['modes']}/{m['num_modes']} ({m['high_quality']:.0%} HQ)"
    return out


for key, names in [("none (baseline)", list(BASELINE.values()))] + sorted(by_technique.items()):
    c = cells(names)
    rows.append(f"| {key} | " + " | ".join(c.get(k, "") for k in
                                           ("fid", "precision", "recall", "ring8", "grid25")) + " |")
Markdown("\\n".join(rows))'''),
    ("md", """\
## Composing techniques

`ganzoo.create(family, dataset=..., techniques=[...])` builds any combination; each technique brings
what it needs (WGAN-GP its loss and critic steps) and a combination that cannot work is a
`ValueError` that says why."""),
    ("code", '''\
gan = ganzoo.create("dcgan", dataset="mnist",
                    techniques=["minibatch_discrimination", "one_sided_label_smoothing"], seed=0)
print([type(t).__name__ for t in gan.techniques])
try:
    ganzoo.create("dcgan", dataset="mnist", techniques=["wgan_gp", "r1"])
except ValueError as e:
    print("ValueError:", e)'''),
    ("code", '''\
STEPS = 20 if SMALL else 300
mnist = ganzoo.data.load("mnist", data_dir=DATA / "mnist", batch_size=64)
history = gan.fit(mnist.take(STEPS), epochs=1, verbose=0)
print({k: round(float(v[-1]), 3) for k, v in history.history.items()})
from ganzoo.utils.images import make_grid

plt.figure(figsize=(3, 3)); plt.axis("off")
plt.title(f"minibatch discrimination + label smoothing, {STEPS} steps", fontsize=8)
plt.imshow(make_grid(gan.sample(16, seed=0), nrow=4)[..., 0], cmap="gray");'''),
    ("md", "The same on a toy, where a few hundred steps already show the modes:"),
    ("code", '''\
from ganzoo import data

toy = ganzoo.create("mlp", dataset="ring8", techniques=["r1", "instance_noise"], seed=0)
toy.fit(data.load("ring8", batch_size=100).take(300 if SMALL else 3000), epochs=1, verbose=0)
pts, centers = toy.sample(2500, seed=0), data.toy_centers("ring8")
m = ganzoo.evaluate(toy, data="ring8", progress=False)["metrics"]
plt.figure(figsize=(3, 3))
plt.scatter(pts[:, 0], pts[:, 1], s=1, alpha=0.3)
plt.scatter(centers[:, 0], centers[:, 1], marker="x", color="red")
plt.gca().set_aspect("equal"); plt.xlim(-1.6, 1.6); plt.ylim(-1.6, 1.6)
plt.title(f"r1 + instance_noise: {m['modes']}/8 modes", fontsize=9);'''),
]

CONDITIONAL = [
    ("md", """\
# Conditional GANs: ask for a digit

`cgan-mnist` is the zoo's MNIST baseline (`dcgan-mnist`'s network and recipe) with the class label
given to both players (Mirza & Osindero 2014): G gets the label beside its latent, D sees it beside
the image. So you choose what it draws: `sample(n, seed, labels=...)`."""),
    ("code", SETUP),
    ("code", show_grid_helper()),
    ("code", '''\
gan = ganzoo.load("cgan-mnist")
print("conditional:", gan.conditional, "| classes:", gan.num_classes)
metrics = ganzoo.model_info("cgan-mnist")["metrics"]
print({k: round(v, 4) for k, v in metrics.items()
       if k in ("class_accuracy", "class_accuracy_min", "confident", "fid")})'''),
    ("md", """\
## One row per class

Ten samples of every digit: row *c* was generated with label *c*."""),
    ("code", '''\
rows = np.repeat(np.arange(10), 10)
show(gan.sample(100, seed=0, labels=rows), "cgan-mnist: row c = label c", nrow=10, size=6);'''),
    ("md", """\
## Style fixed, class varied

`generate(z, labels)` takes the latents too: the same 8 latents in every row, so a column keeps
one latent (the "style": slant, stroke width) while the label changes the digit."""),
    ("code", '''\
z = np.tile(gan.latents(8, seed=1), (10, 1))  # rows of the same 8 latents
show(gan.generate(z, labels=np.repeat(np.arange(10), 8)), "same latent per column", nrow=8,
     size=5);'''),
    ("md", """\
## Does it follow the label?

`ganzoo.evaluate` generates the classes in equal numbers and lets `classifier-mnist` read them:
`class_accuracy` is the share read as the class asked for, `class_accuracy_min` the worst
class's, beside the unconditional metrics (confident share, FID in the classifier's features)."""),
    ("code", '''\
N = 2_000 if SMALL else 10_000
results = ganzoo.evaluate(gan, data_dir=DATA / "mnist", num_samples=N, progress=False)
m = results["metrics"]
print(f"{N} samples: class accuracy {m['class_accuracy']:.4f} (worst class "
      f"{m['class_accuracy_min']:.4f}), confident {m['confident']:.4f}, FID {m['fid']:.3f}")
per_class = results["details"]["class_accuracy_per_class"]
plt.figure(figsize=(5, 2))
plt.bar(range(10), per_class)
plt.ylim(min(per_class) - 0.05, 1.0); plt.xticks(range(10))
plt.xlabel("requested class"); plt.ylabel("read as it");'''),
    ("md", """\
## Train one

`ganzoo.create("cgan-mnist")` builds the entry's recipe untrained (or compose your own:
`ganzoo.create("dcgan", dataset="mnist", techniques=["cgan"])`). A conditional GAN trains on
`(images, labels)` batches: `ganzoo.data.load(name, labels=True)` (or `fit(x, y)`). Without
labels, `fit` says so before it starts."""),
    ("code", '''\
fresh = ganzoo.create("cgan-mnist", seed=0)
try:
    fresh.fit(ganzoo.data.load("mnist", data_dir=DATA / "mnist", batch_size=64).take(1),
              verbose=0)
except ValueError as e:
    print("ValueError:", e)'''),
    ("code", '''\
STEPS = 150 if SMALL else 2_000
pairs = ganzoo.data.load("mnist", data_dir=DATA / "mnist", batch_size=64, labels=True)
history = fresh.fit(pairs.take(STEPS), epochs=1, verbose=0)
print({k: round(float(v[-1]), 3) for k, v in history.history.items()})
show(fresh.sample(50, seed=0, labels=np.repeat(np.arange(10), 5)),
     f"cgan from scratch, {STEPS} steps: row c = label c", nrow=5, size=3);'''),
]

BOOKS = {
    "quickstart": QUICKSTART,
    "fine_tune": FINE_TUNE,
    "mode_collapse": MODE_COLLAPSE,
    "techniques_tour": TECHNIQUES_TOUR,
    "conditional": CONDITIONAL,
}


def build(name):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "language_info": {"name": "python"}}
    for i, (kind, source) in enumerate(BOOKS[name]):
        cell = (nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell)(source)
        cell.id = f"{name}-{i}"
        nb.cells.append(cell)
    return nb


def execute(nb, budget, cwd, timeout=900):
    """Run ``nb`` in place with ``GANZOO_NOTEBOOK_BUDGET=budget``; return the seconds it took.
    A cell error raises ``nbclient.exceptions.CellExecutionError``."""
    from nbclient import NotebookClient

    old = os.environ.get("GANZOO_NOTEBOOK_BUDGET")
    os.environ["GANZOO_NOTEBOOK_BUDGET"] = budget
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        start = time.monotonic()
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(cwd)}}).execute()
        return time.monotonic() - start
    finally:
        if old is None:
            os.environ.pop("GANZOO_NOTEBOOK_BUDGET", None)
        else:
            os.environ["GANZOO_NOTEBOOK_BUDGET"] = old


def check(names, budget, max_seconds):
    """Execute each committed notebook from a clean copy; 0 when all ran within ``max_seconds``."""
    import tempfile

    failures = []
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in names:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        with tempfile.TemporaryDirectory() as tmp:
            try:
                seconds = execute(nb, budget, tmp)
            except Exception as e:  # CellExecutionError names the cell and its traceback
                failures.append(f"{name}: {e}")
                print(f"{name}: FAILED\n{e}", flush=True)
                continue
        ok = seconds <= max_seconds
        print(f"{name}: ran top to bottom in {seconds:.0f} s (budget {budget})"
              + ("" if ok else f" -- over the {max_seconds:.0f} s limit"), flush=True)
        if not ok:
            failures.append(f"{name}: {seconds:.0f} s")
    if failures:
        print("notebooks failed: " + "; ".join(f.splitlines()[0] for f in failures))
        return 1
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", default=list(BOOKS), help=f"of {', '.join(BOOKS)}")
    p.add_argument("--execute", action="store_true", help="run and save with outputs")
    p.add_argument("--budget", default="small", choices=["small", "full"])
    p.add_argument("--check", action="store_true",
                   help="CI: run the COMMITTED notebooks (outputs cleared, in a temporary folder) "
                        "top to bottom; fail on a cell error or a run over --max-seconds")
    p.add_argument("--max-seconds", type=float, default=180.0)
    args = p.parse_args(argv)
    if args.check:
        return check(args.names, args.budget, args.max_seconds)
    for name in args.names:
        nb = build(name)
        if args.execute:
            seconds = execute(nb, args.budget, NOTEBOOKS)
            for cell in nb.cells:  # the run's wall-clock stamps would churn every diff
                cell.metadata.pop("execution", None)
            print(f"{name}: executed in {seconds:.0f} s (budget {args.budget})", flush=True)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
