"""A statement PDF with characters no installed font draws (a customer name in a script the
machine has no font for) is written with empty boxes in their place. The CLI warns on stderr;
the API and the web UI answered the PDF without a word. They now say it in a
`Covenant-Warning` header naming the code points and the fonts to install (the PDF is still
answered: its figures are right); a PDF every character of which is drawn has no such header."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.support import Shop, make_shop
from tests.api.test_authorization import V1
from tests.web.pages import Browser
from tests.web.served import add_users

NO_FONT = "\U0010fffd"  # a private-use code point of plane 16: no font draws it
URL = f"{V1}/customers/globex/statements/2026-11?format=pdf"


@pytest.fixture(scope="module")
def boxed(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("glyphs"))
    contracts = made.workspace / "contracts.yaml"
    text = contracts.read_text(encoding="utf-8")
    assert "displayName: Globex Corporation" in text
    contracts.write_text(
        text.replace("displayName: Globex Corporation", f"displayName: Globex {NO_FONT}"),
        encoding="utf-8",
    )
    add_users(made)
    return made


def test_the_api_names_the_characters_no_font_draws(boxed: Shop) -> None:
    for token in (boxed.tokens["admin"], boxed.tokens["customer:globex"]):
        answer = boxed.client.get(URL, token)
        assert answer.status_code == 200, answer.text
        assert answer.content.startswith(b"%PDF-")
        warning = answer.headers["covenant-warning"]
        assert "U+10FFFD" in warning, warning
        assert "install a font" in warning, warning
        warning.encode("ascii")  # a header value: ASCII only


def test_the_portal_pdf_names_them_too(boxed: Shop) -> None:
    browser = Browser(boxed.client.app)
    browser.sign_in("gus")
    answer = browser.get("/ui/portal/statements/2026-11?format=pdf")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF-")
    assert "U+10FFFD" in answer.headers["covenant-warning"]


def test_a_pdf_every_character_of_which_is_drawn_has_no_warning(shop: Shop, tmp_path: Path) -> None:
    answer = shop.client.get(URL, shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF-")
    assert "covenant-warning" not in answer.headers
