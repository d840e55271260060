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

from ganzoo import checkpoint, seeds  # noqa: E402
from ganzoo.zoo import ENTRIES  # noqa: E402

from ganzoo.zoo.pins import PINS_FILE as PINS  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    pins = json.loads(PINS.read_text())
    names = args.names or []
    if args.all:
        names += [n for n in sorted(ENTRIES) if (ROOT / "checkpoints" / n / checkpoint.MANIFEST).exists()]
    for name in names:
        if name not in ENTRIES and not name.startswith("classifier-"):
            raise SystemExit(f"unknown entry {name!r}")
        path = ROOT / "checkpoints" / name
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
