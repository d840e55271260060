"""``ganzoo`` command line: argument parsing only; the work is done by the library."""

import argparse
import json
import os
import sys


def _cmd_list(args):
    from ganzoo import list_models, model_info

    rows = [model_info(n) for n in list_models(args.pattern)]
    if not rows:
        print(f"No entries match {args.pattern!r}")
        return 1
    for r in rows:
        metrics = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in sorted(r["metrics"].items())) or "no metrics yet"
        ckpt = "pretrained" if r["checkpoint"] else "no local checkpoint"
        print(f"{r['name']:<24} {r['dataset']:<14} {ckpt:<20} {metrics}\n    {r['description']}")
    return 0


def _cmd_info(args):
    from ganzoo import model_info

    print(json.dumps(model_info(args.name), indent=2, sort_keys=True, default=str))
    return 0


def _cmd_sample(args):
    import ganzoo
    from ganzoo.utils.images import save_grid

    if args.num < 1:
        raise SystemExit("ganzoo sample: -n must be at least 1")
    gan = ganzoo.load(args.name, revision=args.revision)
    images = gan.sample(args.num, seed=args.seed)
    if args.output.endswith(".npy"):
        import numpy as np

        np.save(args.output, images)
    else:
        save_grid(images, args.output, nrow=args.nrow, scale=args.scale)
    print(f"Wrote {args.num} samples of {args.name} (seed {args.seed}) to {args.output}")
    return 0


def _cmd_train(args):
    from ganzoo.training import train

    done = train(args.name, args.out, epochs=args.epochs, data_dir=args.data_dir,
                 batch_size=args.batch_size, save_every=args.save_every * 60,
                 max_minutes=args.max_minutes, steps_per_epoch=args.steps_per_epoch,
                 verbose=args.verbose)
    return 0 if done else 3


def _cmd_push(args):
    from ganzoo import hub

    info = hub.push(args.path, args.repo_id, revision=args.revision, private=args.private)
    print(f"Pushed {args.path} to {args.repo_id}: {info}")
    return 0


def build_parser():
    p = argparse.ArgumentParser(prog="ganzoo", description="A Keras 3 model zoo of GANs.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("list", help="list the zoo entries")
    s.add_argument("pattern", nargs="?", default=None, help="fnmatch pattern, e.g. '*mnist*'")
    s.set_defaults(func=_cmd_list)

    s = sub.add_parser("info", help="describe one entry (or checkpoint directory) as JSON")
    s.add_argument("name")
    s.set_defaults(func=_cmd_info)

    s = sub.add_parser("sample", help="write a grid (PNG) or array (.npy) of samples")
    s.add_argument("name", help="entry name, checkpoint directory or hf://owner/name")
    s.add_argument("-n", "--num", type=int, default=64)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("-o", "--output", default="samples.png", help="a .png grid or a .npy array")
    s.add_argument("--nrow", type=int, default=None, help="images per grid row")
    s.add_argument("--scale", type=int, default=2, help="pixel scale of the PNG grid")
    s.add_argument("--revision", default=None, help="Hub revision (hf:// names)")
    s.set_defaults(func=_cmd_sample)

    s = sub.add_parser("train", help="train an entry (resumable: re-run to continue)")
    s.add_argument("name")
    s.add_argument("--out", required=True, help="output directory (checkpoint + train_state/)")
    s.add_argument("--epochs", type=int, default=None, help="default: the entry's")
    s.add_argument("--data-dir", default=None, help="folder of the dataset's IDX files")
    s.add_argument("--batch-size", type=int, default=None, help="default: the entry's")
    s.add_argument("--save-every", type=float, default=3.0, help="minutes between state saves")
    s.add_argument("--max-minutes", type=float, default=None, help="stop (resumably) after this")
    s.add_argument("--steps-per-epoch", type=int, default=None, help="cap (smoke tests)")
    s.add_argument("--verbose", type=int, default=None, help="Keras verbosity (1 bar, 2 line)")
    s.set_defaults(func=_cmd_train)

    s = sub.add_parser("push", help="upload a checkpoint directory to the Hugging Face Hub")
    s.add_argument("path")
    s.add_argument("repo_id")
    s.add_argument("--revision", default=None)
    s.add_argument("--private", action="store_true")
    s.set_defaults(func=_cmd_push)
    return p


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    if getattr(args, "verbose", 0) is None:
        args.verbose = 1 if sys.stdout.isatty() else 2
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, ConnectionError) as e:
        print(f"ganzoo {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
