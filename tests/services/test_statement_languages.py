"""Statements in French, Spanish, Japanese and Simplified Chinese, as HTML and as PDF read back
with pdftotext: the labels and the evaluation's reasons in the customer's language, no English
where a translation exists, money as Babel writes it for the agreement's locale.

The workspace is the test's own: four customers on one `web` service, each with the same terms
in its own locale, currency and time zone, and the same records in November 2026 (30 days =
43 200 min):
  INC-1  2026-11-10 08:00Z–10:30Z  sev1             150 min, counted
  INC-2  2026-11-20 13:00Z–14:00Z  customer-caused   60 min, excluded
  INC-3  2026-11-25 23:30Z–11-26 02:00Z  sev2       150 min, counted
  the window "DB upgrade" 2026-11-14 01:00Z–03:00Z, announced 2026-11-01 01:00Z: 13 d ahead,
  notice 5 d → excluded
Downtime 300 min → (43 200 − 300) / 43 200 = 99.305… % → tier `< 99.9 and ≥ 99.0 → 10 %` of
the month's fee. Tickets (24×7, P1 first response 1 h, resolution 8 h, 90 % required):
  T-1 created 11-03 09:00Z, responded 09:20Z (met), resolved 20:00Z (11 h: late)
  T-2 created 11-12 10:00Z, responded 11:30Z (1 h 30 min: late), resolved 14:00Z (met)
First response 1 of 2 met (50 %) < 90 % → a penalty of 5 % of the fee. Each expected amount is
worked out below with Decimal from the fee, and written with Babel's ``format_currency``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

from covenant.config import sqlite_url
from covenant.core.statement import Statement
from covenant.render.sla import statement_html, statement_pdf
from covenant.render.statement_view import statement_view
from covenant.services.ingest import open_store
from covenant.services.records import ingest_incident_files, ingest_ticket_files
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.availability import unavailable
from tests.services.test_statement_gaps import flat_text, need_cjk_font

AT = datetime(2026, 12, 10, tzinfo=UTC)  # the period is over, every timer stopped


@dataclass(frozen=True)
class Customer:
    name: str
    locale: str
    currency: str
    zone: str
    fee: str
    words: tuple[str, ...]  # translated labels and reasons the statement must show


CUSTOMERS = {
    "fr": Customer(
        "dupont",
        "fr_FR",
        "EUR",
        "Europe/Paris",
        "10000.00",
        (
            "Relevé de niveau de service",
            "Numéro de relevé",
            "Total dû au client",
            "Crédit de service",
            "Indisponibilité comptabilisée",
            "incident INC-2 : causé par le client",
            "maintenance « DB upgrade » : annoncée 13 j à l’avance (préavis de 5 j)",
            "2 h 30 min",
            "première réponse (P1)",
            "Les crédits de service doivent être demandés au plus tard le",
            "La période est terminée\u202f; ce brouillon n’est pas un relevé émis.",
        ),
    ),
    "es": Customer(
        "garcia",
        "es_MX",
        "MXN",
        "America/Mexico_City",
        "150000.00",
        (
            "Informe de nivel de servicio",
            "Total adeudado al cliente",
            "Crédito de servicio",
            "Tiempo de inactividad computado",
            "incidencia INC-2: causada por el cliente",
            "mantenimiento «DB upgrade»: anunciado con 13 d de antelación (preaviso de 5 d)",
            "primera respuesta (P1)",
            "Los créditos deben reclamarse a más tardar el",
            "El periodo ha terminado; este borrador no es un informe emitido.",
        ),
    ),
    "ja": Customer(
        "sakura",
        "ja_JP",
        "JPY",
        "Asia/Tokyo",
        "1234567",
        (
            "サービスレベル明細書",
            "明細書番号",
            "お客様へのお支払総額",
            "サービスクレジット",
            "計上したダウンタイム",
            "障害 INC-2：お客様起因",
            "メンテナンス「DB upgrade」：13日前に通知済み（必要な事前通知期間は5日）",
            "2時間30分",
            "P1 初回応答",
            "対象期間は終了していますが、この下書きは発行済みの明細書ではありません。",
        ),
    ),
    "zh": Customer(
        "changjiang",
        "zh_CN",
        "CNY",
        "Asia/Shanghai",
        "80000.00",
        (
            "服务等级结算单",
            "结算单编号",
            "应付客户总额",
            "服务抵扣",
            "计入的停机时间",
            "故障 INC-2：由客户造成",
            "维护“DB upgrade”：提前13天通知（通知期要求为5天）",
            "2小时30分钟",
            "P1 首次响应",
            "本期间已结束；此草稿并非已出具的结算单。",
        ),
    ),
}

ENGLISH = (  # distinctive English labels and reasons: none may be left where a translation exists
    "Service level statement",
    "Statement number",
    "Total owed to the customer",
    "Downtime counted",
    "Eligible time",
    "caused by the customer",
    "announced",
    "first response",
    "Credits must be claimed",
    "Final statement",
    "Late tickets",
    "truncated, not rounded",
)


def workspace_yaml() -> str:
    docs = [
        "apiVersion: covenant/v1\nkind: Settings\nmetadata: {name: workspace}\n"
        "spec: {issuer: {name: Example Hosting SAS, address: [1 rue de la Paix, 75002 Paris]}}",
        "apiVersion: covenant/v1\nkind: MaintenanceWindow\nmetadata: {name: mw-db, "
        "displayName: DB upgrade}\nspec: {services: [web], start: 2026-11-14T01:00:00Z, "
        "end: 2026-11-14T03:00:00Z, announcedAt: 2026-11-01T01:00:00Z}",
    ]
    for c in CUSTOMERS.values():
        docs.append(
            f"apiVersion: covenant/v1\nkind: Customer\nmetadata: {{name: {c.name}}}\n"
            f"spec: {{currency: {c.currency}}}"
        )
        docs.append(f"""apiVersion: covenant/v1
