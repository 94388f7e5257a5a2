#!/usr/bin/env bash
# Times Subcast's Swift engine beside a plain C + GSL baseline and a vectorised NumPy baseline
# on the `sbg-cohorts` model, on this machine, in one run; writes RESULTS.md and refreshes the
# results table in README.md.
#
# Usage: Benchmarks/run-baselines.sh            (from anywhere)
# Environment:
#   REPEATS=3            timings per configuration; the table uses the median
#   SCRATCH=/tmp/benchbuild   SwiftPM scratch path for the release build of EngineTimer
#   CC=gcc  CFLAGS="-O2" flags for the C baseline (linked with `pkg-config --cflags --libs gsl`)
#   PYTHON=python3       interpreter with numpy
#   THREADS=$(nproc)     the "all cores" thread count
#   SKIP_BUILD=1         reuse the binaries of the previous run
#   ABLATION=1           also time the engine taken apart (EngineAblation: the same loop written
#                        lean in Swift with each generator, with and without per-trial re-keying;
#                        C + GSL with PCG64; the engine's job with its hot loop restructured, and
#                        a check that it gives the engine's outputs exactly), for the "where the
#                        time goes" table; 0 to skip
#   LEVERS=1             also time LeverTimer on Scenarios/levers-saas.yaml (every lever, and the
#                        same scenario with levers off) on 1 thread and all cores; 0 to skip
#   LEVER_TRIALS=500     trials of each LeverTimer run
#   QUIET_WAIT=0         seconds to wait, before each timing, for the machine to be idle (all
#                        cores below 10 % busy over one second); 0 = do not wait. Timings taken
#                        while other processes competed for the CPU are flagged in the table.
#
# Runs (the model: horizon 60, Poisson(lambda) arrivals, price 50, sBG churn alpha 0.5, beta 12):
#   C + GSL 1 thread 20k trials; Swift 1 thread and all cores 20k trials; as the hardware's
#   reference for thread scaling, THREADS C processes at once with 20k trials in all; NumPy 20k trials;
#   Swift (and, for reference, C) at lambda 1,000 vs 1,000,000 with 5k trials;
#   Swift 10k vs 100k trials on 1 thread; the engine's streaming-statistics path (reduce) 1 thread
#   20k trials, for reference; with ABLATION=1 the ablation runs (20k trials, 1 thread).
# The repeats are interleaved (every configuration once, then again), so a burst of load from
# another process spreads over all configurations instead of hitting one.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPEATS="${REPEATS:-3}"
SCRATCH="${SCRATCH:-/tmp/benchbuild}"
CC="${CC:-gcc}"
CFLAGS="${CFLAGS:--O2}"
PYTHON="${PYTHON:-python3}"
NPROC="$(nproc)"
THREADS="${THREADS:-$NPROC}"
OUT="$SCRATCH/baselines"
mkdir -p "$OUT"

log() { printf '%s\n' "$*" >&2; }

# ---- build -----------------------------------------------------------------------------------
if ! pkg-config --exists gsl; then
    log "run-baselines: GSL not found by pkg-config (apt-get install libgsl-dev pkg-config)"; exit 1
fi
GSL_FLAGS="$(pkg-config --cflags --libs gsl)"
C_BIN="$OUT/sbg_cohorts"
SWIFT_BIN="$SCRATCH/release/EngineTimer"
ABL_BIN="$SCRATCH/release/EngineAblation"
LEVER_BIN="$SCRATCH/release/LeverTimer"
ABLATION="${ABLATION:-1}"
if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "== building the C baseline: $CC $CFLAGS baselines/sbg_cohorts.c $GSL_FLAGS"
    # shellcheck disable=SC2086
    "$CC" $CFLAGS -o "$C_BIN" "$HERE/baselines/sbg_cohorts.c" $GSL_FLAGS
    log "== building EngineTimer (swift build -c release --scratch-path $SCRATCH)"
    (cd "$HERE" && swift build -c release --scratch-path "$SCRATCH" --product EngineTimer >&2)
    (cd "$HERE" && swift build -c release --scratch-path "$SCRATCH" --product LeverTimer >&2)
    if [[ "$ABLATION" != 0 ]]; then
        (cd "$HERE" && swift build -c release --scratch-path "$SCRATCH" --product EngineAblation >&2)
    fi
fi
BINS=("$C_BIN" "$SWIFT_BIN" "$LEVER_BIN")
[[ "$ABLATION" != 0 ]] && BINS+=("$ABL_BIN")
for b in "${BINS[@]}"; do
    [[ -x "$b" ]] || { log "run-baselines: $b is missing (run without SKIP_BUILD)"; exit 1; }
done
if ! NUMPY_VERSION="$("$PYTHON" -c 'import numpy; print(numpy.__version__)' 2>/dev/null)"; then
    log "run-baselines: $PYTHON cannot import numpy (apt-get install python3-numpy, or pip install numpy)"; exit 1
