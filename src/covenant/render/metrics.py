"""``/metrics``: the Prometheus text exposition format, written by ``prometheus_client``.

Every family is a gauge. Label sets are bounded by the definitions: one series per objective
(``sloth_id``, ``sloth_service``, ``sloth_slo`` as in the generated rules, and ``objective``,
the objective's key), per alert window, per agreement commitment; alert states are counted per
kind and state, never labelled per alert. A number that cannot be computed (no data) has no
sample; ``covenant_slo_no_data`` says so. Customers never reach this page (internal roles only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from covenant.core.alert_rules import sloth_ids
from covenant.core.alert_state import AlertPhase, AlertRecord
from covenant.core.forecast import Exposure
from covenant.core.notices import NoticeKind
from covenant.core.results import Evaluation, Status
from covenant.core.timeutil import shorthand

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SLO_LABELS = ["sloth_id", "sloth_service", "sloth_slo", "objective"]
AGREEMENT_LABELS = ["agreement", "customer", "commitment"]


def _n(value: Fraction | Decimal | int) -> float:
    return float(value)


def _slo(e: Evaluation) -> list[str]:
    ids = sloth_ids(e.objective)
    return [ids["sloth_id"], ids["sloth_service"], ids["sloth_slo"], e.objective.key]


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The numbers to expose (``services.metrics.metrics_snapshot`` gathers them)."""

    at: datetime
    evaluations: Sequence[Evaluation]  # effective: corrected where a correction applies
    exposure: Exposure | None
    alerts: Sequence[AlertRecord]
    paths: Mapping[str, int] | None = None  # the worker's objectives per read path


class _Snapshot(Collector):
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        yield from self._slos()
        yield from self._agreements()
        yield from self._alerts()
        yield from self._worker()

    def _slos(self) -> Iterator[Metric]:
        def gauge(name: str, text: str, more: tuple[str, ...] = ()) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, text, labels=[*SLO_LABELS, *more])

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
            ("window",),
        )
        status = gauge(
            "covenant_slo_status", "1 for the objective's status, 0 for the others.", ("status",)
        )
        no_data = gauge("covenant_slo_no_data", "1 when the SLO window has no value.")
        firing = gauge(
            "covenant_slo_alert_firing",
            "1 while the burn-rate alert of a tier fires (pending counts 0).",
            ("tier", "severity"),
        )
        states = {r.key: r.phase for r in self.snapshot.alerts}
        for e in self.snapshot.evaluations:
            ids = _slo(e)
            target.add_metric(ids, _n(e.objective.target))
            no_data.add_metric(ids, 0.0 if e.sli is not None else 1.0)
            if e.sli is not None:
                sli.add_metric(ids, _n(e.sli))
            if e.budget is not None and e.budget.remaining_ratio is not None:
                left.add_metric(ids, _n(e.budget.remaining_ratio))
            events.add_metric(ids, float(e.total))
            good.add_metric(ids, float(e.good))
            for s in Status:
                status.add_metric([*ids, s.value], 1.0 if e.status is s else 0.0)
            seen: set[int] = set()
            for window in [e.burn, *(w for t in e.tiers for w in (t.long, t.short))]:
                if window is None or window.window_s in seen or window.rate is None:
                    continue
                seen.add(window.window_s)
                burn.add_metric([*ids, shorthand(window.window_s)], _n(window.rate))
            for t in e.tiers:
                phase = states.get(f"burn-rate/{e.objective.key}/{t.name}")
                value = 1.0 if phase is AlertPhase.FIRING else 0.0
                firing.add_metric([*ids, t.name, t.severity], value)
        yield from (sli, target, left, events, good, burn, status, no_data, firing)

    def _agreements(self) -> Iterator[Metric]:
        exposure = self.snapshot.exposure
        if exposure is None:
            return

        def gauge(name: str, text: str, money: bool = False) -> GaugeMetricFamily:
            more = ["currency"] if money else []
            return GaugeMetricFamily(name, text, labels=[*AGREEMENT_LABELS, *more])

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
            money=True,
        )
        expected = gauge(
            "covenant_agreement_credit_expected",
            "Money at risk: the period's expected credit.",
            money=True,
        )
        worst = gauge(
            "covenant_agreement_credit_worst_case",
            "The period's credit if the rest goes at the worst observed rate.",
            money=True,
        )
        for customer in exposure.customers:
            for c in customer.commitments:
                ids = [c.agreement, c.customer, c.commitment]
                committed.add_metric(ids, _n(c.committed))
                if c.level_so_far is not None:
                    level.add_metric(ids, _n(c.level_so_far))
                if c.projected_level is not None:
                    projected.add_metric(ids, _n(c.projected_level))
                for family, money in (
                    (owed, c.owed_now),
                    (expected, c.expected_credit),
                    (worst, c.worst_case_credit),
                ):
                    if money is not None:
                        family.add_metric([*ids, money.currency], _n(money.amount))
        yield from (level, projected, committed, owed, expected, worst)

    def _alerts(self) -> Iterator[Metric]:
        counted = Counter((r.kind, r.phase) for r in self.snapshot.alerts)
        family = GaugeMetricFamily(
            "covenant_alerts", "Alerts pending or firing, per kind.", labels=["kind", "state"]
        )
        for kind in NoticeKind:
            for phase in (AlertPhase.PENDING, AlertPhase.FIRING):
                family.add_metric([kind.value, phase.value], float(counted[(kind, phase)]))
        yield family

    def _worker(self) -> Iterator[Metric]:
        at = GaugeMetricFamily(
            "covenant_evaluation_timestamp_seconds",
            "The instant these numbers were evaluated at (the worker's latest tick, or now).",
        )
        at.add_metric([], self.snapshot.at.timestamp())
        yield at
        if self.snapshot.paths is None:
            return
        split = GaugeMetricFamily(
            "covenant_worker_objectives",
            "Objectives the latest tick evaluated, by read path.",
            labels=["path"],
        )
        for path, count in sorted(self.snapshot.paths.items()):
            split.add_metric([path], float(count))
        yield split


def exposition(snapshot: Snapshot) -> bytes:
    """The snapshot in the Prometheus text format (version 0.0.4)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(snapshot))
    return generate_latest(registry)


def age_exposition(age_s: float) -> bytes:
    """``covenant_metrics_snapshot_age_seconds``: how long before the scrape the served tick
    evaluated (appended to a published page by the process that serves it)."""
    family = GaugeMetricFamily(
        "covenant_metrics_snapshot_age_seconds",
        "Seconds between the worker tick these numbers are from and this scrape.",
    )
    family.add_metric([], age_s)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families([family]))
    return generate_latest(registry)


class _Families(Collector):
    def __init__(self, families: Sequence[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families
