"""``/metrics``: parsed with prometheus_client's own parser and checked against the engine.

The expected numbers come from ``covenant evaluate``'s and ``covenant exposure``'s service
functions at the app's pinned instant, read from the same store — not from the exposition code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from covenant.core.alert_rules import sloth_ids
from covenant.core.results import Status
from covenant.core.timeutil import shorthand
from covenant.services.evaluate import evaluate_workspace
from covenant.services.exposure import exposure
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store import outbox
from covenant.store.db import write_transaction
from covenant.store.records import load_tickets
from covenant.store.tables import ingest_batches
from covenant.store.worker_tables import alert_states
from tests.api.support import AT, Shop

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(shop: Shop, path: str = "/metrics", role: str = "viewer") -> Samples:
    answer = shop.client.get(path, shop.tokens[role])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    found: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in found, f"duplicate series {key}"
            found[key] = s.value
    return found


def series(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset(labels.items())


@pytest.fixture(scope="module")
def engine_numbers(shop: Shop) -> Iterator[tuple[Any, Any]]:
    engine = open_store(shop.settings.database_url)
    workspace = load_workspace(shop.workspace)
    try:
        yield (
            evaluate_workspace(engine, workspace=workspace, at=AT),
            exposure(engine, workspace=workspace, at=AT),
        )
    finally:
        engine.dispose()


def test_slo_numbers_match_the_engine(shop: Shop, engine_numbers: tuple[Any, Any]) -> None:
    samples = scrape(shop)
    report, _ = engine_numbers
    checked = 0
    for e in report.effective:
        ids = {**sloth_ids(e.objective), "objective": e.objective.key}
        assert samples[series("covenant_slo_objective_ratio", **ids)] == float(e.objective.target)
        if e.sli is None:
            assert samples[series("covenant_slo_no_data", **ids)] == 1.0
            assert series("covenant_slo_sli_ratio", **ids) not in samples  # absent, not 0
            continue
        checked += 1
        assert samples[series("covenant_slo_sli_ratio", **ids)] == float(e.sli)
        assert samples[series("covenant_slo_window_events", **ids)] == e.total
        assert e.budget is not None
        assert e.budget.remaining_ratio is not None
        left = samples[series("covenant_slo_error_budget_remaining_ratio", **ids)]
        assert left == float(e.budget.remaining_ratio)
        for s in Status:
            value = samples[series("covenant_slo_status", **ids, status=s.value)]
            assert value == (1.0 if s is e.status else 0.0)
        for t in e.tiers:
            for w in (t.long, t.short):
                key = series("covenant_slo_burn_rate", **ids, window=shorthand(w.window_s))
                if w.rate is None:
                    assert key not in samples
                else:
                    assert samples[key] == float(w.rate)
            firing = series("covenant_slo_alert_firing", **ids, tier=t.name, severity=t.severity)
            assert samples[firing] == 0.0  # no worker ran: no alert state in the store
    assert checked >= 3  # the demo's objectives with data


def test_agreement_numbers_match_the_forecast(shop: Shop, engine_numbers: tuple[Any, Any]) -> None:
    samples = scrape(shop)
    _, forecast = engine_numbers
    seen = 0
    for customer in forecast.customers:
        for c in customer.commitments:
            ids = {"agreement": c.agreement, "customer": c.customer, "commitment": c.commitment}
            assert samples[series("covenant_agreement_committed_ratio", **ids)] == float(
                c.committed
            )
            if c.level_so_far is not None:
                level = samples[series("covenant_agreement_level_ratio", **ids)]
                assert level == float(c.level_so_far)
            if c.projected_level is not None:
                projected = samples[series("covenant_agreement_projected_level_ratio", **ids)]
                assert projected == float(c.projected_level)
            assert c.expected_credit is not None
            money = series(
                "covenant_agreement_credit_expected", **ids, currency=c.expected_credit.currency
            )
            assert samples[money] == float(c.expected_credit.amount)
            seen += 1
    assert seen == 2  # Globex and Initech


FEES = {"globex-enterprise": Decimal(8000), "initech-standard": Decimal(1500)}  # contracts.yaml


def test_tier_chances_are_the_forecasts(shop: Shop, engine_numbers: tuple[Any, Any]) -> None:
    """Per commitment, the chance of ending the period in each credit tier as ``covenant
    exposure`` computes it (the same float), adding up to 1, and the credit each tier pays:
    its percentage of the commitment's fee (checkout 8,000 EUR for Globex, storefront 1,500
    USD for Initech), as a float."""
    samples = scrape(shop)
    _, forecast = engine_numbers
    seen = 0
    for customer in forecast.customers:
        for c in customer.commitments:
            assert c.tiers  # both demo commitments are forecast
            ids = {"agreement": c.agreement, "customer": c.customer, "commitment": c.commitment}
            total = 0.0
            for t in c.tiers:
                tier = {**ids, "tier": t.tier or "none", "credit_percent": str(t.percent)}
                chance = samples[series("covenant_agreement_tier_probability", **tier)]
                assert chance == t.probability
                total += chance
                credit = samples[
                    series("covenant_agreement_tier_credit", **tier, currency=t.credit.currency)
                ]
                assert credit == float(FEES[c.agreement] * t.percent / 100)
                seen += 1
            assert total == pytest.approx(1.0, abs=1e-9)
    assert seen == 8  # no credit and three tiers, for each of the two commitments


def test_ticket_timers_of_the_demo_period(shop: Shop) -> None:
    """Globex's tickets created this month (the demo's, by creation time in Berlin) are all
    counted, by priority: every timer of each in one state; Initech has no support terms."""
    samples = scrape(shop)
    engine = open_store(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            start = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 November, Berlin
            tickets = load_tickets(conn, customer="globex", created_from=start)
    finally:
        engine.dispose()
    per_priority: dict[str, int] = {}
    for t in tickets:
        per_priority[t.priority] = per_priority.get(t.priority, 0) + 1
    commitment = {"P1": "enterprise-support", "P2": "enterprise-support"}
    for priority, count in per_priority.items():
        for timer in ("first-response", "resolution"):
            ids = {
                "agreement": "globex-enterprise",
                "commitment": commitment.get(priority, "business-hours-support"),
                "customer": "globex",
                "priority": priority,
                "timer": timer,
            }
            counted = [
                v
                for (name, labels), v in samples.items()
                if name == "covenant_ticket_timers" and ids.items() <= dict(labels).items()
            ]
            assert len(counted) == 6  # every state, 0 when none
            assert sum(counted) == count  # one timer per ticket (a reopened one: its latest cycle)
    assert per_priority == {"P1": 3, "P2": 12, "P3": 8}  # the demo's November tickets
    assert not [
        labels
        for name, labels in samples
        if name.startswith("covenant_ticket_timer") and ("customer", "initech") in labels
    ]


def test_metrics_is_for_internal_roles_only(shop: Shop) -> None:
    for path in ("/metrics", "/api/v1/metrics"):
        assert shop.client.get(path).status_code == 401
        for customer in ("customer:globex", "customer:initech"):
            answer = shop.client.get(path, shop.tokens[customer])
            assert answer.status_code == 403
            assert "covenant_" not in answer.text
        assert scrape(shop, path, "admin") == scrape(shop, path, "editor")


def test_label_sets_are_bounded_by_the_definitions(shop: Shop) -> None:
    samples = scrape(shop)
    workspace = load_workspace(shop.workspace)
    objectives = {o.key for o in workspace.objectives} | {
        c.objective.key for c in workspace.composites
    }
    named = {dict(labels).get("objective") for _, labels in samples} - {None}
    assert named == objectives
    for _, labels in samples:
        assert "ticket" not in dict(labels)  # nothing per ticket or per alert


def test_the_pipeline_families_count_what_the_store_holds(shop: Shop) -> None:
    """The outbox as written here: three notices 15, 6 and 1 minutes before the app's clock, the
    oldest given up on (failed); the shop's one DataSource fills six series (its definitions)
    and the demo read none of them from it."""
    engine = open_store(shop.settings.database_url)
    try:
        with write_transaction(engine) as conn:
            for minutes in (15, 6, 1):
                row = outbox.NewRow(
                    notice_key=f"burn-rate/metrics-test-{minutes}/page-fast",
                    state="firing",
                    starts_at=AT - timedelta(minutes=minutes),
                    target="hook",
                    kind="burn-rate",
                    notice="{}",
                )
                assert outbox.add(conn, [row], now=AT - timedelta(minutes=minutes)) == 1
            lease = timedelta(minutes=5)
            (oldest,) = outbox.claim(conn, now=AT, limit=1, lease=lease, owner="test")
            outbox.mark_failed(
                conn, oldest.id, owner="test", error="refused", next_attempt_at=AT, give_up=True
            )
    finally:
        engine.dispose()
    samples = scrape(shop)
    for status, count in (("pending", 2), ("sent", 0), ("failed", 1)):
        assert samples[series("covenant_notices", status=status)] == count
    assert samples[series("covenant_notice_oldest_pending_age_seconds")] == 6 * 60
    source = {"source": "prometheus"}
    assert samples[series("covenant_source_series", **source, state="never-read")] == 6
    assert samples[series("covenant_source_series", **source, state="read")] == 0
    assert series("covenant_source_read_until_oldest_timestamp_seconds", **source) not in samples
    assert not [name for name, _ in samples if name == "covenant_source_series_failing"]
    test_the_page_is_the_text_prometheus_client_writes(shop)  # with these families on it


def test_the_page_is_the_text_prometheus_client_writes(shop: Shop) -> None:
    """Covenant writes the page itself (several times faster for 10,000 SLOs): read back with
    prometheus_client's parser and written again by its ``generate_latest``, it is the same
    text byte for byte — HELP and TYPE lines, label order and escaping, number format."""
    answer = shop.client.get("/metrics", shop.tokens["viewer"])
    families = list(text_string_to_metric_families(answer.text))
    assert any(f.name == "covenant_agreement_credit_expected" and f.samples for f in families)

    class Again:
        def collect(self) -> Iterator[Any]:
            yield from families

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Again())  # type: ignore[arg-type]
    assert generate_latest(registry).decode() == answer.text


def _batches_in_the_store(shop: Shop) -> tuple[int, int, int, float | None, float | None]:
    """Batches, rows ingested, rows refused, the newest batch's instant and the newest event's
    second, summed by SQL straight from the ingest_batches table."""
    engine = open_store(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            count, ingested, refused, newest_event = conn.execute(
                sa.text(
                    "SELECT count(*), coalesce(sum(rows_ingested), 0), "
                    "coalesce(sum(rows_rejected), 0), max(events_max) FROM ingest_batches"
                )
            ).one()
            last = conn.execute(
                sa.select(ingest_batches.c.ingested_at)
                .order_by(ingest_batches.c.ingested_at.desc())
                .limit(1)
            ).scalar()
    finally:
        engine.dispose()
    return (
        int(count),
        int(ingested),
        int(refused),
        None if last is None else last.timestamp(),
        None if newest_event is None else float(newest_event),
    )


def _ingest_samples(samples: Samples) -> tuple[float, float, float, float | None, float | None]:
    return (
        samples[series("covenant_ingest_batches")],
        samples[series("covenant_ingest_rows", outcome="ingested")],
        samples[series("covenant_ingest_rows", outcome="rejected")],
        samples.get(series("covenant_ingest_last_batch_timestamp_seconds")),
        samples.get(series("covenant_ingest_newest_event_timestamp_seconds")),
    )


def test_the_ingest_families_sum_the_recorded_batches(shop: Shop) -> None:
    """Events pushed (PUT /event-batches, `covenant ingest events`) are counted as the store
    recorded them; a batch of three events, one without a status (refused), adds one batch,
    two rows ingested and one refused; the newest event is the newest counted one."""
    assert _ingest_samples(scrape(shop)) == _batches_in_the_store(shop)
    before = _batches_in_the_store(shop)
    events = [
        {
            "timestamp": "2026-11-20T11:58:00Z",
            "service": "checkout",
            "status": 200,
            "latency_ms": 90,
        },
        {
            "timestamp": "2026-11-20T11:59:00Z",
            "service": "checkout",
            "status": 503,
            "latency_ms": 9,
        },
        {"timestamp": "2026-11-20T11:59:30Z", "service": "checkout", "latency_ms": 80},
    ]
    url = "/api/v1/event-batches/metrics-ingest-1"
    answer = shop.client.request("PUT", url, shop.tokens["editor"], json={"events": events})
    assert answer.is_success, answer.text
    after = _ingest_samples(scrape(shop))
    assert after == _batches_in_the_store(shop)
    assert (answer.json()["accepted"], answer.json()["refused_count"]) == (2, 1), answer.text
    assert after[0] == before[0] + 1
    assert after[1] == before[1] + 2
    assert after[2] == before[2] + 1
    assert after[3] is not None
    assert before[3] is None or after[3] >= before[3]  # recorded at the server's wall clock
    newest = datetime(2026, 11, 20, 11, 59, tzinfo=UTC).timestamp()  # the newest counted
    assert after[4] == max(before[4] or 0, newest)


def test_the_pending_state_per_tier_is_the_stored_alert_state(
    shop: Shop, engine_numbers: tuple[Any, Any]
) -> None:
    """``covenant_slo_alert_pending`` is 1 for the tier whose burn-rate alert is stored pending
    and 0 for every other tier (one firing: its firing gauge is 1, its pending gauge 0)."""
    report, _ = engine_numbers
    tiers = [(e, t) for e in report.effective for t in e.tiers]
    (pending_e, pending_t), (firing_e, firing_t) = tiers[0], tiers[1]
    keys = {
        f"burn-rate/{pending_e.objective.key}/{pending_t.name}": "pending",
        f"burn-rate/{firing_e.objective.key}/{firing_t.name}": "firing",
    }
    engine = open_store(shop.settings.database_url)
    try:
        with write_transaction(engine) as conn:
            for key, state in keys.items():
                conn.execute(
                    sa.insert(alert_states).values(
                        key=key,
                        kind="burn-rate",
                        state=state,
                        severity="page",
                        labels="{}",
                        annotations="{}",
                        targets="[]",
                        pending_since=AT - timedelta(minutes=10),
                        starts_at=None if state == "pending" else AT - timedelta(minutes=5),
                        updated_at=AT - timedelta(minutes=1),
                    )
                )
    finally:
        engine.dispose()
    samples = scrape(shop)
    seen = 0
    for e, t in tiers:
        ids = {**sloth_ids(e.objective), "objective": e.objective.key}
        state = keys.get(f"burn-rate/{e.objective.key}/{t.name}")
        pending = series("covenant_slo_alert_pending", **ids, tier=t.name, severity=t.severity)
        firing = series("covenant_slo_alert_firing", **ids, tier=t.name, severity=t.severity)
        assert samples[pending] == (1.0 if state == "pending" else 0.0)
        assert samples[firing] == (1.0 if state == "firing" else 0.0)
        seen += 1
    assert seen == len(tiers) >= 2
    assert samples[series("covenant_alerts", kind="burn-rate", state="pending")] == 1


def test_coverage_is_sampled_for_objectives_with_events_never_for_composites(
    shop: Shop, engine_numbers: tuple[Any, Any]
) -> None:
    """The demo's composites have their window length but no coverage sample (their coverage
    is not looked up, and absent is not 1); every objective with events in its window has
    one, from the engine's ``data_from`` (the window's start when none: all of it covered)."""
    samples = scrape(shop)
    workspace = load_workspace(shop.workspace)
    composites = {c.objective.key for c in workspace.composites}
    assert composites
    report, _ = engine_numbers
    coverage = (
        "covenant_slo_window_data_from_timestamp_seconds",
        "covenant_slo_window_covered_minutes",
        "covenant_slo_window_coverage_ratio",
    )
    sampled = 0
    for e in report.effective:
        ids = {**sloth_ids(e.objective), "objective": e.objective.key}
        whole = (e.window_end - e.window_start).total_seconds() / 60
        assert samples[series("covenant_slo_window_minutes", **ids)] == whole
        if e.objective.key in composites or e.total - e.policy_filled == 0:  # no events
            assert not [n for n in coverage if series(n, **ids) in samples], e.objective.key
            continue
        sampled += 1
        start = e.data_from or e.window_start
        held = (e.window_end - start).total_seconds() // 60
        assert samples[series(coverage[0], **ids)] == start.timestamp()
        assert samples[series(coverage[1], **ids)] == held
        assert samples[series(coverage[2], **ids)] == held / whole
    assert sampled >= 3
