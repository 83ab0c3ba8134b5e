"""A message that names a kind after an article says it as English does: "an SLI" (said
es-el-eye), "an SLO", "an AlertPolicy", but "a DataSource", "a Service". The conformance hunt
on real OpenSLO files found "add a SLI document named 'latency'": the article was chosen by the
kind's first letter, which is wrong for an initialism read letter by letter."""

from __future__ import annotations

import pytest

from covenant.definitions.articles import with_article
from tests.definitions.helpers import load_text
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, V1, agreement, load
from tests.definitions.test_delivery_targets import SLO as WITH_SLI


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("SLI", "an SLI"),
        ("SLO", "an SLO"),
        ("SLA", "an SLA"),
        ("AlertPolicy", "an AlertPolicy"),
        ("AlertCondition", "an AlertCondition"),
        ("AlertNotificationTarget", "an AlertNotificationTarget"),
        ("Agreement", "an Agreement"),
        ("DataSource", "a DataSource"),
        ("Service", "a Service"),
        ("Customer", "a Customer"),
        ("Calendar", "a Calendar"),
        ("MaintenanceWindow", "a MaintenanceWindow"),
        ("Correction", "a Correction"),
        ("Settings", "a Settings"),
        ("editor", "an editor"),
        ("admin", "an admin"),
        ("viewer", "a viewer"),
        ("alertmanager", "an alertmanager"),
        ("webhook", "a webhook"),
        ("slack", "a slack"),
        ("KPI", "a KPI"),
        ("URL", "a URL"),
        ("HTTP", "an HTTP"),
    ],
)
def test_the_article_is_the_one_said(kind: str, said: str) -> None:
    assert with_article(kind) == said


SLO_WITHOUT_SLI = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  indicatorRef: latency
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
  objectives: [{target: 0.99}]
"""


def test_a_missing_sli_is_an_sli_to_add() -> None:
    _, problems = load_text(SLO_WITHOUT_SLI)
    (missing,) = [p for p in problems if p.code == "missing-reference"]
    assert missing.fix.startswith("add an SLI document named 'latency'")


def test_a_missing_slo_of_an_agreement_is_an_slo_to_add() -> None:
    body = V1.replace("backedBy: [checkout-latency]", "backedBy: [ghost]")
    _, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    (ghost,) = [p for p in problems if "'ghost'" in p.message]
    assert ghost.fix == "add an SLO document named 'ghost', or fix the name"


def test_a_missing_customer_is_a_customer_to_add() -> None:
    _, problems = load("---\n".join([CALENDAR, agreement(V1, customer="globex")]))
    (missing,) = [p for p in problems if p.code == "missing-reference"]
    assert missing.fix == "add a Customer document named 'globex', or fix the name"


def test_a_named_sli_of_no_document_refers_to_an_sli() -> None:
    """A document with no valid name whose references call it ``Latency``: the fix says
    what refers to "an SLI named 'latency'"."""
    text = SLO_WITHOUT_SLI.replace("indicatorRef: latency", "indicatorRef: Latency") + (
        "---\napiVersion: openslo/v1\nkind: SLI\nmetadata: {displayName: x}\n"
        "spec: {ratioMetric: {counter: true, good: {metricSource: {type: events, spec: {}}}, "
        "total: {metricSource: {type: events, spec: {}}}}}\n"
    )
    _, problems = load_text(text)
    said = " ".join(p.fix for p in problems)
    assert " a SLI " not in said
    assert "an SLI named" in said, [(p.code, p.fix) for p in problems]


def test_signing_an_alertmanager_target_says_an_alertmanager() -> None:
    text = (
        "apiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata:\n  name: am\n"
        "  annotations:\n    covenant.dev/delivery: "
        '\'{"url": "http://127.0.0.1:9093", "signingSecretEnv": "SECRET"}\'\n'
        "spec:\n  target: alertmanager\n"
    )
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.code == "invalid-delivery"]
    assert "; an alertmanager target is not signed" in problem.message


def test_asking_for_an_slo_of_no_name_says_an_slo() -> None:
    from covenant.errors import NotFoundError  # noqa: PLC0415
    from covenant.services.workspace import definition_of  # noqa: PLC0415

    workspace, _ = load_text(WITH_SLI)
    assert workspace is not None
    with pytest.raises(NotFoundError) as raised:
        definition_of(workspace, "SLO", "nope")
    assert raised.value.hint == "give the metadata.name of an SLO of the workspace"
