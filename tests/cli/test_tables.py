"""Every table of the demo reads at 80 and 160 columns: no name is ever cut.

The names a table must show are read from the JSON output (never from the table renderer),
then found whole in the table: ``shopping-journey`` must appear on its own, not only as a
prefix of ``shopping-journey/checkout``, and no cell is cut with an ellipsis.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from covenant.cli.ingest_cmds import render_rejected
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.errors import Problem
from covenant.render.exposure import render_exposure_table
from covenant.render.sla import render_statement_table
from covenant.services.demo import DemoSummary, run_demo
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT

AT = datetime(2026, 10, 31, 9, 30, tzinfo=UTC)
AT_TEXT = "2026-10-31T09:30:00Z"
WIDTHS = (80, 160)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    base = tmp_path_factory.mktemp("tables")
    shop = base / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    shutil.copytree(ROOT / "examples" / "proposals", base / "proposals")
    summary = run_demo(Settings(workspace=shop, database_url=sqlite_url(shop)), at=AT, days=35)
    return shop, summary


def run(args: list[str], width: int) -> tuple[int, str, str]:
    result = runner.invoke(app, args, env={"COLUMNS": str(width)})
    return result.exit_code, result.stdout, result.stderr


def whole(name: str, output: str) -> bool:
    """``name`` appears not as part of a longer name (nothing name-like glued to it)."""
    pattern = rf"(?<![\w/@.-]){re.escape(name)}(?![\w/@-])"
    return re.search(pattern, output) is not None


def assert_fits(output: str, width: int, names: Iterable[str], *, wide: bool = False) -> None:
    """Every name whole, nothing cut; the lines fit ``width`` unless ``wide`` (--wide means
    wide: the table keeps its natural width and may overflow the terminal)."""
    names = list(names)
    assert names, "the check must look for at least one name"
    assert "…" not in output
    for name in names:
        assert whole(name, output), f"{name!r} is not shown whole at {width} columns:\n{output}"
    if not wide:
        longest = max(len(line) for line in output.splitlines())
        assert longest <= width, f"a line of {longest} characters at {width} columns:\n{output}"


def evaluate_json(shop: Path, *extra: str) -> dict[str, object]:
    code, out, _ = run(["evaluate", "-w", str(shop), "--at", AT_TEXT, "-f", "json", *extra], 200)
    assert code == 0, out
    doc: dict[str, object] = json.loads(out)
    return doc


def result_keys(doc: dict[str, object]) -> list[str]:
    results = doc["results"]
    assert isinstance(results, list)
    return [f"{r['slo']}/{r['objective']}" if r["objective"] else r["slo"] for r in results]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("wide", [False, True], ids=["compact", "wide"])
def test_evaluate_shows_every_slo_name_whole(
    demo: tuple[Path, DemoSummary], width: int, wide: bool
) -> None:
    shop, _ = demo
    keys = result_keys(evaluate_json(shop))
    assert "shopping-journey/checkout" in keys
    assert "shopping-journey" in keys
    code, out, _ = run(
        ["evaluate", "-w", str(shop), "--at", AT_TEXT, *(["--wide"] if wide else [])], width
    )
    assert code == 0, out
    assert_fits(out, width, keys, wide=wide)


def test_compact_evaluate_is_one_line_per_slo_at_80(demo: tuple[Path, DemoSummary]) -> None:
    shop, _ = demo
    keys = result_keys(evaluate_json(shop))
    _, out, _ = run(["evaluate", "-w", str(shop), "--at", AT_TEXT], 80)
    rows = [line for line in out.splitlines() if line.split(" ", 1)[0] in keys]
    assert [row.split(" ", 1)[0] for row in rows] == keys  # one row each, in order
    by_name = {row.split(" ", 1)[0]: row for row in rows}
    # checkout-availability pages: both page tiers fire, the 1 h / 5 m one is summarised.
    assert by_name["checkout-availability"].split()[1] == "paging"
    assert by_name["checkout-availability"].endswith("page 1h/5m +1")
    assert by_name["search-availability"].rstrip().endswith("ticket 1d/2h")
    assert by_name["payments-availability"].rstrip().endswith("—")


def test_filters_select_rows(demo: tuple[Path, DemoSummary]) -> None:
    shop, _ = demo
    everything = evaluate_json(shop)
    results = everything["results"]
    assert isinstance(results, list)
    checkout = evaluate_json(shop, "--slo", "checkout-*")
    assert result_keys(checkout) == [
        "checkout-availability",
        "checkout-latency",
        "checkout-monthly",
    ]
    by_service = evaluate_json(shop, "--service", "search", "--service", "payments")
    assert result_keys(by_service) == ["payments-availability", "search-availability"]
    breached = evaluate_json(shop, "--status", "breached")
    expected = [
        f"{r['slo']}/{r['objective']}" if r["objective"] else r["slo"]
        for r in results
        if r["effective_status"] == "breached"
    ]
    assert expected == ["checkout-latency", "checkout-monthly", "support-response"]
    assert result_keys(breached) == expected
    summary = breached["summary"]
    assert isinstance(summary, dict)
    assert summary["objectives"] == 3
    assert summary["breached"] == 3
    code, out, _ = run(["evaluate", "-w", str(shop), "--at", AT_TEXT, "--slo", "checkout-*"], 80)
    assert code == 0
    assert "search-availability" not in out
    assert whole("checkout-latency", out)
    code, _, err = run(["evaluate", "-w", str(shop), "--status", "sideways"], 80)
    assert code == 2
    assert "breached, paging, warning, ok, no_data" in err


def test_check_says_which_slos_failed_and_why(demo: tuple[Path, DemoSummary]) -> None:
    shop, _ = demo
    doc = evaluate_json(shop)
    results = doc["results"]
    assert isinstance(results, list)
    failing = {
        (f"{r['slo']}/{r['objective']}" if r["objective"] else r["slo"])
        + (" (composite)" if r["composite"] else ""): r
        for r in results
        if r["effective_status"] in ("breached", "paging")
    }
    assert len(failing) == 6
    code, out, err = run(["evaluate", "-w", str(shop), "--at", AT_TEXT, "--check"], 80)
    assert code == 3
    lines = err.strip().splitlines()
    assert sorted(line.split(": ", 1)[0] for line in lines) == sorted(failing)
    reasons = dict(line.split(": ", 1) for line in lines)
    for name, r in failing.items():
        reason = reasons[name]
        assert reason.startswith(r["effective_status"])
        fired = [a for a in r["alerts"] if a["firing"] and a["severity"] == "page"]
        for a in fired:
            # the burn rates as the JSON gives them, with two decimals
            long_rate = f"{a['long']['rate']['value']:.2f}×"
            short_rate = f"{a['short']['rate']['value']:.2f}×"
            assert f"{a['tier']} fired (burn {long_rate} over " in reason
            assert f" and {short_rate} over " in reason
        if r["effective_status"] == "breached":
            assert "below target" in reason
            assert "error budget exhausted" in reason
        else:
            assert fired
    latency = reasons["checkout-latency"]
    target = failing["checkout-latency"]["target"]["value"]
    assert f"target {target * 100:g} %" in latency
    assert "over rolling 28d" in latency
    # The table is still printed on stdout.
    assert whole("checkout-latency", out)


def test_check_only_judges_the_selection(demo: tuple[Path, DemoSummary]) -> None:
    shop, _ = demo
    base = ["evaluate", "-w", str(shop), "--at", AT_TEXT, "--check"]
    code, _, err = run([*base, "--slo", "payments-*", "--slo", "storefront-*"], 80)
    assert (code, err) == (0, "")
    code, _, err = run([*base, "--slo", "no-such-slo"], 80)
    assert code == 4
    assert "nothing was checked: no SLO matches the filters" in err


# --- every other table of the demo -------------------------------------------------------------


def agreement_names(shop: Path) -> tuple[list[str], list[str]]:
    """Agreement and customer ids as the JSON of ``agreements list`` gives them."""
    code, out, _ = run(["agreements", "list", "-w", str(shop), "-f", "json"], 200)
    assert code == 0, out
    rows = json.loads(out)["agreements"]
    return [r["agreement"] for r in rows], [r["customer"] for r in rows]


@pytest.fixture(scope="module")
def synced(demo: tuple[Path, DemoSummary]) -> Path:
    shop, _ = demo
    code, out, _ = run(["agreements", "sync", "-w", str(shop)], 200)
    assert code == 0, out
    return shop


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("wide", [False, True], ids=["compact", "wide"])
def test_agreement_tables_show_names_whole(synced: Path, width: int, wide: bool) -> None:
    agreements, customers = agreement_names(synced)
    assert agreements == ["globex-enterprise", "initech-standard"]
    flag = ["--wide"] if wide else []
    code, out, _ = run(["agreements", "list", "-w", str(synced)], width)
    assert code == 0
    assert_fits(out, width, agreements + customers)
    for name in agreements:
        code, out, _ = run(["agreements", "show", name, "-w", str(synced), *flag], width)
        assert code == 0, out
        doc = json.loads(run(["agreements", "show", name, "-w", str(synced), "-f", "json"], 200)[1])
        commitments = [c["name"] for c in doc["availability"] + doc["support"]]
        assert commitments
        assert_fits(out, width, [name, *commitments], wide=wide)
        code, out, _ = run(["agreements", "history", name, "-w", str(synced), *flag], width)
        assert code == 0, out
        assert_fits(out, width, [name], wide=wide)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("wide", [False, True], ids=["compact", "wide"])
def test_statement_exposure_backtest_and_suggest_tables(
    demo: tuple[Path, DemoSummary], width: int, wide: bool
) -> None:
    shop, summary = demo
    flag = ["--wide"] if wide else []
    assert summary.exposure is not None
    for st in summary.statements:
        args = ["report", "sla", "-w", str(shop), "-c", st.customer, "-p", st.period_label]
        code, out, _ = run([*args, "--at", AT_TEXT, *flag], width)
        assert code == 0, out
        names = [st.customer_name] + [a.agreement for a in st.availability]
        names += [a.commitment for a in st.availability] + [s.commitment for s in st.support]
        assert_fits(out, width, names, wide=wide)
        # a table, not the fallback blocks, at every width: --wide never falls back
        header = (
            r"committed +measured +eligible +downtime" if wide else r"committed +measured +downtime"
        )
        assert re.search(header, out), out
    code, out, _ = run(["exposure", "-w", str(shop), "--at", AT_TEXT, *flag], width)
    assert code == 0, out
    names = [cu.customer_name for cu in summary.exposure.customers]
    names += [c.agreement for cu in summary.exposure.customers for c in cu.commitments]
    names += [c.commitment for cu in summary.exposure.customers for c in cu.commitments]
    assert len(names) == 6
    assert_fits(out, width, names, wide=wide)
    # a table at every width, --wide too (its header line holds every column)
    assert re.search(r"so far .+ tier chances +expected" if wide else r"so far +projected", out), (
        out
    )
    # one alert sentence per line, each whole
    sentences = [
        x["text"]
        for cu in json.loads(
            run(["exposure", "-w", str(shop), "--at", AT_TEXT, "-f", "json"], 200)[1]
        )["customers"]
        for c in cu["commitments"]
        for x in c["crossings"]
    ]
    assert sentences
    flat = " ".join(out.split())
    for sentence in sentences:
        assert f"alert: {sentence}" in flat
    proposal = shop.parent / "proposals" / "initech-premium.yaml"
    at, to = ["--at", AT_TEXT], ["--to", AT_TEXT]
    suggest = ["--windows", "2", "--hold", "1", *at]
    backing = ["globex-enterprise@v1", "checkout-uptime", "checkout-monthly"]
    cases = [
        (
            ["backtest", "agreement", str(proposal), "--from", "2026-08", "--to", "2026-10", *at],
            ["initech-standard@v2", "initech-standard@v1", "initech"],
        ),
        (
            ["backtest", "alerts", "checkout-availability", "--from", "2026-10-30T00:00:00Z", *to],
            ["checkout-availability", "page-fast", "ticket-slow"],
        ),
        (["suggest", "slo", "checkout-availability", *suggest], ["checkout-availability"]),
        (["suggest", "backing", "globex-enterprise", *suggest], backing),
        (["lint"], backing),
    ]
    for args, names in cases:
        code, out, _ = run([*args, "-w", str(shop), *flag], width)
        assert code == 0, out
        assert_fits(out, width, names, wide=wide)


def test_exposure_and_statement_filters(demo: tuple[Path, DemoSummary]) -> None:
    shop, _ = demo
    base = ["exposure", "-w", str(shop), "--at", AT_TEXT]
    doc = json.loads(run([*base, "-f", "json", "--customer", "Initech"], 200)[1])
    assert [cu["customer"] for cu in doc["customers"]] == ["initech"]
    doc = json.loads(run([*base, "-f", "json", "--agreement", "globex-*"], 200)[1])
    assert [c["agreement"] for cu in doc["customers"] for c in cu["commitments"]] == [
        "globex-enterprise"
    ]
    # Both customers already owe a credit this month (the demo's outages), so "owed" keeps
    # both and "ok" keeps neither's credits: only support rows with no penalty even if every
    # open ticket breached (support rows are rows too, docs/exposure.md "Support").
    doc = json.loads(run([*base, "-f", "json", "--status", "owed"], 200)[1])
    assert [cu["customer"] for cu in doc["customers"]] == ["globex", "initech"]
    doc = json.loads(run([*base, "-f", "json", "--status", "ok"], 200)[1])
    assert [c for cu in doc["customers"] for c in cu["commitments"]] == []
    kept = [s for cu in doc["customers"] for s in cu["support"]]
    assert all(s["penalty_worst_case"]["amount"] == "0.00" for s in kept)
    code, out, _ = run([*base, "--customer", "globex"], 80)
    assert code == 0
    assert "Initech" not in out
    assert "totals left out" in out
    args = ["report", "sla", "-w", str(shop), "-c", "globex", "-p", "2026-10", "--at", AT_TEXT]
    code, out, _ = run([*args, "--status", "met"], 80)
    assert code == 0
    assert "checkout-uptime" not in out  # missed this month
    assert "credits owed (whole statement): 800.00 EUR" in out
    code, out, _ = run([*args, "--status", "missed"], 80)
    assert whole("checkout-uptime", out)


def test_a_support_table_without_tickets_says_so(demo: tuple[Path, DemoSummary]) -> None:
    """The demo's tickets are its last 45 days (from mid-September to its end on 31 October):
    August has none, so each of Globex's two support tables is headings alone, with a note."""
    shop, _ = demo
    args = ["report", "sla", "-w", str(shop), "-c", "globex", "-p", "2026-08", "--at", AT_TEXT]
    code, out, _ = run(args, 80)
    assert code == 0, out
    assert out.count("Support — globex-enterprise") == 2
    assert (
        out.count("no ticket under these targets was created while this version was in force") == 2
    )
    code, out, _ = run([*args[:-4], "-p", "2026-10", "--at", AT_TEXT], 80)
    assert code == 0, out
    assert "no ticket under these targets" not in out  # October's tables have rows


