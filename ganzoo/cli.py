"""``ganzoo`` command line: argument parsing, output files and error reporting; the work is done
by the library."""

import argparse
import contextlib
import json
import os
import secrets
import sys

from ganzoo import _quiet
from ganzoo.guards import NonFiniteError
from ganzoo.hub import HubError
from ganzoo.metrics.errors import MetricUnavailableError
from ganzoo.training import TrainingError

# What ``main`` reports as one line and exit code 2: bad arguments and inputs (CheckpointError is
# a ValueError), files and network (FileNotFoundError, PermissionError, ConnectionError are
# OSErrors), the Hub and metrics that cannot run here, a diverged training (NonFiniteError: its
# state and any checkpoint are kept) and a --out that is busy, unwritable or not the run's own
# (TrainingError). Anything else is a bug: its traceback shows.
USER_ERRORS = (ValueError, TypeError, OSError, HubError, MetricUnavailableError, NonFiniteError,
               TrainingError)


def _cmd_list(args):
    from ganzoo import list_models, model_info
    from ganzoo.evaluation import CONTEXT_KEYS

    rows = [model_info(n) for n in list_models(args.pattern, pretrained=args.pretrained)]
    if not rows:
        print(f"No {'pretrained ' if args.pretrained else ''}entries match {args.pattern!r}")
        return 1
    for r in rows:
        metrics = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in sorted(r["metrics"].items())
                            if k not in CONTEXT_KEYS) or "no metrics yet"
        ckpt = "pretrained" if r["checkpoint"] else "no local checkpoint"
        print(f"{r['name']:<24} {r['dataset']:<14} {ckpt:<20} {metrics}\n    {r['description']}")
    return 0


def _cmd_info(args):
    from ganzoo import model_info

    print(json.dumps(model_info(args.name), indent=2, sort_keys=True, default=str))
    return 0


# ``ganzoo sample -o``: an image of the samples, or the float32 array streamed to a .npy file
NPY = ".npy"
MAX_IMAGE_SAMPLES = 10_000  # samples in one image (grid tiles or scatter points)
MAX_GRID_PIXELS = 100_000_000  # pixels of one grid image (after --scale)
MAX_JPEG_SIDE = 65_535  # the JPEG format's limit
NPY_CHUNK_BYTES = 64 << 20  # samples generated and written per step into a .npy


def _size(nbytes):
    """``nbytes`` for people: '900 B', '49.0 MiB', '2,852.2 TiB'."""
    if nbytes < 1024:
        return f"{nbytes} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        nbytes /= 1024
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:,.1f} {unit}"


@contextlib.contextmanager
def _output_file(path):
    """A new temporary file beside ``path``, moved onto ``path`` when the block succeeds and
    removed when it fails, so ``path`` is never left half-written. Creating it first tells at
    once, before any work, that ``path`` cannot be written: an unsupported extension, a folder, a
    missing or read-only folder."""
    from ganzoo.utils.images import IMAGE_FORMATS

    ext = os.path.splitext(path)[1].lower()
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise ValueError(f"-o {path} is a folder: give a file name, e.g. "
                         f"{os.path.join(path, 'samples.png')}")
    if ext not in (*IMAGE_FORMATS, NPY):
        raise ValueError(f"-o {path}: cannot write {ext or 'a file without an extension'}; use "
                         f"{', '.join(IMAGE_FORMATS)} (an image) or {NPY} (the float32 array)")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        why = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise FileNotFoundError(f"cannot write {path}: {folder} {why}")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise PermissionError(f"cannot write {path}: the file is read-only")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.partial{ext}")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as e:
        raise OSError(f"cannot write {path}: {e.strerror or e} (in {folder})") from e
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _check_sample_size(gan, n, path, nrow, scale):
    """Refuse, before sampling, an output that would not fit: a .npy larger than the free disk
    space, an image of more than MAX_IMAGE_SAMPLES samples or MAX_GRID_PIXELS pixels."""
    import math
    import shutil

    from ganzoo.utils.images import grid_size, image_format

    shape = tuple(gan.image_shape)
    total = n * math.prod(shape) * 4  # float32
    what = f"{n:,} float32 samples of shape {shape}"
    if path.lower().endswith(NPY):
        folder = os.path.abspath(os.path.dirname(path) or ".")
        free = shutil.disk_usage(folder).free
        if total > free:
            raise OSError(f"{path} would take {_size(total)} ({what}) but {folder} has only "
                          f"{_size(free)} free: ask for fewer samples or write elsewhere")
        return
    if n > MAX_IMAGE_SAMPLES:
        raise ValueError(f"{what} would take {_size(total)} in memory, and one image shows at "
                         f"most {MAX_IMAGE_SAMPLES:,}: ask for fewer, or write a {NPY} (streamed "
                         "to disk)")
    if len(shape) == 3:  # a grid of images (2-D points are a scatter plot of fixed size)
        height, width = (side * scale for side in grid_size(n, shape, nrow))
        too_long = image_format(path) == "JPEG" and max(height, width) > MAX_JPEG_SIDE
        if height * width > MAX_GRID_PIXELS or too_long:
            raise ValueError(f"the grid would be {width:,} x {height:,} pixels "
                             f"({_size(height * width * shape[-1])}); the limit is "
                             f"{MAX_GRID_PIXELS:,} pixels (JPEG: {MAX_JPEG_SIDE:,} a side): "
                             "lower --scale or -n, or change --nrow")