fi

# ---- machine ---------------------------------------------------------------------------------
MACHINE_JSON="$OUT/machine.json"
CPU_MODEL="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
OS_NAME="$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -s)"
"$PYTHON" - "$MACHINE_JSON" <<EOF
import json, sys
json.dump({
    "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
    "nproc": $NPROC,
    "threads_all": $THREADS,
    "cpu": """$CPU_MODEL""",
    "os": """$OS_NAME ($(uname -r), $(uname -m))""",
    "swift": """$(swift --version 2>&1 | grep -m1 -o 'Swift version [^ ]*' || echo unknown)""",
    "cc": """$("$CC" --version | head -1)""",
    "cflags": "$CFLAGS",
    "gsl": "$(pkg-config --modversion gsl)",
    "numpy": "$NUMPY_VERSION",
    "python": "$("$PYTHON" -c 'import platform; print(platform.python_version())')",
    "repeats": $REPEATS,
    "load_before": """$(cut -d' ' -f1-3 /proc/loadavg)""",
}, open(sys.argv[1], "w"))
EOF

# ---- runs ------------------------------------------------------------------------------------
RUNS="$OUT/runs.jsonl"
: > "$RUNS"
stat_ticks() { # busy and steal ticks of all cores so far (/proc/stat, USER_HZ)
    local c=($(head -1 /proc/stat))
    echo "$(( c[1] + c[2] + c[3] + c[6] + c[7] )) $(( c[8] ))"
}
TICKS="$(getconf CLK_TCK)"
run() { # label command...: one timing, appended to $RUNS with the machine's load during it
    local label="$1"; shift
    local line busy b0 b1 own
    busy="$(wait_quiet)"
    b0=($(stat_ticks))
    if ! own="$( { TIMEFORMAT='%U %S'; time "$@" > "$OUT/last.json" 2> "$OUT/last.err"; } 2>&1 )"; then
        log "run-baselines: $label failed: $*"; cat "$OUT/last.err" >&2; exit 1
    fi
    b1=($(stat_ticks))
    line="$(cat "$OUT/last.json")"
    # CPU seconds used by other processes during the run (all cores' busy time minus this run's),
    # and CPU seconds the hypervisor stole from the machine.
    local others steal
    others="$(awk -v b="$(( b1[0] - b0[0] ))" -v t="$TICKS" -v own="$own" \
        'BEGIN { split(own, o, " "); x = b / t - o[1] - o[2]; printf "%.2f", x < 0 ? 0 : x }')"
    steal="$(awk -v s="$(( b1[1] - b0[1] ))" -v t="$TICKS" 'BEGIN { printf "%.2f", s / t }')"
    printf '{"label":"%s","busy_before":%s,"others_cpu_s":%s,"steal_s":%s,"run":%s}\n' \
        "$label" "$busy" "$others" "$steal" "$line" >> "$RUNS"
    log "   $label: $(printf '%s' "$line" | grep -o '"elapsed_s":[0-9.]*'), other processes ${others} CPU s, steal ${steal} s"
}
run_parallel() { # label copies trials-each command...: `copies` processes at once, merged into one line
    local label="$1" copies="$2"; shift 2
    local i
    for ((i = 0; i < copies; i++)); do "$@" > "$OUT/par.$i.json" & done
    wait
    cat "$OUT"/par.*.json | "$PYTHON" -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if l.strip()]
n = sum(r["trials"] for r in rs)
out = dict(rs[0], impl=rs[0]["impl"] + " x%d processes" % len(rs), trials=n, threads=len(rs),
           elapsed_s=max(r["elapsed_s"] for r in rs), cpu_s=sum(r["cpu_s"] for r in rs),
           steps=sum(r["steps"] for r in rs))
for m in (1, 12, 60):
    out["mean_active_m%d" % m] = round(sum(r["trials"] * r["mean_active_m%d" % m] for r in rs) / n, 4)
    out["se_m%d" % m] = round(sum((r["trials"] * r["se_m%d" % m]) ** 2 for r in rs) ** 0.5 / n, 4)