# --- markup in data is shown literally --------------------------------------------------------

EVIL_LINK = "[link=http://evil]x[/link]"
OSC8 = "\x1b]8;"


def test_markup_in_a_csv_is_reported_literally(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    csv = tmp_path / "evil.csv"
    csv.write_text(
        "timestamp,sli,status,latency_ms\n"
        "2026-10-01T00:00:00Z,checkout-availability,200,120\n"
        f"{EVIL_LINK},checkout-availability,200,95\n"
        "2026-10-01T00:01:00Z,[/bold],200,80\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["ingest", "events", str(csv), "-w", str(ws)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert EVIL_LINK in result.stdout  # the bad row's value, as written
    assert "[/bold]" in result.stdout  # the unmatched SLI value, as written
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["ingest", "events", str(csv), "-w", str(ws), "--format", "json"])
    # the good row was committed once: a second run finds the same content
    doc = json.loads(result.stdout)["files"][0]
    assert doc["duplicate"] is True
    fresh = tmp_path / "evil2.csv"
    fresh.write_text(csv.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "events", str(fresh), "-w", str(ws), "--strict"])
    assert result.exit_code == 1  # --strict: a row was rejected, the file refused whole
    assert EVIL_LINK in result.stderr  # the refusal lists the row as written
    assert OSC8 not in result.stderr  # no terminal link


