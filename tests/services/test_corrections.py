"""Corrections and composites end to end: YAML → store → evaluation, the audit, the problems."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
from sqlalchemy.engine import Engine

from covenant.core.results import Status
from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.render.evaluation import report_json
from covenant.services.corrections import (
    correction_history,
    expand_corrections,
    revisions_by_hash,
)
from covenant.services.evaluate import EvaluationReport, evaluate_objectives
from covenant.store.buckets import add_counts, ensure_series

STEP = 60
AT = datetime(2026, 1, 12, 0, 0, tzinfo=UTC)  # Monday
SEEN = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
# Sunday 2026-01-11 02:00 in Berlin is 01:00 UTC: the outage hour.
OUTAGE = datetime(2026, 1, 11, 1, 0, tzinfo=UTC)

SLO = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: api-availability}
spec:
  service: shop
  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: events, spec: {}}}
        total: {metricSource: {type: events, spec: {}}}
  timeWindow: [{duration: 7d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""

MAINTENANCE = """\
---
apiVersion: covenant/v1
kind: Correction
metadata: {name: weekly-db-maintenance}
spec:
  slos: [api-availability]
  start: 2026-01-04T02:00:00
  duration: 1h
  rrule: FREQ=WEEKLY;BYDAY=SU
  timeZone: Europe/Berlin
  author: jane@example.com
  reason: weekly database failover
  createdAt: 2026-01-02T10:00:00Z
"""

COMPOSITE = """\
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: search
  annotations: {covenant.dev/no-data-policy: good}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: pay}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: journey}
spec:
  service: shop
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - displayName: search
      indicatorRef: search
      target: 0.99
      compositeWeight: 1
    - displayName: pay
      indicatorRef: pay
      target: 0.999
      compositeWeight: 3