out["trials_per_s"] = round(n / out["elapsed_s"], 1)
out["ns_per_step"] = round(out["elapsed_s"] * 1e9 / out["steps"], 3)
print(json.dumps(out, separators=(",", ":")))'
    rm -f "$OUT"/par.*.json
}
NUMPY="$HERE/baselines/sbg_cohorts_numpy.py"
QUIET_WAIT="${QUIET_WAIT:-0}"
busy_percent() { # share of all cores busy over one second, from /proc/stat
    local a b
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
    for ((i = 1; i < ${#a[@]}; i++)); do total=$(( total + b[i] - a[i] )); done
    echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
wait_quiet() { # prints the busy share measured last
    local waited=0 busy
    while busy=$(busy_percent); (( busy >= 10 && waited < QUIET_WAIT )); do
        (( waited == 0 )) && log "   waiting up to ${QUIET_WAIT}s for an idle machine (${busy} % busy)"
        sleep 4; waited=$(( waited + 5 ))
    done
    echo "$busy"
}
LEVERS="${LEVERS:-1}"
LEVER_TRIALS="${LEVER_TRIALS:-500}"
run_levers() { # threads seed: LeverTimer on levers-saas (every lever, then levers off), 2 lines
    local threads="$1" seed="$2" suffix line
    [[ "$threads" == 1 ]] && suffix=1t || suffix=all
    wait_quiet > /dev/null
    if ! (cd "$HERE" && "$LEVER_BIN" "$HERE/../Scenarios/levers-saas.yaml" "$LEVER_TRIALS" "$threads" "$seed") \
            > "$OUT/levers.json" 2> "$OUT/levers.err"; then
        log "run-baselines: LeverTimer failed"; cat "$OUT/levers.err" >&2; exit 1
    fi
    while IFS= read -r line; do
        case "$line" in
            *'"swift-levers-off"'*) printf '{"label":"levers_off_%s","run":%s}\n' "$suffix" "$line" >> "$RUNS" ;;
            *'"swift-levers"'*)     printf '{"label":"levers_%s","run":%s}\n' "$suffix" "$line" >> "$RUNS" ;;
        esac
    done < "$OUT/levers.json"
    log "   levers, $threads thread(s): $(grep -o '"seconds": [0-9.]*' "$OUT/levers.json" | tr '\n' ' ')"
}
log "== timing (load average before: $(cut -d' ' -f1-3 /proc/loadavg)); $REPEATS repeats, interleaved"
for ((r = 1; r <= REPEATS; r++)); do
    log "-- repeat $r of $REPEATS (seed $r)"
    run c_20k            "$C_BIN" 20000 1000 "$r"
    run swift_1t_20k     "$SWIFT_BIN" 20000 1000 "$r" 1
    run swift_all_20k    "$SWIFT_BIN" 20000 1000 "$r" "$THREADS"
    run c_par_20k        run_parallel c "$THREADS" "$C_BIN" $(( 20000 / THREADS )) 1000 "$r"
    run numpy_20k        "$PYTHON" "$NUMPY" 20000 1000 "$r"
    run swift_reduce_20k "$SWIFT_BIN" 20000 1000 "$r" 1 reduce
    run swift_lam1e3_5k  "$SWIFT_BIN" 5000 1000 "$r" 1
    run swift_lam1e6_5k  "$SWIFT_BIN" 5000 1000000 "$r" 1
    run c_lam1e3_5k      "$C_BIN" 5000 1000 "$r"
    run c_lam1e6_5k      "$C_BIN" 5000 1000000 "$r"
    run swift_1t_10k     "$SWIFT_BIN" 10000 1000 "$r" 1
    run swift_1t_100k    "$SWIFT_BIN" 100000 1000 "$r" 1
    if [[ "$LEVERS" != 0 ]]; then
        run_levers 1 "$r"
        [[ "$THREADS" != 1 ]] && run_levers "$THREADS" "$r"
    fi
    if [[ "$ABLATION" != 0 ]]; then
        run abl_c_pcg64_20k     env GSL_RNG_TYPE=pcg64 "$C_BIN" 20000 1000 "$r"
        run abl_lean_mt_20k     "$ABL_BIN" lean-mt19937 20000 "$r"
        run abl_lean_pcg_20k    "$ABL_BIN" lean-pcg64 20000 "$r"
        run abl_lean_fixed_20k  "$ABL_BIN" lean-pcg64-fixed 20000 "$r"
        run abl_lean_rekey_20k  "$ABL_BIN" lean-pcg64-rekey 20000 "$r"
        run abl_restruct_20k    "$ABL_BIN" restructured 20000 "$r"
        run abl_rekey           "$ABL_BIN" rekey 20000 "$r"
        run abl_matrix_20k      "$ABL_BIN" matrix 20000 "$r"
    fi
done
if [[ "$ABLATION" != 0 ]]; then # the restructured loop must give the engine's outputs exactly
    printf '{"label":"abl_check","run":%s}\n' "$("$ABL_BIN" restructured-check 500 1)" >> "$RUNS"
fi
"$PYTHON" - "$MACHINE_JSON" <<EOF
import json, sys
m = json.load(open(sys.argv[1])); m["load_after"] = """$(cut -d' ' -f1-3 /proc/loadavg)"""
json.dump(m, open(sys.argv[1], "w"))
EOF

# ---- report ----------------------------------------------------------------------------------
"$PYTHON" "$HERE/baselines/summarize.py" "$RUNS" "$MACHINE_JSON" "$HERE/RESULTS.md" "$HERE/README.md"
