"""A customer with a monthly and a quarterly agreement (docs/sla.md, "Agreements measured per
another period"): the statement of a month holds the monthly one and says that the quarterly
one is not in it and which statement holds it; a quarter's statement says so of the monthly
one, naming the months in which it was in force. Nothing is left out silently — not in the
table, the JSON or the HTML."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from covenant.errors import InputError
from covenant.render.sla import render_statement_table, statement_json
from covenant.render.statement_doc import statement_html
from tests.services.test_sla_edges import AGREEMENT, statement, write

QUARTERLY = """\
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-quarterly, displayName: ACME support plan}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: FROM
      fees: {search: "300.00"}
      period: {unit: quarter, timeZone: Europe/Berlin}
      signatories: [{name: A, signedAt: 2024-12-01}]
      availability:
        - name: search-uptime
          services: [search]
          level: 99.5
          measurement: {source: incidents, recordsFrom: 2020-01-01}
          credits:
            - {below: 99.5, credit: 10}
"""


def both(folder: Path, quarterly_from: str = "2026-11-16") -> Path:
    write(folder)  # acme-sla: monthly, UTC, in force from 2025-01-01
    with (folder / "contract.yaml").open("a") as f:
        f.write(QUARTERLY.replace("FROM", quarterly_from))
    return folder


def test_a_months_statement_names_the_quarterly_agreement_it_leaves_out(tmp_path: Path) -> None:
    # the quarterly agreement starts on 16 November (Berlin): in force in November, so the
    # month's statement says its figures are in 2026-Q4's
    st = statement(both(tmp_path), "2026-11", "2026-12-05T00:00:00Z")
    assert st.agreements == (("acme-sla", 1),)
    doc = statement_json(st)
    assert doc["not_included"] == [
        {"agreement": "acme-quarterly", "reports_per": "quarter", "periods": ["2026-Q4"]}
    ]
    out = io.StringIO()
    render_statement_table(Console(file=out, width=80), st)
    assert "acme-quarterly reports per quarter: not in this statement; see 2026-Q4" in " ".join(
        out.getvalue().split()
    )
    html = statement_html(st)
    assert "ACME support plan is measured per quarter" in html
    assert "in the statement for Q4 2026." in html  # the period as its own heading names it


def test_a_quarters_statement_names_the_months_of_the_monthly_agreement(tmp_path: Path) -> None:
    # asked for 2026-Q4: the quarterly agreement is reported; the monthly one (in force all of
    # October to December) is in the statements of 2026-10, 2026-11 and 2026-12
    st = statement(both(tmp_path, "2026-10-01"), "2026-Q4", "2027-01-05T00:00:00Z")
    assert st.agreements == (("acme-quarterly", 1),)
    assert statement_json(st)["not_included"] == [
        {
            "agreement": "acme-sla",
            "reports_per": "month",
            "periods": ["2026-10", "2026-11", "2026-12"],
        }
    ]


def test_an_agreement_not_in_force_in_the_period_is_not_named(tmp_path: Path) -> None:
    # the quarterly agreement starts on 1 January 2027: nothing of it is in October 2026, and
    # a statement without anything left out has no not_included key (an issued statement of
    # such a customer stays byte for byte the same)
    st = statement(both(tmp_path, "2027-01-01"), "2026-10", "2026-11-05T00:00:00Z")
    assert "not_included" not in statement_json(st)


def test_a_customer_with_only_a_quarterly_agreement_is_still_refused_a_month(
    tmp_path: Path,
) -> None:
    text = QUARTERLY.replace("FROM", "2026-10-01").removeprefix("---\n")
    customer = AGREEMENT.split("---")[0]
    (tmp_path / "contract.yaml").write_text(customer.replace("CURRENCY", "EUR") + "---\n" + text)
    with pytest.raises(InputError, match="report per quarter, not per month"):
        statement(tmp_path, "2026-11", "2026-12-05T00:00:00Z")
