#!/usr/bin/env bash
# Run CI's checks (.ci/run, without its installs) on a clean export of HEAD: what CI's fresh
# checkout sees, without this working tree's untracked checkpoints, runs and logs. TensorFlow's
# oneDNN kernels are turned off (TF_ENABLE_ONEDNN_OPTS=0) because CI's machine has no AVX-512
# VNNI/BF16, where TensorFlow leaves them off: float32 round-offs and start-up notices differ.
#   scripts/clean_check.sh [tf|jax|torch|docs|notebooks ...]   (default: all of them, in CI's order)
# Prints each step's wall time. The export goes beside this repository (../ganzoo-clean-check, so
# that ../shared/data resolves from it as from the repo), its logs to /tmp/ganzoo-clean-check.
set -u
cd "$(dirname "$0")/.."
tree="$(cd .. && pwd)/ganzoo-clean-check"
dir=/tmp/ganzoo-clean-check
rm -rf "$tree" "$dir" && mkdir -p "$tree" "$dir"
git archive HEAD | tar -x -C "$tree"
export PYTHONPATH="$tree" TF_CPP_MIN_LOG_LEVEL=2 NO_MKDOCS_2_WARNING=1 TF_ENABLE_ONEDNN_OPTS=0
export PIP_DISABLE_PIP_VERSION_CHECK=1
steps=("$@")
[ ${#steps[@]} = 0 ] && steps=(docs notebooks tf jax torch)
status=0
cd "$tree"
for step in "${steps[@]}"; do
    start=$(date +%s)
    case "$step" in
        docs) python -m mkdocs build --strict --quiet --site-dir "$dir/site" ;;
        notebooks) python scripts/build_notebooks.py --check ;;
        tf) pytest -q -p no:cacheprovider ;;
        jax|torch) KERAS_BACKEND=$step pytest -q -p no:cacheprovider ;;
        *) echo "unknown step $step"; exit 2 ;;
    esac > "$dir/$step.log" 2>&1
    rc=$?
    [ $rc = 0 ] || status=1
    echo "$step: exit $rc in $(( $(date +%s) - start )) s ($(tail -1 "$dir/$step.log"))"
done
exit $status
