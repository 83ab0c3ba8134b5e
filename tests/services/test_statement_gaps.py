"""Statements read back from their PDF (pdftotext) for what issue 10 left open: maintenance
named as the customer knows it, caps and minimums worded in German with their figures, a
quarterly agreement, and customers whose names are Japanese and Chinese (JPY without decimals),
their statements in Japanese and Simplified Chinese.

Every figure is worked out by hand below from the records of this test's own workspace.

**Müller (de_DE, EUR, Europe/Berlin, monthly).** November 2026 has 30 days = 43 200 min.
  `web` (fee 2 000.00 €; 99.9 %; tiers < 99.9 & ≥ 99.0 → 10 %, < 99.0 → 30 %; cap 15 % of
  the fee; maintenance needs 5 days' notice):
    INC-7  11-04 10:00Z–18:00Z             480 min counted
    INC-8  11-14 01:00Z–03:00Z             120 min, inside the window "Datenbank-Upgrade"
           (01:00Z–03:00Z, announced 11-01 01:00Z: 13 d ahead ≥ 5 d) → excluded
    INC-9  11-21 03:00Z–04:00Z              60 min counted: the window without a display name
           (03:00Z–04:00Z) was announced 11-19 03:00Z, 2 d ahead < 5 d → not excluded
  Downtime 540 min → (43 200 − 540) / 43 200 = 98.75 % exactly → < 99.0 → 30 % × 2 000.00 =
  600.00 €; the cap, 15 % × 2 000.00 = 300.00 €, makes it 300.00 €; the agreement's cap on all
  its credits of the period (250.00 €) makes it 250.00 €.
  `api` (fee 500.00 €; 99.5 %; < 99.5 → 5 %; minimum payable credit 50.00 €):
    INC-10 11-24 12:00Z–16:00Z             240 min → (43 200 − 240) / 43 200 = 99.444… %
  → 5 % × 500.00 = 25.00 € < 50.00 € → not paid (0.00 €). Total owed: 250.00 €.

**Yamato (ja_JP, JPY, Asia/Tokyo, quarterly).** Q4 2026 in Tokyo runs from 2026-10-01 00:00
JST (2026-09-30 15:00Z) to 2027-01-01 00:00 JST (2026-12-31 15:00Z): 31 + 30 + 31 = 92 days =
132 480 min. Fee 300 000 JPY a month → 900 000 JPY for the quarter.
    INC-20 11-10 00:00Z–03:00Z             180 min
    INC-21 12-20 15:00Z–12-21 00:00Z       540 min
  Downtime 720 min = 12 h → 131 760 / 132 480 = 99.456521… % → shown truncated 99.456 %;
  tiers < 99.9 & ≥ 99.5 → 10 %, < 99.5 → 25 % → 25 % × 900 000 = 225 000 JPY (whole yen).

**Huaxia (zh_CN, CNY, Asia/Shanghai, monthly).** No incident on `shop-cn` in November, records
complete since 2026-01-01 → 100 %, met, nothing owed.
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
from covenant.render.sla import statement_html, statement_pdf
from covenant.render.statement_format import duration_words
from covenant.services.ingest import open_store
from covenant.services.records import ingest_incident_files
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.availability import unavailable
from tests.services.test_statement_pdf import lines_with, pdf_text

AT = datetime(2027, 1, 10, tzinfo=UTC)  # both periods are over

WORKSPACE = """
apiVersion: covenant/v1
kind: Settings
metadata: {name: workspace}
spec:
  issuer: {name: Prüfstand Hosting GmbH, address: [Teststraße 7, 04109 Leipzig]}
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: mueller, displayName: Müller Logistik GmbH}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: yamato, displayName: 大和運輸株式会社}
spec:
  currency: JPY
  address: [東京都千代田区丸の内一丁目1番1号]
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: huaxia, displayName: 华夏贸易有限公司}
spec:
  currency: CNY
  address: [上海市浦东新区世纪大道100号]
---
apiVersion: covenant/v1
kind: MaintenanceWindow
metadata: {name: mw-db-7, displayName: Datenbank-Upgrade}
spec:
  services: [web]
  start: 2026-11-14T01:00:00Z
  end: 2026-11-14T03:00:00Z
  announcedAt: 2026-11-01T01:00:00Z
  description: internal ticket OPS-1234