kind: Agreement
metadata: {{name: {c.name}-sla}}
spec:
  customer: {c.name}
  locale: {c.locale}
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {{web: "{c.fee}"}}
      period: {{unit: month, timeZone: {c.zone}}}
      signatories: [{{name: A, role: B, signedAt: 2025-12-01}}]
      availability:
        - name: web-uptime
          services: [web]
          level: 99.9
          measurement: {{source: incidents, recordsFrom: 2026-01-01}}
          exclusions: {{customerCaused: true, maintenanceNotice: 5d}}
          credits:
            - {{below: 99.9, atLeast: 99.0, credit: 10}}
            - {{below: 99.0, credit: 25}}
          claimDeadline: {{periodsAfter: 1}}
      support:
        - name: desk
          targets:
            P1: {{firstResponse: 1h, resolution: 8h}}
          attainment: 90
          penalty: {{percent: 5}}""")
    return "\n---\n".join(docs) + "\n"


INCIDENTS = """id,services,start,end,severity,customer_caused
INC-1,web,2026-11-10T08:00:00Z,2026-11-10T10:30:00Z,sev1,false
INC-2,web,2026-11-20T13:00:00Z,2026-11-20T14:00:00Z,sev2,true
INC-3,web,2026-11-25T23:30:00Z,2026-11-26T02:00:00Z,sev2,false
"""


def tickets_csv() -> str:
    rows = ["id,customer,priority,created,first_response,resolved"]
    for c in CUSTOMERS.values():
        rows.append(
            f"{c.name}-1,{c.name},P1,2026-11-03T09:00:00Z,2026-11-03T09:20:00Z,2026-11-03T20:00:00Z"
        )
        rows.append(
            f"{c.name}-2,{c.name},P1,2026-11-12T10:00:00Z,2026-11-12T11:30:00Z,2026-11-12T14:00:00Z"
        )
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext (poppler-utils) is not installed: scripts/install-test-deps")
    root = tmp_path_factory.mktemp("statement-languages")
    (root / "contracts.yaml").write_text(workspace_yaml(), encoding="utf-8")
    (root / "incidents.csv").write_text(INCIDENTS)
    (root / "tickets.csv").write_text(tickets_csv())
    engine = open_store(sqlite_url(root))
    try:
        ingest_incident_files(engine, files=[root / "incidents.csv"])
        ingest_ticket_files(engine, files=[root / "tickets.csv"])
    finally:
        engine.dispose()
    return root


def statement(root: Path, customer: str) -> Statement:
    engine = open_store(sqlite_url(root))
    try:
        return report_statement(
            engine, workspace=load_workspace(root), customer=customer, period="2026-11", at=AT
        )
    finally:
        engine.dispose()


def percent_of(fee: str, percent: int, currency: str) -> Decimal:
    """``percent`` % of ``fee``, rounded half up to the currency's minor unit (yen: whole)."""
    unit = Decimal(1) if currency == "JPY" else Decimal("0.01")
    return (Decimal(fee) * percent / 100).quantize(unit, rounding=ROUND_HALF_UP)


