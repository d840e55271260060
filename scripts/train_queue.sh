#!/usr/bin/env bash
# Train zoo entries one after another (never two at once on the 2-core machines), each resumable:
# re-running this script continues unfinished entries and skips finished ones.
#   scripts/train_queue.sh NAME [NAME ...]      (NAME: a zoo entry, or classifier-<dataset>)
# Runs from a snapshot of ganzoo/ so that editing the source tree cannot break a running job.
set -u
cd "$(dirname "$0")/.."
snap=$(mktemp -d /tmp/ganzoo-snap.XXXX)
cp -r ganzoo "$snap/"
mkdir -p logs
for name in "$@"; do
    out="checkpoints/$name"
    if [ -f "$out/checksums.sha256" ] && [ ! -d "$out/train_state" -o -f "logs/$name.done" ]; then
        echo "skip $name (checkpoint exists)"; continue
    fi
    case "$name" in
        *-mnist) data="--data-dir ../shared/data/mnist" ;;
        *-fashion_mnist) data="--data-dir ../shared/data/fashion_mnist" ;;
        *) data="" ;;
    esac
    # one training at a time
    while pgrep -f "ganzoo train|ganzoo.classifiers" > /dev/null; do sleep 10; done
    echo "$(date -u +%T) train $name"
    case "$name" in
        classifier-*) cmd=(python -m ganzoo.classifiers "${name#classifier-}") ;;
        *) cmd=(python -m ganzoo train "$name") ;;
    esac
    PYTHONPATH="$snap" "${cmd[@]}" $data --out "$out" --verbose 2 \
        > "logs/$name.log" 2>&1 && touch "logs/$name.done"
    echo "$(date -u +%T) done $name (exit $?)"
done
