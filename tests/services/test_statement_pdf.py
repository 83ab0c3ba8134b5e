"""Statements rendered to PDF and read back with `pdftotext -layout`, as a customer files them.

The workspace is the test's own: a German customer (de_DE, EUR, Europe/Berlin) and a Japanese
one (en_GB labels, JPY, Asia/Tokyo) on one web service, three incidents and two tickets in
November 2026. Every expected figure is worked out by hand below from those records.

November 2026 has 30 days = 43 200 min. Incidents on `web` (for every customer):
  INC-1  2026-11-10 08:00Z–10:30Z  sev1             150 min, counted
  INC-2  2026-11-20 13:00Z–14:00Z  customer-caused   60 min, excluded
  INC-3  2026-11-25 23:30Z–11-26 02:00Z  sev2       150 min, counted
Downtime 300 min → level (43 200 − 300) / 43 200 = 99.30555… % → shown truncated as 99.305 %,
in the tier `< 99.9 and ≥ 99.0 → 10 %`:
  Kunde: 10 % × 10 000.00 EUR = 1 000.00 EUR
  Nihon: 10 % × 1 234 567 JPY = 123 456.7 → 123 457 JPY (whole yen, rounded half up)
Tickets (Kunde, 24×7 support, P1 first response 1 h, resolution 8 h, 90 % required; penalty
5 % of the period's fee plus 500 EUR):
  T-1  created 11-03 09:00Z, responded 09:20Z (met), resolved 20:00Z: 11 h > 8 h, late 3 h
  T-2  created 11-12 10:00Z, responded 11:30Z: 1 h 30 min > 1 h, late 30 min; resolved 14:00Z
First response 1 of 2 met (50 %) < 90 % → the penalty is owed: 5 % × 10 000.00 = 500.00, plus
500.00 = 1 000.00 EUR. Kunde's total: 1 000.00 + 1 000.00 = 2 000.00 EUR. Claim deadline
(periodsAfter 1): the end of December in Berlin, 2027-01-01 00:00 CET = 2026-12-31 23:00 UTC.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.core.statement import Statement
from covenant.render.sla import statement_fragment, statement_html, statement_pdf
from covenant.render.statement_catalogues.de import LABELS as DE
from covenant.render.statement_labels import translate_reason
from covenant.services.ingest import open_store
from covenant.services.records import ingest_incident_files, ingest_ticket_files
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.availability import unavailable

AT = datetime(2026, 12, 10, tzinfo=UTC)  # the period is over, every timer stopped

WORKSPACE = """
apiVersion: covenant/v1
kind: Settings
metadata: {name: workspace}
spec:
  issuer:
    name: Prüfstand Hosting GmbH
    address: [Teststraße 7, 04109 Leipzig]
    taxId: DE999999999
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: kunde, displayName: Kunde Handels AG}
spec:
  currency: EUR
  address: [Marktplatz 3, 80331 München]
  reference: K-4711
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: nihon, displayName: Nihon Trading KK}
spec: {currency: JPY}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: kunde-sla, displayName: Kunde Premium-Vertrag}
spec:
  customer: kunde
  locale: de_DE
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {web: "10000.00"}
      period: {unit: month, timeZone: Europe/Berlin}
      signatories: [{name: Erika Muster, role: Vorstand, signedAt: 2025-12-01}]
      availability:
        - name: web-uptime
          displayName: Web-Verfügbarkeit
          terms: Der Webshop ist in jedem Kalendermonat zu mindestens 99,9 % verfügbar.
          services: [web]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          exclusions: {customerCaused: true}
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 25}
          claimDeadline: {periodsAfter: 1}
      support:
        - name: desk-support
          displayName: Störungsannahme
          targets:
            P1: {firstResponse: 1h, resolution: 8h}
          attainment: 90
          penalty: {percent: 5, amount: "500.00"}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: nihon-sla, displayName: Nihon uptime agreement}
spec:
  customer: nihon
  locale: en_GB
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {web: "1234567"}
      period: {unit: month, timeZone: Asia/Tokyo}
      signatories: [{name: Taro Yamada, role: CEO, signedAt: 2025-12-01}]
      availability:
        - name: web-uptime
          displayName: Web availability
          services: [web]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 25}
