#!/usr/bin/env bash
# Release trained checkpoints: evaluate each (metrics.json + model card, `ganzoo eval`), then pin
# its manifest in ganzoo/zoo/pins.json, then regenerate docs/zoo.md and the README table.
#   scripts/release.sh NAME [NAME ...]
set -eu
cd "$(dirname "$0")/.."
mkdir -p logs
for name in "$@"; do
    case "$name" in
        *-mnist) data="--data-dir ../shared/data/mnist" ;;
        *-fashion_mnist) data="--data-dir ../shared/data/fashion_mnist" ;;
        *) data="" ;;
    esac
    python -m ganzoo eval "$name" $data > "logs/eval-$name.log" 2>&1 \
        || { echo "eval $name failed: see logs/eval-$name.log"; exit 1; }
    python scripts/pin_checkpoints.py "$name" 2>/dev/null
done
python -m ganzoo table 2>/dev/null
