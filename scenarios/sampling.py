"""Sample designs for sweeps over a scenario's uncertain parameters and plan options, and the
Sobol' sensitivity indices of an output over a Saltelli design.

Every design is first a set of points in the unit cube, one coordinate per parameter or option,
mapped to values by each one's inverse CDF (an option by equal shares of the unit interval), so
the strata of the design are strata of each distribution:

* ``lhs`` — Latin hypercube sampling (McKay, Beckman & Conover 1979, *Technometrics* 21:239):
  each of the ``n`` equal-probability strata of every parameter is sampled exactly once; a
  better estimate of a mean than plain Monte Carlo for the same number of variants.
* ``sobol`` — Sobol' low-discrepancy points (Sobol' 1967, *USSR Comput. Math. Math. Phys.*
  7(4):86), scrambled (Owen 1998) so that estimates have error bars; balanced only for a power
  of 2 of points, so ``n`` is rounded up to one.
* ``saltelli`` — the design of Saltelli (2002, *Comput. Phys. Commun.* 145:280) for Sobol'
  indices (Sobol' 2001, *Math. Comput. Simul.* 55:271): ``N·(2D+2)`` points for ``D``
  parameters and options, ``N`` a power of 2. :func:`sobol_indices` estimates first-order and
  total indices from the outputs at those points (the estimators of Saltelli et al. 2010,
  *Comput. Phys. Commun.* 181:259) with bootstrap confidence intervals.

All designs are a pure function of ``(scenario's declarations, n, method, seed)``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import numpy as np

from drillsim.scenarios.schema.uncertainty import Choice
from drillsim.scenarios.variants import Option, Parameter

Method = Literal["lhs", "sobol", "saltelli"]
METHODS: tuple[Method, ...] = ("lhs", "sobol", "saltelli")
Sample = dict[str, float | Choice]
"""One variant's values, by name (seconds for a duration)."""


class Declared(Protocol):
    """What is sampled: a scenario's parameters and options (:class:`Variants` is one)."""

    @property
    def parameters(self) -> Sequence[Parameter]: ...

    @property
    def options(self) -> Sequence[Option]: ...


class SampleSizeWarning(UserWarning):
    """A design's size was changed to one the method is balanced for."""


def _names(declared: Declared) -> list[str]:
    names = [p.name for p in declared.parameters] + [o.name for o in declared.options]
    if not names:
        raise ValueError("nothing to sample: the scenario declares no uncertain parameters or "
                         "plan options (add an uncertainty section)")
    return names


def _power_of_two(n: int, what: str) -> int:
    m = 1 << max(0, math.ceil(math.log2(n)))
    if m != n:
        warnings.warn(f"{what}: {n} rounded up to {m}, a power of 2 (Sobol' points are balanced "
                      "only in powers of 2)", SampleSizeWarning, stacklevel=4)
    return m


def unit_design(d: int, n: int, method: Method, seed: int) -> np.ndarray:
    """Points in the unit cube ``[0, 1)^d``: ``n`` of them (``lhs``), ``n`` rounded up to a
    power of 2 (``sobol``), or ``N·(2d+2)`` for ``N = n`` rounded up to a power of 2
    (``saltelli``, in the order :func:`sobol_indices` expects)."""
    from scipy.stats import qmc

    if n < 1:
        raise ValueError(f"a sample needs at least 1 point, got {n}")
    rng = np.random.default_rng(seed)
    if method == "lhs":
        return qmc.LatinHypercube(d, seed=rng).random(n)
    if method == "sobol":
        return qmc.Sobol(d, scramble=True, seed=rng).random(_power_of_two(n, "sobol"))
    if method == "saltelli":
        from SALib.sample import sobol as saltelli

        base = _power_of_two(n, "saltelli base size N")
        problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)],
                   "bounds": [[0.0, 1.0]] * d}
        return np.asarray(saltelli.sample(problem, base, calc_second_order=True,
                                          scramble=True, seed=seed), dtype=float)
    raise ValueError(f"unknown sampling method {method!r}; expected one of {', '.join(METHODS)}")


def values_at(declared: Declared, u: np.ndarray) -> list[Sample]:
    """The values at points ``u`` of the unit cube (columns: parameters, then options)."""
    params, options = list(declared.parameters), list(declared.options)
    u = np.atleast_2d(np.asarray(u, dtype=float))
    if u.shape[1] != len(params) + len(options):
        raise ValueError(f"{u.shape[1]} columns for {len(params) + len(options)} parameters "
                         "and options")
    columns: list[list[Any]] = [p.quantiles(u[:, j]).tolist() for j, p in enumerate(params)]
    columns += [[o.choices[k] for k in o.index(u[:, len(params) + j])]
                for j, o in enumerate(options)]
    names = [p.name for p in params] + [o.name for o in options]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def sample(declared: Declared, n: int, method: Method = "lhs", seed: int = 0) -> list[Sample]:
    """Values of every parameter and option for each variant of a sweep (see the module's
    docstring for the methods and the number of variants each gives)."""
    d = len(_names(declared))
    return values_at(declared, unit_design(d, n, method, seed))


def sobol_indices(declared: Declared, samples: Sequence[Sample], outputs: Any, *,
                  conf_level: float = 0.95, num_resamples: int = 100,
                  seed: int = 0) -> dict[str, dict[str, float]]:
    """First-order (``S1``) and total (``ST``) Sobol' indices of one output, by parameter or
    option name, each with the half-width of its ``conf_level`` bootstrap confidence
    interval (``S1_conf``, ``ST_conf``). ``samples`` is a ``saltelli`` sample of
    ``declared`` and ``outputs`` the output of each, in the same order (e.g. a metric's mean
    over the replicates of each variant).

    ``S1`` is the share of the output's variance due to the parameter alone, ``ST`` with its
    interactions; ``ST`` near 0 means the parameter can be fixed anywhere in its range."""
    from SALib.analyze import sobol

    names = _names(declared)
    y = np.asarray(outputs, dtype=float).ravel()
    step = 2 * len(names) + 2
    if len(samples) != y.size:
        raise ValueError(f"{y.size} outputs for {len(samples)} samples")
    if y.size == 0 or y.size % step:
        raise ValueError(f"{y.size} samples are not a saltelli sample of {len(names)} "
                         f"parameters and options (a multiple of 2·{len(names)}+2 = {step})")
    if any(set(s) != set(names) for s in samples):
        raise ValueError(f"the samples are not of this scenario's {', '.join(names)}")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        shown = ", ".join(str(i) for i in bad[:20]) + (", …" if bad.size > 20 else "")
        raise ValueError(f"the output is not a finite number for {bad.size} of {y.size} "
                         f"samples (index {shown}); Sobol' indices need every one: rerun "
                         "them, or choose an output that every variant has")
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    res = sobol.analyze(problem, y, calc_second_order=True, num_resamples=num_resamples,
                        conf_level=conf_level, seed=seed)
    return {name: {key: float(res[key][j]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            for j, name in enumerate(names)}


__all__ = ["METHODS", "Declared", "Method", "Sample", "SampleSizeWarning", "sample",
           "sobol_indices", "unit_design", "values_at"]
