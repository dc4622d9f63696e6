"""Queueing formulas for sizing response teams and for verifying the dispatch model.

The M/M/c queue (Poisson arrivals at rate λ, exponential service at rate μ per server, c
identical servers, first come first served): the probability that an arrival waits is
Erlang's C formula and the mean wait in queue is ``C(c, a) / (c μ − λ)`` with offered load
``a = λ / μ`` (e.g. Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
4th ed., 2008, §2.3, eqs. 2.29–2.31).
"""

from __future__ import annotations

import math


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival has to wait, C(c, a), for ``servers`` = c and
    ``offered_load`` = a = λ/μ < c. Computed with the Erlang B recursion (stable for large
    c): B(0) = 1, B(k) = a B(k−1) / (k + a B(k−1)), C = c B / (c − a (1 − B))."""
    c, a = int(servers), float(offered_load)
    if c < 1 or a < 0:
        raise ValueError("need at least one server and a load >= 0")
    if a >= c:
        return 1.0  # the queue grows without bound: everyone waits
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue of an M/M/c queue, in the unit of 1/rate (inf if unstable)."""
    a = arrival_rate / service_rate
    if a >= servers:
        return math.inf
    return erlang_c(servers, a) / (servers * service_rate - arrival_rate)
