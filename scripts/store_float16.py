"""Bring GAN checkpoints written before float16 storage (ganzoo.checkpoint.STORED_FLOAT) to the
layout: weights rewritten, sample grid redrawn from the stored weights, card updated. Their
metrics.json / seeds.json are dropped (measured on the float32 weights), so evaluate again:

    python scripts/store_float16.py checkpoints/dcgan-mnist runs/dcgan-mnist/seed-*
    ganzoo eval runs/dcgan-mnist/seed-1 --data-dir ../shared/data/mnist      # each seed folder
    scripts/release.sh dcgan-mnist           # pin, evaluate, aggregate the seeds, regenerate tables

Prints each directory's weights file size before and after.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ganzoo import checkpoint  # noqa: E402


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    for arg in argv:
        path = Path(arg)
        before = (path / checkpoint.WEIGHTS).stat().st_size
        pin = checkpoint.convert_stored_weights(path)
        after = (path / checkpoint.WEIGHTS).stat().st_size
        print(f"{path}: {'already stored so' if pin is None else 'converted'}, "
              f"{before / 1e6:.2f} MB -> {after / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
