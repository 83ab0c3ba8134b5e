"""Every table of the demo reads at 80 and 160 columns: no name is ever cut.

The names a table must show are read from the JSON output (never from the table renderer),
then found whole in the table: ``shopping-journey`` must appear on its own, not only as a
prefix of ``shopping-journey/checkout``, and no cell is cut with an ellipsis.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.demo import DemoSummary, run_demo
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


def assert_fits(output: str, width: int, names: Iterable[str]) -> None:
    names = list(names)
    assert names, "the check must look for at least one name"
    assert "…" not in output
    for name in names:
        assert whole(name, output), f"{name!r} is not shown whole at {width} columns:\n{output}"
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
    assert_fits(out, width, keys)


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
