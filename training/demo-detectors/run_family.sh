#!/bin/sh
# The whole family in the order that uses two cores best: baseline alone, then the two
# pruning branches side by side (one thread each), then int8, evaluation, publishing and
# the MODELS.md table. Every step resumes where a killed run stopped (see make_family.py).
#   sh run_family.sh [extra make_family.py options, e.g. --baseline-steps 1200]
set -e
cd "$(dirname "$0")"
PY=/usr/bin/python3
$PY make_family.py --only data,baseline "$@"
$PY make_family.py --only unstructured "$@" &
u=$!
$PY make_family.py --only structured "$@" &
s=$!
wait $u
wait $s
$PY make_family.py --only int8,evaluate --publish --table "$@"
