"""The agreement page's "Edit all terms (YAML)" form: filled with the version in force's terms
as the store recorded them (read here from the API's history, not from the form's code), sent
back unchanged it drafts the same terms; a change to any term drafts exactly it; a refused
submit names the YAML line (counted here in the text typed), the field, the problem and the
fix, keeps the text as typed, and drafts nothing. Writers only, with the session's CSRF."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import yaml

from covenant.definitions.yamlsource import read_text
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

NAME = "globex-enterprise"
PAGE = f"/ui/agreements/{NAME}"
API = f"/api/v1/agreements/{NAME}"
DROPPED = ("version", "signatories", "effectiveFrom", "reason")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-amend-yaml"))
    add_users(made)
    return made


@pytest.fixture(scope="module")
def editor(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")
    return browser


def terms_form(page: str) -> dict[str, str]:
    """The "Edit all terms" form's fields as the page fills them in."""
    form = page[page.index(f'action="/ui/agreements/{NAME}/amend-terms') :]
    form = form[: form.index("</form>")]
    fields = {
        n: html.unescape(v)
        for n, v in re.findall(r'<input[^>]* name="([^"]+)" value="([^"]*)"', form)
    }
    (text,) = re.findall(r'<textarea[^>]* name="terms"[^>]*>\n(.*?)</textarea>', form, re.S)
    fields["terms"] = html.unescape(text)
    return fields


def problems(page: str, name: str) -> list[str]:
    found = re.search(
        rf'<ul class="field-problems" id="amend-terms-{name}-problems">(.*?)</ul>', page
    )
    if found is None:
        return []
    return [
        html.unescape(re.sub(r"<[^>]+>", "", li))
        for li in re.findall(r"<li>(.*?)</li>", found.group(1))
    ]


def versions(shop: Shop) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = shop.client.get(f"{API}/versions", shop.tokens["viewer"]).json()[
        "items"
    ]
    return items


def recorded_terms(shop: Shop, number: int) -> dict[str, Any]:
    history = shop.client.get(f"{API}/history", shop.tokens["admin"]).json()["events"]
    spec = [
        e["details"]["spec"] for e in history if e["version"] == number and e["details"].get("spec")
    ][-1]
    return {k: v for k, v in spec.items() if k not in DROPPED}


def read_back(text: str) -> Any:
    """``text`` read by the project's YAML reader, its exact numbers as their decimal text."""
    (document,), problems = read_text(text, file="terms")
    assert not problems

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return str(value) if isinstance(value, Decimal) else value

    return plain(document.data)


def line_of(text: str, written: str) -> int:
    """The 1-based line of ``text`` holding ``written`` (once)."""
    (found,) = [n for n, line in enumerate(text.splitlines(), start=1) if written in line]
    return found


def test_the_form_is_filled_with_the_version_in_forces_terms(shop: Shop, editor: Browser) -> None:
    fields = terms_form(editor.get(PAGE).text)
    assert fields["base"] == "1"
    assert (fields["effective_from"], fields["reason"]) == ("", "")
    text = fields["terms"]
    # money and percentages as the contract writes them: plain YAML numbers, not quoted text
    for line in (
        "  checkout: 8000.00\n",
        "  storefront: 4000.00\n",
        "  level: 99.95\n",
        "  - atLeast: 99.9\n    below: 99.95\n    credit: 10\n",
        "  - atLeast: 99.0\n",
        "  minimumCredit: 50.00\n",
        "    amount: 250.00\n",
    ):
        assert line in text, line
    assert not re.findall(r"'[0-9.]+'", text)
    # the project's reader (the form's) reads them back as the same decimal text
    assert read_back(text) == recorded_terms(shop, 1)
    # sent back unchanged, it drafts the same terms
    before = versions(shop)
    sent = {**fields, "effective_from": "2027-01-01", "reason": "same terms"}
    answer = editor.post(f"{PAGE}/amend-terms", sent)
    assert answer.status_code == 303, html.unescape(answer.text)[-2000:]
    draft = versions(shop)[-1]
    assert draft["version"] == len(before) + 1
    assert answer.headers["location"] == f"{PAGE}#v{draft['version']}"
    in_force = before[0]
    for key in ("availability", "support", "fees", "cap_percent", "cap_amount", "period"):
        assert draft[key] == in_force[key], key
    assert (draft["status"], draft["reason"]) == ("draft", "same terms")
    # recorded as the same text: 8000.00 typed unquoted is recorded "8000.00", as v1's
    assert recorded_terms(shop, draft["version"]) == recorded_terms(shop, 1)