"""

INCIDENTS = """id,services,start,end,severity,customer_caused
INC-1,web,2026-11-10T08:00:00Z,2026-11-10T10:30:00Z,sev1,false
INC-2,web,2026-11-20T13:00:00Z,2026-11-20T14:00:00Z,sev2,true
INC-3,web,2026-11-25T23:30:00Z,2026-11-26T02:00:00Z,sev2,false
"""

TICKETS = """id,customer,priority,created,first_response,resolved
T-1,kunde,P1,2026-11-03T09:00:00Z,2026-11-03T09:20:00Z,2026-11-03T20:00:00Z
T-2,kunde,P1,2026-11-12T10:00:00Z,2026-11-12T11:30:00Z,2026-11-12T14:00:00Z
"""

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext (poppler-utils) is not installed: scripts/install-test-deps")
    root = tmp_path_factory.mktemp("statements")
    (root / "contracts.yaml").write_text(WORKSPACE, encoding="utf-8")
    (root / "incidents.csv").write_text(INCIDENTS)
    (root / "tickets.csv").write_text(TICKETS)
    engine = open_store(sqlite_url(root))
    try:
        ingest_incident_files(engine, files=[root / "incidents.csv"])
        ingest_ticket_files(engine, files=[root / "tickets.csv"])
    finally:
        engine.dispose()
    return root


def statement(root: Path, customer: str, period: str = "2026-11") -> Statement:
    engine = open_store(sqlite_url(root))
    try:
        return report_statement(
            engine, workspace=load_workspace(root), customer=customer, period=period, at=AT
        )
    finally:
        engine.dispose()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext lays it out, with runs of blanks made one space (the
    layout pads columns) and no-break spaces as plain spaces."""
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return re.sub(r"[ \u00a0\u202f]+", " ", out)


def lines_with(text: str, needle: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if needle in line]


def following(text: str, line: str) -> str:
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return lines[lines.index(line) + 1]


def test_a_german_statement_in_pdf(workspace: Path, tmp_path: Path) -> None:
    text = pdf_text(statement_pdf(statement(workspace, "kunde")), tmp_path)
    # labels from the German catalogue
    for label in ("Service-Level-Abrechnung", "Abrechnungsnummer", "Aussteller", "Kunde"):
        assert label in text
    # a draft of a period that is over: never "Endgültige Abrechnung." (only an issued copy)
    assert "Der Zeitraum ist abgelaufen; dieser Entwurf" in text
    assert "Endgültige Abrechnung." not in text
    # issuer and customer blocks
    for line in ("Prüfstand Hosting GmbH", "Teststraße 7", "USt-IdNr. DE999999999"):
        assert line in text
    for line in ("Kunde Handels AG", "Marktplatz 3", "Kundennummer K-4711"):
        assert line in text
    # the period as a customer reads it (the last day included), then its exact instants in
    # Berlin time (its end as 24:00 of 30 November) and in UTC
    assert "Zeitraum November 2026 (1.–30. Nov. 2026)" in text
    assert "1. Nov. 2026, 00:00 bis 30. Nov. 2026, 24:00;" in text
    assert re.search(r"(?<!\d)1\. Dez\. 2026", text) is None  # not the exclusive end
    assert "2026-10-31 23:00 UTC bis 2026-11-30" in text
    assert "24:00 Uhr (dem Ende) des letzten Tages" in text  # the convention, stated
    # display names and the contract's own words, never the internal names
    assert "Kunde Premium-Vertrag, Version 1" in text
    assert "Web-Verfügbarkeit" in text
    assert "Störungsannahme" in text
    assert "zu mindestens 99,9 % verfügbar" in text
    for internal in ("kunde-sla", "web-uptime", "desk-support"):
        assert internal not in text
    # German numbers: the level truncated (99.30555… → 99,305 %), the committed level as written
    assert "99,305 %" in text
    assert "99,306" not in text
    assert "99,9 %" in text
    # one row per interval, in Berlin time with UTC under it, durations readable
    (inc1,) = lines_with(text, "10. Nov. 2026, 09:00")
    assert "10. Nov. 2026, 11:30" in inc1
    assert "2 Std. 30 Min." in inc1
    assert "als Ausfall gezählt" in inc1
    assert "Störung INC-1 (sev1)" in inc1
    (inc2,) = lines_with(text, "20. Nov. 2026, 14:00")
    assert "1 Std." in inc2
    assert "ausgenommen" in inc2
    assert "Störung INC-2: vom" in inc2  # the cell wraps: "vom Kunden verursacht"
    assert "Kunden verursacht" in text
    (inc3,) = lines_with(text, "26. Nov. 2026, 00:30")
    assert "26. Nov. 2026, 03:00" in inc3
    assert "2026-11-10 08:00 UTC" in text
    assert "2026-11-25 23:30 UTC" in text
    # the totals: 30 days eligible, 5 h down, 1 h excluded
    assert lines_with(text, "Berücksichtigte Zeit")[0].endswith("30 Tg.")
    assert lines_with(text, "Gezählte Ausfallzeit")[0].endswith("5 Std.")
    assert lines_with(text, "Ausgenommene Zeit")[0].endswith("1 Std.")
    # the credit's arithmetic: level → tier → 10 % × 10.000,00 € → 1.000,00 €
    assert "< 99,9 % & ≥ 99 % → 10 %" in text
    assert "10 % von 10.000,00 € 1.000,00 €" in text
    assert lines_with(text, "Geschuldete Gutschrift")[0].endswith("1.000,00 €")
    # the late tickets behind the penalty, with their timers
    (t1,) = lines_with(text, "T-1")
    assert "T-1 P1 Lösung 3. Nov. 2026, 3. Nov. 2026," in t1  # started, stopped: the times wrap
    assert t1.endswith("8 Std. 11 Std. 0 Min. 3 Std.")
    assert following(text, t1).startswith("10:00 21:00")
    (t2,) = lines_with(text, "T-2")
    assert t2.endswith("1 Std. 1 Std. 30 Min. 0 Min. 30 Min.")
    assert "5 % von 10.000,00 € 500,00 €" in text
    assert lines_with(text, "Pauschale Vertragsstrafe")[0].endswith("500,00 €")
    assert lines_with(text, "Geschuldete Support-Vertragsstrafe")[0].endswith("1.000,00 €")
    # one total owed, and the claim deadline in Berlin time and UTC
    assert lines_with(text, "Gesamtbetrag zugunsten des Kunden")[0].endswith("2.000,00 €")
    assert "bis zum 31. Dez. 2026, 24:00 (2026-12-31 23:00 UTC) geltend zu machen" in text
    assert "abgeschnitten, nicht gerundet" in text


