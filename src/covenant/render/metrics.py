"""``/metrics``: the Prometheus text exposition format (0.0.4), as ``prometheus_client`` writes it.

Every family is a gauge but two counters kept in the store (``…_total``: the worker's ticks by
outcome, a source's failed reads by code). Label sets are bounded by the definitions: one series
per objective (``sloth_id``, ``sloth_service``, ``sloth_slo`` as in the generated rules, and
``objective``, the objective's key), per alert window, per agreement commitment and credit tier,
per support commitment, priority and timer (``render.metrics_timers``: never per ticket), per
customer for its statements not issued (``render.metrics_statements``: never per period); alert
states are counted per kind and state, never labelled per alert. Money is a float here, the
``Decimal`` amount converted for display (the exact amounts are ``covenant exposure``'s). A
number that cannot be computed (no data) has no sample; ``covenant_slo_no_data`` says so (with
``covenant_slo_stale`` when the figures there stop where its source stopped answering), and for
time-slice objectives the ``*_no_data_policy_slices`` families say how many slices a good/bad
no-data policy counted for want of events. How much of each window the stored data covers
(``covenant_slo_window_data_from_timestamp_seconds``, ``…_covered_minutes``,
``…_coverage_ratio``: ``Evaluation.data_from``) has no sample for a window without events, nor
for a composite (its coverage is not looked up). Customers never reach this page (internal roles
only).

Covenant's own pipeline is on the page too, so an operator can alert on what would stop it
paging: per DataSource (``source``) its series by read state, the failing ones per error
``code``, the oldest read frontier, the series whose query matched no series, the instant of
its latest successful read and its failed reads per ``code``; and, appended by the serving
process at each scrape, the notice outbox per status and the age of its oldest pending notice
(``outbox_exposition``) and the worker's ticks by outcome, the instant of its latest completed
tick and the duration of its latest (``worker_exposition``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from covenant.core.alert_rules import sloth_ids
from covenant.core.alert_state import AlertPhase, AlertRecord
from covenant.core.forecast_portfolio import Exposure
from covenant.core.notices import NoticeKind
from covenant.core.results import Evaluation, Status
from covenant.core.timeutil import shorthand
from covenant.render.metrics_agreements import agreement_families
from covenant.render.metrics_lint import LintCount, lint_families
from covenant.render.metrics_records import AsideCount, OpenIncidents, record_families
from covenant.render.metrics_statements import UnissuedStatements, unissued_families
from covenant.render.metrics_timers import TimerGroup, timer_families
from covenant.render.prom_text import Family as _Family
from covenant.render.prom_text import escape as _escape
from covenant.render.prom_text import pairs as _pairs

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SLO_LABELS = ["sloth_id", "sloth_service", "sloth_slo", "objective"]


def _n(value: Fraction | Decimal | int) -> float:
    return float(value)


def _slo(e: Evaluation) -> list[str]:
    ids = sloth_ids(e.objective)
    return [ids["sloth_id"], ids["sloth_service"], ids["sloth_slo"], e.objective.key]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceReads:
    """The series one DataSource fills, as their reads left them (``services.metrics``)."""

    source: str
    read: int  # series with a read frontier
    never_read: int  # series no read of which succeeded yet
    failing: Mapping[str, int]  # series whose latest read failed, per error code
    oldest_until: int | None  # the oldest read frontier (epoch s); None: no series was read
    unmatched: Mapping[str, int] = field(default_factory=dict)
    """Series whose newest read's query matched no series there, per query (``good``,
    ``bad``, ``total``)."""
    last_success_s: int | None = None  # when a read of it last returned data (epoch s)
    read_errors: Mapping[str, int] = field(default_factory=dict)
    """Series reads from it that failed, per error code, since the store began counting."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The numbers to expose (``services.metrics.metrics_snapshot`` gathers them)."""

    at: datetime
    evaluations: Sequence[Evaluation]  # effective: corrected where a correction applies
    exposure: Exposure | None
    alerts: Sequence[AlertRecord]
    paths: Mapping[str, int] | None = None  # the worker's objectives per read path
    sources: Sequence[SourceReads] = ()  # per DataSource the workspace reads SLIs from
    timers: Sequence[TimerGroup] = ()  # ticket timers of the agreements' current periods
    unissued: Sequence[UnissuedStatements] = ()  # per customer: closed periods not issued
    lint: Sequence[LintCount] = ()  # per agreement and severity: covenant lint's findings
    agreements: Mapping[str, int] | None = None  # stored agreements per state (None: not counted)
    incidents: Sequence[OpenIncidents] = ()  # per agreement commitment: incidents open now
    aside: Sequence[AsideCount] = ()  # per DataSource and SLO: series set aside


