#!/bin/bash
# Issue 20's load test: ROUNDS (default 10) rounds of two whole `npm test`s at once, each in its own
# clone of this repository at its current commit. Usage: scripts/load-test.sh OUT_DIR
# Prints one line per `npm test` to OUT_DIR/summary.txt; logs go beside it.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
commit=$(git -C "$repo" rev-parse HEAD)
for c in a b; do
  rm -rf "$out/clone-$c"
  git clone -q "$repo" "$out/clone-$c" && git -C "$out/clone-$c" checkout -q "$commit"
done
for i in $(seq 1 "${ROUNDS:-10}"); do
  for c in a b; do (cd "$out/clone-$c" && npm ci --no-audit --no-fund > /dev/null 2>&1); done
  for c in a b; do
    (
      cd "$out/clone-$c" || exit
      start=$(date +%s)
      npm test > "$out/$c-$i.log" 2>&1
      rc=$?
      echo "round $i clone $c $(git rev-parse --short HEAD) rc=$rc $(($(date +%s) - start))s $(grep -E '^# (pass|fail) ' "$out/$c-$i.log" | tr '\n' ' ')" >> "$out/summary.txt"
    ) &
  done
  wait
done
