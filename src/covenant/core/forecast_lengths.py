"""Episode lengths when little is on record: a predictive distribution that carries the
uncertainty of a few observations (docs/exposure.md, "The model", rule 3).

With fewer than ``MIN_HISTORY`` past periods the lengths on record are few, and the ones seen
so far are the short, common ones: drawing future lengths from them alone (the empirical
distribution) leaves out the long outage the period has not had yet, so the band is too low.
Instead the logarithm of an episode's length is taken as normal with an unknown mean and
variance under a weak conjugate (normal–inverse-gamma) prior, and future lengths come from the
**posterior**: few lengths on record → an uncertain log-median and a wide spread → a heavy
tail; many → close to the fitted log-normal.

The episodes still to come share one (unknown) log-median and spread, so their uncertainty is
not drawn afresh for each episode (that would make a long one for each of them in turn, and
the band far too high): each episode's length is log-normal with the posterior's spread, and
the uncertainty of the log-median scales all of them together (``scale_mixture``, a 9-node
Gauss–Hermite mixture over the log-median, applied to the remaining downtime). The uncertainty
of the spread is carried only through its posterior mean (a stated simplification: mixing over
it would cost a Panjer recursion per node). The one episode running now, alone, takes the full
Student-t predictive for its residual.

The prior (stated; docs/exposure.md gives the benchmark figures):

- μ₀ = ln(60 minutes): the length the model assumed when no episode was on record;
- κ₀ = ¼: the prior's log-median counts as a quarter of an episode — it gives the predictive a
  centre when no length is on record, and the first recorded episode outweighs it four to one
  (with κ₀ = 1 the first short episodes were pulled towards an hour and the band sat too high:
  on the benchmark 11 % of periods ended below it at 10 % of the period, none above);
- σ² ~ inverse-gamma(α₀ = 1, β₀ = α₀ σ₀²) with σ₀ = 1: a factor of e (2.7×) either way per
  standard deviation, the spread of lengths between a short blip and an hour-long outage;
  α₀ = 1 is the weakest such prior with a proper predictive (2 degrees of freedom with no
  length on record, 2 + n with n).

The predictive is discretised exactly onto the grid of whole units (P(L = k units) is the
predictive mass of ((k − ½)u, (k + ½)u], the first unit taking everything below 1½ units, as
recorded lengths are rounded) and truncated at ``max_units``: the mass of longer episodes is
put on ``max_units`` (an episode cannot add more downtime than the time left). The Student-t
distribution function is the regularised incomplete beta function, evaluated by its continued
fraction (no scipy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError

PRIOR_MEDIAN_S = 3600
"""μ₀ = ln of this: the length assumed when no episode is on record (60 minutes)."""
PRIOR_KAPPA = 0.25
"""κ₀: the prior's log-median counts as this many episodes."""
PRIOR_ALPHA = 1.0
"""α₀: the inverse-gamma prior on the log-lengths' variance (2α₀ degrees of freedom)."""
PRIOR_SIGMA = 1.0
"""σ₀: the prior's spread of log-lengths (one standard deviation: a factor of e)."""
_CF_ITERATIONS = 400
_TINY = 1e-300

Floats = npt.NDArray[np.float64]