def test_yen_have_no_decimals(workspace: Path, tmp_path: Path) -> None:
    st = statement(workspace, "nihon")
    text = pdf_text(statement_pdf(st), tmp_path)
    assert "Service level statement" in text  # en_GB: the English catalogue
    assert "10% of JP¥1,234,567 JP¥123,457" in text
    assert lines_with(text, "Total owed to the customer")[0].endswith("JP¥123,457")
    assert "JP¥123,457.00" not in text
    assert "123,456.7" not in text
    # Tokyo time: INC-1 started at 17:00 JST; November runs from 15:00 UTC on 31 October
    assert "10 Nov 2026, 17:00" in text
    assert "Period November 2026 (1 – 30 Nov 2026)" in text  # thin spaces around the dash
    assert "1 Nov 2026, 00:00 to 30 Nov 2026, 24:00; 2026-10-31 15:00 UTC to" in text
    assert "99.305%" in text


def test_the_statement_number_is_stable_per_period(workspace: Path) -> None:
    first = statement(workspace, "kunde")
    again = statement(workspace, "kunde")
    october = statement(workspace, "kunde", "2026-10")
    other = statement(workspace, "nihon")
    number = first.presentation.number
    assert re.fullmatch(r"2026-11-[0-9A-F]{8}", number)
    assert again.presentation.number == number
    assert october.presentation.number.startswith("2026-10-")
    assert october.presentation.number[-8:] != number[-8:]
    assert other.presentation.number != number


def test_the_cli_writes_a_pdf(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "kunde.pdf"
    base = ["report", "sla", "-w", str(workspace), "-c", "kunde", "-p", "2026-11"]
    at = ["--at", "2026-12-10T00:00:00Z"]
    result = CliRunner().invoke(app, [*base, *at, "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    number = statement(workspace, "kunde").presentation.number
    assert f"Abrechnungsnummer {number}" in text
    refused = CliRunner().invoke(app, [*base, "--format", "pdf"])
    assert refused.exit_code != 0
    assert "-o FILE" in refused.output


def test_reasons_read_in_german() -> None:
    reason = "maintenance “DB upgrade 1 h”: announced 11 d 16 h ahead (notice 5 d)"
    assert translate_reason(reason, DE) == (
        "Wartung „DB upgrade 1 h“: 11\u00a0Tg. 16\u00a0Std. vorher angekündigt "
        "(Ankündigungsfrist 5\u00a0Tg.)"
    )  # the quoted display name is kept as written (its "1 h" too); spans: no-break spaces
    unnamed = "planned maintenance: announced 2 d ahead, notice is 5 d"
    assert translate_reason(unnamed, DE) == (
        "geplante Wartung: nur 2\u00a0Tg. vorher angekündigt, Ankündigungsfrist 5\u00a0Tg."
    )


def test_the_fragment_is_the_statement_to_embed(workspace: Path) -> None:
    st = statement(workspace, "kunde")
    fragment = statement_fragment(st)
    assert '<article class="statement" lang="de">' in fragment
    assert "<html" not in fragment
    assert "@page" not in fragment  # the page rules belong to the whole document
    style = fragment.split("<style>")[1].split("</style>")[0]
    selectors = [part.strip() for part in re.findall(r"([^{}]+)\{", style)]
    assert selectors
    for selector in selectors:  # scoped: nothing styles the embedding page
        assert selector.startswith("@media") or all(
            one.strip().startswith(".statement") for one in selector.split(",")
        ), selector
    page = statement_html(st)
    assert page.startswith("<!doctype html>")
    assert fragment.strip() in page