class _Page:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def families(self) -> Iterator[_Family]:
        yield from self._slos()
        yield from self._agreements()
        yield from timer_families(self.snapshot.timers)
        yield from unissued_families(self.snapshot.unissued)
        yield from lint_families(self.snapshot.lint)
        yield from agreement_families(self.snapshot.agreements)
        yield from self._alerts()
        yield from self._sources()
        yield from record_families(self.snapshot.incidents, self.snapshot.aside)
        yield from self._worker()

    def _slos(self) -> Iterator[_Family]:
        gauge = _Family
        sli = gauge("covenant_slo_sli_ratio", "The SLI over the SLO window (good / total).")
        target = gauge("covenant_slo_objective_ratio", "The objective's target.")
        left = gauge(
            "covenant_slo_error_budget_remaining_ratio",
            "Error budget remaining, as a share of the budget (negative when overspent).",
        )
        events = gauge("covenant_slo_window_events", "Events (or slices) counted in the window.")
        good = gauge("covenant_slo_window_good_events", "Good events (or slices) in the window.")
        burn = gauge(
            "covenant_slo_burn_rate",
            "Burn rate over a trailing window (1 = spending the budget exactly over the window).",
        )
        filled = gauge(
            "covenant_slo_window_no_data_policy_slices",
            "Slices of the SLO window without events that a good/bad noDataPolicy counted "
            "(time-slice objectives only).",
        )
        burn_filled = gauge(
            "covenant_slo_burn_window_no_data_policy_slices",
            "Slices of a trailing burn-rate window without events that a good/bad noDataPolicy "
            "counted (time-slice objectives only).",
        )
        data_from = gauge(
            "covenant_slo_window_data_from_timestamp_seconds",
            "The first instant of the SLO window the stored data covers (epoch seconds): the "
            "window's start when it covers all of it, later when the window starts before the "
            "data (no sample when the window holds no events).",
        )
        covered = gauge(
            "covenant_slo_window_covered_minutes",
            "Minutes of the SLO window the stored data covers, from its data_from on (no sample "
            "when the window holds no events).",
        )
        whole = gauge("covenant_slo_window_minutes", "The SLO window's length in minutes.")
        share = gauge(
            "covenant_slo_window_coverage_ratio",
            "The share of the SLO window the stored data covers (covered / window minutes; 1: "
            "all of it; no sample when the window holds no events).",
        )
        status = gauge("covenant_slo_status", "1 for the objective's status, 0 for the others.")
        no_data = gauge(
            "covenant_slo_no_data",
            "1 when the objective's status is no data (no value, or see covenant_slo_stale).",
        )
        stale = gauge(
            "covenant_slo_stale",
            "1 when the objective's source cannot answer for now (its latest read failed, "
            "minutes not read yet, never read, or its query changed): its figures are those of "
            "the data read so far.",
        )
        firing = gauge(
            "covenant_slo_alert_firing",
            "1 while the burn-rate alert of a tier fires (pending counts 0).",
        )
        pending = gauge(
            "covenant_slo_alert_pending",
            "1 while the burn-rate alert of a tier is pending (its condition holds, not yet "
            "for its for: duration).",
        )
        states = {r.key: r.phase for r in self.snapshot.alerts}
        statuses = [(s, f',status="{_escape(s.value)}"') for s in Status]
        for e in self.snapshot.evaluations:
            # label pairs in name order, as generate_latest writes them: objective, (severity),
            # sloth_id, sloth_service, sloth_slo, (status, tier, window)
            sloth_id, sloth_service, sloth_slo, key = _slo(e)
            head = _pairs(("objective",), (key,))
            tail = _pairs(SLO_LABELS[:3], (sloth_id, sloth_service, sloth_slo))
            ids = f"{head},{tail}"
            target.add(ids, _n(e.objective.target))
            no_data.add(ids, 1.0 if e.status is Status.NO_DATA else 0.0)
            # a query that matched no series: the source answered (with nothing), not stale
            behind = e.stale is not None and e.stale.kind != "no-series"
            stale.add(ids, 1.0 if behind else 0.0)
            if e.sli is not None:
                sli.add(ids, _n(e.sli))
            if e.budget is not None and e.budget.remaining_ratio is not None:
                left.add(ids, _n(e.budget.remaining_ratio))
            events.add(ids, float(e.total))
            good.add(ids, float(e.good))
            slices = e.unit == "slices"
            if slices:
                filled.add(ids, float(e.policy_filled))
            whole.add(ids, float(e.window_minutes))
            held = e.covered_minutes
            if held is not None:
                start = e.window_start if e.data_from is None else e.data_from
                data_from.add(ids, start.timestamp())
                covered.add(ids, float(held))
                if e.window_minutes:
                    share.add(ids, held / e.window_minutes)
            for s, pair in statuses:
                status.add(ids + pair, 1.0 if e.status is s else 0.0)
            seen: set[int] = set()
            for window in [e.burn, *(w for t in e.tiers for w in (t.long, t.short))]:
                if window is None or window.window_s in seen or window.rate is None:
                    continue
                seen.add(window.window_s)
                labels = f'{ids},window="{_escape(shorthand(window.window_s))}"'
                burn.add(labels, _n(window.rate))
                if slices:
                    burn_filled.add(labels, float(window.policy_filled))
            for t in e.tiers:
                phase = states.get(f"burn-rate/{e.objective.key}/{t.name}")
                labels = f'{head},severity="{_escape(t.severity)}",{tail},tier="{_escape(t.name)}"'
                firing.add(labels, 1.0 if phase is AlertPhase.FIRING else 0.0)
                pending.add(labels, 1.0 if phase is AlertPhase.PENDING else 0.0)
        yield from (sli, target, left, events, good, filled, burn, burn_filled, status, no_data)
        yield from (data_from, covered, whole, share)
        yield from (stale, firing, pending)

    def _agreements(self) -> Iterator[_Family]:
        exposure = self.snapshot.exposure
        if exposure is None:
            return
        gauge = _Family
        level = gauge(
            "covenant_agreement_level_ratio", "Measured level of the current period so far."
        )
        projected = gauge(
            "covenant_agreement_projected_level_ratio",
            "Projected level at the end of the current period.",
        )
        committed = gauge("covenant_agreement_committed_ratio", "The committed level.")
        owed = gauge(
            "covenant_agreement_credit_owed",
            "The period's credit if nothing else goes down (locked in).",
        )
        expected = gauge(
            "covenant_agreement_credit_expected", "Money at risk: the period's expected credit."
        )
        worst = gauge(
            "covenant_agreement_credit_worst_case",
            "The period's credit if the rest goes at the worst observed rate.",
        )
        for customer in exposure.customers:
            for c in customer.commitments:
                head = _pairs(("agreement", "commitment"), (c.agreement, c.commitment))
                tail = _pairs(("customer",), (c.customer,))
                ids = f"{head},{tail}"
                committed.add(ids, _n(c.committed))
                if c.level_so_far is not None:
                    level.add(ids, _n(c.level_so_far))
                if c.projected_level is not None:
                    projected.add(ids, _n(c.projected_level))
                for family, money in (
                    (owed, c.owed_now),
                    (expected, c.expected_credit),
                    (worst, c.worst_case_credit),
                ):
                    if money is not None:
                        currency = f'{head},currency="{_escape(money.currency)}",{tail}'
                        family.add(currency, _n(money.amount))
        yield from (level, projected, committed, owed, expected, worst)
        yield from self._tiers(exposure)

    def _tiers(self, exposure: Exposure) -> Iterator[_Family]:
        """Per commitment with a forecast, the chance of ending the period in each credit
        tier (``none``: no credit) and the credit that tier pays, as ``covenant exposure``
        gives them."""
        chance = _Family(
            "covenant_agreement_tier_probability",
            "The chance of ending the current period in the credit tier (none: no credit).",
        )
        credit = _Family(
            "covenant_agreement_tier_credit",
            "The period's credit if it ends in the credit tier (the Decimal amount as a float, "
            "for display).",
        )
        for customer in exposure.customers:
            for c in customer.commitments:
                head = _pairs(("agreement", "commitment"), (c.agreement, c.commitment))
                for t in c.tiers:
                    # name order: agreement, commitment, credit_percent, (currency), customer, tier
                    percent = f'credit_percent="{_escape(str(t.percent))}"'
                    tail = _pairs(("customer", "tier"), (c.customer, t.tier or "none"))
                    chance.add(f"{head},{percent},{tail}", t.probability)
                    money = f'currency="{_escape(t.credit.currency)}"'
                    credit.add(f"{head},{percent},{money},{tail}", _n(t.credit.amount))
        yield from (chance, credit)

    def _alerts(self) -> Iterator[_Family]:
        counted = Counter((r.kind, r.phase) for r in self.snapshot.alerts)
        family = _Family("covenant_alerts", "Alerts pending or firing, per kind.")
        for kind in NoticeKind:
            for phase in (AlertPhase.PENDING, AlertPhase.FIRING):
                labels = _pairs(("kind", "state"), (kind.value, phase.value))
                family.add(labels, float(counted[(kind, phase)]))
        yield family

    def _sources(self) -> Iterator[_Family]:
        if not self.snapshot.sources:
            return
        series = _Family(
            "covenant_source_series",
            "Series a DataSource fills, by whether a read of them succeeded yet "
            "(never-read: none did).",
        )
        failing = _Family(
            "covenant_source_series_failing",
            "Series whose latest read from the DataSource failed, per error code.",
        )
        oldest = _Family(
            "covenant_source_read_until_oldest_timestamp_seconds",
            "The oldest read frontier of the DataSource's series: every series that was read "
            "is read up to here.",
        )
        success = _Family(
            "covenant_source_last_success_timestamp_seconds",
            "When a read from the DataSource last returned data (epoch seconds: the instant "
            "of the tick or command that read).",
        )
        errors = _Family(
            "covenant_source_read_errors_total",
            "Series reads from the DataSource that failed, per error code (one per series "
            "and read: a tick that cannot reach the source adds its number of series).",
            kind="counter",
        )
        unmatched = _Family(
            "covenant_source_series_unmatched",
            "Series whose newest read from the DataSource found no series for their good, bad "
            "or total query (a misspelt metric or label: their SLOs show no data naming it).",
        )
        for s in sorted(self.snapshot.sources, key=lambda s: s.source):
            source = _pairs(("source",), (s.source,))
            for query in ("bad", "good", "total"):
                count = s.unmatched.get(query, 0)
                if count or query == "total":
                    unmatched.add(f'query="{query}",{source}', float(count))
            series.add(f'{source},state="read"', float(s.read))
            series.add(f'{source},state="never-read"', float(s.never_read))
            for code, count in sorted(s.failing.items()):
                failing.add(f'code="{_escape(code)}",{source}', float(count))
            if s.oldest_until is not None:
                oldest.add(source, float(s.oldest_until))
            if s.last_success_s is not None:
                success.add(source, float(s.last_success_s))
            for code, count in sorted(s.read_errors.items()):
                errors.add(f'code="{_escape(code)}",{source}', float(count))
        yield from (series, failing, oldest, unmatched, success, errors)

    def _worker(self) -> Iterator[_Family]:
        at = _Family(
            "covenant_evaluation_timestamp_seconds",
            "The instant these numbers were evaluated at (the worker's latest tick, or now).",
        )
        at.add("", self.snapshot.at.timestamp())
        yield at
        if self.snapshot.paths is not None:
            split = _Family(
                "covenant_worker_objectives", "Objectives the latest tick evaluated, by read path."
            )
            for path, count in sorted(self.snapshot.paths.items()):
                split.add(_pairs(("path",), (path,)), float(count))
            yield split


