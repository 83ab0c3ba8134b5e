"""A commitment's cap stated as a percent of a pro-rated fee: a statement shows that limit
exactly (as it shows the pro-rated fee and a pro-rated agreement-wide cap), not rounded, so a
reader can redo the line; the credit it leaves is rounded half up as before, and the JSON
(what an issued copy's digest is taken of) does not change.

Worked by hand: 333.33 EUR a month, in force from 16 November 2026 (UTC), 15 of November's 30
days: the fee is 166.665 EUR. One hour down → 99.722 % < 99.9 → 50 %: 83.3325 → 83.33 EUR.
The commitment caps its credit at 20 % of the fee: 20 % of 166.665 = 33.333 EUR (rounded,
33.33 EUR: the credit owed). Shown rounded, "20 % of €166.665 (€33.33)" cannot be redone."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from covenant.core.statement import Statement
from covenant.render.sla import statement_json
from covenant.render.statement_doc import statement_html
from covenant.render.statement_view import statement_view
from tests.services.test_sla_edges import incident, only, statement, write

HALF = "            - {below: 99.9, credit: 50}"
CAP = "          cap: {percent: 20}"
DOWN = [incident("2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z")]
NB = "\u00a0"


def _statement(
    folder: Path, locale: str = "", *, cap: str = CAP, since: str = "2026-11-16"
) -> Statement:
    write(folder, fee="333.33", tiers=HALF, effective_from=since, extra=cap)
    if locale:
        path = folder / "contract.yaml"
        text = path.read_text().replace(
            "  customer: acme\n", f"  customer: acme\n  locale: {locale}\n"
        )
        path.write_text(text)
    return statement(folder, "2026-11", "2026-12-10T00:00:00Z", DOWN)


def _steps(st: Statement) -> list[tuple[str, str]]:
    (section,) = statement_view(st)["availability"]
    return list(section.steps)


def test_the_pro_rated_commitment_cap_is_shown_exactly(tmp_path: Path) -> None:
    st = _statement(tmp_path)
    credit = only(st).credit
    assert credit is not None
    assert credit.amount.amount == Decimal("33.33")  # the rule: unchanged
    assert (
        "€83.33 exceeds the commitment's cap of 20% of the fee (€33.333): "
        "the credit is capped at €33.33",
        "€33.33",
    ) in _steps(st)


def test_the_html_page_shows_it_exactly(tmp_path: Path) -> None:
    html = statement_html(_statement(tmp_path))
    assert "(€33.333)" in html
    assert "(€33.33)" not in html


def test_the_json_is_unchanged(tmp_path: Path) -> None:
    """The issued copy's figures and notes (its digest) stay as they were: rounded."""
    (availability,) = statement_json(_statement(tmp_path))["availability"]
    credit = availability["credit"]
    assert credit["notes"] == ["capped at 33.33 EUR"]
    assert credit["amount"] == {"amount": "33.33", "currency": "EUR"}
    assert "33.333" not in repr(availability)


# The bound in each language's currency format (CLDR), worked by hand: 33.333 EUR.
BOUNDS = {
    "en_US": "(€33.333)",
    "de_DE": f"(33,333{NB}€)",
    "fr_FR": f"(33,333{NB}€)",
    "es_ES": f"(33,333{NB}€)",
    "ja_JP": "€33.333）",
    "zh_CN": "€33.333）",
}


@pytest.mark.parametrize("locale", sorted(BOUNDS))
def test_in_every_language(tmp_path: Path, locale: str) -> None:
    steps = _steps(_statement(tmp_path, locale))
    (cap,) = [text for text, _ in steps if "20" in text and "83" in text]
    assert BOUNDS[locale] in cap


def test_in_german_in_full(tmp_path: Path) -> None:
    steps = _steps(_statement(tmp_path, "de_DE"))
    assert (
        f"83,33{NB}€ übersteigt die Obergrenze der Zusage von 20{NB}% des Entgelts "
        f"(33,333{NB}€): Die Gutschrift wird auf 33,33{NB}€ begrenzt",
        f"33,33{NB}€",
    ) in steps


def test_a_whole_period_fee_s_cap_is_shown_as_before(tmp_path: Path) -> None:
    # In force all November: 1 h of 720 h down → 50 % of 333.33 = 166.665 → 166.67; the cap
    # 20 % of 333.33 = 66.666 → 66.67, a rounded figure of a fee that is not pro rata.
    steps = _steps(_statement(tmp_path, since="2025-01-01"))
    assert (
        "€166.67 exceeds the commitment's cap of 20% of the fee (€66.67): "
        "the credit is capped at €66.67",
        "€66.67",
    ) in steps


def test_a_cap_amount_below_the_percent_is_shown_as_written(tmp_path: Path) -> None:
    # 20 % of 166.665 = 33.333; the amount 30.00 is lower, so it is the bound: as written.
    st = _statement(tmp_path, cap='          cap: {percent: 20, amount: "30.00"}')
    assert (
        "€83.33 exceeds the commitment's cap of €30.00: the credit is capped at €30.00",
        "€30.00",
    ) in _steps(st)
