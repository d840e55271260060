#!/usr/bin/env bash
# Train zoo entries one after another (never two at once on the 2-core machines), each resumable:
# re-running this script continues unfinished runs and skips finished ones.
#   scripts/train_queue.sh NAME[:SEED] [NAME[:SEED] ...]   (NAME: a zoo entry, or classifier-<dataset>)
# NAME (or NAME:0) trains the shipped seed-0 checkpoint into checkpoints/NAME; NAME:K (K > 0) trains
# seed K of the entry's seed study into runs/NAME/seed-K and evaluates it there (ganzoo/seeds.py;
# scripts/release.sh NAME then aggregates the seeds into the shipped checkpoint).
# Runs from a snapshot of ganzoo/ so that editing the source tree cannot break a running job.
set -u
cd "$(dirname "$0")/.."
source scripts/data_args.sh
snap=$(mktemp -d /tmp/ganzoo-snap.XXXX)
cp -r ganzoo "$snap/"
mkdir -p logs
for job in "$@"; do
    name=${job%%:*}
    seed=0
    [ "$job" != "$name" ] && seed=${job#*:}
    if [ "$seed" = 0 ]; then out="checkpoints/$name"; tag="$name"; seedarg=()
    else out="runs/$name/seed-$seed"; tag="$name-seed$seed"; seedarg=(--seed "$seed"); fi
    if [ -f "$out/checksums.sha256" ] && [ ! -d "$out/train_state" -o -f "logs/$tag.done" ]; then
        echo "skip $tag (checkpoint exists)"; continue
    fi
    data=$(data_args "$name")
    # one training at a time
    while pgrep -f "ganzoo train|ganzoo.classifiers" > /dev/null; do sleep 10; done
    echo "$(date -u +%T) train $tag"
    case "$name" in
        classifier-*) cmd=(python -m ganzoo.classifiers "${name#classifier-}") ;;
        *) cmd=(python -m ganzoo train "$name" "${seedarg[@]}") ;;
    esac
    PYTHONPATH="$snap" "${cmd[@]}" $data --out "$out" --verbose 2 \
        > "logs/$tag.log" 2>&1 && touch "logs/$tag.done"
    status=$?
    echo "$(date -u +%T) done $tag (exit $status)"
    if [ "$status" = 0 ] && [ "$seed" != 0 ]; then  # a seed folder is evaluated where it lies
        PYTHONPATH="$snap" python -m ganzoo eval "$out" $data > "logs/eval-$tag.log" 2>&1 \
            || echo "eval $tag failed: see logs/eval-$tag.log"
    fi
done
