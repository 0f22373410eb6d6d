#!/bin/bash
# The load test: ROUNDS (default 10) rounds of CLONES (default 2) whole `npm test`s at once, each in
# its own clone of this repository at its current commit, beside BUSY (default 0) processes that
# spin on the CPU (issue 27: 12 on 2 cores, a shared CI runner under other jobs).
# Usage: [ROUNDS=N] [CLONES=N] [BUSY=N] scripts/load-test.sh OUT_DIR
# Prints one line per `npm test` to OUT_DIR/summary.txt; logs go beside it.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
commit=$(git -C "$repo" rev-parse HEAD)
clones=$(seq 1 "${CLONES:-2}")
busy=()
# The spinners are ended however the script ends, and only they.
trap 'if [ ${#busy[@]} -gt 0 ]; then kill "${busy[@]}" 2>/dev/null; fi' EXIT
for _ in $(seq 1 "${BUSY:-0}"); do
  node -e 'for (;;) {}' &
  busy+=($!)
done
for c in $clones; do
  rm -rf "$out/clone-$c"
  git clone -q "$repo" "$out/clone-$c" && git -C "$out/clone-$c" checkout -q "$commit"
done
for i in $(seq 1 "${ROUNDS:-10}"); do
  for c in $clones; do (cd "$out/clone-$c" && npm ci --no-audit --no-fund > /dev/null 2>&1); done
  runs=()
  for c in $clones; do
    (
      cd "$out/clone-$c" || exit
      start=$(date +%s)
      npm test > "$out/$c-$i.log" 2>&1
      rc=$?
      echo "round $i clone $c busy ${BUSY:-0} $(git rev-parse --short HEAD) rc=$rc $(($(date +%s) - start))s $(grep -E '^# (pass|fail) |^npm test: ' "$out/$c-$i.log" | tr '\n' ' ')" >> "$out/summary.txt"
    ) &
    runs+=($!)
  done
  # Not a bare wait, which would wait for the spinners too.
  wait "${runs[@]}"
done
