#!/usr/bin/env bash
# Fuzzes one harness with afl-fuzz for a while, then minimizes what it found into fuzz/corpus/<harness>/.
# Usage: fuzz/run.sh <harness> <seconds>      (see fuzz/README.md)
# Environment: FUZZ_WORK (default ~/.cache/sieve-fuzz; afl-cmin refuses /tmp) holds the build and afl-fuzz output;
#              FUZZ_NO_MINIMIZE=1 leaves the corpus folder alone; FUZZ_TMIN=1 also runs afl-tmin on each kept input.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <harness> <seconds>" >&2
    exit 2
fi

harness=$1
seconds=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/sieve-fuzz}
bin=$work/bin
out=$work/out/$harness
corpus=$repo/fuzz/corpus/$harness
export PATH="$PATH:$HOME/.dotnet/tools"

if [[ ! -d $corpus ]] || [[ -z $(ls -A "$corpus") ]]; then
    echo "no seed inputs in $corpus" >&2
    exit 2
fi

command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0

# Build afresh into a folder of our own, so instrumenting in place never touches the repository's bin folders
# and a fixed parser is never fuzzed as its old instrumented copy.
rm -rf "$bin"
nice -n 10 dotnet publish "$repo/fuzz/Sieve.Fuzz/Sieve.Fuzz.csproj" -c Release -o "$bin" --nologo -v quiet
# The code under test, and Apache.Avro (the erasure decoders' reader, the schema-resolution harness's reference); not the harnesses or the target itself.
for assembly in Sieve.Core.dll Sieve.Contracts.dll Avro.dll; do
    sharpfuzz "$bin/$assembly"
done

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
rm -rf "$out"
mkdir -p "$out"
target=("$(command -v dotnet)" "$bin/Sieve.Fuzz.dll" "$harness")
dictionary=()
if [[ -f $repo/fuzz/dict/$harness.dict ]]; then
    dictionary=(-x "$repo/fuzz/dict/$harness.dict")
fi

echo "afl-fuzz: $harness for $seconds s"
nice -n 10 afl-fuzz -i "$corpus" -o "$out" -t 5000 -m none -V "$seconds" "${dictionary[@]}" -- "${target[@]}" > "$out/afl-fuzz.log" 2>&1 || {
    tail -40 "$out/afl-fuzz.log" >&2
    exit 1
}

stats=$out/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs) ' "$stats"
ls "$out/default/crashes" "$out/default/hangs" 2>/dev/null | grep -v README || true

if [[ ${FUZZ_NO_MINIMIZE:-0} == 1 ]]; then
    exit 0
fi

# Keep the smallest set of inputs that covers the edges the queue covers (-e: hit counts ignored, to keep it small) (crashing inputs become regression tests, not corpus).
minimized=$out/minimized
nice -n 10 afl-cmin -e -i "$out/default/queue" -o "$minimized" -t 5000 -m none -- "${target[@]}" > "$out/afl-cmin.log" 2>&1 || {
    tail -20 "$out/afl-cmin.log" >&2
    exit 1
}
if [[ ${FUZZ_TMIN:-0} == 1 ]]; then
    for file in "$minimized"/*; do
        nice -n 10 afl-tmin -i "$file" -o "$file.min" -t 5000 -m none -- "${target[@]}" > /dev/null 2>&1 && mv "$file.min" "$file"
    done
fi

rm -f "$corpus"/*
i=0
for file in "$minimized"/*; do
    cp "$file" "$corpus/$(printf '%03d' $i)-$(sha1sum "$file" | cut -c1-8)"
    i=$((i + 1))
done
echo "corpus: $i inputs in $corpus"