---
apiVersion: covenant/v1
kind: MaintenanceWindow
metadata: {name: mw-net-2}
spec:
  services: [web]
  start: 2026-11-21T03:00:00Z
  end: 2026-11-21T04:00:00Z
  announcedAt: 2026-11-19T03:00:00Z
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: mueller-sla, displayName: Müller Rahmenvertrag}
spec:
  customer: mueller
  locale: de_DE
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {web: "2000.00", api: "500.00"}
      period: {unit: month, timeZone: Europe/Berlin}
      cap: {amount: "250.00"}
      signatories: [{name: Erika Muster, role: Vorstand, signedAt: 2025-12-01}]
      availability:
        - name: web-uptime
          displayName: Shop-Verfügbarkeit
          services: [web]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          exclusions: {maintenanceNotice: 5d}
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 30}
          cap: {percent: 15}
        - name: api-uptime
          displayName: API-Verfügbarkeit
          services: [api]
          level: 99.5
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.5, credit: 5}
          minimumCredit: "50.00"
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: yamato-sla, displayName: 大和 稼働率契約}
spec:
  customer: yamato
  locale: ja_JP
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {shop-jp: "300000"}
      period: {unit: quarter, timeZone: Asia/Tokyo}
      signatories: [{name: 山田太郎, role: 代表取締役, signedAt: 2025-12-01}]
      availability:
        - name: jp-uptime
          displayName: ウェブ可用性
          services: [shop-jp]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.9, atLeast: 99.5, credit: 10}
            - {below: 99.5, credit: 25}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: huaxia-sla, displayName: 华夏 服务等级协议}
spec:
  customer: huaxia
  locale: zh_CN
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {shop-cn: "8000.00"}
      period: {unit: month, timeZone: Asia/Shanghai}
      signatories: [{name: 李明, role: 总经理, signedAt: 2025-12-01}]
      availability:
        - name: cn-uptime
          displayName: 网店可用性
          services: [shop-cn]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          credits:
            - {below: 99.9, credit: 10}