"""


def workspace(text: str) -> Workspace:
    ws, problems = analyse_text(text, file="ws.yaml")
    assert ws is not None, [str(p) for p in problems]
    return ws


def problems_of(text: str) -> list[tuple[str, str, str]]:
    ws, problems = analyse_text(text, file="ws.yaml")
    assert ws is None
    return [(p.code, p.where, p.field) for p in problems if p.severity == "error"]


def store_week(engine: Engine, key: str, *, outage_good: int = 0, per_minute: int = 100) -> None:
    """Eight days of ``per_minute`` events before AT; the outage hour has ``outage_good``."""
    start = to_epoch(AT) - 8 * 86400
    starts = np.arange(start, to_epoch(AT), STEP, dtype=np.int64)
    total = np.full(starts.size, per_minute, dtype=np.int64)
    good = total.copy()
    bad = (starts >= to_epoch(OUTAGE)) & (starts < to_epoch(OUTAGE) + 3600)
    good[bad] = outage_good
    with engine.begin() as conn:
        ids = ensure_series(conn, keys=[key], step=STEP)
        add_counts(
            conn,
            series_ids=np.full(starts.size, ids[key]),
            bucket_starts=starts,
            good=good,
            total=total,
            step=STEP,
        )


def evaluate_ws(engine: Engine, ws: Workspace, *, seen: datetime = SEEN) -> EvaluationReport:
    return evaluate_objectives(
        engine,
        objectives=ws.objectives,
        at=AT,
        composites=ws.composites,
        corrections=ws.corrections,
        seen_at=seen,
    )


def test_the_rrule_expands_on_the_local_wall_clock() -> None:
    (rule,) = workspace(SLO + MAINTENANCE).corrections
    windows = expand_corrections([rule], start=datetime(2026, 1, 1, tzinfo=UTC), end=AT)
    # 02:00 Berlin (UTC+1 in winter) every Sunday from 2026-01-04, each one hour
    assert [(w.start, w.end - w.start) for w in windows] == [
        (datetime(2026, 1, 4, 1, 0, tzinfo=UTC), timedelta(hours=1)),
        (OUTAGE, timedelta(hours=1)),
    ]
    summer = expand_corrections(
        [rule], start=datetime(2026, 7, 1, tzinfo=UTC), end=datetime(2026, 7, 8, tzinfo=UTC)
    )
    assert [w.start for w in summer] == [datetime(2026, 7, 5, 0, 0, tzinfo=UTC)]  # UTC+2
    assert windows[0].author == "jane@example.com"
    assert windows[0].reason == "weekly database failover"


def test_a_weekly_maintenance_removes_the_outage_from_corrected_figures_only(
    engine: Engine,
) -> None:
    """7 days × 1,440 min × 100 events = 1,008,000 events; the Sunday 02:00 hour fails
    entirely (6,000 bad), over the 0.1 % budget of 1,008. Corrected: 1,002,000 events, none
    bad — the status a gate uses becomes ok while the raw figures still show the breach."""
    store_week(engine, "api")
    ws = workspace(SLO + MAINTENANCE)
    report = evaluate_ws(engine, ws)
    (raw,) = report.evaluations
    assert (raw.good, raw.total, raw.status) == (1_002_000, 1_008_000, Status.BREACHED)
    (corrected,) = report.corrected
    assert corrected.evaluation is not None
    fixed = corrected.evaluation
    assert (fixed.good, fixed.total, fixed.status) == (1_002_000, 1_002_000, Status.OK)
    assert [w.start for w in corrected.windows] == [OUTAGE]
    assert report.counts[Status.OK] == 1
    assert report.counts[Status.BREACHED] == 0
    assert not report.needs_attention
    doc = report_json(
        report.at,
        report.evaluations,
        corrected=report.corrected,
        revisions=revisions_by_hash(report.audit),
    )
    (result,) = doc["results"]
    assert result["status"] == "breached"
    assert result["effective_status"] == "ok"
    assert result["corrected"]["total"] == 1_002_000
    assert result["corrected"]["status"] == "ok"
    assert "slo" not in result["corrected"]
    assert result["corrections"] == [
        {
            "name": "weekly-db-maintenance",
            "author": "jane@example.com",
            "reason": "weekly database failover",
            "start": "2026-01-11T01:00:00Z",
            "end": "2026-01-11T02:00:00Z",
            "revision": 1,
            "content_sha256": ws.corrections[0].sha256,
        }
    ]
    assert doc["summary"]["ok"] == 1
    json.dumps(doc)  # serialisable


def test_without_corrections_the_report_is_unchanged(engine: Engine) -> None:
    store_week(engine, "api")
    report = evaluate_ws(engine, workspace(SLO))
    assert report.corrected == ()
    assert report.audit == {}
    (result,) = report_json(report.at, report.evaluations)["results"]
    assert result["corrected"] is None
    assert result["corrections"] == []
    assert result["effective_status"] == result["status"] == "breached"
    assert report.needs_attention


def test_each_correction_is_audited_once_and_a_change_is_a_new_revision(
    engine: Engine,
) -> None:
    store_week(engine, "api")
    evaluate_ws(engine, workspace(SLO + MAINTENANCE))
    evaluate_ws(engine, workspace(SLO + MAINTENANCE), seen=SEEN + timedelta(days=1))
    (first,) = correction_history(engine)
    assert first.name == "weekly-db-maintenance"
    assert first.revision == 1
    assert (first.author, first.reason) == ("jane@example.com", "weekly database failover")
    assert first.created_at == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert first.first_seen == SEEN
    assert first.last_seen == SEEN + timedelta(days=1)
    assert first.origin.startswith("ws.yaml:")
    assert json.loads(first.content)["rrule"] == "FREQ=WEEKLY;BYDAY=SU"
    changed = MAINTENANCE.replace("weekly database failover", "failover and vacuum")
    report = evaluate_ws(engine, workspace(SLO + changed), seen=SEEN + timedelta(days=2))
    history = correction_history(engine, name="weekly-db-maintenance")
    assert [(r.revision, r.reason) for r in history] == [
        (1, "weekly database failover"),
        (2, "failover and vacuum"),
    ]
    assert history[1].content_sha256 != history[0].content_sha256
    assert report.audit["weekly-db-maintenance"].revision == 2


def test_a_composite_is_evaluated_with_its_components_and_corrected(engine: Engine) -> None:
    """search (weight 1) fails the outage hour entirely; pay (weight 3) is perfect.
    Over the last day: good = 1·(144,000 − 6,000) + 3·144,000 = 570,000 of 576,000."""
    store_week(engine, "search")
    store_week(engine, "pay", outage_good=100)
    ws = workspace(SLO + COMPOSITE + MAINTENANCE.replace("slos: [api-availability]", ""))
    assert [o.key for o in ws.objectives] == ["api-availability", "journey/search", "journey/pay"]
    (composite,) = ws.composites
    assert composite.key == "journey"
    assert composite.objective.target == Fraction(999, 1000)  # the strictest target
    assert composite.components[0].objective.no_data.value == "good"  # from the SLI
    store_week(engine, "api")
    report = evaluate_ws(engine, ws)
    (result,) = report.composites
    assert (result.evaluation.good, result.evaluation.total) == (570_000, 576_000)
    assert result.evaluation.status is Status.BREACHED
    assert result.corrected.evaluation is not None
    assert result.corrected.evaluation.sli == 1
    doc = report_json(
        report.at,
        report.evaluations,
        corrected=report.corrected,
        composites=[(c.composite, c.evaluation, c.corrected) for c in report.composites],
    )
    assert doc["summary"]["objectives"] == 4
    last = doc["results"][-1]
    assert last["slo"] == "journey"
    assert [c["objective"] for c in last["composite"]["components"]] == [
        "journey/search",
        "journey/pay",
    ]
    assert [c["integer_weight"] for c in last["composite"]["components"]] == [1, 3]
    assert last["effective_status"] == "ok"


def test_correction_problems_point_at_file_and_line() -> None:
    bad_rule = MAINTENANCE.replace("FREQ=WEEKLY;BYDAY=SU", "FREQ=WEEKLY;BYDAY=XX")
    assert problems_of(SLO + bad_rule) == [("invalid-rrule", "ws.yaml:29", "spec.rrule")]
    unknown = MAINTENANCE.replace("slos: [api-availability]", "slos: [nope]")
    assert problems_of(SLO + unknown) == [("missing-reference", "ws.yaml:26", "spec.slos[0]")]
    backwards = MAINTENANCE.replace("duration: 1h", "end: 2026-01-04T01:00:00")
    assert problems_of(SLO + backwards) == [("invalid-correction", "ws.yaml:28", "spec.end")]
    both = MAINTENANCE.replace("duration: 1h", "duration: 1h\n  end: 2026-01-04T03:00:00")
    assert problems_of(SLO + both)[0][0] == "conflicting-fields"
    twice = MAINTENANCE.replace("BYDAY=SU", "BYDAY=SU;COUNT=3").replace(
        "timeZone", "count: 2\n  timeZone"
    )
    assert ("conflicting-fields", "ws.yaml:30", "spec.count") in problems_of(SLO + twice)
    no_author = MAINTENANCE.replace("  author: jane@example.com\n", "")
    assert problems_of(SLO + no_author) == [("missing-field", "ws.yaml:25", "spec.author")]