def _sample_chunks(gan, n, seed):
    """``gan.sample(n, seed)`` in chunks of about NPY_CHUNK_BYTES, equal to it sample for sample.

    The latents come from one ``np.random.default_rng(seed)``, drawn chunk by chunk (``latents``
    passes a Generator through ``default_rng`` unchanged, and a Generator's normal stream does
    not depend on how it is split); every chunk is a multiple of ``generate``'s batch of 256, so
    the generator sees exactly the batches ``gan.sample`` would give it.
    """
    import math

    import numpy as np

    batch = 256
    rows = max(1, NPY_CHUNK_BYTES // (4 * math.prod(gan.image_shape)) // batch) * batch
    rng = np.random.default_rng(seed)
    labels = gan.sample_labels(n, seed)  # a conditional GAN's classes, as sample() draws them
    for start in range(0, n, rows):
        z = gan.latents(min(rows, n - start), seed=rng)
        yield gan.generate(z, batch_size=batch,
                           labels=None if labels is None else labels[start:start + len(z)])


def _write_npy(gan, n, seed, path, progress=False):
    """Stream ``gan.sample(n, seed)`` into the .npy file ``path`` (the bytes ``np.save`` would
    write) with memory bounded by one chunk, whatever ``n``; ``progress``: a bar with an ETA on
    stderr."""
    import numpy as np
    from tqdm import tqdm

    shape = (n,) + tuple(gan.image_shape)
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype("<f4")), "fortran_order": False,
              "shape": shape}
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        with tqdm(total=n, desc="sampling", unit="sample", disable=not progress, leave=False,
                  dynamic_ncols=True) as bar:
            for chunk in _sample_chunks(gan, n, seed):
                np.ascontiguousarray(chunk, "<f4").tofile(f)
                bar.update(len(chunk))


def _cmd_sample(args):
    import ganzoo
    from ganzoo import data
    from ganzoo.utils.images import save_samples

    for flag, value, least in (("-n", args.num, 1), ("--scale", args.scale, 1),
                               ("--nrow", args.nrow, 1), ("--seed", args.seed, 0)):
        if value is not None and value < least:
            raise ValueError(f"{flag} must be at least {least}; got {value}")
    with _output_file(args.output) as tmp:
        gan = ganzoo.load(args.name, revision=args.revision)
        _check_sample_size(gan, args.num, args.output, args.nrow, args.scale)
        if tmp.lower().endswith(NPY):
            _write_npy(gan, args.num, args.seed, tmp, progress=sys.stderr.isatty())
        else:
            dataset = (getattr(gan, "checkpoint_config", None) or {}).get("dataset")
            centers = data.render_centers(dataset)
            save_samples(gan.sample(args.num, seed=args.seed), tmp, centers=centers,
                         nrow=args.nrow, scale=args.scale)
    print(f"Wrote {args.num} samples of {args.name} (seed {args.seed}) to {args.output}")
    return 0


def _cmd_train(args):
    from ganzoo.training import train

    done = train(args.name, args.out, epochs=args.epochs, data_dir=args.data_dir,
                 batch_size=args.batch_size, save_every=args.save_every * 60,
                 quality_every=args.quality_every,
                 max_minutes=args.max_minutes, steps_per_epoch=args.steps_per_epoch,
                 verbose=args.verbose, overwrite=args.overwrite, seed=args.seed,
                 distribution=args.devices, precision=args.precision)
    return 0 if done else 3


