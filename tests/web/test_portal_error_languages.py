"""A customer's error pages in the portal's language: the German customer (Globex, ``de_DE``)
and the Japanese one (Initech, ``ja_JP``) of the demo shop read a page that is not there, a
period or a revision that does not read, a staff page, a bad ``?lang=`` or ``?older=`` in the
language of their statements (or the one chosen with ``?lang=``), the error code as it is;
the staff's error pages stay English. Each expected text is written here by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from covenant.api.app import create_app
from tests.api.support import AT, Client, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("portal-error-languages"))
    add_users(made)
    contracts = made.workspace / "contracts.yaml"
    text = contracts.read_text()
    contracts.write_text(
        text.replace("locale: en_GB", "locale: de_DE").replace("locale: en_US", "locale: ja_JP")
    )
    made.client = Client(create_app(made.settings, clock=lambda: AT))
    return made


def _text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


GERMAN = [  # path, status, code, the message and the hint in German
    (
        "/ui/portal/nothing-here",
        404,
        "not-found",
        "Unter dieser Adresse gibt es keine Seite.",
        "Prüfen Sie die Adresse, oder kehren Sie zu Ihren Verträgen zurück",
    ),
    (
        "/ui/portal/statements/2020-01",  # years before the agreement: no statement
        404,
        "not-found",
        "Für Januar 2020 gibt es keine Abrechnung.",  # the period named in German
        "Wählen Sie eine der Abrechnungen, die auf der Seite Ihrer Verträge aufgeführt sind.",
    ),
    (
        "/ui/agreements",
        403,
        "forbidden",
        "Diese Seite ist für Kundenkonten nicht freigegeben.",
        "Kehren Sie zu Ihren Verträgen zurück: Dort ist jede Seite verlinkt",
    ),
    (
        "/ui/portal/statements/yesterday-ish",
        400,
        "invalid-period-option",
        "Die Adresse nennt keinen Zeitraum.",
        "einen Monat (2026-11) oder ein Quartal (2026-Q4)",
    ),
    (
        "/ui/portal?lang=xx",
        400,
        "invalid-input",
        "?lang= nennt keine Sprache, in der das Portal verfügbar ist.",
        "(lang= eine von en, de, fr, es, ja, zh)",
    ),
    (
        "/ui/portal?older=nowhere",
        400,
        "invalid-input",
        "?older= nennt keine Position eines Tickets.",
        "Folgen Sie den Links der Liste früherer Tickets.",
    ),
    (
        "/ui/portal/statements/2026-11?revision=abc",
        400,
        "invalid-input",
        "revision= ist keine Revisionsnummer: eine ganze Zahl ab 1.",
        "oder lassen Sie revision weg",
    ),
]


@pytest.mark.parametrize(("path", "status", "code", "message", "hint"), GERMAN)
def test_a_german_customer_reads_its_error_pages_in_german(
    shop: Shop, path: str, status: int, code: str, message: str, hint: str
) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    page = browser.get(path)
    assert page.status_code == status, page.text
    assert '<html lang="de">' in page.text
    text = _text(page.text)
    assert message in text
    assert hint in text
    assert f"Fehlercode: {code}" in text  # the code as it is: what the customer quotes
    assert "Zurück zur Startseite" in text
    assert "Abmelden" in text
    for english in ("Error code", "Back to the start page", "Sign out", "There is no", " is not "):
        assert english not in text, english


def test_a_revision_not_there_in_german(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    page = browser.get("/ui/portal/statements/2026-11?revision=9")
    assert page.status_code == 404, page.text
    text = _text(page.text)
    assert "Unter dieser Adresse gibt es keine Seite." in text  # none issued: nothing to list
    assert "Die Abrechnung dieses Zeitraums" in text  # the link to the statement itself
    assert "The statement of this period" not in text


def test_a_japanese_customer_reads_its_error_pages_in_japanese(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("ian")
    page = browser.get("/ui/portal/nothing-here")
    assert page.status_code == 404, page.text
    assert '<html lang="ja">' in page.text
    text = _text(page.text)
    assert "このアドレスにページはありません。" in text
    assert "エラーコード：<code>not-found</code>" in page.text
    assert "ログアウト" in text
    assert "There is no page" not in text


def test_the_language_chosen_is_the_error_pages_language(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    page = browser.get("/ui/portal/statements/not-a-period?lang=fr")
    assert page.status_code == 400, page.text
    assert '<html lang="fr">' in page.text
    text = _text(page.text)
    assert "L’adresse ne désigne pas une période." in text
    assert "Code d’erreur\u00a0: invalid-period-option" in text


def test_staff_error_pages_stay_in_english(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("ada")
    page = browser.get("/ui/nothing-here")
    assert page.status_code == 404, page.text
    text = _text(page.text)
    assert "There is no page at this address." in text
    assert "Error code: not-found" in text
    assert "(what it means)" in text.replace("( ", "(").replace(" )", ")")
