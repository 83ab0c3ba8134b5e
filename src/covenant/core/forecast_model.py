"""The distribution model behind the exposure forecast: episodes, their rate, and the
distribution of the downtime still to come in a period (docs/exposure.md, "The model").

* Downtime comes in **episodes** (maximal runs of down time). Episodes start at a rate λ per
  eligible second; their lengths are drawn from the empirical distribution of the lengths on
  record — with fewer than ``MIN_HISTORY`` past periods, from a log-normal posterior that
  allows for the longer outages not yet seen (``core.forecast_lengths``).
* λ differs from period to period: Gamma(α, β) around the service's mean, a hierarchical
  Gamma–Poisson model whose (α, β) are integrated over their posterior given the past periods
  and this one so far, under a weakly informative hyperprior (``core.forecast_rate``); for
  each (α, β) the posterior mean is the Bühlmann credibility blend
  ``Z × this period's rate + (1 − Z) × the historical rate``, ``Z = elapsed / (elapsed + β)``.
* Given λ ~ Gamma, the count of episodes in the remaining eligible time is negative binomial
  and the remaining downtime a compound negative binomial, computed exactly on a grid of whole
  units with Panjer's recursion — deterministic, no sampling, no scipy.
* An episode still running continues for the residual of the recorded episodes longer than it;
  when none was longer, for a geometric number of units whose mean is its age so far (spread
  out, never a fixed "as long again").
* Every grid point of the end-of-period downtime is placed in its credit tier with exact
  integer arithmetic on the tier bounds, which gives the tier probabilities; the expected
  credit is Σ P(tier) × credit, summed exactly in ``Decimal`` and rounded to cents at the end.
* The period so far counts only up to where the data ends (``data_end``/``is_stale``): a gap
  before ``at`` is unknown time, never up time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from covenant.core import intervals
from covenant.core.agreements import AgreementVersion, AvailabilityCommitment, CreditTier
from covenant.core.availability import span_text
from covenant.core.credits import credit_for
from covenant.core.forecast_grid import LARGE, compound_negbin_long, convolve, trimmed
from covenant.core.forecast_lengths import PRIOR_MEDIAN_S, length_pmf, predictive, scale_mixture
from covenant.core.forecast_rate import hierarchical_rate
from covenant.core.money import Money, quantum
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.errors import InputError

MIN_HISTORY = 3
"""Fewer past periods than this cannot estimate between-period variability."""
MIN_ELAPSED = Fraction(1, 10)
"""With fewer than ``MIN_HISTORY`` past periods the rate comes from this period alone, and it is
not projected before this share of the period's eligible time has data (``too_early``)."""
TOO_EARLY = "too early to tell"
"""How ``no_forecast`` starts when the period is too young to project (``MIN_ELAPSED``)."""
INCIDENT_UNIT_S = 60
DEFAULT_EPISODE_S = 3600
"""Assumed episode length when no episode has ever been observed (a stated assumption)."""
_SPREAD = 8.0  # the grid reaches mean + 8 sd of the remaining downtime (and every tier bound)
_RESCALE = 1e200
STALE_INTERVALS = 2
STALE_SLACK_S = 300
"""Data is stale when its newest bucket ends more than 2 measurement intervals + 5 minutes
before ``at``."""


Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class PastPeriod:
    """One past period measured with the current terms: eligible time and down episodes."""

    start: datetime
    eligible_s: int
    episodes: tuple[int, ...]  # lengths (s) of the merged down runs in the period

    def __post_init__(self) -> None:
        require_utc(self.start, what="past period start")
        if self.eligible_s <= 0:
            raise InputError("a past period needs eligible time")
        if any(e <= 0 for e in self.episodes):
            raise InputError("episode lengths must be positive")
        if self.downtime_s > self.eligible_s:
            raise InputError("a past period's downtime exceeds its eligible time")

    @property
    def downtime_s(self) -> int:
        return sum(self.episodes)


@dataclass(frozen=True, slots=True, kw_only=True)
class RateModel:
    """Gamma(shape, rate=exposure_s) posterior of the episode rate per eligible second (with
    history: the Gamma with the hierarchical posterior's mean and variance)."""

    shape: float
    exposure_s: float
    credibility: float  # Z: the weight of this period's own rate in the posterior mean
    history_periods: int

    @property
    def mean(self) -> float:
        return self.shape / self.exposure_s


