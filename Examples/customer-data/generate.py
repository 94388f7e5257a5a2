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

Plan changes are drawn from a second stream: a good resolution on starter upgrades the customer
to pro with probability 0.3, a few days after the resolution (before the next renewal); and in
any month a starter customer moves to pro with probability 0.01, a pro customer to starter with
probability 0.008, on a random day (a change on or before the customer's previous one is dropped,
so that each customer's changes are in order). A customer keeps the churn probability drawn at
sign-up; tickets come at the current plan's rate (as in the model). subscriptions.csv gives the plan (and its amount) on the as-of date or at the end;
plan_changes.csv every change.

    python3 generate.py          # writes subscriptions.csv, tickets.csv, activations.csv, plan_changes.csv
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
UPSELL = {"starter": ("pro", 0.3)}                    # upgrade after a good resolution
MOVES = {"starter": ("pro", 0.01), "pro": ("starter", 0.008)}   # a month


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
    changes_rng = np.random.Generator(np.random.PCG64(seed + 1))
    amounts = {p[0]: p[3] for p in PLANS}
    RATE = {p[0]: p[4] for p in PLANS}       # tickets follow the plan of the month, as in the model
    first = add_months(AS_OF, -WINDOW_MONTHS)
    span = (AS_OF - first).days
    subs, tickets, activations, changes = [], [], [], []
    shares = np.array([p[5] for p in PLANS])
    for i in range(CUSTOMERS):
        start = first + dt.timedelta(days=int(rng.random() * span))
        k = int(rng.choice(len(PLANS), p=shares))
        name, alpha, beta, _, _, _ = PLANS[k]
        p = rng.beta(alpha, beta)
        plan = name
        last_change = None          # the day of the last plan change
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
            if open_ticket is None and rng.random() < 1 - math.exp(-RATE[plan]):
                opened = day_between(rng, period_start, renewal)
                if opened <= AS_OF:
                    open_ticket, raised = (opened, m), True
            if open_ticket is not None and rng.random() < RESOLVE_IN_MONTH:
                resolved = day_between(rng, max(open_ticket[0], period_start), renewal)
                good = rng.random() < FCR
                if resolved <= AS_OF:
                    tickets.append((f"c{i}", open_ticket[0], resolved, "good" if good else "bad"))
                    last, open_ticket = (m, good), None
                    if good and plan in UPSELL and changes_rng.random() < UPSELL[plan][1]:
                        day = min(resolved + dt.timedelta(days=int(changes_rng.integers(0, 10))), renewal - dt.timedelta(days=1), AS_OF)
                        if last_change is None or day > last_change:
                            changes.append((f"c{i}", day, plan, UPSELL[plan][0]))
                            plan, last_change = UPSELL[plan][0], day
                else:
                    tickets.append((f"c{i}", open_ticket[0], None, ""))
                    open_ticket = None
                    break
            if plan in MOVES and changes_rng.random() < MOVES[plan][1]:
                day = day_between(changes_rng, period_start, renewal)
                if day <= AS_OF and (last_change is None or day > last_change):
                    changes.append((f"c{i}", day, plan, MOVES[plan][0]))
                    plan, last_change = MOVES[plan][0], day
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
        subs.append((f"c{i}", plan, start, end, amounts[plan]))
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
    with open(os.path.join(out, "plan_changes.csv"), "w") as f:
        f.write("subscription_id,changed,from_plan,to_plan\n")
        for r in sorted(changes, key=lambda t: (t[1], t[0])):
            f.write("%s,%s,%s,%s\n" % r)


if __name__ == "__main__":
    main()
