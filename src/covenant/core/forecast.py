"""Forecast of an availability commitment's end-of-period level, credit tier and money at risk.

The model (docs/exposure.md explains and justifies it):

* Downtime comes in **episodes**: maximal runs of down time (merged down intervals, or merged
  incident intervals). Episodes start at a rate λ per eligible second and have lengths drawn
  from the empirical distribution of the episode lengths seen in past periods and this period.
* λ differs from period to period. Its prior is a Gamma distribution fitted to the previous
  periods' episode rates by the method of moments (between-period variance = the variance of
  the rates less their Poisson noise) and never more confident than the history it came from
  (prior exposure ≤ the history's eligible time). Updated with this period so far, the posterior
  mean is the credibility blend ``Z × this period's rate + (1 − Z) × the historical rate`` with
  ``Z = elapsed / (elapsed + prior exposure)`` (Bühlmann credibility, as insurers price risk).
* Given λ ~ Gamma, the number of episodes in the remaining eligible time is negative binomial;
  the remaining downtime is a compound negative binomial, computed exactly on a grid of whole
  units (the measurement interval, or a minute) with Panjer's recursion — deterministic, no
  sampling. An episode still running at ``at`` continues for the residual of the past episodes
  longer than it (as long again when none was longer).
* The tier of every possible remaining downtime is found with exact integer arithmetic on the
  tier bounds, so the tier probabilities, expected credit and band follow from the distribution.
  Money is ``Decimal`` quantized to cents. A crossing alert gives the first whole second at
  which the downtime accumulated at the projected mean rate puts the period in a worse tier.

Mean-error-rate commitments are not forecast (no episodes to count); the result says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from covenant.core import intervals
from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Money,
)
from covenant.core.availability import CENT, AvailabilityResult, credit_for
from covenant.core.statement import totals
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.errors import InputError

MIN_HISTORY = 3
"""Fewer past periods than this cannot estimate between-period variability."""
BAND = (0.05, 0.95)
"""The projected level's band: these quantiles of the end-of-period downtime."""
INCIDENT_UNIT_S = 60
DEFAULT_EPISODE_S = 3600
"""Assumed episode length when no episode has ever been observed (a stated assumption)."""
_SPREAD = 8.0  # the grid reaches mean + 8 sd of the remaining downtime (and every tier bound)
_RESCALE = 1e200

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
    """Gamma(shape, rate=exposure_s) posterior of the episode rate per eligible second."""

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
    """

    unit_s: int
    remaining_s: int
    pmf: Floats
    rate: RateModel
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


@dataclass(frozen=True, slots=True, kw_only=True)
class TierChance:
    """The chance of ending the period in one credit tier (``tier`` None: no credit)."""

    tier: str | None
    percent: Decimal
    probability: float
    credit: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class TierCrossing:
    """The period's credit becomes ``percent`` at ``at``: a fact when the downtime so far
    crossed the tier bound (``projected`` False), a projection at the mean rate otherwise."""

    at: datetime
    percent: Decimal
    credit: Money
    projected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentExposure:
    """The forecast for one commitment's current period (``no_forecast`` says why if absent)."""

    agreement: str
    version: int
    customer: str
    commitment: str
    services: tuple[str, ...]
    source: DowntimeSource
    committed: Fraction
    zone: str
    period_start: datetime
    period_end: datetime
    at: datetime
    eligible_so_far_s: int
    eligible_total_s: int
    downtime_so_far_s: int
    level_so_far: Fraction | None
    no_forecast: str | None = None
    owed_now: Money | None = None  # the credit if nothing else goes down (locked in)
    owed_now_percent: Decimal | None = None
    projected_downtime_s: int | None = None
    projected_level: Fraction | None = None
    band_low: Fraction | None = None  # level at the 95th percentile of downtime
    band_high: Fraction | None = None  # level at the 5th percentile of downtime
    tiers: tuple[TierChance, ...] = ()
    expected_credit: Money | None = None
    worst_case_credit: Money | None = None
    worst_case_percent: Decimal | None = None
    crossings: tuple[TierCrossing, ...] = ()
    history_periods: int = 0
    credibility: float | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerExposure:
    customer: str
    customer_name: str
    commitments: tuple[CommitmentExposure, ...]
    owed_now: tuple[Money, ...]  # per currency
    expected: tuple[Money, ...]
    worst_case: tuple[Money, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """Money at risk across the portfolio at ``at`` (sums per currency, never across)."""

    at: datetime
    customers: tuple[CustomerExposure, ...]
    owed_now: tuple[Money, ...]
    expected: tuple[Money, ...]
    worst_case: tuple[Money, ...]


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
    exposures = np.array([p.eligible_s for p in history], dtype=np.float64)
    counts = np.array([len(p.episodes) for p in history], dtype=np.float64)
    total_exposure = float(exposures.sum())
    pooled = (float(counts.sum()) or 0.5) / total_exposure
    rates = counts / exposures
    noise = pooled * float(np.mean(1.0 / exposures))  # Poisson part of the rates' variance
    between = float(np.var(rates, ddof=1)) - noise
    prior_exposure = total_exposure if between <= 0 else min(pooled / between, total_exposure)
    shape = pooled * prior_exposure
    return RateModel(
        shape=shape + started,
        exposure_s=prior_exposure + elapsed_s,
        credibility=elapsed_s / (elapsed_s + prior_exposure),
        history_periods=len(history),
    )


def _size_pmf(lengths_u: npt.NDArray[np.int64]) -> Floats:
    f = np.bincount(lengths_u).astype(np.float64)
    out: Floats = f / f.sum()
    return out


def _compound_negbin(shape: float, p: float, f: Floats, size: int) -> Floats:
    """P(S = k), k < size, for S a sum of N ~ NB(shape, p) lengths with pmf ``f`` (f[0] = 0).

    Panjer's recursion for the (a, b, 0) class, rescaled against underflow of p^shape.
    """
    q = 1.0 - p
    a, b = q, (shape - 1.0) * q
    m = f.size - 1
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
    if not lengths:
        lengths = [DEFAULT_EPISODE_S]
        notes.append(
            f"no down episode on record: an episode is assumed to last "
            f"{DEFAULT_EPISODE_S // 60} minutes"
        )
    units = np.maximum(1, np.rint(np.array(lengths, dtype=np.float64) / unit_s)).astype(np.int64)
    f = _size_pmf(units)
    # The residual of an episode still running.
    residual: Floats = np.ones(1, dtype=np.float64)
    if ongoing_s is not None:
        age = max(1, round(ongoing_s / unit_s))
        longer = units[units > age] - age
        if longer.size:
            residual = _size_pmf(longer)
        else:
            residual = np.zeros(age + 1, dtype=np.float64)
            residual[age] = 1.0
            notes.append(
                "the episode running now is longer than any on record: assumed to last as long "
                "again"
            )
    total_units = remaining_s // unit_s
    p = rate.exposure_s / (rate.exposure_s + remaining_s)
    mean_n = rate.shape * (1 - p) / p
    var_n = mean_n / p
    ks = np.arange(f.size, dtype=np.float64)
    mean_f, var_f = float(np.dot(ks, f)), float(np.dot(ks**2, f)) - float(np.dot(ks, f)) ** 2
    kr = np.arange(residual.size, dtype=np.float64)
    mean_r = float(np.dot(kr, residual))
    var_r = float(np.dot(kr**2, residual)) - mean_r**2
    mean_u = mean_n * mean_f + mean_r
    sd_u = math.sqrt(max(0.0, mean_n * var_f + var_n * mean_f**2 + var_r))
    reach_u = max(math.ceil(reach_s / unit_s) + 2, math.ceil(mean_u + _SPREAD * sd_u) + 2)
    size = min(total_units, reach_u) + 1
    pmf = _compound_negbin(rate.shape, p, f, size) if remaining_s else np.ones(1)
    if residual.size > 1:
        pmf = np.convolve(pmf, residual)[:size]
    return RemainingDowntime(
        unit_s=unit_s, remaining_s=remaining_s, pmf=pmf, rate=rate, notes=tuple(notes)
    )


# ---------------------------------------------------------------------------------------------
# Tiers, money, crossings


def _level(total_s: int, down: Fraction) -> Fraction:
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
    tail_level = _level(e_t, Fraction(d0 + remaining.tail_s))
    tail_credit = credit_for(version, commitment, tail_level, share=share)
    tail_index = (
        -1 if tail_credit.tier is None else commitment.remedies.tiers.index(tail_credit.tier)
    )
    chances[tail_index] += remaining.tail
    zero = Money(amount=Decimal("0.00"), currency=version.currency)
    out = [TierChance(tier=None, percent=Decimal(0), probability=_prob(chances[-1]), credit=zero)]
    for i, tier in enumerate(commitment.remedies.tiers):
        hits = np.flatnonzero(tier_of == i)
        level = _level(e_t, Fraction(d0 + int(hits[0]) * u)) if hits.size else _inside(tier)
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
    """Σ P(tier) × credit(tier), quantized to cents."""
    total = sum((Decimal(repr(c.probability)) * c.credit.amount for c in chances), start=Decimal(0))
    return Money(amount=total.quantize(CENT, rounding=ROUND_HALF_UP), currency=currency)


def crossings(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    at: datetime,
    eligible_total_s: int,
    downtime_so_far_s: int,
    remaining_s: int,
    projected_remaining_s: int,
    share: Fraction = Fraction(1),
) -> tuple[TierCrossing, ...]:
    """Each worse tier the period enters before it ends when downtime accrues at the projected
    mean rate ``projected_remaining_s / remaining_s``; the instant is the first whole second
    at which it has entered (exact rational arithmetic)."""
    if remaining_s <= 0 or projected_remaining_s <= 0:
        return ()
    e_t, d0 = eligible_total_s, downtime_so_far_s
    rate = Fraction(projected_remaining_s, remaining_s)

    def percent_at(t: int) -> tuple[Decimal, Money]:
        c = credit_for(version, commitment, _level(e_t, d0 + rate * t), share=share)
        return c.percent, c.amount

    candidates: set[int] = set()
    for tier in commitment.remedies.tiers:
        for bound in (tier.below, tier.at_least):
            if bound is None:
                continue
            tau = (e_t * (1 - bound) - d0) / rate  # level(tau) == bound
            for t in (math.floor(tau), math.floor(tau) + 1):
                if 0 < t <= remaining_s:
                    candidates.add(t)
    current, _ = percent_at(0)
    out = []
    for t in sorted(candidates):
        percent, money = percent_at(t)
        if percent > current:
            out.append(
                TierCrossing(
                    at=at + timedelta(seconds=t), percent=percent, credit=money, projected=True
                )
            )
            current = percent
    return tuple(out)


def past_crossings(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    eligible_total_s: int,
    down: Sequence[intervals.Span],
    share: Fraction = Fraction(1),
) -> tuple[TierCrossing, ...]:
    """The instants this period's downtime so far put it in a worse tier for good: the first
    second at which the accumulated downtime exceeded the whole period's allowance."""
    spans = intervals.merge(down)
    d0 = intervals.total(spans)
    e_t = eligible_total_s

    def credit_at(d: int) -> tuple[Decimal, Money]:
        c = credit_for(version, commitment, _level(e_t, Fraction(d)), share=share)
        return c.percent, c.amount

    candidates: set[int] = set()
    for tier in commitment.remedies.tiers:
        for bound in (tier.below, tier.at_least):
            if bound is not None:
                x = math.floor(e_t * (1 - bound))  # level(x) ≥ bound > level(x + 1)
                candidates.update(d for d in (x, x + 1) if 0 < d <= d0)
    current, _ = credit_at(0)
    out = []
    for d in sorted(candidates):
        percent, money = credit_at(d)
        if percent > current:
            out.append(
                TierCrossing(
                    at=from_epoch(_instant_of(spans, d)),
                    percent=percent,
                    credit=money,
                    projected=False,
                )
            )
            current = percent
    return tuple(out)


def _instant_of(spans: Sequence[intervals.Span], downtime_s: int) -> int:
    """The instant at which ``spans`` have accumulated ``downtime_s`` seconds (> 0)."""
    done = 0
    for start, end in spans:
        if done + (end - start) >= downtime_s:
            return start + downtime_s - done
        done += end - start
    raise InputError("more downtime asked for than the spans hold")


# ---------------------------------------------------------------------------------------------
# One commitment


def commitment_exposure(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    so_far: AvailabilityResult,
    at: datetime,
    history: Sequence[PastPeriod],
    in_force: tuple[datetime, datetime] | None = None,
    min_history: int = MIN_HISTORY,
    notes: Sequence[str] = (),
) -> CommitmentExposure:
    """Forecast the current period of ``commitment`` from its evaluation ``so_far`` (up to
    ``at``) and its ``history`` (the previous periods measured with the same terms).

    ``in_force`` is the part of the period the version is in force, as given to
    ``availability``: the forecast stops where it ends and the fee is pro rata.
    """
    at = require_utc(at)
    start, end = so_far.period_start, so_far.period_end
    if in_force is None:
        in_force = (version.effective_from, version.effective_to or end)
    span_lo, span_hi = max(start, in_force[0]), min(end, in_force[1])
    share = Fraction(max(0, to_epoch(span_hi) - to_epoch(span_lo)), to_epoch(end) - to_epoch(start))
    remaining_s = max(0, to_epoch(span_hi) - max(to_epoch(at), to_epoch(so_far.eligible_end)))
    e_t = so_far.eligible_s + remaining_s
    d0 = so_far.downtime_s
    head = CommitmentExposure(
        agreement=version.agreement,
        version=version.version,
        customer=version.customer,
        commitment=commitment.name,
        services=commitment.services,
        source=commitment.measurement.source,
        committed=commitment.level,
        zone=version.zone,
        period_start=so_far.period_start,
        period_end=so_far.period_end,
        at=at,
        eligible_so_far_s=so_far.eligible_s,
        eligible_total_s=e_t,
        downtime_so_far_s=d0,
        level_so_far=so_far.level,
        history_periods=len(history),
        notes=tuple(notes),
    )
    reason = _unforecastable(commitment, so_far, history, min_history)
    if reason is not None:
        return replace(head, no_forecast=reason)
    m = commitment.measurement
    bucketed = m.source is not DowntimeSource.INCIDENTS
    unit = m.interval_s if bucketed else INCIDENT_UNIT_S
    spans = [(to_epoch(e.start), to_epoch(e.end)) for e in so_far.down]
    merged = intervals.merge(spans)
    ongoing_s: int | None = None
    eligible_end = to_epoch(so_far.eligible_end)
    if merged and merged[-1][1] >= eligible_end - (m.interval_s if bucketed else 0):
        ongoing_s = merged[-1][1] - merged[-1][0]
        merged = merged[:-1]
    owed = credit_for(version, commitment, _level(e_t, Fraction(d0)), share=share)
    reach = max(
        (
            int(e_t * (1 - b)) - d0
            for t in commitment.remedies.tiers
            for b in (t.below, t.at_least)
            if b is not None
        ),
        default=0,
    )
    remaining = remaining_downtime(
        history,
        elapsed_s=so_far.eligible_s,
        completed=[e - s for s, e in merged],
        ongoing_s=ongoing_s,
        remaining_s=remaining_s,
        unit_s=unit,
        reach_s=reach,
        min_history=min_history,
    )
    chances = tier_chances(
        version,
        commitment,
        eligible_total_s=e_t,
        downtime_so_far_s=d0,
        remaining=remaining,
        share=share,
    )
    mean_rem = round(remaining.mean_s)
    worst_rate = max(
        [Fraction(p.downtime_s, p.eligible_s) for p in history]
        + ([Fraction(d0, so_far.eligible_s)] if so_far.eligible_s else [])
    )
    worst = credit_for(version, commitment, _level(e_t, d0 + worst_rate * remaining_s), share=share)
    # The worst case is never milder than a tier the model gives a real chance (≥ 0.5 %).
    reachable = [c for c in chances if c.probability >= WORST_CASE_FLOOR]
    harshest = max(reachable, key=lambda c: c.credit.amount, default=None)
    if harshest is not None and harshest.credit.amount > worst.amount.amount:
        worst = replace(worst, amount=harshest.credit, percent=harshest.percent)
    return replace(
        head,
        owed_now=owed.amount,
        owed_now_percent=owed.percent,
        projected_downtime_s=d0 + mean_rem,
        projected_level=_level(e_t, Fraction(d0 + mean_rem)),
        band_low=_level(e_t, Fraction(d0 + remaining.quantile_s(BAND[1]))),
        band_high=_level(e_t, Fraction(d0 + remaining.quantile_s(BAND[0]))),
        tiers=chances,
        expected_credit=expected_credit(chances, version.currency),
        worst_case_credit=worst.amount,
        worst_case_percent=worst.percent,
        crossings=past_crossings(version, commitment, eligible_total_s=e_t, down=spans, share=share)
        + crossings(
            version,
            commitment,
            at=at,
            eligible_total_s=e_t,
            downtime_so_far_s=d0,
            remaining_s=remaining_s,
            projected_remaining_s=mean_rem,
            share=share,
        ),
        credibility=remaining.rate.credibility,
        notes=tuple(notes) + remaining.notes,
    )


WORST_CASE_FLOOR = 0.005
"""Tiers less likely than this do not set the worst case (a 1e-12 tail is not a plan)."""


def _unforecastable(
    commitment: AvailabilityCommitment,
    so_far: AvailabilityResult,
    history: Sequence[PastPeriod],
    min_history: int,
) -> str | None:
    if commitment.measurement.source is DowntimeSource.MEAN_ERROR_RATE:
        return (
            "mean-error-rate levels average every interval's error ratio; there are no down "
            "episodes to count, so this model does not apply (measure with bad-intervals)"
        )
    if so_far.level is None:
        return so_far.no_data or "no level so far"
    if len(history) < min_history and so_far.eligible_s == 0:
        return f"the period has just begun and fewer than {min_history} past periods are on record"
    return None


# ---------------------------------------------------------------------------------------------
# Portfolio


def portfolio(
    *, at: datetime, commitments: Sequence[CommitmentExposure], names: Mapping[str, str]
) -> Exposure:
    """Group per customer and sum money per currency (expected, worst case, owed now)."""
    by_customer: dict[str, list[CommitmentExposure]] = {}
    for c in commitments:
        by_customer.setdefault(c.customer, []).append(c)
    customers = tuple(
        CustomerExposure(
            customer=name,
            customer_name=names.get(name, name),
            commitments=tuple(items),
            owed_now=totals([c.owed_now for c in items if c.owed_now is not None]),
            expected=totals([c.expected_credit for c in items if c.expected_credit is not None]),
            worst_case=totals(
                [c.worst_case_credit for c in items if c.worst_case_credit is not None]
            ),
        )
        for name, items in sorted(by_customer.items())
    )
    return Exposure(
        at=require_utc(at),
        customers=customers,
        owed_now=totals([m for c in customers for m in c.owed_now]),
        expected=totals([m for c in customers for m in c.expected]),
        worst_case=totals([m for c in customers for m in c.worst_case]),
    )