@dataclass(frozen=True, slots=True, kw_only=True)
class RemainingDowntime:
    """The distribution of downtime in the remaining eligible time, on a grid of units.

    ``pmf[k]`` is P(remaining downtime = k units); ``1 − pmf.sum()`` is the tail beyond the
    grid (downtime of at least ``len(pmf)`` units, capped by the remaining time).
    ``ongoing[k]`` is P(the episode running now lasts k more units) (``[1.0]``: none runs);
    its mass past the array lasts at least ``len(ongoing)`` units.
    """

    unit_s: int
    remaining_s: int
    pmf: Floats
    rate: RateModel
    ongoing: Floats = field(default_factory=lambda: np.ones(1, dtype=np.float64))
    notes: tuple[str, ...] = ()

    @property
    def tail(self) -> float:
        return max(0.0, 1.0 - float(self.pmf.sum()))

    @property
    def tail_s(self) -> int:
        """The downtime the tail stands for (its least value, at most the remaining time)."""
        return min(self.pmf.size * self.unit_s, self.remaining_s)

    @property
    def mean_s(self) -> float:
        grid = np.minimum(np.arange(self.pmf.size) * self.unit_s, self.remaining_s)
        return float(np.dot(self.pmf, grid)) + self.tail * self.tail_s

    def quantile_s(self, q: float) -> int:
        """The least downtime d (s) with P(remaining ≤ d) ≥ q."""
        cdf = np.cumsum(self.pmf)
        k = int(np.searchsorted(cdf, q - 1e-12))
        return self.tail_s if k >= self.pmf.size else min(k * self.unit_s, self.remaining_s)

    def ongoing_by(self, t_s: int) -> float:
        """E[min(R, t)]: the running episode's expected downtime in the next ``t_s`` seconds
        (R its remaining length; 0 when none runs). Piecewise linear and non-decreasing."""
        if t_s <= 0 or (self.ongoing.size <= 1 and float(self.ongoing[0]) == 1.0):
            return 0.0
        u = self.unit_s
        survival = np.clip(1.0 - np.cumsum(self.ongoing), 0.0, 1.0)  # P(R ≥ j + 1 units)
        beyond = float(survival[-1])
        q, r = divmod(t_s, u)
        n = survival.size
        whole = float(survival[: min(q, n)].sum()) + max(0, q - n) * beyond
        part = float(survival[q]) if q < n else beyond
        return u * whole + r * part


@dataclass(frozen=True, slots=True, kw_only=True)
class TierChance:
    """The chance of ending the period in one credit tier (``tier`` None: no credit)."""

    tier: str | None
    percent: Decimal
    probability: float
    credit: Money


# ---------------------------------------------------------------------------------------------
# Stale data


