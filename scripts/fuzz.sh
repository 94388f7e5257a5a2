#!/usr/bin/env bash
# Fuzzes the scenario loader and the CSV readers with libFuzzer for a bounded time.
#
#   bash scripts/fuzz.sh [SECONDS] [-- LIBFUZZER_OPTIONS_OR_EXTRA_SEED_DIRS...]
#
# SECONDS defaults to 60. Builds the ScenarioFuzz target with libFuzzer and AddressSanitizer
# (Swift and C code, Yams' libyaml included) into its own scratch path .build-fuzz (ignored by
# git, separate from .build so it never disturbs a normal build), copies the committed corpus
# Fuzz/corpus/{scenario,csv,partial} to a temporary directory (libFuzzer adds new inputs there, never
# to the committed corpus) and runs the fuzzer on it. Exit status 0 when nothing was found;
# otherwise 1 and the reproducer's path (and its bytes in base64, so a CI log is enough to
# recover it). See Fuzz/README.md for what to do with a reproducer.
#
# Environment: SUBCAST_FUZZ_INVARIANTS=1 also fails on parsed values that break their
# documented invariants (see Sources/ScenarioFuzz/Harness.swift); FUZZ_MAX_LEN (default 8192)
# caps the input size.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    seconds=$1
    shift
fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: bash scripts/fuzz.sh [SECONDS] [-- LIBFUZZER_OPTIONS...]   (SECONDS a whole number >= 1)" >&2
    exit 64
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi

scratch=.build-fuzz
echo "fuzz: building ScenarioFuzz with libFuzzer + AddressSanitizer into $scratch (release)" >&2
start=$(date +%s)
# ld.gold warns "Cannot export local symbol" for every sanitizer-local symbol: harmless, hidden.
set +e
swift build -c release --product ScenarioFuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
    -Xcc -fsanitize=fuzzer-no-link,address 2>&1 | grep -v "Cannot export local symbol" >&2
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ]; then
    echo "fuzz: the fuzzer build failed (exit $status); GSL must be installed (bash setup.sh test does it)" >&2
    exit "$status"
fi
fuzzer="$scratch/release/ScenarioFuzz"
echo "fuzz: built in $(( $(date +%s) - start )) s: $fuzzer" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/subcast-fuzz.XXXXXX")
mkdir -p "$work/corpus" "$work/artifacts"
cp -R Fuzz/corpus/scenario Fuzz/corpus/csv Fuzz/corpus/partial "$work/corpus/"
echo "fuzz: fuzzing for $seconds s; corpus copy and artifacts in $work" >&2

set +e
# SWIFT_BACKTRACE: the Swift runtime's crash backtracer would race libFuzzer's and AddressSanitizer's
# own reports (and trip ASan reading memory); let the sanitizer report alone.
SWIFT_BACKTRACE=enable=no "$fuzzer" \
    -max_total_time="$seconds" \
    -rss_limit_mb=2048 \
    -timeout=10 \
    -max_len="${FUZZ_MAX_LEN:-8192}" \
    -dict=Fuzz/scenario.dict \
    -artifact_prefix="$work/artifacts/" \
    -print_final_stats=1 \
    "$work/corpus" "$@" > "$work/fuzz.log" 2>&1
status=$?
set -e
artifacts=$(find "$work/artifacts" -type f | sort)
if [ "$status" = 0 ] && [ -z "$artifacts" ]; then
    grep -E "^(INFO: (Seed|Loaded)|#[0-9]+[[:space:]]+(INITED|DONE)|stat::|Done )" "$work/fuzz.log" >&2 || true
    echo "fuzz: no crash, hang or memory blow-up found in $seconds s" >&2
    rm -rf "$work"
    exit 0
fi

# A finding: show libFuzzer's report and every reproducer.
grep -v "Cannot export local symbol" "$work/fuzz.log" | grep -v -E "^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)" | tail -n 80 >&2
echo "fuzz: FOUND A PROBLEM (libFuzzer exit status $status); full log: $work/fuzz.log" >&2
for a in $artifacts; do
    echo "fuzz: reproducer: $a ($(wc -c < "$a") bytes)" >&2
    if [ "$(wc -c < "$a")" -le 16384 ]; then
        echo "fuzz: its bytes, base64 (decode with: base64 -d > reproducer):" >&2
        base64 "$a" >&2
    fi
done
cat >&2 <<EOF
fuzz: next steps (Fuzz/README.md):
  replay with the sanitizers:  $fuzzer REPRODUCER
  minimise it:                 $fuzzer -minimize_crash=1 -max_total_time=60 -exact_artifact_path=min.yaml REPRODUCER
  replay without sanitizers:   swift build --product ScenarioFuzz && .build/debug/ScenarioFuzz REPRODUCER
  then commit the minimised file to Fuzz/regressions/ with the fix.
EOF
exit 1
