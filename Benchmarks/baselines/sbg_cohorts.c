/* sbg_cohorts.c: the `sbg-cohorts` chain-binomial loop in plain C + GSL, single-threaded.
 *
 * The baseline Subcast's Swift engine is measured against: the same draws a careful C
 * programmer would make, and nothing else.
 *
 * Model (horizon 60 months, price 50, sBG churn alpha 0.5, beta 12):
 *   - at the start of month m, A_m ~ Poisson(lambda) new subscribers arrive (one cohort);
 *   - every active subscriber pays in every month it is active, the arrival month included;
 *   - at the end of each month a subscriber who has paid t months churns with probability
 *     h(t) = alpha / (alpha + beta + t - 1); the churners of a cohort of n are Binomial(n, h(t)).
 * Per trial and month: one Poisson draw, then one binomial draw per active cohort, so a run
 * makes trials x 60 x 61 / 2 binomial draws ("cohort-month steps").
 *
 * Careful choices: one gsl_rng for the whole run (mt19937 unless GSL_RNG_TYPE names another,
 * e.g. GSL_RNG_TYPE=ranlxd1; GSL_RNG_TYPE=pcg64 selects a PCG64 (XSL-RR 128/64, numpy's
 * default and the generator of Subcast's engine) written here in C as a gsl_rng_type, so the
 * generator's share of the time can be compared like for like), a hazard table computed once, the alive counts of the cohorts in
 * one flat array reused by every trial, no allocation in the loop. The per-month active counts
 * are summed over trials (sum and sum of squares), so the work cannot be optimised away, and
 * the means of months 1, 12 and 60 are printed to check the draws against the closed form:
 * at lambda 1000 the exact means are 1000, 10061.4618 and 34875.1054 (they scale with lambda).
 *
 * Output: one JSON line (same keys as EngineTimer and sbg_cohorts_numpy.py).
 * Build:  gcc -O2 -o sbg_cohorts sbg_cohorts.c $(pkg-config --cflags --libs gsl)
 * Usage:  ./sbg_cohorts [trials=20000] [lambda=1000] [seed=1]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define HORIZON 60

/* PCG64 (XSL-RR 128/64) as a gsl_rng_type: the same generator algorithm as Subcast's engine
   (which implements it in Swift behind the same gsl_rng interface). Seeded by SplitMix64 from
   the seed (not numpy's SeedSequence; only the speed matters here). */
