#!/usr/bin/env bash
# MPI check: `mpirun -np N subcast run ...` must print byte for byte what one process prints.
#
#   bash scripts/mpi-check.sh
#
# Installs Open MPI if it is missing (apt-get; as root, or through sudo), builds subcast with the
# package trait MPI in release mode into .build-mpi (about 75 s from scratch on 2 cores), then
# runs one scenario with the same seed
#   - with the MPI build as a single process (no mpirun),
#   - with the MPI build under `mpirun -np 2` (and an uneven split under `mpirun -np 3`),
#   - with the default build (no MPI; `swift build`, debug, into .build),
# for --format json and --format csv, and compares stdout with `cmp`. Exits 1 on any difference
# or failed run, naming the outputs that differ.
#
# Settings (environment): MPI_CHECK_SCENARIO (default Scenarios/b2b-saas.yaml),
# MPI_CHECK_TRIALS (10000), MPI_CHECK_SEED (7), MPI_CHECK_RANKS (2).
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIO=${MPI_CHECK_SCENARIO:-Scenarios/b2b-saas.yaml}
TRIALS=${MPI_CHECK_TRIALS:-10000}
SEED=${MPI_CHECK_SEED:-7}
RANKS=${MPI_CHECK_RANKS:-2}

say() { echo "mpi-check: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# 1. Open MPI (and GSL, for a machine where setup.sh has not run).
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists gsl; } || missing+=(libgsl-dev)
{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists ompi-c; } || missing+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1 || missing+=(openmpi-bin)
if [ ${#missing[@]} -gt 0 ]; then
    t=$(now)
    say "installing ${missing[*]} (Open MPI)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        pkg-config libgsl-dev libopenmpi-dev openmpi-bin >/dev/null
    say "installed in $(since "$t")"
fi
say "$(mpirun --version 2>/dev/null | head -n 1)"

# mpirun refuses root without --allow-run-as-root; CI has 2 cores, so allow more ranks than cores.
MPIRUN=(mpirun --oversubscribe)
if [ "$(id -u)" = 0 ]; then MPIRUN+=(--allow-run-as-root); fi
# Containers often forbid the cross-process memory copy (CMA) of Open MPI's shared-memory
# transport; plain copies are as good for the few kilobytes sent here.
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}

# 2. Builds.
t=$(now)
swift build -c release --traits MPI --scratch-path .build-mpi --product subcast
MPI_BIN="$(swift build -c release --traits MPI --scratch-path .build-mpi --show-bin-path)/subcast"
say "built the MPI variant (release, .build-mpi) in $(since "$t")"
t=$(now)
swift build --product subcast
DEFAULT_BIN="$(swift build --show-bin-path)/subcast"
say "built the default variant (debug, .build) in $(since "$t")"

# 3. Runs and comparisons.
work=$(mktemp -d "${TMPDIR:-/tmp}/subcast-mpi-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

# run NAME COMMAND...: stdout to $work/NAME; a failed run counts as a failure.
run() {
    local name=$1; shift
    local t; t=$(now)
    if "$@" >"$work/$name"; then
        say "  $name: $(wc -c <"$work/$name") bytes in $(since "$t")"
    else
        say "FAIL: $name exited with status $? ($*)"
        rm -f "$work/$name"
        failures=$((failures + 1))
    fi
}

# same A B WHAT: byte-for-byte comparison of two outputs.
same() {
    if [ ! -s "$work/$1" ] || [ ! -s "$work/$2" ]; then
        say "  not compared: $3 (a run failed or printed nothing)"
        [ -f "$work/$1" ] && [ -f "$work/$2" ] && failures=$((failures + 1))
        return 0
    fi
    if cmp "$work/$1" "$work/$2"; then
        say "  ok: $3"
    else
        say "FAIL: $3: $1 and $2 differ; first differing lines:"
        diff "$work/$1" "$work/$2" | head -n 20 >&2 || true
        failures=$((failures + 1))
    fi
}

args=(run "$SCENARIO" --trials "$TRIALS" --seed "$SEED" --quiet)
for format in json csv; do
    say "$SCENARIO --trials $TRIALS --seed $SEED --format $format"
    run "$format.mpi-1" "$MPI_BIN" "${args[@]}" --format "$format"
    run "$format.mpi-$RANKS" "${MPIRUN[@]}" -np "$RANKS" "$MPI_BIN" "${args[@]}" --format "$format"
    run "$format.default" "$DEFAULT_BIN" "${args[@]}" --format "$format"
    same "$format.mpi-1" "$format.mpi-$RANKS" "$format: mpirun -np $RANKS = one process (MPI build)"
    same "$format.default" "$format.mpi-$RANKS" "$format: mpirun -np $RANKS = default build"
done
# An uneven split (3 ranks) of a trial count that is not a whole number of merge blocks.
say "$SCENARIO --trials 9001 --seed $SEED --format json, 3 ranks"
run "uneven.mpi-1" "$MPI_BIN" run "$SCENARIO" --trials 9001 --seed "$SEED" --quiet --format json
run "uneven.mpi-3" "${MPIRUN[@]}" -np 3 "$MPI_BIN" run "$SCENARIO" --trials 9001 --seed "$SEED" --quiet --format json
same "uneven.mpi-1" "uneven.mpi-3" "json: mpirun -np 3 = one process, 9001 trials"

if [ "$failures" -gt 0 ]; then
    say "FAILED: $failures check(s) failed; MPI runs must be byte-identical to one process"
    exit 1
fi
say "passed: MPI output is byte-identical to one process"