def _cmd_push(args):
    from ganzoo import hub

    info = hub.push(args.path, args.repo_id, revision=args.revision, private=args.private)
    print(f"Pushed {args.path} to {args.repo_id}: {getattr(info, 'commit_url', info)}")
    return 0


def _eval_target(name, gan):
    """Where ``ganzoo eval`` may write: the local checkpoint ``name`` resolves to
    (:class:`ganzoo.loading.Resolved`, local checkpoints only), which ``gan`` must have been
    loaded from, or a ValueError."""
    from pathlib import Path

    from ganzoo import checkpoint, loading

    directory = getattr(gan, "checkpoint_dir", None)
    if directory is None or str(name).startswith(loading.HUB_PREFIX):
        raise ValueError(f"{name} is not a local checkpoint: evaluate with --no-write, or a local "
                         "copy of the checkpoint directory")
    try:
        found = loading.resolve(name, local_only=True)
    except checkpoint.CheckpointNotFoundError as e:  # a released name fetched from the Hub
        local, found = e.directory, None
    else:
        local = found.directory
    if found is None or Path(directory).resolve() != local.resolve():
        raise ValueError(f"{name} was loaded from {directory} (the Hugging Face cache), not from "
                         f"{local}: evaluate with --no-write")
    return found


def _eval_command(args):
    import shlex

    parts = ["ganzoo", "eval"] + ([args.name] if args.name else ["--floor", args.floor])
    for flag, value in (("--metrics", args.metrics), ("--num-samples", args.num_samples),
                        ("--seed", args.seed), ("--batch-size", args.batch_size),
                        ("--data-dir", args.data_dir), ("--reference-size", args.reference_size)):
        if value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def _cmd_eval(args):
    import json as json_lib

    from ganzoo import evaluation

    if (args.name is None) == (args.floor is None):
        raise ValueError("give a NAME to evaluate, or --floor DATASET (not both)")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    common = dict(metrics=args.metrics, seed=args.seed, batch_size=args.batch_size,
                  data_dir=args.data_dir, progress=progress, reference_size=args.reference_size)
    if args.floor is not None:
        results = evaluation.real_floor(args.floor, num_samples=args.num_samples, **common)
        results["command"] = _eval_command(args)
        print(evaluation.format_table(results))
        if args.json:
            print(json_lib.dumps(results, indent=2, sort_keys=True))
        if not args.no_write:
            path = evaluation.write_floor(args.floors_file, results)
            print(f"\nWrote the {args.floor} floor to {path}; run `ganzoo table` to show it in "
                  "docs/zoo.md")
        return 0

    import ganzoo

    gan = ganzoo.load(args.name)
    target = None if args.no_write else _eval_target(args.name, gan)
    results = evaluation.evaluate(gan, num_samples=args.num_samples, **common)
    results["command"] = _eval_command(args)
    print(evaluation.format_table(results))
    if args.json:
        print(json_lib.dumps(results, indent=2, sort_keys=True))
    if target is None:
        return 0
    if not results["metrics"]:
        print("\nNo metric could be computed: nothing written.")
        return 1
    old = evaluation.read_metrics(target.directory)
    sha = evaluation.write_metrics(target.directory, results)
    print(f"\nWrote {target.directory / evaluation.METRICS_FILE} and updated "
          f"{target.directory / 'README.md'}.")
    if old:
        dropped = sorted(set(old.get("metrics") or {}) - set(results["metrics"]))
        if dropped:
            print(f"Note: the previous metrics.json also had {', '.join(dropped)}; they are not in "
                  "the new one (metrics.json holds one evaluation: list every metric you want).")
    if target.name is not None:  # a released name: its pin is now stale
        why = (f"until then ganzoo.load({args.name!r}) refuses this checkpoint (pinned: "
               f"{target.pin})" if target.pin else "it is not pinned yet")
        print(f"\nThe manifest changed. Update the pin of {args.name} to {sha}\n"
              f"  (python scripts/pin_checkpoints.py {args.name}); {why}.")
    else:
        print(f"\nNew sha256 of {target.directory / 'checksums.sha256'}: {sha}")
    return 0