"""

INCIDENTS = """id,services,start,end,severity
INC-7,web,2026-11-04T10:00:00Z,2026-11-04T18:00:00Z,sev1
INC-8,web,2026-11-14T01:00:00Z,2026-11-14T03:00:00Z,sev2
INC-9,web,2026-11-21T03:00:00Z,2026-11-21T04:00:00Z,sev2
INC-10,api,2026-11-24T12:00:00Z,2026-11-24T16:00:00Z,sev2
INC-20,shop-jp,2026-11-10T00:00:00Z,2026-11-10T03:00:00Z,sev1
INC-21,shop-jp,2026-12-20T15:00:00Z,2026-12-21T00:00:00Z,sev1
"""

INTERNAL = ("mueller-sla", "web-uptime", "api-uptime", "mw-db-7", "mw-net-2", "OPS-1234")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext (poppler-utils) is not installed: scripts/install-test-deps")
    root = tmp_path_factory.mktemp("statement-gaps")
    (root / "contracts.yaml").write_text(WORKSPACE, encoding="utf-8")
    (root / "incidents.csv").write_text(INCIDENTS)
    engine = open_store(sqlite_url(root))
    try:
        ingest_incident_files(engine, files=[root / "incidents.csv"])
    finally:
        engine.dispose()
    return root


def need_cjk_font(lang: str) -> None:
    """Japanese or Chinese text prints only with a font that has its glyphs (without
    fontconfig's fc-list the read-back alone decides)."""
    if shutil.which("fc-list") is None:
        return
    found = subprocess.run(
        ["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, check=False
    ).stdout
    if not found.strip():
        unavailable(f"no {lang} font (fonts-wqy-microhei): scripts/install-test-deps")


def statement(root: Path, customer: str, period: str) -> Statement:
    engine = open_store(sqlite_url(root))
    try:
        return report_statement(
            engine, workspace=load_workspace(root), customer=customer, period=period, at=AT
        )
    finally:
        engine.dispose()


def flat_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text in reading order (pdftotext without -layout: a table cell's wrapped
    lines stay together), every run of white space one space."""
    path = tmp_path / "flat.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", out)


def test_maintenance_is_named_as_the_customer_knows_it(workspace: Path, tmp_path: Path) -> None:
    st = statement(workspace, "mueller", "2026-11")
    pdf = statement_pdf(st)
    text = pdf_text(pdf, tmp_path)
    flat = flat_text(pdf, tmp_path)
    # the announced window by its display name, in German quotation marks, with its notice
    assert (
        "Wartung „Datenbank-Upgrade“: 13 Tg. vorher angekündigt (Ankündigungsfrist 5 Tg.)" in flat
    )
    (excluded,) = lines_with(text, "14. Nov. 2026, 02:00")
    assert "14. Nov. 2026, 04:00" in excluded
    assert "2 Std." in excluded
    assert "ausgenommen" in excluded
    # the one without a display name is "planned maintenance", never its internal name
    assert "geplante Wartung: nur 2 Tg. vorher angekündigt, Ankündigungsfrist 5 Tg." in flat
    # totals: 9 h counted (480 + 60 min), 2 h excluded
    assert lines_with(text, "Gezählte Ausfallzeit")[0].endswith("9 Std.")
    assert lines_with(text, "Ausgenommene Zeit")[0].endswith("2 Std.")
    html = statement_html(st)
    for internal in INTERNAL:
        assert internal not in text
        assert internal not in html


def test_caps_and_minimums_are_worded_in_german(workspace: Path, tmp_path: Path) -> None:
    st = statement(workspace, "mueller", "2026-11")
    pdf = statement_pdf(st)
    text = pdf_text(pdf, tmp_path)
    flat = flat_text(pdf, tmp_path)
    assert "98,750 %" in text  # 98.75 % exactly, shown to three decimals
    assert "30 % von 2.000,00 € 600,00 €" in flat
    assert (
        "600,00 € übersteigt die Obergrenze der Zusage von 15 % des Entgelts (300,00 €): "
        "Die Gutschrift wird auf 300,00 € begrenzt 300,00 €"
    ) in flat
    assert (
        "Der Vertrag begrenzt alle Gutschriften des Zeitraums zusammen auf 250,00 €: "
        "Aus 300,00 € werden 250,00 € 250,00 €"
    ) in flat
    assert "5 % von 500,00 € 25,00 €" in flat
    assert (
        "25,00 € liegt unter der Mindestgutschrift von 50,00 €: Es wird keine Gutschrift "
        "gezahlt (0,00 €)"
    ) in flat
    assert "capped" not in flat  # no English left in a German statement
    assert "minimum" not in flat
    assert lines_with(text, "Gesamtbetrag zugunsten des Kunden")[0].endswith("250,00 €")


def test_a_quarter_in_japanese_yen(workspace: Path, tmp_path: Path) -> None:
    need_cjk_font("ja")
    st = statement(workspace, "yamato", "2026-Q4")
    assert st.period_start == datetime(2026, 9, 30, 15, tzinfo=UTC)
    assert st.period_end == datetime(2026, 12, 31, 15, tzinfo=UTC)
    (a,) = st.availability
    assert a.eligible_s == 92 * 86400
    assert a.downtime_s == 720 * 60
    pdf = statement_pdf(st)
    text = pdf_text(pdf, tmp_path)
    # the customer block and the names, in Japanese script, read back from the PDF
    assert "大和運輸株式会社" in text
    assert "東京都千代田区丸の内一丁目1番1号" in text
    assert "大和 稼働率契約（第1版）" in text  # the Japanese catalogue (ja_JP)
    assert "ウェブ可用性" in text
    assert "jp-uptime" not in text
    # the quarter, its days (last one included) and its exact instants
    assert "対象期間 2026/Q4（2026年10月1日～12月31日）" in text
    assert "2026年12月31日 24:00；2026-09-30 15:00 UTC～2026-12-31 15:00 UTC" in flat_text(
        pdf, tmp_path
    )
    # 92 days eligible, 12 h down, 99.456 % (truncated), 25 % of 900 000 yen
    assert lines_with(text, "対象時間")[0].endswith("92日")
    assert lines_with(text, "計上したダウンタイム")[0].endswith("12時間")
    assert "99.456%" in text
    assert "￥900,000 の 25% ￥225,000" in text
    assert lines_with(text, "お客様へのお支払総額")[0].endswith("￥225,000")
    assert "225,000.00" not in text


def test_a_chinese_customer(workspace: Path, tmp_path: Path) -> None:
    need_cjk_font("zh-cn")
    st = statement(workspace, "huaxia", "2026-11")
    text = pdf_text(statement_pdf(st), tmp_path)
    assert "华夏贸易有限公司" in text
    assert "上海市浦东新区世纪大道100号" in text
    assert "华夏 服务等级协议（第 1 版）" in text  # the Simplified Chinese catalogue
    assert "网店可用性" in text
    assert "100.000%（达标）" in text
    assert "本期间无应付款项。" in text
    assert "cn-uptime" not in text


def test_durations_read_the_same_in_the_terminal(workspace: Path) -> None:
    # 42 816 min = 29 × 1 440 + 1 056 min = 29 d + 17 h 36 min (the eligible time)
    assert duration_words(42816 * 60) == "29 d 17 h 36 min"
    assert duration_words(42816 * 60 + 17) == "29 d 17 h 36 min 17 s"
    assert duration_words(0) == "0 min"
    assert duration_words(-90) == "−1 min 30 s"
    base = ["report", "sla", "-w", str(workspace), "-c", "mueller", "-p", "2026-11"]
    result = CliRunner().invoke(
        app, [*base, "--at", "2027-01-10T00:00:00Z", "--wide"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    (web,) = [line for line in result.output.splitlines() if "web-uptime" in line]
    # eligible 30 d, downtime 9 h (540 min), excluded 2 h (120 min): as the statement says
    assert re.search(r"98\.750 %\s+30 d\s+9 h\s+2 h\s", web), web
    assert "540 min" not in result.output
