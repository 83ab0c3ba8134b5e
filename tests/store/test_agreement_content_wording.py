"""A commitment's display name and wording are signed terms, yet a version written before they
existed keeps its content hash (they are left out of the canonical content while empty)."""

from __future__ import annotations

import dataclasses
import json

from covenant.core.agreements import VersionStatus
from covenant.definitions.workspace import analyse_text
from covenant.store.agreement_content import content_hash, version_content, version_from_content

AGREEMENT = """
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: draft
      effectiveFrom: 2026-01-01
      fees: {web: "100.00"}
      availability:
        - name: web-uptime
          services: [web]
          level: 99.9
          measurement: {source: incidents}
          credits: [{below: 99.9, credit: 10}]
      support:
        - name: desk
          targets: {P1: {firstResponse: 1h}}
"""


def test_empty_wording_stays_out_of_the_content_and_set_wording_is_signed() -> None:
    workspace, problems = analyse_text(AGREEMENT)
    assert workspace is not None, problems
    (version,) = workspace.agreements
    data = json.loads(version_content(version))
    for commitment in (*data["availability"], *data["support"]):
        assert "display_name" not in commitment
        assert "terms" not in commitment
    worded = dataclasses.replace(
        version,
        availability=(
            dataclasses.replace(
                version.availability[0], display_name="Web availability", terms="Up 99.9 %."
            ),
        ),
    )
    assert content_hash(worded) != content_hash(version)
    back = version_from_content(version_content(worded), status=VersionStatus.DRAFT)
    assert back.availability[0].display_name == "Web availability"
    assert back.availability[0].terms == "Up 99.9 %."
    assert content_hash(back) == content_hash(worded)
    assert version_from_content(version_content(version), status=VersionStatus.DRAFT) == version


def test_an_unknown_locale_is_a_definition_problem() -> None:
    text = AGREEMENT.replace("  customer: acme\n", "  customer: acme\n  locale: xx_YY\n")
    workspace, problems = analyse_text(text)
    assert workspace is None
    assert [p.code for p in problems if p.severity == "error"] == ["invalid-locale"]
    ok, problems = analyse_text(text.replace("xx_YY", "de_DE"))
    assert ok is not None, problems
    assert [label.locale for label in ok.labels] == ["de_DE"]
