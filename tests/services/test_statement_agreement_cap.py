"""The agreement-wide cap of a version in force for part of a period is a percent of the
pro-rated fee: a statement shows that limit exactly (as it shows the pro-rated fee), not
rounded, so a reader can redo it; the credit it leaves is rounded half up as before.

Worked by hand: 333.33 EUR a month, in force from 16 November 2026 (UTC), 15 of November's 30
days: the fee is 166.665 EUR. One hour down → 99.722 % < 99.9 → 50 %: 83.3325 → 83.33 EUR. The
version caps all its credits at 25 % of the fee: 25 % of 166.665 = 41.66625 EUR (rounded,
41.67 EUR: the credit owed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from covenant.render.statement_view import statement_view
from tests.services.test_sla_edges import incident, only, statement, write

HALF = "            - {below: 99.9, credit: 50}"
CAP = "      cap: {percent: 25}"
DOWN = [incident("2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z")]


def _steps(folder: Path, locale: str = "") -> list[tuple[str, str]]:
    write(folder, fee="333.33", tiers=HALF, effective_from="2026-11-16", extra=CAP)
    if locale:
        path = folder / "contract.yaml"
        text = path.read_text().replace(
            "  customer: acme\n", f"  customer: acme\n  locale: {locale}\n"
        )
        path.write_text(text)
    st = statement(folder, "2026-11", "2026-12-10T00:00:00Z", DOWN)
    credit = only(st).credit
    assert credit is not None
    assert credit.amount.amount == Decimal("41.67")  # the rule: unchanged
    (section,) = statement_view(st)["availability"]
    return list(section.steps)


def test_the_pro_rated_cap_is_shown_exactly(tmp_path: Path) -> None:
    steps = _steps(tmp_path)
    assert (
        "The agreement caps all credits of the period together at €41.66625: €83.33 becomes €41.67",
        "€41.67",
    ) in steps


def test_in_german(tmp_path: Path) -> None:
    nb = "\u00a0"
    steps = _steps(tmp_path, "de_DE")
    assert (
        f"Der Vertrag begrenzt alle Gutschriften des Zeitraums zusammen auf 41,66625{nb}€: "
        f"Aus 83,33{nb}€ werden 41,67{nb}€",
        f"41,67{nb}€",
    ) in steps