def exposition(snapshot: Snapshot) -> bytes:
    """The snapshot in the Prometheus text format (version 0.0.4)."""
    return "".join(f.text() for f in _Page(snapshot).families()).encode()


def age_exposition(age_s: float) -> bytes:
    """``covenant_metrics_snapshot_age_seconds``: how long before the scrape the served tick
    evaluated (appended to a published page by the process that serves it)."""
    family = _Family(
        "covenant_metrics_snapshot_age_seconds",
        "Seconds between the worker tick these numbers are from and this scrape.",
    )
    family.add("", age_s)
    return family.text().encode()


def outbox_exposition(counts: Mapping[str, int], *, oldest_pending_age_s: float | None) -> bytes:
    """``covenant_notices`` per status (every status, 0 when none) and
    ``covenant_notice_oldest_pending_age_seconds`` (no sample when no notice is pending): read
    at each scrape and appended by the process that serves it."""
    notices = _Family(
        "covenant_notices",
        "Alert notices in the outbox, per status (sent ones are pruned after the retention).",
    )
    for status, count in counts.items():
        notices.add(_pairs(("status",), (status,)), float(count))
    oldest = _Family(
        "covenant_notice_oldest_pending_age_seconds",
        "Seconds since the oldest notice still pending was written to the outbox.",
    )
    if oldest_pending_age_s is not None:
        oldest.add("", oldest_pending_age_s)
    return (notices.text() + oldest.text()).encode()


