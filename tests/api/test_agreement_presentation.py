"""An agreement made only over the API keeps how it is presented — its display name, its
statements' locale, and each commitment's display name and wording — so its statement (read
back from the PDF) is in German with the contract's names, never its internal ones.

The display name and locale are presentation, not terms (docs/agreements.md): they change over
``PATCH /agreements/{name}`` on a signed agreement without an amendment, and the version's
content hash stays. A commitment's displayName and terms are terms: a signed version gains them
only by an amendment (a new version), as the immutable version refuses them; ``POST
.../versions/{n}/amend`` copies the terms server-side and changes only the wording."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app as cli
from covenant.errors import InputError
from covenant.services.agreement_presentation import read_presentation
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Client, make_shop
from tests.availability import unavailable

V1 = "/api/v1"
UMBRELLA = """apiVersion: covenant/v1
kind: Customer
metadata: {name: umbrella, displayName: Umbrella Handels GmbH}
spec:
  currency: EUR
  address: [Hafenstraße 1, 20457 Hamburg]
"""
TERMS = "Die Kasse ist in jedem Kalendermonat zu mindestens 99,5 % verfügbar."


def draft() -> dict[str, Any]:
    return {
        "effectiveFrom": "2026-10-01",
        "fees": {"checkout": "1000.00"},
        "period": {"unit": "month", "timeZone": "Europe/Berlin"},
        "availability": [
            {
                "name": "umbrella-uptime",
                "displayName": "Kassen-Verfügbarkeit",
                "terms": TERMS,
                "services": ["checkout"],
                "level": 99.5,
                "measurement": {"source": "incidents", "recordsFrom": "2026-01-01"},
                "credits": [{"below": 99.5, "credit": 10}],
            }
        ],
    }


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return " ".join(out.replace("\u00a0", " ").split())


def test_an_api_made_agreement_keeps_its_presentation(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext (poppler-utils) is not installed: scripts/install-test-deps")
    shop = make_shop(tmp_path)
    (shop.workspace / "umbrella.yaml").write_text(UMBRELLA, encoding="utf-8")
    client = Client(create_app(shop.settings, clock=lambda: AT))
    editor = shop.tokens["editor"]
    body = {
        "name": "umbrella-sla",
        "customer": "umbrella",
        "displayName": "Umbrella Rahmenvertrag",
        "locale": "de_DE",
        "version": draft(),
    }
    made = client.request("POST", f"{V1}/agreements", editor, json=body)
    assert made.status_code == 201, made.text
    assert made.json()["version"]["availability"][0]["terms"] == TERMS
    base = f"{V1}/agreements/umbrella-sla"
    assert client.request("POST", f"{base}/versions/1/propose", editor).status_code == 200
    people = {"signatories": [{"name": "Ada Schirm", "signedAt": "2026-09-20"}]}
    signed = client.request("POST", f"{base}/versions/1/sign", editor, json=people)
    assert signed.status_code == 200, signed.text

    url = f"{V1}/customers/umbrella/statements/2026-10?format=pdf"
    answer = client.get(url, shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content, tmp_path)
    for german in ("Service-Level-Abrechnung", "Zugesagte Verfügbarkeit 99,5 %", "Zeitraum"):
        assert german in text
    assert "Umbrella Rahmenvertrag, Version 1" in text
    assert "Umbrella Handels GmbH" in text
    assert "Kassen-Verfügbarkeit" in text
    assert TERMS in text
    assert "Oktober 2026 (1.–31. Okt. 2026)" in text
    for internal in ("umbrella-sla", "umbrella-uptime"):
        assert internal not in text

    # presentation, not terms: changed on the signed agreement without an amendment
    history = client.get(f"{base}/history", shop.tokens["admin"]).json()["events"]
    renamed = client.request("PATCH", base, editor, json={"displayName": "Umbrella Premium"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {
        "agreement": "umbrella-sla",
        "displayName": "Umbrella Premium",
        "locale": "de_DE",
    }
    after = client.get(f"{base}/history", shop.tokens["admin"]).json()["events"]
    assert [e["event"] for e in after[len(history) :]] == ["presentation-changed"]
    assert client.get(f"{base}/versions/1", shop.tokens["admin"]).json()["status"] == "signed"
    text = pdf_text(client.get(url, shop.tokens["admin"]).content, tmp_path)
    assert "Umbrella Premium, Version 1" in text
    assert "Umbrella Rahmenvertrag" not in text

    # a bad locale is refused with the definition's code; a YAML-defined agreement is the YAML's
    bad = client.request("PATCH", base, editor, json={"locale": "xx_YY"})
    assert bad.status_code == 422, bad.text
    assert "invalid-locale" in bad.text
    yaml_owned = client.request(
        "PATCH", f"{V1}/agreements/globex-enterprise", editor, json={"displayName": "X"}
    )
    assert yaml_owned.status_code == 409, yaml_owned.text
    assert "metadata.displayName" in yaml_owned.json()["hint"]
    # the signed version's terms (a commitment's displayName, its wording) need an amendment
    reworded = draft()
    reworded["availability"][0]["displayName"] = "Kasse"
    refused = client.request("PUT", f"{base}/versions/1", editor, json=reworded)
    assert refused.status_code == 409
    assert refused.json()["code"] == "signed-version-changed"

    # the safe path: an amendment copied from v1 server-side, only the wording changed
    wording = {"umbrella-uptime": {"displayName": "Kasse", "terms": "Die Kasse läuft."}}
    amend = {"effectiveFrom": "2026-12-01", "reason": "wording only", "wording": wording}
    made = client.request("POST", f"{base}/versions/1/amend", editor, json=amend)
    assert made.status_code == 201, made.text
    v1 = client.get(f"{base}/versions/1", shop.tokens["admin"]).json()
    v2 = made.json()["version"]
    assert (v2["version"], v2["status"], v2["reason"]) == (2, "draft", "wording only")
    assert v2["availability"][0]["display_name"] == "Kasse"
    assert v2["availability"][0]["terms"] == "Die Kasse läuft."
    for v in (v1, v2):  # everything else is v1's, to the letter
        for key in ("version", "status", "reason", "effective_from", "signatories"):
            v.pop(key)
        for commitment in v["availability"]:
            del commitment["display_name"], commitment["terms"]
    assert v1 == v2
    unknown = {**amend, "wording": {"no-such": {"terms": "x"}}}
    refused = client.request("POST", f"{base}/versions/1/amend", editor, json=unknown)
    assert refused.status_code == 400  # invalid-input, naming the commitments there are
    assert "umbrella-uptime" in refused.json()["hint"]

    # `covenant agreements pull` writes the presentation into the workspace's YAML
    result = CliRunner().invoke(cli, ["agreements", "pull", "-w", str(shop.workspace)])
    assert result.exit_code == 0, result.output
    (label,) = [x for x in load_workspace(shop.workspace).labels if x.name == "umbrella-sla"]
    assert (label.display_name, label.locale) == ("Umbrella Premium", "de_DE")


@pytest.mark.parametrize("value", [123, "", " " * 3, "x" * 256])
def test_a_display_name_is_text(value: Any) -> None:
    with pytest.raises(InputError):
        read_presentation({"displayName": value})