typedef struct { unsigned __int128 state, inc; } pcg64_state;
#define PCG64_MULT (((unsigned __int128)0x2360ED051FC65DA4ULL << 64) | 0x4385DF649FCCF645ULL)
static inline unsigned long pcg64_next(pcg64_state *s) {
    s->state = s->state * PCG64_MULT + s->inc;
    unsigned long hi = (unsigned long)(s->state >> 64), lo = (unsigned long)s->state;
    unsigned rot = (unsigned)(s->state >> 122);
    unsigned long x = hi ^ lo;
    return rot ? (x >> rot) | (x << (64 - rot)) : x;
}
static unsigned long pcg64_get(void *vs) { return pcg64_next(vs); }
static double pcg64_get_double(void *vs) { return (double)(pcg64_next(vs) >> 11) * 0x1.0p-53; }
static unsigned long splitmix64(unsigned long *x) {
    unsigned long z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static void pcg64_set(void *vs, unsigned long seed) {
    pcg64_state *s = vs;
    unsigned long x = seed, a = splitmix64(&x), b = splitmix64(&x), c = splitmix64(&x), d = splitmix64(&x);
    s->inc = ((((unsigned __int128)c << 64) | d) << 1) | 1;
    s->state = 0;
    pcg64_next(s);
    s->state += ((unsigned __int128)a << 64) | b;
    pcg64_next(s);
}
static const gsl_rng_type pcg64_type = {"pcg64", 0xffffffffffffffffUL, 0, sizeof(pcg64_state),
                                        &pcg64_set, &pcg64_get, &pcg64_get_double};

static double now(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage(void) {
    fprintf(stderr, "usage: sbg_cohorts [trials>=1] [lambda>0] [seed]\n");
    exit(2);
}

int main(int argc, char **argv) {
    long trials = 20000;
    double lambda = 1000;
    unsigned long seed = 1;
    char *end;
    if (argc > 1) { trials = strtol(argv[1], &end, 10); if (*end || trials < 1) usage(); }
    if (argc > 2) { lambda = strtod(argv[2], &end); if (*end || !(lambda > 0)) usage(); }
    if (argc > 3) { seed = strtoul(argv[3], &end, 10); if (*end) usage(); }

    const double alpha = 0.5, beta = 12;

    gsl_set_error_handler_off();
    const char *type_name = getenv("GSL_RNG_TYPE");
    const gsl_rng_type *type;
    if (type_name && strcmp(type_name, "pcg64") == 0) {
        type = &pcg64_type;
    } else {
        gsl_rng_env_setup(); /* GSL_RNG_TYPE selects one of GSL's generators; default mt19937 */
        type = gsl_rng_default;
    }
    gsl_rng *r = gsl_rng_alloc(type);
    if (!r) { fprintf(stderr, "gsl_rng_alloc failed\n"); return 1; }
    gsl_rng_set(r, seed);

    /* hazard[a]: churn probability at the end of a cohort's month of age a (0-based),
       i.e. after paying t = a + 1 months: alpha / (alpha + beta + t - 1). */
    double hazard[HORIZON];
    for (int a = 0; a < HORIZON; a++) hazard[a] = alpha / (alpha + beta + a);

    unsigned int alive[HORIZON];      /* alive[c]: subscribers of the cohort of month c + 1 */
    double sum[HORIZON] = {0}, sumsq[HORIZON] = {0};

    double wall0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (long trial = 0; trial < trials; trial++) {
        for (int m = 0; m < HORIZON; m++) {   /* month m + 1 */
            alive[m] = gsl_ran_poisson(r, lambda);
            unsigned long active = 0;
            for (int c = 0; c <= m; c++) {
                unsigned int n = alive[c];
                active += n;
                if (n) alive[c] = n - gsl_ran_binomial(r, hazard[m - c], n);
            }
            double x = (double)active;
            sum[m] += x;
            sumsq[m] += x * x;
        }
    }
    double wall = now(CLOCK_MONOTONIC) - wall0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

    long steps = trials * HORIZON * (HORIZON + 1) / 2;
    const int months[3] = {1, 12, 60};
    double mean[3], se[3];
    for (int i = 0; i < 3; i++) {
        int j = months[i] - 1;
        double n = (double)trials;
        mean[i] = sum[j] / n;
        double var = trials > 1 ? (sumsq[j] - n * mean[i] * mean[i]) / (n - 1) : 0;
        se[i] = sqrt(var > 0 ? var / n : 0);
    }
    printf("{\"impl\":\"c-gsl\",\"rng\":\"%s via gsl_rng\",\"trials\":%ld,\"lambda\":%.1f,\"seed\":%lu,\"threads\":1,"
           "\"mean_active_m1\":%.4f,\"mean_active_m12\":%.4f,\"mean_active_m60\":%.4f,"
           "\"se_m1\":%.4f,\"se_m12\":%.4f,\"se_m60\":%.4f,"
           "\"elapsed_s\":%.6f,\"cpu_s\":%.6f,\"trials_per_s\":%.1f,\"steps\":%ld,\"ns_per_step\":%.3f}\n",
           gsl_rng_name(r), trials, lambda, seed, mean[0], mean[1], mean[2], se[0], se[1], se[2],
           wall, cpu, (double)trials / wall, steps, wall * 1e9 / (double)steps);
    gsl_rng_free(r);
    return 0;
}
