"""The episode rate when past periods are on record: a hierarchical Gamma–Poisson model whose
hyperparameters are integrated, not estimated (docs/exposure.md, "The model", rule 1).

Each period i has its own episode rate λᵢ ~ Gamma(α, β) (mean μ = α/β; coefficient of
variation c = 1/√α: how much periods differ; β, in seconds, is what the history is worth
against this period's own exposure: ``Z = t / (t + β)``), and its episode count is
Poisson(λᵢ Eᵢ) over its eligible time Eᵢ, so the counts are negative binomial. A point
estimate of (α, β) from 3–6 periods — the method of moments used before — is far from the
truth as often as not: the sample variance of a few rates is often at or below their Poisson
noise, c is then taken as 0, the history pools fully, and the band was too narrow and too low
(on the benchmark with 3–6 past periods 11–21 % of periods ended outside the nominal 90 %
band, mostly above). Here the posterior of (c, β) given the past counts *and this period's
count so far* is computed on a grid, and this period's rate is the posterior mixture of
Gamma(α + k, β + t) over it (k episodes started in the elapsed time t).

The hyperprior (stated, weakly informative, proper — so the posterior is proper even with no
episode on record):

- c ~ half-Cauchy(0, 1), the prior Gelman (2006, "Prior distributions for variance parameters
  in hierarchical models") recommends for a hierarchical scale with few groups: it allows c
  near 0 (months alike: the history pools) and c of several (erratic months), and unlike an
  inverse-gamma on the variance it does not push the scale towards 0 when the groups are
  few. Scale 1: a period's rate differing from the mean by the mean itself is unremarkable.
  Grid: ``_C_POINTS`` log-spaced over [1e-3, 1e3], each point weighted by the exact prior
  mass of its cell (the end cells reach 0 and ∞);
- β/(β + E) ~ uniform(0, 1), E one past period's exposure: before any data, the credibility
  of one whole period of its own against the history is equally likely anywhere from 0 to 1.
  (A prior on the mean μ instead — Jeffreys μ^(−½) or μ^(−1) — gives an improper posterior:
  as c grows the counts stop constraining μ, and the grid's edges decided the answer.)
  Grid: for each c, ``_BETA_POINTS`` points of ln β over ±``_SPAN`` standard deviations
  around where the counts put it (α over the pooled rate), within ±``_LOG_REACH`` of ln E
  (beyond, the prior's density falls as e^(−|ln β − ln E|)).

The count of episodes to come is computed with one Panjer recursion (rule 5), so the mixture is
summarised by one Gamma: the one whose negative-binomial count over the rest of a period like
the past ones has the mixture's mean and the mixture's chance of no episode (``_matching_shape``).
Matching the rate's variance instead (as before) let grid cells of tiny β and tiny weight
dominate: at the start of a period (no elapsed time) the shape collapsed to ~1e-8, a certain
zero downtime. Doubling the grids changes the rate's mean and shape by less than 0.1 %. No
sampling, no scipy: the only special function is ``math.lgamma``, evaluated on the c-grid
only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_C_POINTS = 81
_C_LOW, _C_HIGH = 1e-3, 1e3
_BETA_POINTS = 101
_SPAN = 8.0
_LOG_REACH = 36.0

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RatePosterior:
    """The posterior of this period's episode rate (per eligible second), as the Gamma(shape,
    rate=exposure_s) with its mean and its chance of no episode in the rest of a period, and
    the posterior mean credibility weight."""

    shape: float
    exposure_s: float
    credibility: float


def _cv_grid() -> tuple[Floats, Floats]:
    """The c-grid, log-spaced over [1e-3, 1e3], and the log of the half-Cauchy(0, 1) mass of
    each point's cell (cells split at geometric midpoints; the first reaches down to 0 and the
    last up to ∞, so the masses sum to 1: F(c) = (2/π) arctan c)."""
    cv = np.exp(np.linspace(math.log(_C_LOW), math.log(_C_HIGH), _C_POINTS))
    edges = np.concatenate(([0.0], np.sqrt(cv[:-1] * cv[1:]), [np.inf]))
    mass = np.diff(2.0 / math.pi * np.arctan(edges))
    return cv, np.log(mass)


def _lgamma_ratio(counts: Sequence[int], alpha: Floats) -> Floats:
    """Σᵢ ln Γ(kᵢ + α) − ln Γ(α) for each α (exact sums of logs for small counts)."""
    out = np.zeros(alpha.size, dtype=np.float64)
    for k in counts:
        if k <= 64:
            out += np.log(alpha[:, None] + np.arange(k, dtype=np.float64)).sum(axis=1)
        else:
            out += np.array([math.lgamma(k + a) - math.lgamma(a) for a in alpha.tolist()])
    return out


def hierarchical_rate(
    counts: Sequence[int], exposures: Sequence[float], *, started: int, elapsed_s: float
) -> RatePosterior:
    """This period's rate given past periods' episode ``counts`` over their eligible
    ``exposures`` (seconds) and ``started`` episodes in its first ``elapsed_s`` seconds."""
    ks = [*counts, started] if elapsed_s > 0 else list(counts)
    es = np.array([*exposures, elapsed_s] if elapsed_s > 0 else list(exposures), dtype=float)
    n_total = float(sum(ks)) or 0.5  # (the grid's centre only: the prior is proper)
    pooled = n_total / float(es.sum())
    period = float(np.mean(exposures))  # one period's exposure: the prior's reference
    cv, log_prior_c = _cv_grid()
    alpha = 1.0 / cv**2
    # For each α the likelihood pins β = α/μ to about ±sd on the log scale (the mean's
    # Poisson noise and its between-period part, c²/n); the prior bounds it to ±_LOG_REACH
    # around one period's exposure (its density falls as e^(−|ln β − ln E|) beyond).
    sd = np.sqrt(1.0 / n_total + 1.0 / (alpha * max(1, len(counts))))
    reach = math.log(period)
    centre = np.clip(np.log(alpha / pooled), reach - _LOG_REACH, reach + _LOG_REACH)
    low = np.maximum(centre - _SPAN * sd, reach - _LOG_REACH)
    high = np.minimum(centre + _SPAN * sd, reach + _LOG_REACH)
    step = (high - low) / (_BETA_POINTS - 1)
    log_b = low[:, None] + step[:, None] * np.arange(_BETA_POINTS, dtype=np.float64)
    a = alpha[:, None]  # (c, 1)
    beta = np.exp(log_b)  # (c, β)
    # log-likelihood of the counts: Σ ln Γ(k+α)/Γ(α) + α ln β + k ln E − (α + k) ln(β + E)
    loglik = _lgamma_ratio(ks, alpha)[:, None] + np.zeros_like(beta)
    for k, e in zip(ks, es.tolist(), strict=True):
        loglik += a * log_b + k * math.log(e) - (a + k) * np.log(beta + e)
    # prior: c's cell masses; β/(β + E) uniform, i.e. density E β / (β + E)² on ln β, times
    # the step of the ln β grid of each α
    log_post = (
        loglik
        + log_prior_c[:, None]
        + np.log(period * beta / (beta + period) ** 2)
        + np.log(step)[:, None]
    )
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    shape = a + started
    rate = beta + elapsed_s
    mean = float((w * shape / rate).sum())
    # the chance of no episode in the rest of a period like the past ones, under the mixture
    horizon = max(period - elapsed_s, period * 1e-3)
    p0 = float((w * np.exp(shape * np.log(rate / (rate + horizon)))).sum())
    credibility = float((w * elapsed_s / (elapsed_s + beta)).sum())
    alpha_1 = _matching_shape(mean * horizon, p0)
    return RatePosterior(shape=alpha_1, exposure_s=alpha_1 / mean, credibility=credibility)


def _matching_shape(expected: float, p0: float) -> float:
    """The shape x of the Gamma(x, x/μ) rate whose negative binomial count over the horizon
    has mean ``expected`` (μ × horizon) and chance ``p0`` of no episode: the root of
    x ln(x / (x + expected)) = ln p0, which falls from 0 (x → 0) to −expected (x → ∞, the
    Poisson) — a mixture of Poissons always has p0 ≥ e^(−expected) (Jensen)."""
    target = min(max(math.log(p0), -expected * (1.0 - 1e-12)), -1e-300)
    lo, hi = -40.0, 40.0  # ln x
    for _ in range(200):
        mid = (lo + hi) / 2.0
        x = math.exp(mid)
        if x * math.log(x / (x + expected)) > target:
            lo = mid  # not yet down to the target: a larger shape
        else:
            hi = mid
    return math.exp((lo + hi) / 2.0)
