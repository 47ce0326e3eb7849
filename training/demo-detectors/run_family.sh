#!/bin/sh
# The whole family in the order that uses the cores best: baseline alone, then the six
# fine-tunes side by side, one process each (every fine-tune starts from the same pruned
# weights of its branch, so they are independent), then int8, evaluation, publishing,
# the MODELS.md table and resources/demo/models/MODELS.md. Every step resumes where a
# killed run stopped (see make_family.py).
#   sh run_family.sh [extra make_family.py options, e.g. --baseline-steps 1800]
set -e
cd "$(dirname "$0")"
PY=/usr/bin/python3
$PY make_family.py --only data,baseline "$@"
pids=""
for branch in unstructured structured; do
  for variant in plain augmentation imbalance; do
    $PY make_family.py --only $branch --variants $variant "$@" &
    pids="$pids $!"
  done
done
for p in $pids; do wait $p; done
$PY make_family.py --only int8,evaluate --publish --table "$@"
$PY models_md.py
