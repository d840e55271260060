#!/usr/bin/env bash
# Train zoo entries one after another (never two at once on the 2-core machines), each resumable:
# re-running this script continues unfinished runs and skips finished ones.
#   scripts/train_queue.sh NAME[:SEED] [NAME[:SEED] ...]   (NAME: a zoo entry, or classifier-<dataset>)
# NAME (or NAME:0) trains the shipped seed-0 checkpoint into checkpoints/NAME; NAME:K (K > 0) trains
# seed K of the entry's seed study into runs/NAME/seed-K and evaluates it there (ganzoo/seeds.py).
# Each finished job of a zoo entry is then released at once (scripts/release.sh NAME, from the
# working tree: evaluation, the seed study aggregated into the shipped checkpoint's seeds.json,
# pins, tables), between two trainings: runs/ does not outlive a session's checkout, but a seed
# recorded in seeds.json does.
# Seed K > 0 needs seed 0 shipped first (queue NAME before NAME:K). Set NO_RELEASE=1 to skip.
# Runs from a snapshot of ganzoo/ so that editing the source tree cannot break a running job:
# `python -P` keeps the working directory (which holds ganzoo/) off sys.path, so PYTHONPATH's
# snapshot is the ganzoo imported (plain `python -m` would put the tree first).
set -u
cd "$(dirname "$0")/.."
source scripts/data_args.sh
snap=$(mktemp -d /tmp/ganzoo-snap.XXXX)
cp -r ganzoo "$snap/"
export GANZOO_CHECKPOINTS="$PWD/checkpoints"  # the zoo (the classifiers), not the snapshot's side
mkdir -p logs
for job in "$@"; do
    name=${job%%:*}
    seed=0
    [ "$job" != "$name" ] && seed=${job#*:}
    if [ "$seed" = 0 ]; then out="checkpoints/$name"; tag="$name"; seedarg=()
    else out="runs/$name/seed-$seed"; tag="$name-seed$seed"; seedarg=(--seed "$seed"); fi
    data=$(data_args "$name")
    # one training at a time (and the job checked after the wait: it may be the one that ran)
    while pgrep -f "ganzoo train|ganzoo.classifiers" > /dev/null; do sleep 10; done
    # finished: a checkpoint with no resume state, or one written after its state's last save
    # (ganzoo train saves the state, then writes the checkpoint). A finished job is
    # still evaluated and released below when that has not happened (its queue stopped first):
    # a seed folder without metrics.json, a shipped checkpoint still holding its train_state/.
    if [ -f "$out/checksums.sha256" ] && { [ ! -f "$out/train_state/progress.json" ] \
            || [ ! "$out/checksums.sha256" -ot "$out/train_state/progress.json" ]; }; then
        if { [ "$seed" != 0 ] && [ -f "$out/metrics.json" ]; } \
                || { [ "$seed" = 0 ] && [ ! -d "$out/train_state" ]; }; then
            echo "skip $tag (checkpoint exists)"; continue
        fi
        echo "$(date -u +%T) finish $tag (trained, not yet released)"
    else
        echo "$(date -u +%T) train $tag"
        case "$name" in
            classifier-*) cmd=(python -P -m ganzoo.classifiers "${name#classifier-}") ;;
            *) cmd=(python -P -m ganzoo train "$name" "${seedarg[@]}") ;;
        esac
        PYTHONPATH="$snap" "${cmd[@]}" $data --out "$out" --verbose 2 > "logs/$tag.log" 2>&1
        status=$?
        echo "$(date -u +%T) done $tag (exit $status)"
        [ "$status" = 0 ] || continue
    fi
    if [ "$seed" != 0 ]; then  # a seed folder is evaluated where it lies
        PYTHONPATH="$snap" python -P -m ganzoo eval "$out" $data > "logs/eval-$tag.log" 2>&1 \
            || { echo "eval $tag failed: see logs/eval-$tag.log"; continue; }
    fi
    case "$name" in classifier-*) continue ;; esac
    [ "${NO_RELEASE:-0}" = 1 ] && continue
    if [ ! -f "checkpoints/$name/checksums.sha256" ]; then
        echo "not released: $tag waits for seed 0 (checkpoints/$name)"; continue
    fi
    scripts/release.sh "$name" > "logs/release-$tag.log" 2>&1 \
        && echo "$(date -u +%T) released $name (look at checkpoints/$name/samples.png, commit)" \
        || echo "release $name failed: see logs/release-$tag.log"
done