def _betacf(a: float, b: float, x: Floats) -> Floats:
    """The continued fraction of the incomplete beta function (modified Lentz), elementwise."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1.0 / d
    h = d.copy()
    for m in range(1, _CF_ITERATIONS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        step = d * c
        h *= step
        if float(np.max(np.abs(step - 1.0))) < 1e-15:
            break
    return h


def _beta_inc(a: float, b: float, x: Floats) -> Floats:
    """The regularised incomplete beta function I_x(a, b), elementwise, 0 ≤ x ≤ 1."""
    x = np.clip(x, 0.0, 1.0)
    inner = (x > 0.0) & (x < 1.0)
    xs = np.where(inner, x, 0.5)
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * np.log(xs) + b * np.log1p(-xs)
    )
    front = np.exp(log_front)
    direct = xs < (a + 1.0) / (a + b + 2.0)
    low = front * _betacf(a, b, np.where(direct, xs, 0.0)) / a
    high = 1.0 - front * _betacf(b, a, np.where(direct, 0.0, 1.0 - xs)) / b
    out: Floats = np.where(inner, np.where(direct, low, high), np.where(x >= 1.0, 1.0, 0.0))
    return np.clip(out, 0.0, 1.0)


def student_t_cdf(t: Floats, nu: float) -> Floats:
    """P(T ≤ t) for T Student-t with ``nu`` degrees of freedom, elementwise."""
    if nu <= 0:
        raise InputError("degrees of freedom must be positive")
    tail: Floats = 0.5 * _beta_inc(nu / 2.0, 0.5, nu / (nu + t * t))
    return np.where(t > 0, 1.0 - tail, tail)


_ERF = np.frompyfunc(math.erf, 1, 1)


def normal_cdf(z: Floats) -> Floats:
    """P(Z ≤ z) for Z standard normal, elementwise."""
    out: Floats = 0.5 * (1.0 + np.asarray(_ERF(z / math.sqrt(2.0)), dtype=np.float64))
    return out


def predictive(lengths_s: Sequence[int]) -> tuple[float, float, float, float]:
    """(location, spread, location sd, degrees of freedom) of the posterior predictive of the
    natural log of an episode's length in seconds, given the ``lengths_s`` on record.

    The predictive is Student-t with scale √(spread² + location sd²): ``spread`` is the
    lengths' own scatter, ``location sd`` the uncertainty of their common log-median, which all
    the period's future episodes share."""
    if any(v <= 0 for v in lengths_s):
        raise InputError("episode lengths must be positive")
    x = np.log(np.array(lengths_s, dtype=np.float64))
    n = x.size
    mu0 = math.log(PRIOR_MEDIAN_S)
    mean = float(x.mean()) if n else mu0
    squares = float(np.sum((x - mean) ** 2)) if n else 0.0
    kappa = PRIOR_KAPPA + n
    alpha = PRIOR_ALPHA + n / 2.0
    beta = (
        PRIOR_ALPHA * PRIOR_SIGMA**2
        + squares / 2.0
        + PRIOR_KAPPA * n * (mean - mu0) ** 2 / (2.0 * kappa)
    )
    location = (PRIOR_KAPPA * mu0 + n * mean) / kappa
    return location, math.sqrt(beta / alpha), math.sqrt(beta / (alpha * kappa)), 2.0 * alpha


def length_pmf(
    lengths_s: Sequence[int], *, unit_s: int, max_units: int, shared: bool = False
) -> Floats:
    """P(an episode lasts k units), k = 0 … ``max_units`` (k = 0 has none), from the posterior
    predictive given ``lengths_s``; the mass of longer episodes is put on ``max_units``.

    ``shared``: without the uncertainty of the log-median (``scale_mixture`` carries it once
    for all the episodes to come, as they share it)."""
    if unit_s <= 0 or max_units < 1:
        raise InputError("the unit and the longest length must be positive")
    location, spread, location_sd, nu = predictive(lengths_s)
    edges = (np.arange(1, max_units + 1, dtype=np.float64) + 0.5) * unit_s  # upper bin edges
    if shared:
        cdf = normal_cdf((np.log(edges) - location) / spread)
    else:
        cdf = student_t_cdf((np.log(edges) - location) / math.hypot(spread, location_sd), nu)
    out: Floats = np.zeros(max_units + 1, dtype=np.float64)
    out[1:] = np.diff(cdf, prepend=0.0)
    out[max_units] += 1.0 - float(cdf[-1])
    out = np.clip(out, 0.0, None)
    total = float(out.sum())
    return out / total


SCALE_NODES = 9
"""Gauss–Hermite nodes of the common log-median's uncertainty (``scale_mixture``)."""


def scale_mixture(pmf: Floats, sd: float) -> Floats:
    """The pmf of e^δ·S on the same grid (δ ~ normal(0, ``sd``), S ~ ``pmf`` in whole units),
    by Gauss–Hermite quadrature over δ: the downtime of episodes whose common log-median is
    uncertain. P(e^δ S ≤ k + ½) = P(S ≤ (k + ½) e^−δ), exact for each node; mass carried past
    the grid is left to the caller's tail (``1 − sum``)."""
    if sd <= 0 or pmf.size <= 1:
        return pmf
    nodes, weights = np.polynomial.hermite_e.hermegauss(SCALE_NODES)
    weights = weights / weights.sum()
    cdf = np.cumsum(pmf)
    half = np.arange(pmf.size, dtype=np.float64) + 0.5
    out: Floats = np.zeros(pmf.size, dtype=np.float64)
    for node, weight in zip(nodes.tolist(), weights.tolist(), strict=True):
        at = np.floor(half * math.exp(-sd * node)).astype(np.int64)
        scaled = np.where(at < pmf.size, cdf[np.minimum(at, pmf.size - 1)], cdf[-1])
        out += weight * np.diff(scaled, prepend=0.0)
    return out
