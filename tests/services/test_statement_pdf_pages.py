"""A long statement printed to PDF, read back page by page with poppler (`pdftotext`,
`pdfinfo`, `pdffonts`): a table that runs over a page break repeats its header on the next
page, no text leaves the page, and the document names itself (title with the period and, for an
issued copy, its revision) and embeds its fonts.

The workspace is the test's own: one German customer (de_DE, EUR, Europe/Berlin, the longest
labels of the six languages) with four agreements on four services, 30 incidents on each
service in November 2026 (one a day, 10 min each: 300 min down of 43 200 → 99.305 %) and 40
P1 tickets, each answered after 2 h against a 1 h target: 40 late first responses."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from covenant.config import sqlite_url
from covenant.core.statement import IssueMark
from covenant.render.sla import statement_pdf
from covenant.services.ingest import open_store
from covenant.services.records import ingest_incident_files, ingest_ticket_files
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.availability import unavailable

AT = datetime(2026, 12, 10, tzinfo=UTC)
SERVICES = ("web", "api", "mail", "dns")

CUSTOMER = """
apiVersion: covenant/v1
kind: Customer
metadata: {name: kunde, displayName: Kunde Handels AG}
spec: {currency: EUR}
"""

AGREEMENT = """
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: kunde-SERVICE, displayName: Vertrag SERVICE}
spec:
  customer: kunde
  locale: de_DE
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {SERVICE: "1000.00"}
      period: {unit: month, timeZone: Europe/Berlin}
      signatories: [{name: Erika Muster, signedAt: 2025-12-01}]
      availability:
        - name: uptime
          displayName: Verfügbarkeit SERVICE
          services: [SERVICE]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.9, credit: 10}
"""

SUPPORT = """      support:
        - name: desk
          displayName: Störungsannahme
          targets:
            P1: {firstResponse: 1h, resolution: 8h}
          attainment: 90
          penalty: {percent: 5}
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in ("pdftotext", "pdfinfo", "pdffonts"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} (poppler-utils) is not installed: scripts/install-test-deps")
    root = tmp_path_factory.mktemp("long-statement")
    text = CUSTOMER + "".join(AGREEMENT.replace("SERVICE", s) for s in SERVICES) + SUPPORT
    (root / "contracts.yaml").write_text(text, encoding="utf-8")
    rows = ["id,services,start,end,severity,customer_caused"]
    for n, service in enumerate(SERVICES):
        for day in range(1, 31):
            start = datetime(2026, 11, day, 8, n * 10, tzinfo=UTC)
            end = start + timedelta(minutes=10)
            rows.append(
                f"INC-{service}-{day:02},{service},{start:%Y-%m-%dT%H:%M:%SZ},"
                f"{end:%Y-%m-%dT%H:%M:%SZ},sev1,false"
            )
    (root / "incidents.csv").write_text("\n".join(rows) + "\n")
    tickets = ["id,customer,priority,created,first_response,resolved"]
    for n in range(40):
        created = datetime(2026, 11, 1 + n % 28, 9, n % 3 * 10, tzinfo=UTC)
        tickets.append(
            f"T-{n:02},kunde,P1,{created:%Y-%m-%dT%H:%M:%SZ},"
            f"{created + timedelta(hours=2):%Y-%m-%dT%H:%M:%SZ},"
            f"{created + timedelta(hours=3):%Y-%m-%dT%H:%M:%SZ}"
        )
    (root / "tickets.csv").write_text("\n".join(tickets) + "\n")
    engine = open_store(sqlite_url(root))
    try:
        ingest_incident_files(engine, files=[root / "incidents.csv"])
        ingest_ticket_files(engine, files=[root / "tickets.csv"])
    finally:
        engine.dispose()
    return root


@pytest.fixture(scope="module")
def pdf(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    engine = open_store(sqlite_url(workspace))
    try:
        st = report_statement(
            engine, workspace=load_workspace(workspace), customer="kunde", period="2026-11", at=AT
        )
    finally:
        engine.dispose()
    mark = IssueMark(issued_at=AT, revision=2, digest="ab" * 32)
    path = tmp_path_factory.mktemp("pdf") / "statement.pdf"
    path.write_bytes(statement_pdf(st, mark))
    return path


def poppler(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pages(pdf: Path) -> list[str]:
    text = poppler("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-")
    return [re.sub(r"[ \u00a0\u202f]+", " ", page) for page in text.split("\f")]


EVIDENCE_HEADER = re.compile(r"Von Bis Dauer Gezählt\? Einzelheiten")
LATE_HEADER = re.compile(r"Ticket Frist Beginn Ende Sollzeit Gezählt Pausiert Verspätung")


def test_a_table_over_a_page_break_repeats_its_header(pdf: Path) -> None:
    found = pages(pdf)
    evidence_pages = [p for p in found if "Störung INC-" in p]
    late_pages = [p for p in found if re.search(r"^ *T-\d\d ", p, re.MULTILINE)]
    assert len(evidence_pages) >= 3  # 120 rows of evidence cannot fit on one or two pages
    assert len(late_pages) >= 2  # 40 late tickets (first response) run over a page too
    for page in evidence_pages:
        header = EVIDENCE_HEADER.search(page)
        first_row = page.index("Störung INC-")
        assert header is not None, page
        assert header.start() < first_row  # the header above this page's first row
    for page in late_pages:
        header = LATE_HEADER.search(page)
        first_row = re.search(r"^ *T-\d\d ", page, re.MULTILINE)
        assert header is not None, page
        assert first_row is not None
        assert header.start() < first_row.start()
    # every row printed once, whole: 30 per service, 40 late tickets
    rows = re.findall(r"Störung (INC-\w+-\d\d)", "".join(found))
    assert sorted(rows) == sorted(f"INC-{s}-{d:02}" for s in SERVICES for d in range(1, 31))
    tickets = re.findall(r"^ *(T-\d\d) ", "".join(found), re.MULTILINE)
    assert sorted(tickets) == [f"T-{n:02}" for n in range(40)]


def test_no_text_leaves_the_page(pdf: Path) -> None:
    html = poppler("pdftotext", "-bbox", str(pdf), "-")
    width, height = 595.276, 841.89  # A4 in points
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)', html
    )
    assert len(words) > 1000
    outside = [w for w in words if float(w[2]) > width or float(w[3]) > height]
    assert outside == []
    # and inside the 16 mm side margins the page has (45.35 pt), with a point to spare
    margin = 16 / 25.4 * 72
    wide = [w for w in words if float(w[0]) < margin - 1 or float(w[2]) > width - margin + 1]
    assert wide == []


def test_the_pdf_names_its_period_and_revision_and_embeds_its_fonts(pdf: Path) -> None:
    info = poppler("pdfinfo", "-enc", "UTF-8", str(pdf))
    title = re.search(r"^Title: +(.*)$", info, re.MULTILINE)
    assert title is not None
    assert "Service-Level-Abrechnung" in title.group(1)
    assert "Kunde Handels AG" in title.group(1)
    assert "November 2026" in title.group(1)
    assert "Revision 2" in title.group(1)  # an issued copy says which revision it is
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    for line in fonts:
        assert line.split()[-5] == "yes", line  # the "emb" column
    for page in pages(pdf)[:-1]:
        assert "Ausgestellt am 10. Dez. 2026, 01:00, Revision 2" in page  # every page's footer