def _cmd_table(args):
    from pathlib import Path

    from ganzoo import checkpoints_root, zootable

    readme = None if args.no_readme else Path(args.readme or "README.md")
    if readme is not None and not readme.exists():
        if args.readme is not None:
            raise FileNotFoundError(f"No README at {readme}")
        print(f"(no {readme} here: README block skipped)", file=sys.stderr)
        readme = None
    root = Path(args.checkpoints) if args.checkpoints else checkpoints_root()
    changed = zootable.write(root, args.out, floors=args.floors, readme=readme, check=args.check)
    if args.check:
        if changed:
            print("Out of date (run `ganzoo table`): " + ", ".join(map(str, changed)),
                  file=sys.stderr)
            return 1
        print("Zoo table up to date.")
        return 0
    print("Wrote " + ", ".join(map(str, changed)) if changed else "Zoo table already up to date.")
    return 0


def _cmd_seeds(args):
    from ganzoo.seeds import main_aggregate

    print(main_aggregate(args.name, args.seed_dirs, keep=not args.fresh))
    return 0


def build_parser():
    p = argparse.ArgumentParser(prog="ganzoo", description="A Keras 3 model zoo of GANs.")
    p.add_argument("--traceback", action="store_true",
                   help="on an error, show the full traceback instead of one line (bug reports)")
    # global, before the command: `ganzoo --tf-logs list` (train's --verbose is Keras verbosity).
    # Read from sys.argv by ganzoo._quiet, since the import happens before parsing.
    p.add_argument(_quiet.FLAG, action="store_true",
                   help="show TensorFlow's start-up log lines (absl, oneDNN notices), hidden by "
                        "default; also GANZOO_TF_LOGS=1")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("list", help="list the zoo entries")
    s.add_argument("pattern", nargs="?", default=None, help="fnmatch pattern, e.g. '*mnist*'")
    s.add_argument("--pretrained", action="store_true",
                   help="only the entries with a released checkpoint")
    s.set_defaults(func=_cmd_list)

    s = sub.add_parser("info", help="describe one entry (or checkpoint directory) as JSON")
    s.add_argument("name")
    s.set_defaults(func=_cmd_info)

    s = sub.add_parser("sample", help="write a grid (PNG, JPEG) or array (.npy) of samples")
    s.add_argument("name", help="entry name, checkpoint directory or hf://owner/name")
    s.add_argument("-n", "--num", type=int, default=64)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("-o", "--output", default="samples.png",
                   help=f"a .png/.jpg/.jpeg image (at most {MAX_IMAGE_SAMPLES:,} samples) or a "
                        ".npy array (any number: streamed to disk)")
    s.add_argument("--nrow", type=int, default=None, help="images per grid row")
    s.add_argument("--scale", type=int, default=2, help="pixel scale of the grid")
    s.add_argument("--revision", default=None, help="Hub revision (hf:// names)")
    s.set_defaults(func=_cmd_sample)

    s = sub.add_parser("train", help="train an entry (resumable: re-run to continue; "
                                     "--devices N, --precision)")
    s.add_argument("name")
    s.add_argument("--out", required=True, help="output directory (checkpoint + train_state/)")
    s.add_argument("--epochs", type=int, default=None, help="default: the entry's")
    s.add_argument("--data-dir", default=None, help="folder of the dataset's IDX files")
    s.add_argument("--batch-size", type=int, default=None, help="default: the entry's")
    s.add_argument("--save-every", type=float, default=3.0, help="minutes between state saves")
    s.add_argument("--quality-every", type=int, default=1, metavar="N",
                   help="measure a training-curve point every N epochs (2,000 samples scored as "
                        "the time-to-quality benchmark does; shown in the card's curves.png); "
                        "0: never")
    s.add_argument("--max-minutes", type=float, default=None, help="stop (resumably) after this")
    s.add_argument("--steps-per-epoch", type=int, default=None, help="cap (smoke tests)")
    s.add_argument("--verbose", type=int, default=None, help="Keras verbosity (1 bar, 2 line)")
    s.add_argument("--overwrite", action="store_true",
                   help="train into a folder that holds files other than a checkpoint's")
    s.add_argument("--seed", type=int, default=None,
                   help="the run's seed (weight init, data order, latents); default: the entry's")
    s.add_argument("--devices", type=int, default=None, metavar="N",
                   help="data-parallel training on N local devices (GPUs, else CPUs): "
                        "tf.distribute.MirroredStrategy under TensorFlow, keras.distribution."
                        "DataParallel under JAX; not under torch. --batch-size stays the global "
                        "batch (a multiple of N) and a step computes what one device computes "
                        "on it, so a run may resume on another N. Default: one device")
    s.add_argument("--precision", default=None,
                   choices=("float32", "mixed_float16", "mixed_bfloat16"),
                   help="Keras dtype policy: mixed_* compute in 16 bits with float32 weights "
                        "(mixed_float16 adds dynamic loss scaling); a run resumes only in its own "
                        "precision; the checkpoint loads in float32. Default: float32")
    s.set_defaults(func=_cmd_train)

    s = sub.add_parser("eval", help="evaluate a checkpoint; write metrics.json and its card")
    s.add_argument("name", nargs="?", default=None,
                   help="entry name or checkpoint directory (hf:// ids with --no-write)")
    s.add_argument("--metrics", default=None,
                   help="comma-separated names; default: the dataset's set (mnist: fid,kid,"
                        "precision,recall,classes_seen,class_kl,classifier_is; toys: modes,"
                        "high_quality,reverse_kl; stacked_mnist: modes,kl; a conditional "
                        "GAN adds class_accuracy); add "
                        "inception_fid,inception_kid,inception_is "
                        "explicitly ('default,inception_fid' keeps the rest)")
    s.add_argument("--num-samples", type=int, default=None,
                   help="generated samples (default 10000; toys 2500; stacked_mnist 26000)")
    s.add_argument("--seed", type=int, default=0, help="latent seed: gan.sample(N, seed)")
    s.add_argument("--batch-size", type=int, default=500)
    s.add_argument("--data-dir", default=None, help="folder of the dataset's IDX files")
    s.add_argument("--reference-size", type=int, default=None,
                   help="use only the first N test images as reference (quick checks)")
    s.add_argument("--no-write", action="store_true",
                   help="print only; do not write metrics.json / the card / floors.json")
    s.add_argument("--floor", default=None, metavar="DATASET",
                   help="instead of a GAN: the real-vs-real floor (train subset vs test split)")
    s.add_argument("--floors-file", default="docs/floors.json",
                   help="where --floor stores its result (read by `ganzoo table`)")
    s.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar (default: when stderr is a terminal)")
    s.add_argument("--json", action="store_true", help="also print the result as JSON")
    s.set_defaults(func=_cmd_eval)

    s = sub.add_parser("table", help="generate docs/zoo.md and the README summary block")
    s.add_argument("--out", default="docs/zoo.md")
    s.add_argument("--readme", default=None,
                   help="README with the <!-- zoo-table:start/end --> block (default README.md)")
    s.add_argument("--no-readme", action="store_true", help="do not touch the README")
    s.add_argument("--floors", default=None,
                   help="real-vs-real floors file (default: floors.json beside --out)")
    s.add_argument("--checkpoints", default=None,
                   help="checkpoints folder (default: $GANZOO_CHECKPOINTS or checkpoints/)")
    s.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a generated file is out of date")
    s.set_defaults(func=_cmd_table)

    s = sub.add_parser("seeds", help="aggregate an entry's seed study into its checkpoint's "
                                     "seeds.json (the table then shows mean ± std)")
    s.add_argument("name", help="entry name (checkpoints/NAME, always its seed-0 run) or "
                                "checkpoint directory")
    s.add_argument("seed_dirs", nargs="+", metavar="DIR",
                   help="the other seeds' checkpoint folders (ganzoo train NAME --seed K --out "
                        "DIR), each evaluated with `ganzoo eval DIR`")
    s.add_argument("--fresh", action="store_true",
                   help="drop the seeds an earlier `ganzoo seeds` recorded (kept by default when "
                        "their folders are gone)")
    s.set_defaults(func=_cmd_seeds)

    s = sub.add_parser("push", help="upload a checkpoint directory to the Hugging Face Hub")
    s.add_argument("path")
    s.add_argument("repo_id")
    s.add_argument("--revision", default=None)
    s.add_argument("--private", action="store_true")
    s.set_defaults(func=_cmd_push)
    return p


def _one_line(error):
    """``error``'s message on one line (an OSError of the system: its file and reason)."""
    if isinstance(error, OSError) and error.strerror and error.filename:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    if getattr(args, "verbose", 0) is None:
        args.verbose = 1 if sys.stdout.isatty() else 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if args.traceback:
            raise
        print(f"ganzoo {args.command}: interrupted", file=sys.stderr)
        return 130
    except USER_ERRORS as e:
        if args.traceback:
            raise
        print(f"ganzoo {args.command}: error: {_one_line(e)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