def test_a_refused_yaml_names_its_line_and_keeps_the_text(shop: Shop, editor: Browser) -> None:
    count = len(versions(shop))
    text = yaml.safe_dump(recorded_terms(shop, 1), sort_keys=False, allow_unicode=True)
    assert "firstResponse: 30m" in text
    cases = [  # (the text typed, the field named, the code, the text of the line named)
        (
            text.replace("firstResponse: 30m", "firstResponse: soon"),
            "support[0].targets.P1.firstResponse",
            "invalid-duration",
            "firstResponse: soon",
        ),
        (
            text.replace("periodsAfter: 2", "periodsAftr: 2"),
            "availability[0].claimDeadline.periodsAftr",
            "unknown-field",
            "periodsAftr: 2",
        ),
        (text + "status: signed\n", "status", "invalid-input", "status: signed"),
        (text.replace("fees:", "fees: {checkout: '1'\nother:"), None, "yaml-syntax", None),
    ]
    for typed, field, code, written in cases:
        sent = {
            "csrf": editor.csrf(PAGE),
            "base": "1",
            "effective_from": "2027-02-01",
            "reason": "refused",
            "terms": typed,
        }
        answer = editor.post(f"{PAGE}/amend-terms", sent)
        assert answer.status_code == 400, typed
        page = answer.text
        kept = terms_form(page)
        assert kept["terms"] == typed  # nothing lost
        assert (kept["effective_from"], kept["reason"]) == ("2027-02-01", "refused")
        (shown,) = problems(page, "terms")
        assert shown.startswith("line "), shown
        if written is not None:
            assert shown.startswith(f"line {line_of(typed, written)}, {field}: {code}: "), shown
        assert f"{code}: " in shown, shown
        assert " — " in shown  # the fix
        described = (
            'aria-invalid="true" aria-describedby="amend-terms-help amend-terms-terms-problems"'
        )
        assert described in page
    assert len(versions(shop)) == count

    # the form's own fields: a start that is no date, no reason
    sent = {
        "csrf": editor.csrf(PAGE),
        "base": "1",
        "effective_from": "",
        "reason": " ",
        "terms": text,
    }
    page = editor.post(f"{PAGE}/amend-terms", sent).text
    assert problems(page, "effective_from") == [
        "invalid-input: effective from '' is not a date — give a date like 2027-01-01"
    ]
    assert problems(page, "reason") == [
        "invalid-input: an amendment needs its reason — say what changes and why"
    ]
    assert terms_form(page)["terms"] == text
    sent = {**sent, "effective_from": "2027-02-01", "reason": "x" * 1001}
    page = editor.post(f"{PAGE}/amend-terms", sent).text
    assert problems(page, "reason") == [
        "invalid-input: the reason is 1,001 characters, more than 1,000 — say it in fewer words"
    ]
    assert terms_form(page)["reason"] == "x" * 1001
    assert len(versions(shop)) == count


def test_any_term_changes(shop: Shop, editor: Browser) -> None:
    text = yaml.safe_dump(recorded_terms(shop, 1), sort_keys=False, allow_unicode=True)
    typed = text.replace("firstResponse: 30m", "firstResponse: 20m").replace(
        "periodsAfter: 2", "periodsAfter: 4"
    )
    sent = {
        "csrf": editor.csrf(PAGE),
        "base": "1",
        "effective_from": "2027-03-01",
        "reason": "faster P1, later claims",
        "terms": typed,
    }
    assert editor.post(f"{PAGE}/amend-terms", sent).status_code == 303
    *_, before, draft = versions(shop)
    (uptime,) = draft["availability"]
    assert uptime["remedies"]["claim"]["count"] == 4
    support = next(s for s in draft["support"] if s["name"] == "enterprise-support")
    p1 = next(t for t in support["targets"] if t["priority"] == "P1")
    assert p1["first_response_s"] == 20 * 60
    # the page lists the changes against the version before (a draft of v1's terms)
    assert (before["availability"], before["support"]) == (
        versions(shop)[0]["availability"],
        versions(shop)[0]["support"],
    )
    page = html.unescape(editor.get(PAGE).text)
    article = page[page.index(f'id="v{draft["version"]}"') :]
    article = article[: article.index("</article>")]
    assert (
        f"support.enterprise-support.targets[0].first_response_s</code>: {30 * 60} → {20 * 60}"
        in article
    )
    assert "availability.checkout-uptime.remedies.claim.count</code>: 2 → 4" in article


@pytest.mark.parametrize("user", ["vic", "gus"])
def test_viewers_and_customers_are_refused(shop: Shop, user: str) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    home = "/ui/portal" if user == "gus" else "/ui/overview"
    csrf = browser.csrf(home)
    if user == "vic":
        assert "Edit all terms (YAML)" not in browser.get(PAGE).text
    count = len(versions(shop))
    sent = {
        "csrf": csrf,
        "base": "1",
        "effective_from": "2027-01-01",
        "reason": "r",
        "terms": "fees: {}\n",
    }
    assert browser.post(f"{PAGE}/amend-terms", sent).status_code == 403
    assert len(versions(shop)) == count


def test_a_foreign_csrf_token_is_refused(shop: Shop, editor: Browser) -> None:
    count = len(versions(shop))
    sent = {
        "csrf": "not-this-session",
        "base": "1",
        "effective_from": "2027-01-01",
        "reason": "r",
        "terms": "fees: {}\n",
    }
    assert editor.post(f"{PAGE}/amend-terms", sent).status_code == 403
    assert len(versions(shop)) == count
