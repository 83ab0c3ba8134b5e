"""A pro-rated fee as a statement shows it (docs/sla.md "Credits"): the exact fee a percentage
is taken of, and how it is pro rata, so a finance reader can redo every line — in the HTML
view, the JSON and the terminal table, in English and German.

Worked by hand: 333.33 EUR a month, the version in force from 16 November 2026 (UTC): 15 of
November's 30 days, 1,296,000 of 2,592,000 s, so the fee is 333.33 × 1/2 = 166.665 EUR exactly.
One hour down on the 20th: (1,296,000 − 3,600) / 1,296,000 = 99.722 % < 99.9 → 50 %, and
50 % of 166.665 = 83.3325 → 83.33 EUR (half up). The statement must say "50 % of 166.665",
never "50 % of 166.67" (which would be 83.335 → 83.34, not the 83.33 it shows)."""

from __future__ import annotations

import copy
import io
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from covenant.render.sla import render_statement_table, statement_json
from covenant.render.statement_view import statement_view
from covenant.services.restatement import restatement
from tests.services.test_sla_edges import incident, only, statement, write

HALF = "            - {below: 99.9, credit: 50}"
DOWN = [incident("2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z")]


def _pro_rated(folder: Path, *, locale: str = "", **kw: str) -> Path:
    write(folder, fee="333.33", tiers=HALF, effective_from="2026-11-16", **kw)
    if locale:
        path = folder / "contract.yaml"
        text = path.read_text().replace(
            "  customer: acme\n", f"  customer: acme\n  locale: {locale}\n"
        )
        path.write_text(text)
    return folder


def _steps(folder: Path) -> list[tuple[str, str]]:
    st = statement(folder, "2026-11", "2026-12-10T00:00:00Z", DOWN)
    (section,) = statement_view(st)["availability"]
    return list(section.steps)


def test_the_credit_is_taken_of_the_exact_pro_rated_fee_and_says_so(tmp_path: Path) -> None:
    st = statement(_pro_rated(tmp_path), "2026-11", "2026-12-10T00:00:00Z", DOWN)
    credit = only(st).credit
    assert credit is not None
    assert credit.amount.amount == Decimal("83.33")  # the rule: unchanged
    steps = _steps(tmp_path)
    assert (
        "€333.33 for the whole period, pro rata for 15\u00a0d of 30\u00a0d",
        "€166.665",
    ) in steps
    assert ("50% of €166.665", "€83.33") in steps
    assert not any("166.67" in text for text, _ in steps)


def test_german_words_and_numbers(tmp_path: Path) -> None:
    steps = _steps(_pro_rated(tmp_path, locale="de_DE"))
    nbsp = "\xa0"
    assert (
        f"333,33{nbsp}€ für den ganzen Zeitraum, anteilig für 15{nbsp}Tg. von 30{nbsp}Tg.",
        f"166,665{nbsp}€",
    ) in steps
    assert (f"50{nbsp}% von 166,665{nbsp}€", f"83,33{nbsp}€") in steps


def test_a_fee_that_never_ends_shows_its_digits_cut(tmp_path: Path) -> None:
    # New York: November is 2,595,600 s (the DST hour back on the 1st); from 16 Nov 15 days =
    # 1,296,000 s. 1,500.00 × 1,296,000 / 2,595,600 = 748.95977808599…; 10 % → 74.90.
    write(tmp_path, zone="America/New_York", fee="1500.00", effective_from="2026-11-16")
    st = statement(tmp_path, "2026-11", "2026-12-10T00:00:00Z", DOWN)
    (section,) = statement_view(st)["availability"]
    assert (
        "€1,500.00 for the whole period, pro rata for 15\u00a0d of 30\u00a0d 1\u00a0h",
        "€748.959778…",
    ) in (section.steps)
    assert ("10% of €748.959778…", "€74.90") in section.steps


def test_the_json_carries_the_pro_rata(tmp_path: Path) -> None:
    st = statement(_pro_rated(tmp_path), "2026-11", "2026-12-10T00:00:00Z", DOWN)
    (availability,) = statement_json(st)["availability"]
    assert availability["credit"]["pro_rata"] == {
        "period_fee": "333.33",
        "in_force_seconds": 1296000,
        "period_seconds": 2592000,
        "fee": "166.665",
    }
    assert availability["credit"]["amount"] == {"amount": "83.33", "currency": "EUR"}


def test_the_terminal_table_names_the_fee(tmp_path: Path) -> None:
    st = statement(_pro_rated(tmp_path), "2026-11", "2026-12-10T00:00:00Z", DOWN)
    out = io.StringIO()
    render_statement_table(Console(file=out, width=400), st)
    assert "credit 50 % of 166.665 EUR (333.33 EUR pro rata 15 d of 30 d)" in out.getvalue()


def test_a_whole_period_fee_is_not_pro_rata(tmp_path: Path) -> None:
    write(tmp_path, fee="333.33", tiers=HALF)  # in force since 2025: all of November
    st = statement(tmp_path, "2026-11", "2026-12-10T00:00:00Z", DOWN)
    (availability,) = statement_json(st)["availability"]
    assert "pro_rata" not in availability["credit"]
    (section,) = statement_view(st)["availability"]
    # 1 h of 720 h down: 99.861 % → 50 % of 333.33 = 166.665 → 166.67
    assert ("50% of €333.33", "€166.67") in section.steps
    assert not any("pro rata" in text for text, _ in section.steps)


def test_a_copy_issued_before_the_pro_rata_was_shown_is_not_restated(tmp_path: Path) -> None:
    """An issued JSON without the ``pro_rata`` block (issued before stop 39), every figure the
    same: the statement computed now does not differ from it (no reissue flag for it)."""
    st = statement(_pro_rated(tmp_path), "2026-11", "2026-12-10T00:00:00Z", DOWN)
    live = statement_json(st)
    old = copy.deepcopy(live)
    del old["availability"][0]["credit"]["pro_rata"]
    assert restatement(old, live) == {"differs": False, "changes": []}
    old["availability"][0]["credit"]["fee"] = {"amount": "166.66", "currency": "EUR"}
    assert restatement(old, live)["differs"] is True  # a figure that differs still counts
