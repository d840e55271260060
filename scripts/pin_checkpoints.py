"""Release step: pin each entry's local checkpoint by the sha256 of its manifest.

    python scripts/pin_checkpoints.py NAME [NAME ...]     # entries or classifier-<dataset>
    python scripts/pin_checkpoints.py --all               # every checkpoint of an entry

Verifies every file against the checkpoint's own manifest first, then writes
ganzoo/zoo/pins.json. Run it only for checkpoints you mean to ship (after training, after
``ganzoo eval`` updated the card).
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ganzoo import checkpoint, loading, seeds  # noqa: E402
from ganzoo.zoo import ENTRIES  # noqa: E402

from ganzoo.zoo.pins import PINS_FILE as PINS  # noqa: E402


def local_checkpoint(name, missing_ok=False):
    """``checkpoints/<name>/`` of an entry or a classifier, found by the one resolver (local
    checkpoints only); None for a name without one if ``missing_ok``."""
    kind = checkpoint.get_kind("classifier") if name.startswith("classifier-") else None
    try:
        found = loading.resolve(name, kind, local_only=True)
    except checkpoint.CheckpointNotFoundError as e:  # says how to train it
        if missing_ok:
            return None
        raise SystemExit(str(e)) from None
    except ValueError as e:  # an unknown name, with its close matches
        raise SystemExit(str(e)) from None
    if found.name != name:  # a path, or a classifier's dataset alias: pins are by name
        raise SystemExit(f"unknown entry {name!r}")
    return found.directory


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    pins = json.loads(PINS.read_text())
    names = args.names or []
    if args.all:
        names += [n for n in sorted(ENTRIES) if local_checkpoint(n, missing_ok=True)]
    for name in names:
        path = local_checkpoint(name)
        checkpoint.verify(path)
        state, _, why = seeds.seeds_status(path)
        if state == "stale":
            print(f"{name}: warning: its seeds.json is stale ({why}); the zoo table ignores it. "
                  f"Re-run `ganzoo seeds {name} runs/{name}/seed-*` before shipping.")
        sha = checkpoint.sha256_file(path / checkpoint.MANIFEST)
        if pins.get(name) != sha:
            print(f"{name}: {pins.get(name)} -> {sha}")
        pins[name] = sha
    PINS.write_text(json.dumps(pins, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
