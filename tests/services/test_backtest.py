"""Backtests and suggestions end to end on the demo shop (90 days of generated history)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from covenant.cli import backtest_cmds
from covenant.config import Settings, sqlite_url
from covenant.core.evaluate import evaluate, required_range
from covenant.errors import DefinitionError, InputError, NotFoundError
from covenant.services.alert_backtest import backtest_alerts, parse_tier
from covenant.services.backtest import backtest_agreement
from covenant.services.demo import run_demo
from covenant.services.ingest import open_store
from covenant.services.suggest import parse_margin, suggest_backing, suggest_slo
from covenant.services.workspace import load_workspace
from covenant.store.buckets import read_matrix
from tests.conftest import ROOT

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)

V2 = """
    - version: 2
      status: draft
      reason: raise checkout uptime to 99.99 %
      effectiveFrom: 2027-01-01
      fees: {checkout: "8000.00", storefront: "4000.00"}
      period: {unit: month, timeZone: Europe/Berlin}
      availability:
        - name: checkout-uptime
          services: [checkout]
          level: 99.99
          measurement:
            source: bad-intervals
            slo: checkout-monthly
            interval: 5m
            errorRateAtLeast: 5
          exclusions: {maintenanceNotice: 5d, customerCaused: true, forceMajeure: true}
          credits:
            - {below: 99.99, atLeast: 99.95, credit: 5}
            - {below: 99.95, atLeast: 99.9, credit: 15}
            - {below: 99.9, atLeast: 99.0, credit: 30}
            - {below: 99.0, credit: 50}
          cap: {percent: 50}
          backedBy: [checkout-monthly]
"""

NEW = """
apiVersion: covenant/v1
kind: Agreement
metadata:
  name: initech-premium
spec:
  customer: initech
  versions:
    - version: 1
      status: draft
      effectiveFrom: 2027-01-01
      fees: {storefront: "1500.00"}
      period: {unit: month, timeZone: America/New_York}
      availability:
        - name: storefront-uptime
          services: [storefront]
          level: 99.95
          measurement: {source: incidents, severities: [sev1, sev2]}
          credits:
            - {below: 99.95, credit: 20}
          backedBy: [storefront-availability]
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("backtest") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=90)
    return target


def amendment() -> str:
    contracts = (ROOT / "examples" / "shop" / "contracts.yaml").read_text()
    doc = next(d for d in contracts.split("\n---\n") if "name: globex-enterprise" in d)
    return doc.rstrip() + "\n" + V2.lstrip("\n")


