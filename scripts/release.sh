#!/usr/bin/env bash
# Release trained checkpoints: evaluate each (metrics.json + model card, `ganzoo eval`), aggregate
# its seed study when runs/NAME/seed-*/ exist (seeds.json, see ganzoo/seeds.py; each seed folder
# must already be evaluated with `ganzoo eval runs/NAME/seed-K`), then pin its manifest in
# ganzoo/zoo/pins.json, then regenerate docs/zoo.md and the README table. A finished run's
# train_state/ moves to runs/NAME-train_state (not shipped; a parked copy leaves the index).
#   scripts/release.sh NAME [NAME ...]
set -eu
shopt -s nullglob
cd "$(dirname "$0")/.."
source scripts/data_args.sh
mkdir -p logs
for name in "$@"; do
    data=$(data_args "$name")
    # a finished run's resume state is not shipped: keep it outside git (runs/ is ignored), and
    # drop any parked copy (scripts/park.sh) from the index
    if [ -f "checkpoints/$name/checksums.sha256" ] && [ -d "checkpoints/$name/train_state" ]; then
        mkdir -p runs && rm -rf "runs/$name-train_state"
        mv "checkpoints/$name/train_state" "runs/$name-train_state"
    fi
    git rm -r -q --cached --ignore-unmatch "checkpoints/$name/train_state" \
        runs/"$name"/seed-*/train_state > /dev/null
    # a retrained entry's new manifest must be pinned before `ganzoo eval NAME` loads it
    python scripts/pin_checkpoints.py "$name" > /dev/null 2>&1 \
        || { echo "pin $name failed: python scripts/pin_checkpoints.py $name"; exit 1; }
    python -m ganzoo eval "$name" $data > "logs/eval-$name.log" 2>&1 \
        || { echo "eval $name failed: see logs/eval-$name.log"; exit 1; }
    seed_dirs=(runs/"$name"/seed-*/)
    if [ ${#seed_dirs[@]} -gt 0 ]; then
        python -c 'import sys; from ganzoo.seeds import main_aggregate
print(main_aggregate(sys.argv[1], sys.argv[2:]))' "$name" "${seed_dirs[@]}" \
            > "logs/seeds-$name.log" 2>&1 \
            || { echo "seeds $name failed: see logs/seeds-$name.log"; exit 1; }
    fi
    python scripts/pin_checkpoints.py "$name" 2>/dev/null
done
python -m ganzoo table 2>/dev/null