def worker_exposition(
    ticks: Mapping[str, int], *, last_success_at: datetime | None, last_tick_s: float | None
) -> bytes:
    """``covenant_worker_ticks_total`` per outcome (every outcome, 0 when none),
    ``covenant_worker_last_success_timestamp_seconds`` and
    ``covenant_worker_tick_duration_seconds`` (no sample before the first such tick): the
    store's totals of every worker's ticks, read at each scrape."""
    counted = _Family(
        "covenant_worker_ticks_total",
        "Worker ticks, by outcome (ok; problems: completed, a part not evaluated or a read "
        "failed; failed: nothing moved), counted in the store across processes and restarts.",
        kind="counter",
    )
    for outcome, count in ticks.items():
        counted.add(_pairs(("outcome",), (outcome,)), float(count))
    success = _Family(
        "covenant_worker_last_success_timestamp_seconds",
        "The instant of the latest tick that completed (ok or problems), in epoch seconds.",
    )
    if last_success_at is not None:
        success.add("", last_success_at.timestamp())
    took = _Family(
        "covenant_worker_tick_duration_seconds",
        "How long the latest tick took (any outcome), from its start to its alert states stored.",
    )
    if last_tick_s is not None:
        took.add("", last_tick_s)
    return (counted.text() + success.text() + took.text()).encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestTotals:
    """The batches of events pushed into the store (``ingest_batches``: files of ``covenant
    ingest events`` and ``PUT /event-batches``), summed."""

    batches: int
    rows_ingested: int
    rows_rejected: int
    last_batch_at: datetime | None  # the newest batch's instant
    newest_event_s: int | None  # the newest event second any batch held (epoch s)


def ingest_exposition(totals: IngestTotals) -> bytes:
    """``covenant_ingest_batches``, ``covenant_ingest_rows`` per outcome and the instants of the
    newest batch and event (no sample without a batch): read at each scrape."""
    batches = _Family(
        "covenant_ingest_batches",
        "Batches of events ingested into the store (files and PUT /event-batches).",
    )
    batches.add("", float(totals.batches))
    rows = _Family("covenant_ingest_rows", "Rows of the ingested batches, by outcome.")
    rows.add('outcome="ingested"', float(totals.rows_ingested))
    rows.add('outcome="rejected"', float(totals.rows_rejected))
    last = _Family(
        "covenant_ingest_last_batch_timestamp_seconds",
        "When the newest batch of events was ingested (epoch seconds).",
    )
    if totals.last_batch_at is not None:
        last.add("", totals.last_batch_at.timestamp())
    newest = _Family(
        "covenant_ingest_newest_event_timestamp_seconds",
        "The newest event any ingested batch held (epoch seconds).",
    )
    if totals.newest_event_s is not None:
        newest.add("", float(totals.newest_event_s))
    return "".join(f.text() for f in (batches, rows, last, newest)).encode()