def test_amendment_backtest_side_by_side(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    try:
        bt = backtest_agreement(
            engine,
            workspace_dir=shop,
            proposal_text=amendment(),
            first="2026-07",
            last="2026-12",
            at=AT,
        )
    finally:
        engine.dispose()
    assert (bt.proposed.key, [v.key for v in bt.current]) == (
        "globex-enterprise@v2",
        ["globex-enterprise@v1"],
    )
    assert bt.labels == ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
    (current,) = bt.current
    for mine, theirs in zip(bt.proposed.rows, current.rows, strict=True):
        assert mine.label == theirs.label
        assert mine.level == theirs.level  # same measurement, different promise
    by_label = {r.label: r for r in bt.proposed.rows}
    assert by_label["2026-07"].no_data == "no stored history in this period"
    assert by_label["2026-12"].no_data == "the period has not started"
    assert by_label["2026-08"].partial  # the history starts late in August
    september = by_label["2026-09"]
    assert september.result is not None
    assert september.result.complete
    assert september.level is not None
    assert september.level < Fraction(9999, 10000)
    # The stricter promise never pays less, and the totals add up per period.
    for label in bt.labels:
        (diff,) = bt.difference(label) or (None,)
        assert diff is None or diff.amount >= 0
    total = sum((m.amount for label in bt.labels for m in bt.difference(label)), Decimal(0))
    assert [m.amount for m in bt.difference()] == [total]
    assert total > 0


def test_new_agreement_compares_with_the_customers_terms_in_force(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    try:
        bt = backtest_agreement(
            engine, workspace_dir=shop, proposal_text=NEW, first="2026-10", last="2026-11", at=AT
        )
    finally:
        engine.dispose()
    assert [v.key for v in bt.current] == ["initech-standard@v1"]
    november = [r for r in bt.proposed.rows if r.label == "2026-11"]
    assert november[0].result is not None
    assert november[0].result.downtime_s == 50 * 60  # INC-1010, as in the statement


def test_proposal_errors(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    try:
        with pytest.raises(InputError, match="exactly one Agreement"):
            backtest_agreement(
                engine,
                workspace_dir=shop,
                proposal_text=NEW + "\n---\n" + NEW,
                first="2026-10",
                last="2026-11",
                at=AT,
            )
        with pytest.raises(DefinitionError):
            backtest_agreement(
                engine,
                workspace_dir=shop,
                proposal_text=NEW.replace("storefront-availability", "nope"),
                first="2026-10",
                last="2026-11",
                at=AT,
            )
        with pytest.raises(NotFoundError):
            backtest_agreement(
                engine,
                workspace_dir=shop,
                proposal_text=amendment(),
                first="2026-10",
                last="2026-11",
                at=AT,
                version=7,
            )
    finally:
        engine.dispose()


def test_alert_replay_agrees_with_evaluate_on_the_store(shop: Path) -> None:
    ws = load_workspace(shop)
    engine = open_store(sqlite_url(shop))
    try:
        (replay,) = backtest_alerts(
            engine,
            workspace=ws,
            slo="checkout-availability",
            start=AT - timedelta(days=3),
            end=AT,
            step_s=300,
        )
        o = replay.objective
        lo, _ = required_range([o], at=AT - timedelta(days=3), step=60)
        _, hi = required_range([o], at=AT, step=60)
        with engine.connect() as conn:
            data = read_matrix(conn, keys=[o.series], start=lo, end=hi + 60, step=60)
    finally:
        engine.dispose()
    episodes = [e for t in replay.tiers for e in t.episodes]
    assert episodes
    for e in episodes:
        (ev,) = evaluate([o], data, at=e.start)
        assert {t.name: t.firing for t in ev.tiers}[e.tier]
        assert ev.budget is not None
        assert e.budget_consumed_at_start == ev.budget.consumed / ev.budget.allowed


def test_parse_tier_and_margin() -> None:
    tier = parse_tier("page-fast:page:14.4:1h:5m")
    assert (tier.burn_rate, tier.long_window_s, tier.short_window_s) == (
        Fraction(72, 5),
        3600,
        300,
    )
    assert parse_tier("p:page:2%:1h:5m").budget_fraction == Fraction(2, 100)
    with pytest.raises(InputError):
        parse_tier("page-fast:14.4:1h")
    assert parse_margin("0.05") == Fraction(5, 10000)


def test_suggest_slo_from_monthly_history(shop: Path) -> None:
    ws = load_workspace(shop)
    engine = open_store(sqlite_url(shop))
    try:
        (s,) = suggest_slo(engine, workspace=ws, slo="checkout-monthly", at=AT, windows=3, hold=2)
    finally:
        engine.dispose()
    aug, sep, oct_ = s.windows
    assert aug.level is None  # history starts late in August: not a month's level
    assert sep.level is not None
    assert oct_.level is not None
    assert s.held_level == min(sep.level, oct_.level)
    assert s.nice is not None
    assert s.nice <= s.held_level
    assert s.held_in(s.nice) == 2


def test_suggest_backing_with_a_margin(shop: Path) -> None:
    ws = load_workspace(shop)
    engine = open_store(sqlite_url(shop))
    try:
        _, (initech,) = suggest_backing(
            engine,
            workspace=ws,
            agreement="initech-standard",
            at=AT,
            margin=Fraction(5, 10000),
            windows=3,
            hold=2,
        )
        _, (globex,) = suggest_backing(
            engine,
            workspace=ws,
            agreement="globex-enterprise",
            at=AT,
            margin=Fraction(5, 10000),
            windows=3,
            hold=2,
        )
    finally:
        engine.dispose()
    assert initech.required == Fraction(9995, 10000)
    (check,) = initech.backing
    assert check.objective == "storefront-availability"
    # the shop's storefront SLO is 99.99 %: more than 99.9 % + 0.05
    assert check.target == Fraction(9999, 10000)
    assert check.meets
    assert globex.required is None  # 99.95 % + 0.05 reaches 100 %
    assert globex.problem is not None


def cli() -> typer.Typer:
    app = typer.Typer()
    backtest_cmds.register(app)
    return app


def test_cli_commands_and_json_schemas(shop: Path, tmp_path: Path) -> None:
    proposal = tmp_path / "amendment.yaml"
    proposal.write_text(amendment())
    runner = CliRunner()
    at = ["--at", "2026-11-27T09:30:00Z"]
    w = ["-w", str(shop)]
    cases = {
        "covenant.backtest/v1": [
            "backtest", "agreement", str(proposal), "--from", "2026-09", "--to", "2026-11", *w, *at,
        ],
        "covenant.alert-backtest/v1": [
            "backtest", "alerts", "checkout-availability", *w,
            "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-27T09:30:00Z",
            "--tier", "fast:page:14.4:1h:5m",
        ],
        "covenant.suggestion/v1": [
            "suggest", "slo", "checkout-availability", *w, "--windows", "3", "--hold", "2", *at,
        ],
    }  # fmt: skip
    for schema, args in cases.items():
        table = runner.invoke(cli(), args)
        assert table.exit_code == 0, table.output
        result = runner.invoke(cli(), [*args, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["schema"] == schema
    backing = runner.invoke(
        cli(), ["suggest", "backing", "initech-standard", *w, *at, "-f", "json"]
    )
    assert backing.exit_code == 0, backing.output
    assert json.loads(backing.output)["kind"] == "backing"
    missing = runner.invoke(cli(), ["backtest", "alerts", "nope", *w])
    assert missing.exit_code == 1


def test_quarter_bounds_and_reversed_ranges(shop: Path) -> None:
    runner = CliRunner()
    base = [
        "backtest",
        "agreement",
        str(ROOT / "examples" / "proposals" / "initech-premium.yaml"),
        "-w",
        str(shop),
        "--at",
        "2026-11-27T09:30:00Z",
        "--format",
        "json",
    ]
    quarters = runner.invoke(cli(), [*base, "--from", "2026-Q3", "--to", "2026-Q4"])
    assert quarters.exit_code == 0, quarters.output
    labels = json.loads(quarters.stdout)["periods"]
    assert labels[0] == "2026-07"
    assert labels[-1] == "2026-12"  # --to a quarter runs to its last month
    reversed_ = runner.invoke(cli(), [*base, "--from", "2026-11", "--to", "2026-09"])
    assert reversed_.exit_code == 2  # a usage error, as backtest alerts' reversed range
    assert "swap them" in reversed_.output
    within = runner.invoke(cli(), [*base, "--from", "2026-Q4", "--to", "2026-11"])
    assert within.exit_code == 0, within.output  # a quarter starts in its first month


def test_alert_replay_clips_an_ongoing_episode_at_to(shop: Path) -> None:
    ws = load_workspace(shop)
    engine = open_store(sqlite_url(shop))
    try:
        (replay,) = backtest_alerts(
            engine,
            workspace=ws,
            slo="checkout-availability",
            start=AT - timedelta(days=1),
            end=AT,
            step_s=300,
        )
    finally:
        engine.dispose()
    ongoing = [e for t in replay.tiers for e in t.episodes if e.ongoing]
    assert ongoing  # the demo shop's checkout is burning at --at
    for e in ongoing:
        assert e.end == AT  # not AT + 5 min
    for t in replay.tiers:
        assert t.steps_with_data == replay.steps
        assert t.no_data is None


def test_alert_replay_without_data_says_so(shop: Path) -> None:
    runner = CliRunner()
    args = [
        "backtest", "alerts", "checkout-availability", "-w", str(shop),
        "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-05T00:00:00Z",
    ]  # fmt: skip
    table = runner.invoke(cli(), args)
    assert table.exit_code == 0, table.output
    assert "never fired" not in table.output
    assert "no data" in table.output
    result = runner.invoke(cli(), [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    (objective,) = json.loads(result.output)["objectives"]
    assert objective["tiers"]
    for tier in objective["tiers"]:
        assert tier["steps_with_data"] == 0
        assert tier["no_data"] == "no stored events in the replayed range"
        assert tier["episodes"] == []
    # A range the history covers in part: counted, and the table says where data was missing.
    partial = [*args[:5], "--from", "2026-08-27T00:00:00Z", "--to", "2026-08-30T00:00:00Z"]
    table = runner.invoke(cli(), partial)
    assert table.exit_code == 0, table.output
    assert "steps; no data at the others" in " ".join(table.output.split())
    (objective,) = json.loads(runner.invoke(cli(), [*partial, "-f", "json"]).output)["objectives"]
    assert all(0 < t["steps_with_data"] < objective["steps"] for t in objective["tiers"])
    assert all(t["no_data"] is None for t in objective["tiers"])
