#!/usr/bin/env python3
"""The `sbg-cohorts` chain-binomial model, vectorised over trials with NumPy.

Model (horizon 60 months, price 50, sBG churn alpha 0.5, beta 12): at the start of month m,
A_m ~ Poisson(lambda) new subscribers arrive; every active subscriber pays in every month it
is active; at the end of each month a subscriber who has paid t months churns with probability
alpha / (alpha + beta + t - 1), so the churners of a cohort of n are Binomial(n, that).

Vectorised the way a NumPy programmer would write it: one Generator(PCG64) for the run; per
month one Poisson draw for all trials at once, then one binomial draw for the whole
(trials x active cohorts) matrix at once (numpy broadcasts the per-cohort probabilities), so
Python runs 60 iterations per batch and NumPy's C loops make the trials x 60 x 61 / 2 draws.
Trials are processed in batches (default 20,000 at a time) to bound memory.

Prints one JSON line with the same keys as sbg_cohorts.c and EngineTimer. At lambda 1000 the
exact means of the active subscribers are 1000 (month 1), 10061.4618 (month 12) and
34875.1054 (month 60); they scale with lambda.

Usage: sbg_cohorts_numpy.py [trials=20000] [lambda=1000] [seed=1] [batch=20000]
"""
import json
import os
import sys
import time

# Single-threaded like the other two programs: without this, OpenBLAS (used for the dot product
# of the sums of squares) keeps a second thread spinning on another core.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

HORIZON = 60
ALPHA, BETA = 0.5, 12.0


def run(trials: int, lam: float, seed: int, batch: int):
    rng = np.random.Generator(np.random.PCG64(seed))
    # hazard[a]: churn probability at the end of a cohort's month of age a (0-based), i.e.
    # after t = a + 1 payments: alpha / (alpha + beta + t - 1).
    hazard = ALPHA / (ALPHA + BETA + np.arange(HORIZON, dtype=np.float64))
    total = np.zeros(HORIZON)
    total_sq = np.zeros(HORIZON)
    done = 0
    while done < trials:
        n = min(batch, trials - done)
        alive = np.zeros((n, HORIZON), dtype=np.int64)   # alive[:, c]: cohort of month c + 1
        for m in range(HORIZON):                          # month m + 1
            alive[:, m] = rng.poisson(lam, n)
            cohorts = alive[:, : m + 1]
            active = cohorts.sum(axis=1).astype(np.float64)
            total[m] += active.sum()
            total_sq[m] += active @ active
            # cohort c has age m - c: probabilities hazard[m], hazard[m - 1], ..., hazard[0]
            cohorts -= rng.binomial(cohorts, hazard[m::-1])
        done += n
    return total, total_sq


def main(argv):
    trials = int(argv[1]) if len(argv) > 1 else 20000
    lam = float(argv[2]) if len(argv) > 2 else 1000.0
    seed = int(argv[3]) if len(argv) > 3 else 1
    batch = int(argv[4]) if len(argv) > 4 else 20000
    if trials < 1 or not lam > 0 or batch < 1:
        sys.exit("usage: sbg_cohorts_numpy.py [trials>=1] [lambda>0] [seed] [batch>=1]")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    total, total_sq = run(trials, lam, seed, batch)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    steps = trials * HORIZON * (HORIZON + 1) // 2
    out = {"impl": "numpy", "rng": f"pcg64 via numpy {np.__version__} Generator",
           "trials": trials, "lambda": lam, "seed": seed, "threads": 1}
    means, ses = {}, {}
    for month in (1, 12, 60):
        j = month - 1
        mean = total[j] / trials
        var = (total_sq[j] - trials * mean * mean) / (trials - 1) if trials > 1 else 0.0
        means[month] = mean
        ses[month] = (max(var, 0.0) / trials) ** 0.5
    for month in (1, 12, 60):
        out[f"mean_active_m{month}"] = round(means[month], 4)
    for month in (1, 12, 60):
        out[f"se_m{month}"] = round(ses[month], 4)
    out.update({"elapsed_s": round(wall, 6), "cpu_s": round(cpu, 6),
                "trials_per_s": round(trials / wall, 1), "steps": steps,
                "ns_per_step": round(wall * 1e9 / steps, 3)})
    print(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv)
