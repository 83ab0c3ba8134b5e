"""The portal in the customer's language: the language, numbers, money, dates and time zone of
its statements (the agreement's ``locale`` and period zone), ``?lang=`` to choose another (kept
in a cookie), and every word of the portal's templates in every language's catalogue.

The demo shop with Globex's agreement in German (``de_DE``, Europe/Berlin) and Initech's in
Japanese (``ja_JP``, America/New_York). The demo's instant is 2026-11-20 12:00 UTC: 13:00 in
Berlin (CET, UTC+1), 07:00 in New York (EST, UTC−5). Each expected text is written here by
hand (German and Japanese words, CLDR's separators typed out), never read from the catalogue;
the amounts, levels and timer counts are the statement's, as the API's JSON gives them, and
formatted here without Babel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

import covenant.web
from covenant.api.app import create_app
from covenant.core.agreements import VersionStatus
from covenant.core.support import TimerKind, TimerState
from covenant.render.statement_labels import LANGUAGES
from tests.api.support import AT, Client, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

WEB = Path(covenant.web.__file__).parent  # the templates and code imported
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("portal-languages"))
    add_users(made)
    contracts = made.workspace / "contracts.yaml"
    text = contracts.read_text()
    assert "locale: en_GB" in text
    assert "locale: en_US" in text
    contracts.write_text(
        text.replace("locale: en_GB", "locale: de_DE").replace("locale: en_US", "locale: ja_JP")
    )
    made.client = Client(create_app(made.settings, clock=lambda: AT))
    return made


def _statement(shop: Shop, customer: str) -> dict[str, Any]:
    answer = shop.client.get(
        f"/api/v1/customers/{customer}/statements/2026-11",
        headers={"Authorization": f"Bearer {shop.tokens['admin']}"},
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _grouped(whole: str, separator: str) -> str:
    digits = whole[::-1]
    return separator.join(digits[i : i + 3] for i in range(0, len(digits), 3))[::-1]


def _truncated(exact: str) -> tuple[str, str]:
    """A level's three decimals of a percent, cut (never rounded): ``937/938`` → 99, 893."""
    thousandths = Fraction(exact) * 100_000 // 1
    return str(thousandths // 1000), f"{thousandths % 1000:03d}"


def _text(html: str) -> str:
    """The page's text as read: tags out, runs of spaces and line breaks as one space (a
    no-break space kept)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip().replace("&amp;", "&")


def test_a_german_customer_reads_the_portal_in_german(shop: Shop) -> None:
    statement = _statement(shop, "globex")
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    page = browser.get("/ui/portal")
    assert page.status_code == 200, page.text
    assert '<html lang="de">' in page.text
    text = _text(page.text)
    for words in (
        "Ihre Verträge",  # the nav and the heading
        "Abmelden",
        "Stand: 20. Nov. 2026, 13:00 (2026-11-20 12:00 UTC).",  # Berlin, CET
        "Zeitangaben in Europe/Berlin",
        "Dieser Zeitraum: November 2026 (bisher)",
        "Zusage Zugesagt Bisher gemessen Gemessen an der Zusage Gutschrift",
        f"99,95{NBSP}%",  # checkout's committed level, as the contract writes it
        "Abrechnung für November 2026",
        "Abrechnung für Oktober 2026",
        "nicht ausgestellt: jetzt berechnet",
        "Erstreaktion: eingehalten",
        "Der Wortlaut Ihrer Zusagen",
    ):
        assert words in text, words
    checkout = next(a for a in statement["availability"] if a["commitment"] == "checkout-uptime")
    whole, decimals = _truncated(checkout["level"]["exact"])
    assert f"{whole},{decimals}{NBSP}%" in text
    for credit in statement["credits"]:
        assert credit["currency"] == "EUR"
        units, cents = credit["amount"].split(".")
        assert f"Geschuldete Gutschriften: {_grouped(units, '.')},{cents}{NBSP}€." in text
    for support in statement["support"]:  # every timer of the period, plural in German
        count = len(support["tickets"])
        assert count > 1
        assert f">{count} Support-Fristen<" in page.text
    for english in ("Your agreements", "support timer", "Statement for", "As of", "Sign out"):
        assert english not in text, english


def test_a_japanese_customer_reads_the_portal_in_japanese(shop: Shop) -> None:
    statement = _statement(shop, "initech")
    browser = Browser(shop.client.app)
    browser.sign_in("ian")
    page = browser.get("/ui/portal")
    assert page.status_code == 200, page.text
    assert '<html lang="ja">' in page.text
    text = _text(page.text)
    for words in (
        "ご契約",
        "ログアウト",
        "2026年11月20日 07:00（2026-11-20 12:00 UTC） 現在。",  # New York, EST
        "時刻は America/New_York で表示",
        "今期：2026年11月（途中経過）",
        "99.9%",  # the committed level: no space before % in Japanese
        "2026年11月の明細書",
        "2026年10月の明細書",
        "未発行：現時点の計算値",
        "Initech standard SLA 第1版（有効）",
    ):
        assert words in text, words
    storefront = statement["availability"][0]
    whole, decimals = _truncated(storefront["level"]["exact"])
    assert f"{whole}.{decimals}%" in text
    (credit,) = statement["credits"]
    assert credit["currency"] == "USD"
    units, cents = credit["amount"].split(".")
    assert f"お支払いするクレジット：${_grouped(units, ',')}.{cents}。" in text
    for english in ("Your agreements", "Statement for", "As of", "Sign out", "not issued"):
        assert english not in text, english


def test_lang_chooses_another_language_until_it_is_forgotten(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    french = browser.get("/ui/portal?lang=fr")
    assert french.status_code == 200, french.text
    assert '<html lang="fr">' in french.text
    text = _text(french.text)
    assert "Vos contrats" in text
    assert "Relevé de novembre 2026" in text
    assert f"Période en cours{NBSP}: novembre 2026 (jusqu’à présent)" in text
    assert 'href="/ui/portal?lang=de" hreflang="de" lang="de">Deutsch</a>' in french.text
    # the choice is kept: the live tickets' refresh, which names no language, is French
    assert "Délais" in _text(browser.get("/ui/portal/tickets").text)
    refused = browser.get("/ui/portal?lang=pt")
    assert refused.status_code == 400
    assert '<html lang="fr">' in refused.text  # the error page too: in the language chosen
    assert "?lang= ne désigne pas une langue dans laquelle le portail est rédigé." in refused.text
    assert browser.get("/ui/portal?lang=zh-TW").status_code == 400  # no Traditional catalogue
    assert "Délais" in _text(browser.get("/ui/portal/tickets").text)  # refusals change nothing
    assert '<html lang="de">' in browser.get("/ui/portal?lang=").text  # forgotten
    assert "Fristen" in _text(browser.get("/ui/portal/tickets").text)


TEMPLATES = ("base.html", "portal.html", "portal_tickets.html", "portal_tickets_table.html")
KEY = re.compile(r"""\bp?t(?:\.count)?\(\s*["']([a-z_-]+)["']""")


def _used_keys() -> set[str]:
    """Every catalogue key the portal's templates and code use: named in ``t("…")``,
    ``pt("…")``, ``t.count("…")``, ``text("…")``, and the keys made of an enum's values."""
    found: set[str] = set()
    for name in TEMPLATES:
        found |= set(KEY.findall((WEB / "templates" / name).read_text()))
    for module in ("portal.py", "portal_text.py"):
        source = (WEB / module).read_text()
        found |= set(re.findall(r"""\btext\(\s*["']([a-z_-]+)["']""", source))
        found |= set(re.findall(r"""\bcount\(\s*["']([a-z_-]+)["']""", source))
        found |= set(re.findall(r"""words\[["']([a-z_-]+)["']\]""", source))
    found = {k for k in found if not k.endswith("_")}  # a prefix: the enums' keys below
    plurals = {k for k in found if k in {"support_timers", "portal_minutes_left"}}
    found = (found - plurals) | {f"{k}_{form}" for k in plurals for form in ("one", "other")}
    found |= {f"portal_status_{s.value}" for s in VersionStatus}
    found |= {f"portal_state_{s.value}" for s in TimerState}
    found |= {k.value for k in TimerKind}
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_portal_string_is_in_every_catalogue(language: str) -> None:
    used = _used_keys()
    assert {"portal_agreements", "support_timers_one", "portal_state_breached"} <= used
    words = import_module(f"covenant.render.statement_catalogues.{language}").LABELS
    assert sorted(used - set(words)) == []


@pytest.mark.parametrize("name", TEMPLATES[1:])
def test_the_portal_templates_write_no_words_of_their_own(name: str) -> None:
    """Outside its expressions and tags, a portal template has no letters: every word is the
    catalogue's; nor has any tag a written ``aria-label``."""
    source = (WEB / "templates" / name).read_text()
    assert not re.search(r'aria-label="[^"{]*[A-Za-z]', source)
    bare = re.sub(r"{{.*?}}|{%.*?%}|<[^>]*>", " ", source, flags=re.S)
    assert re.findall(r"[A-Za-z]{2,}", bare) == []
