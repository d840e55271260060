#!/usr/bin/env bash
# Park unfinished trainings in git before a session stops, so that the next session's checkout
# (which holds only what git holds) resumes them with scripts/train_queue.sh instead of starting
# over:
#   scripts/park.sh            # stop the queue and the training, stage every unfinished run's state
#   git commit -m "park ..."   # then commit (the script prints what it staged)
# A run's state is train_state/ (progress.json + the last epoch's state file, written atomically
# each epoch, ganzoo/training.py), so what is parked is the last finished epoch. A finished run has
# no train_state (release.sh moves it away); when it is released, `git add -A` records the parked
# state's removal.
set -u
cd "$(dirname "$0")/.."
pkill -f "scripts/train_queue.sh" 2>/dev/null
if pgrep -f "ganzoo train" > /dev/null; then
    pkill -TERM -f "ganzoo train"
    for _ in $(seq 60); do pgrep -f "ganzoo train" > /dev/null || break; sleep 1; done
fi
parked=0
for state in checkpoints/*/train_state runs/*/seed-*/train_state; do
    [ -f "$state/progress.json" ] || continue
    # a finished run wrote its checkpoint beside its state: nothing to resume (a seed run's folder
    # in runs/ keeps its state; its metrics live on in the entry's seeds.json)
    [ -f "$(dirname "$state")/checksums.sha256" ] && continue
    git add -f "$state"
    epoch=$(python -c 'import json,sys; print(json.load(open(sys.argv[1])).get("epoch"))' \
        "$state/progress.json" 2>/dev/null)
    echo "parked $state (epochs done: $epoch)"
    parked=$((parked + 1))
done
echo "$parked run(s) staged; commit them, and resume next session with scripts/train_queue.sh"