def test_rejected_rows_never_become_terminal_links(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    problem = Problem(
        code="bad-row",
        message=f"not an instant: {EVIL_LINK} [/bold]",
        where="evil.csv:3",
        field="timestamp",
        fix="write an ISO-8601 instant",
    )
    render_rejected(console, Path("evil.csv"), [problem], rejected=1, field="column")
    text = out.getvalue()
    assert OSC8 not in text
    assert "[/bold]" in text
    assert "http://evil" in text


def test_markup_in_a_customer_name_is_shown_literally(
    demo: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    shop, _ = demo
    copy = tmp_path / "shop"
    shutil.copytree(shop, copy)
    contracts = copy / "contracts.yaml"
    evil = f"Globex {EVIL_LINK} [/bold] [bold]"
    original = contracts.read_text(encoding="utf-8")
    assert "displayName: Globex Corporation" in original
    contracts.write_text(
        original.replace("displayName: Globex Corporation", f"displayName: '{evil}'"),
        encoding="utf-8",
    )
    ws = load_workspace(copy)
    engine = open_store(sqlite_url(copy))
    st = report_statement(engine, workspace=ws, customer="globex", period="2026-10", at=AT)
    ex = exposure(engine, workspace=ws, at=AT)
    engine.dispose()
    assert st.customer_name == evil
    for render in (
        lambda c: render_statement_table(c, st),
        lambda c: render_exposure_table(c, ex),
        lambda c: render_exposure_table(c, ex, wide=True),
    ):
        out = io.StringIO()
        render(Console(file=out, force_terminal=True, width=80))
        text = out.getvalue()
        assert OSC8 not in text
        assert "http://evil" in text
        plain = io.StringIO()
        render(Console(file=plain, width=200))
        assert evil in plain.getvalue()
    code, out, _ = run(["exposure", "-w", str(copy), "--at", AT_TEXT], 200)
    assert code == 0
    assert evil in out
    code, out, _ = run(
        ["report", "sla", "-w", str(copy), "-c", "globex", "-p", "2026-10", "--at", AT_TEXT], 200
    )
    assert code == 0
    assert evil in out


def test_markup_in_a_ticket_field_is_reported_literally(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "id,customer,priority,created,first_response,resolved,history\n"
        "T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,,\n"
        f"{EVIL_LINK},acme,P1,[/bold],,,\n",
        encoding="utf-8",
    )
    args = ["ingest", "tickets", str(tickets), "-w", str(ws)]
    strict = runner.invoke(app, [*args, "--strict"], env={"COLUMNS": "80"})
    assert strict.exit_code == 1  # one row rejected: the file refused whole (all or nothing)
    assert "'[/bold]' is not an instant" in " ".join(strict.stderr.split())
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0  # the good row stored, the bad one listed
    assert "'[/bold]' is not an instant" in result.stdout
    result = runner.invoke(app, [*args, "--format", "json"])
    doc = json.loads(result.stdout)["files"][0]
    assert doc["duplicate"] is True  # the good row was committed by the first run