def data_end(data: BucketMatrix | None, series: str | None, at: datetime) -> datetime | None:
    """The end of the newest bucket of ``series`` with requests that starts before ``at``."""
    if data is None or series is None or series not in data.keys:
        return None
    before = max(0, min(data.total.shape[1], -(-(to_epoch(at) - data.start) // data.step)))
    busy = np.flatnonzero(data.total[data.row(series), :before] > 0)
    return from_epoch(data.start + (int(busy[-1]) + 1) * data.step) if busy.size else None


def is_stale(end: datetime, at: datetime, interval_s: int) -> bool:
    """True when data ending at ``end`` is more than 2 measurement intervals + 5 min before
    ``at`` (a collector lagging by a bucket or two is not stale)."""
    return to_epoch(at) - to_epoch(end) > STALE_INTERVALS * interval_s + STALE_SLACK_S


# ---------------------------------------------------------------------------------------------
# Episodes and the rate


def episode_lengths(spans: Iterable[intervals.Span]) -> tuple[int, ...]:
    """Lengths (s) of the maximal down runs in ``spans`` (touching spans are one episode)."""
    return tuple(e - s for s, e in intervals.merge(spans))


def rate_model(
    history: Sequence[PastPeriod],
    *,
    elapsed_s: int,
    started: int,
    min_history: int = MIN_HISTORY,
) -> RateModel:
    """Posterior of the episode rate from past periods and ``started`` episodes so far."""
    if elapsed_s < 0 or started < 0:
        raise InputError("elapsed time and episode counts must be >= 0")
    if len(history) < min_history:
        if elapsed_s == 0:
            raise InputError(
                f"fewer than {min_history} past periods and no elapsed time in this one",
                hint="wait until part of the period has passed, or keep more history",
            )
        # Jeffreys prior Gamma(½, 0): this period's own rate, with its full uncertainty.
        return RateModel(
            shape=started + 0.5,
            exposure_s=float(elapsed_s),
            credibility=1.0,
            history_periods=len(history),
        )
    posterior = hierarchical_rate(
        [len(p.episodes) for p in history],
        [float(p.eligible_s) for p in history],
        started=started,
        elapsed_s=float(elapsed_s),
    )
    return RateModel(
        shape=posterior.shape,
        exposure_s=posterior.exposure_s,
        credibility=posterior.credibility,
        history_periods=len(history),
    )


# ---------------------------------------------------------------------------------------------
# Distributions on the unit grid


def _size_pmf(lengths_u: npt.NDArray[np.int64]) -> Floats:
    f = np.bincount(lengths_u).astype(np.float64)
    out: Floats = f / f.sum()
    return out


def geometric_residual(mean_u: float, size: int) -> Floats:
    """P(R = k), k < size, for R geometric on {0, 1, 2, …} with mean ``mean_u`` units.

    The remaining length of an episode that has outlasted every one on record: memoryless,
    with the mean set to the age so far (an outage that has run an hour is expected to run
    about another hour, but could end in the next unit or run far longer).
    """
    if mean_u <= 0:
        raise InputError("the mean residual must be positive")
    ratio = mean_u / (mean_u + 1.0)
    out: Floats = (1.0 - ratio) * ratio ** np.arange(max(1, size), dtype=np.float64)
    return out


def _compound_negbin(shape: float, p: float, f: Floats, size: int) -> Floats:
    """P(S = k), k < size, for S a sum of N ~ NB(shape, p) lengths with pmf ``f`` (f[0] = 0).

    Panjer's recursion for the (a, b, 0) class, rescaled against underflow of p^shape.
    """
    q = 1.0 - p
    a, b = q, (shape - 1.0) * q
    m = f.size - 1
    if size * m > LARGE:
        return compound_negbin_long(shape, p, f, size)
    g = np.zeros(size, dtype=np.float64)
    g[0] = 1.0
    log_scale = shape * math.log(p)
    j_all = np.arange(1, m + 1, dtype=np.float64)
    f_all = f[1:]
    for k in range(1, size):
        n = min(k, m)
        weights = (a + b * j_all[:n] / k) * f_all[:n]
        g[k] = float(np.dot(weights, g[k - n : k][::-1]))
        if g[k] > _RESCALE:
            g[: k + 1] /= _RESCALE
            log_scale += math.log(_RESCALE)
    with np.errstate(divide="ignore", under="ignore"):
        out: Floats = np.where(g > 0, np.exp(np.log(np.where(g > 0, g, 1.0)) + log_scale), 0.0)
    return out


def _few_lengths_note(n: int) -> str:
    seen = f"the {n} episode length(s) on record" if n else "no episode length on record"
    return (
        f"episode lengths: a log-normal fitted to {seen} under a weak prior (median "
        f"{PRIOR_MEDIAN_S // 60} minutes), with its uncertainty, so longer outages than those "
        "seen are allowed for"
    )


def _moments(pmf: Floats) -> tuple[float, float]:
    k = np.arange(pmf.size, dtype=np.float64)
    mean = float(np.dot(k, pmf))
    return mean, float(np.dot(k**2, pmf)) - mean**2


def remaining_downtime(
    history: Sequence[PastPeriod],
    *,
    elapsed_s: int,
    completed: Sequence[int],
    ongoing_s: int | None,
    remaining_s: int,
    unit_s: int,
    reach_s: int = 0,
    min_history: int = MIN_HISTORY,
) -> RemainingDowntime:
    """The distribution of downtime in the next ``remaining_s`` eligible seconds.

    ``completed``: lengths of this period's finished episodes; ``ongoing_s``: the age of an
    episode still running (None: none is). The grid reaches at least ``reach_s`` of downtime.
    """
    if unit_s <= 0 or remaining_s < 0:
        raise InputError("the unit must be positive and the remaining time >= 0")
    notes: list[str] = []
    started = len(completed) + (1 if ongoing_s is not None else 0)
    rate = rate_model(history, elapsed_s=elapsed_s, started=started, min_history=min_history)
    if len(history) < min_history:
        notes.append(
            f"only {len(history)} past period(s) on record (fewer than {min_history}): the rate "
            "comes from this period alone, so the band is wide"
        )
    lengths = [e for p in history for e in p.episodes] + list(completed)
    total_units = remaining_s // unit_s
    few = len(history) < min_history
    if few:  # lengths from the posterior predictive: few on record, a heavy tail
        notes.append(_few_lengths_note(len(lengths)))
        f = trimmed(length_pmf(lengths, unit_s=unit_s, max_units=max(1, total_units), shared=True))
    else:
        if not lengths:
            lengths = [DEFAULT_EPISODE_S]
            notes.append(
                f"no down episode on record: an episode is assumed to last "
                f"{DEFAULT_EPISODE_S // 60} minutes"
            )
        units = np.maximum(1, np.rint(np.array(lengths, dtype=np.float64) / unit_s))
        f = _size_pmf(units.astype(np.int64))
    # The residual of an episode still running: the longer ones, else geometric.
    residual: Floats = np.ones(1, dtype=np.float64)
    geometric_mean: float | None = None
    if ongoing_s is not None:
        age = max(1, round(ongoing_s / unit_s))
        if few:
            longer_pmf = length_pmf(lengths, unit_s=unit_s, max_units=age + max(1, total_units))
            beyond = longer_pmf[age + 1 :]
            if float(beyond.sum()) > 0:
                residual = np.concatenate(([0.0], beyond / float(beyond.sum())))
        else:
            longer = units[units > age].astype(np.int64) - age
            if longer.size:
                residual = _size_pmf(longer)
        if residual.size == 1:
            geometric_mean = float(age)
            notes.append(
                "the episode running now is longer than any on record: its remaining length "
                f"is taken as geometric with a mean of its age so far ({ongoing_s // 60} min)"
            )
    p = rate.exposure_s / (rate.exposure_s + remaining_s)
    mean_n = rate.shape * (1 - p) / p
    var_n = mean_n / p
    mean_f, var_f = _moments(f)
    if geometric_mean is None:
        mean_r, var_r = _moments(residual)
    else:
        mean_r, var_r = geometric_mean, geometric_mean * (geometric_mean + 1.0)
    mean_u = mean_n * mean_f + mean_r
    sd_u = math.sqrt(max(0.0, mean_n * var_f + var_n * mean_f**2 + var_r))
    reach_u = max(math.ceil(reach_s / unit_s) + 2, math.ceil(mean_u + _SPREAD * sd_u) + 2)
    size = min(total_units, reach_u) + 1
    if geometric_mean is not None:
        residual = geometric_residual(geometric_mean, size)
    pmf = _compound_negbin(rate.shape, p, f, size) if remaining_s else np.ones(1)
    if few:  # the episodes to come share one uncertain log-median: scale them together
        pmf = scale_mixture(pmf, predictive(lengths)[2])
    if residual.size > 1:
        pmf = convolve(pmf, residual, size)
    return RemainingDowntime(
        unit_s=unit_s,
        remaining_s=remaining_s,
        pmf=pmf,
        rate=rate,
        ongoing=residual,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------
# Tiers


def level_after(total_s: int, down: Fraction) -> Fraction:
    """The level of ``total_s`` eligible seconds with ``down`` seconds down (never below 0)."""
    return max(Fraction(0), Fraction(total_s) - down) / total_s


def tier_chances(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    eligible_total_s: int,
    downtime_so_far_s: int,
    remaining: RemainingDowntime,
    share: Fraction = Fraction(1),
) -> tuple[TierChance, ...]:
    """The probability of each credit tier (and of none) at the end of the period.

    Every grid point k (downtime so far + k units) is placed in its tier exactly: each tier's
    bounds become an integer range of k, first matching tier wins, as in ``credit_for``.
    """
    e_t, d0, u = eligible_total_s, downtime_so_far_s, remaining.unit_s
    n = remaining.pmf.size
    tier_of = np.full(n, -1, dtype=np.int64)  # index into commitment.remedies.tiers, -1: none
    ks = np.arange(n, dtype=np.int64)
    for i, tier in enumerate(commitment.remedies.tiers):
        lo, hi = 0, n - 1
        if tier.below is not None:  # level < b  ⟺  k·u > e_t(1 − b) − d0
            thr = (e_t * (1 - tier.below) - d0) / Fraction(u)
            lo = max(lo, math.ceil(thr) if tier.below_inclusive else math.floor(thr) + 1)
        if tier.at_least is not None:  # level ≥ a  ⟺  k·u ≤ e_t(1 − a) − d0
            thr = (e_t * (1 - tier.at_least) - d0) / Fraction(u)
            hi = min(hi, math.floor(thr) if tier.at_least_inclusive else math.ceil(thr) - 1)
        tier_of[(ks >= lo) & (ks <= hi) & (tier_of == -1)] = i
    # Grid points past the remaining time are clamped to it (all down for the rest).
    chances: dict[int, float] = {}
    for i in range(-1, len(commitment.remedies.tiers)):
        chances[i] = float(remaining.pmf[tier_of == i].sum())
    tail_level = level_after(e_t, Fraction(d0 + remaining.tail_s))
    tail_credit = credit_for(version, commitment, tail_level, share=share)
    tail_index = (
        -1 if tail_credit.tier is None else commitment.remedies.tiers.index(tail_credit.tier)
    )
    chances[tail_index] += remaining.tail
    zero = Money(amount=Decimal(0).quantize(quantum(version.currency)), currency=version.currency)
    out = [TierChance(tier=None, percent=Decimal(0), probability=_prob(chances[-1]), credit=zero)]
    for i, tier in enumerate(commitment.remedies.tiers):
        hits = np.flatnonzero(tier_of == i)
        level = level_after(e_t, Fraction(d0 + int(hits[0]) * u)) if hits.size else _inside(tier)
        credit = credit_for(version, commitment, level, share=share)
        if credit.tier is not tier:  # shadowed by an earlier tier: it can never apply
            continue
        out.append(
            TierChance(
                tier=str(tier),
                percent=credit.percent,
                probability=_prob(chances[i]),
                credit=credit.amount,
            )
        )
    return tuple(out)


def _prob(value: float) -> float:
    return min(1.0, max(0.0, value))


def _inside(tier: CreditTier) -> Fraction:
    """A level inside ``tier``'s bounds (taken alone, before first-match-wins)."""
    if tier.at_least is not None and tier.at_least_inclusive:
        return tier.at_least
    if tier.below is not None and tier.below_inclusive:
        return tier.below
    low = tier.at_least if tier.at_least is not None else Fraction(0)
    high = tier.below if tier.below is not None else Fraction(1)
    return (low + high) / 2


def expected_credit(chances: Sequence[TierChance], currency: str) -> Money:
    """Σ P(tier) × credit(tier), summed exactly in ``Decimal`` (each float probability converted
    exactly, not through its repr) and rounded to the currency's minor unit once, at the end."""
    with localcontext() as ctx:
        ctx.prec = 200  # enough for every product and sum to be exact
        total = sum((Decimal(c.probability) * c.credit.amount for c in chances), start=Decimal(0))
        return Money(
            amount=total.quantize(quantum(currency), rounding=ROUND_HALF_UP), currency=currency
        )


def too_early(history: int, *, min_history: int, elapsed_s: int, total_s: int) -> str | None:
    """Why a period with ``history`` past periods on record and ``elapsed_s`` of its
    ``total_s`` eligible seconds with data is too young to project; None when it is not."""
    if history >= min_history or elapsed_s >= MIN_ELAPSED * total_s:
        return None
    return (
        f"{TOO_EARLY}: {span_text(elapsed_s)} of the period has data and fewer than "
        f"{min_history} past periods are on record, so a projection would extrapolate these "
        f"alone; it needs {span_text(math.ceil(MIN_ELAPSED * total_s))} "
        f"({MIN_ELAPSED * 100} % of the period) with data"
    )