def squeezed(text: str) -> str:
    """Without any white space: a PDF line may wrap anywhere, and Babel's money and French
    punctuation carry no-break spaces that pdftotext gives back as they are or as spaces."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", "", text)


@pytest.mark.parametrize("language", list(CUSTOMERS))
def test_a_statement_in_the_customers_language(
    workspace: Path, tmp_path: Path, language: str
) -> None:
    c = CUSTOMERS[language]
    if language in ("ja", "zh"):
        need_cjk_font("ja" if language == "ja" else "zh-cn")
    st = statement(workspace, c.name)
    credit = percent_of(c.fee, 10, c.currency)
    penalty = percent_of(c.fee, 5, c.currency)
    money = [
        format_currency(amount, c.currency, locale=c.locale)
        for amount in (credit, penalty, credit + penalty)
    ]
    html = statement_html(st)
    pdf = statement_pdf(st)
    text = flat_text(pdf, tmp_path)
    assert f'lang="{"zh-Hans" if language == "zh" else language}"' in html
    for document in (html, text):
        flat = squeezed(document)
        for words in c.words:
            assert squeezed(words) in flat, words
        for english in ENGLISH:
            assert english not in document, english
        for amount in money:  # the credit, the penalty and the total, as Babel writes them
            assert squeezed(amount) in flat, amount
    for amount in money:  # the HTML keeps Babel's exact characters (no-break spaces too)
        assert amount in html


def test_japanese_prints_in_a_japanese_capable_font(workspace: Path, tmp_path: Path) -> None:
    """Kana and kanji read back exactly (no missing glyph boxes), set in a CJK font."""
    need_cjk_font("ja")
    if shutil.which("pdffonts") is None:
        unavailable("pdffonts (poppler-utils) is not installed: scripts/install-test-deps")
    st = statement(workspace, "sakura")
    pdf = statement_pdf(st)
    path = tmp_path / "ja.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"WenQuanYi|NotoSansCJK|NotoSansJP|IPAexGothic|IPAGothic", fonts), fonts
    text = squeezed(flat_text(pdf, tmp_path))
    for line in (
        "サービスレベル明細書",
        "ダウンタイムおよび除外",
        "期限超過チケット",
        "お支払総額",
    ):
        assert line in text
    footer = rf"明細書番号{re.escape(st.presentation.number)}·下書き（未発行）\d+/\d+"
    assert re.search(footer, text)  # the page footer too
    assert "\ufffd" not in text  # no replacement character: every glyph mapped back to text


@pytest.mark.parametrize(
    ("language", "issued", "period"),
    [
        # 2026-12-10 00:00 UTC is 09:00 in Tokyo; November in Tokyo starts 2026-10-31 15:00 UTC
        (
            "ja",
            "2026年12月10日 09:00（2026-12-10 00:00 UTC）",
            "2026年11月1日 00:00～2026年11月30日 24:00；2026-10-31 15:00 UTC～2026-11-30 15:00 UTC",
        ),
        # Paris: 01:00; French puts a narrow no-break space before the semicolon
        (
            "fr",
            "10 déc. 2026, 01:00 (2026-12-10 00:00 UTC)",
            "du 1 nov. 2026, 00:00 au 30 nov. 2026, 24:00\u202f; "
            "du 2026-10-31 23:00 UTC au 2026-11-30 23:00 UTC",
        ),
    ],
)
def test_the_header_writes_brackets_and_separators_as_its_language_does(
    workspace: Path, language: str, issued: str, period: str
) -> None:
    """The issue time and the period's exact instants in the header use the catalogue's
    brackets (Japanese and Chinese full-width, as every other UTC instant on the statement)
    and its separator, not ASCII ``(`` and ``;`` written into the template."""
    v = statement_view(statement(workspace, CUSTOMERS[language].name))
    assert v["generated"] == issued
    assert v["period_exact"] == period
