"""The amendment form beyond levels: credit tiers (one a line, the contract's keys), the
commitments' terms and support attainment, prefilled from the version in force so that sent
back unchanged it drafts the same terms. A shop of its own: the form is offered only while the
newest version is signed or active."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-amend"))
    add_users(made)
    return made


def _amend_form(page: str) -> dict[str, str]:
    """The amendment form's fields as the page fills them in."""
    form = page[page.index('action="/ui/agreements/globex-enterprise/amend') :]
    form = form[: form.index("</form>")]
    fields = {
        n: html.unescape(v)
        for n, v in re.findall(r'<input[^>]* name="([^"]+)" value="([^"]*)"', form)
    }
    for name, text in re.findall(
        r'<textarea[^>]* name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(text)
    return fields


def test_an_amendment_changes_credit_tiers_terms_and_attainment(shop: Shop) -> None:
    editor = Browser(shop.client.app)
    editor.sign_in("eve")
    token = shop.tokens["viewer"]
    api = "/api/v1/agreements/globex-enterprise/versions"
    fields = _amend_form(editor.get("/ui/agreements/globex-enterprise").text)
    # the tiers as contracts.yaml writes them, one a line
    assert fields["tiers:checkout-uptime"] == (
        "below: 99.95, atLeast: 99.9, credit: 10\n"
        "below: 99.9, atLeast: 99, credit: 25\n"
        "below: 99, credit: 50"
    )
    assert fields["attainment:enterprise-support"] == "95"
    assert fields["terms:enterprise-support"].startswith("P1 tickets get a first response")
    base = shop.client.get(api, token).json()["items"]
    in_force = next(v for v in base if v["version"] == int(fields["base"]))
    # sent back unchanged, the form drafts the same terms
    same = {**fields, "effective_from": "2027-01-01", "reason": "same terms"}
    assert editor.post("/ui/agreements/globex-enterprise/amend", same).status_code == 303
    draft = shop.client.get(api, token).json()["items"][-1]
    assert (draft["availability"], draft["support"]) == (
        in_force["availability"],
        in_force["support"],
    )
    # changed: a fourth tier, new words, a lower attainment
    changed = {
        **same,
        "reason": "credits for short outages",
        "tiers:checkout-uptime": fields["tiers:checkout-uptime"].replace(
            "below: 99, credit: 50", "below: 99, atLeast: 95, credit: 50\nbelow: 95, credit: 100"
        ),
        "terms:checkout-uptime": "The checkout service is available 99.95 % of each month.",
        "attainment:enterprise-support": "90",
    }
    assert editor.post("/ui/agreements/globex-enterprise/amend", changed).status_code == 303
    draft = shop.client.get(api, token).json()["items"][-1]
    checkout = next(c for c in draft["availability"] if c["name"] == "checkout-uptime")
    assert checkout["terms"] == "The checkout service is available 99.95 % of each month."
    tiers = checkout["remedies"]["tiers"]
    assert [t["credit"] for t in tiers] == ["10", "25", "50", "100"]
    assert (tiers[2]["at_least"], tiers[3]["below"], tiers[3]["at_least"]) == (
        "19/20",
        "19/20",
        None,
    )
    support = next(s for s in draft["support"] if s["name"] == "enterprise-support")
    assert support["attainment"] == "9/10"
    # a tier that does not read is refused, naming its line
    wrong = {**changed, "tiers:checkout-uptime": "below: 99.9, credit: 10\nbelow 99"}
    refused = editor.post("/ui/agreements/globex-enterprise/amend", wrong)
    assert refused.status_code == 400
    assert "credit tiers of checkout-uptime, line 2" in html.unescape(refused.text)
