#!/usr/bin/env python3
"""Synthetic customer data for the worked example of `subcast fit`, `score` and `backtest`.

Customers are drawn one by one from known parameters, following the rules of the Subcast model
(Scenarios/README.md, support and onboarding): each customer has their own monthly churn
probability p ~ Beta(alpha, beta) and ramp-up time R ~ lognormal; month by month a customer
without an open ticket raises one with probability 1 - exp(-rate), an open ticket is resolved
within the month with probability 0.6 (well with probability 0.7); at each renewal the customer is
waiting (a ticket open), a detractor (3 renewals after a bad resolution), a promoter (6 after a good
one), at risk (R beyond 3 months, not yet productive, no ticket yet) or healthy, and leaves with
min(1, x p). Cancellations happen on the renewal date.

    python3 generate.py          # writes subscriptions.csv, tickets.csv, activations.csv
    python3 generate.py SEED DIR # another draw, into DIR

The files in this directory were written by this script with the seed below (numpy's PCG64).
"""
import datetime as dt
import math
import os
import sys

import numpy as np

SEED = 20261031
AS_OF = dt.date(2026, 10, 31)
WINDOW_MONTHS = 36
CUSTOMERS = 2500
PLANS = [  # name, alpha, beta, amount, tickets per month, share of sign-ups
    ("starter", 1.1, 11.0, 29.0, 0.20, 0.7),
    ("pro", 1.6, 24.0, 99.0, 0.35, 0.3),
]
MULTIPLIER = {"healthy": 1.0, "at_risk": 2.5, "waiting": 1.8, "detractor": 3.0, "promoter": 0.5}
RAMP_MEDIAN, RAMP_LOG_SD, THRESHOLD = 1.5, 0.8, 3.0
FCR, RESOLVE_IN_MONTH = 0.7, 0.6
BAD_MONTHS, GOOD_MONTHS = 3, 6


def add_months(d, n):
    total = d.year * 12 + d.month - 1 + n
    y, m = divmod(total, 12)
    m += 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return dt.date(y, m, min(d.day, last))


def day_between(rng, a, b, u=None):
    """A day in [a, b) (a itself when the span is empty)."""
    span = max(1, (b - a).days)
    u = rng.random() if u is None else u
    return a + dt.timedelta(days=int(span * u))


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else SEED
    out = sys.argv[2] if len(sys.argv) > 2 else "."
    rng = np.random.Generator(np.random.PCG64(seed))
    first = add_months(AS_OF, -WINDOW_MONTHS)
    span = (AS_OF - first).days
    subs, tickets, activations = [], [], []
    shares = np.array([p[5] for p in PLANS])
    for i in range(CUSTOMERS):
        start = first + dt.timedelta(days=int(rng.random() * span))
        k = int(rng.choice(len(PLANS), p=shares))
        name, alpha, beta, amount, rate, _ = PLANS[k]
        p = rng.beta(alpha, beta)
        ramp = RAMP_MEDIAN * math.exp(RAMP_LOG_SD * rng.standard_normal())
        slow = ramp > THRESHOLD
        end = None
        open_ticket = None          # (opened date, month)
        raised = False
        last = None                 # (month, good)
        m = 1
        while True:
            period_start, renewal = add_months(start, m - 1), add_months(start, m)
            if period_start > AS_OF:
                break
            if open_ticket is None and rng.random() < 1 - math.exp(-rate):
                opened = day_between(rng, period_start, renewal)
                if opened <= AS_OF:
                    open_ticket, raised = (opened, m), True
            if open_ticket is not None and rng.random() < RESOLVE_IN_MONTH:
                resolved = day_between(rng, max(open_ticket[0], period_start), renewal)
                good = rng.random() < FCR
                if resolved <= AS_OF:
                    tickets.append((f"c{i}", open_ticket[0], resolved, "good" if good else "bad"))
                    last, open_ticket = (m, good), None
                else:
                    tickets.append((f"c{i}", open_ticket[0], None, ""))
                    open_ticket = None
                    break
            if renewal > AS_OF:
                if open_ticket is not None:
                    tickets.append((f"c{i}", open_ticket[0], None, ""))
                break
            if open_ticket is not None:
                condition = "waiting"
            elif last is not None and not last[1] and m - last[0] < BAD_MONTHS:
                condition = "detractor"
            elif last is not None and last[1] and m - last[0] < GOOD_MONTHS:
                condition = "promoter"
            elif slow and ramp > m - 1 and not raised:
                condition = "at_risk"
            else:
                condition = "healthy"
            if rng.random() < min(1.0, MULTIPLIER[condition] * p):
                end = renewal
                if open_ticket is not None:
                    tickets.append((f"c{i}", open_ticket[0], None, ""))
                break
            m += 1
        subs.append((f"c{i}", name, start, end, amount))
        whole = int(math.floor(ramp))
        a, b = add_months(start, whole), add_months(start, whole + 1)
        activated = day_between(rng, a, b, ramp - whole)
        if activated <= min(end or AS_OF, AS_OF):
            activations.append((f"c{i}", activated))

    def fmt(x):
        return "" if x is None else str(x)

    with open(os.path.join(out, "subscriptions.csv"), "w") as f:
        f.write("# Synthetic subscriptions written by generate.py (seed %d), as of %s\n" % (seed, AS_OF))
        f.write("id,plan,start,end,amount\n")
        for r in subs:
            f.write("%s,%s,%s,%s,%.2f\n" % (r[0], r[1], r[2], fmt(r[3]), r[4]))
    with open(os.path.join(out, "tickets.csv"), "w") as f:
        f.write("subscription_id,opened,resolved,outcome\n")
        for r in sorted(tickets, key=lambda t: (t[1], t[0])):
            f.write("%s,%s,%s,%s\n" % (r[0], r[1], fmt(r[2]), r[3]))
    with open(os.path.join(out, "activations.csv"), "w") as f:
        f.write("subscription_id,activated\n")
        for r in activations:
            f.write("%s,%s\n" % r)


if __name__ == "__main__":
    main()
