#!/usr/bin/env bash
# Fuzzes every harness in turn, one at a time: fuzz/run-all.sh <seconds-each> [harness...]
set -uo pipefail
seconds=$1
shift
repo=$(cd "$(dirname "$0")/.." && pwd)
harnesses=("$@")
if [[ ${#harnesses[@]} -eq 0 ]]; then
    harnesses=(teltonika meraki portal raw-records erasure policy keys-file)
fi

for harness in "${harnesses[@]}"; do
    echo "=== $harness $(date -u +%H:%M:%S)"
    "$repo/fuzz/run.sh" "$harness" "$seconds" || echo "=== $harness FAILED"
done
echo "=== done $(date -u +%H:%M:%S)"
