"""AlertNotificationTarget documents read as delivery targets (docs/delivery.md)."""

from __future__ import annotations

import json
from typing import get_args

from covenant.core.notices import NoticeKind
from covenant.definitions.delivery import DeliveryTarget, KindName
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.errors import Problem
from tests.conftest import ROOT

SLO = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-availability}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: checkout-ok}
    spec:
      ratioMetric:
        good: {metricSource: {type: events, spec: {}}}
        total: {metricSource: {type: events, spec: {}}}
  objectives: [{target: 0.99}]
"""


def target(name: str, kind: str, delivery: object | None = None) -> str:
    annotations = ""
    if delivery is not None:
        text = delivery if isinstance(delivery, str) else json.dumps(delivery)
        annotations = f"\n  annotations:\n    covenant.dev/delivery: '{text}'"
    return (
        f"---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\n"
        f"metadata:\n  name: {name}{annotations}\nspec:\n  target: {kind}\n"
    )


def read(*targets: str) -> tuple[Workspace | None, list[Problem]]:
    return analyse_text(SLO + "".join(targets), file="alerts.yaml")


def test_each_delivered_kind_is_read_with_its_settings() -> None:
    workspace, problems = read(
        target("am", "alertmanager", {"url": "http://127.0.0.1:9093", "timeout": "2s"}),
        target(
            "hook",
            "Webhook",
            {
                "url": "https://hooks.example.com/x",
                "headers": {"X-Team": "sre"},
                "headersEnv": {"X-Signature": "HOOK_SIG"},
                "bearerTokenEnv": "HOOK_TOKEN",
                "kinds": ["burn-rate"],
                "maxAttempts": 5,
            },
        ),
        target("chat", "slack", {"urlEnv": "SLACK_URL", "timeout": "500ms"}),
    )
    assert problems == []
    assert workspace is not None
    by_name = {t.name: t for t in workspace.delivery}
    assert by_name["am"] == DeliveryTarget(
        name="am",
        kind="alertmanager",
        url="http://127.0.0.1:9093",
        timeout_s=2.0,
        where=by_name["am"].where,
    )
    hook = by_name["hook"]
    assert (hook.kind, hook.headers, hook.headers_env) == (
        "webhook",
        (("X-Team", "sre"),),
        (("X-Signature", "HOOK_SIG"),),
    )
    assert (hook.bearer_token_env, hook.kinds, hook.max_attempts) == (
        "HOOK_TOKEN",
        frozenset({"burn-rate"}),
        5,
    )
    assert (by_name["chat"].url_env, by_name["chat"].timeout_s) == ("SLACK_URL", 0.5)
    assert by_name["am"].where.startswith("alerts.yaml:")


def test_a_target_covenant_does_not_deliver_to_is_a_warning() -> None:
    workspace, problems = read(target("pd", "pagerduty"), target("chat", "slack"))
    assert workspace is not None
    assert workspace.delivery == ()
    assert [(p.code, p.severity) for p in problems] == [
        ("target-not-delivered", "warning"),
        ("delivery-not-configured", "warning"),
    ]
    assert "not sent" in problems[0].message
    assert "pagerduty" in problems[0].message


def codes(*targets: str) -> list[tuple[str, str, str]]:
    workspace, problems = read(*targets)
    assert workspace is None
    return [(p.code, p.where, p.field) for p in problems if p.severity == "error"]


def test_bad_settings_are_errors_with_file_line_and_field() -> None:
    text = target("am", "alertmanager", {"url": "ftp://x"})
    line = (SLO + text).splitlines().index('    covenant.dev/delivery: \'{"url": "ftp://x"}\'')
    found = codes(text)
    assert found == [
        (
            "invalid-delivery",
            f"alerts.yaml:{line + 1}",
            "metadata.annotations[covenant.dev/delivery].url",
        )
    ]


def test_each_rule_of_the_settings() -> None:
    cases = {
        "url and urlEnv": ({"url": "http://a", "urlEnv": "A"}, "invalid-delivery"),
        "neither": ({"timeout": "5s"}, "invalid-delivery"),
        "env name": ({"urlEnv": "not a name"}, "invalid-delivery"),
        "timeout": ({"url": "http://a", "timeout": "2m"}, "invalid-delivery"),
        "unknown key": ({"url": "http://a", "tiemout": "5s"}, "unknown-field"),
        "credentials": ({"url": "http://u:p@a"}, "inline-secret"),
        "auth header": ({"url": "http://a", "headers": {"Authorization": "x"}}, "inline-secret"),
        "customer": ({"url": "http://a", "audience": "customer"}, "invalid-delivery"),
        "customer internal": ({"url": "http://a", "customer": "globex"}, "invalid-delivery"),
        "kind": ({"url": "http://a", "kinds": ["paging"]}, "invalid-value"),
        "not a mapping": ("[1, 2]", "invalid-annotation"),
        "header name": ({"url": "http://a", "headers": {"X Team": "a"}}, "invalid-delivery"),
        "env header name": ({"url": "http://a", "headersEnv": {"X-T:": "T"}}, "invalid-delivery"),
        "line break": ({"url": "http://a", "headers": {"X-T": "a\nB: 1"}}, "invalid-delivery"),
        "padded": ({"url": "http://a", "headers": {"X-T": " a "}}, "invalid-delivery"),
        "tab": ({"url": "http://a", "headers": {"X-T": "a\t"}}, "invalid-delivery"),
        "not ASCII": ({"url": "http://a", "headers": {"X-T": "équipe"}}, "invalid-delivery"),
        "bearer twice": (
            {"url": "http://a", "bearerTokenEnv": "T", "headersEnv": {"authorization": "A"}},
            "invalid-delivery",
        ),
    }
    for label, (settings, code) in cases.items():
        found = codes(target("hook", "webhook", settings))
        assert [c for c, _, _ in found] == [code], label


def test_a_header_is_refused_at_its_field_naming_what_to_do() -> None:
    for settings, field, said in (
        ({"headers": {"X-T": " a "}}, "headers.X-T", "starts or ends with a space or tab"),
        ({"headersEnv": {"X T": "T"}}, "headersEnv[X T]", "is not an HTTP header name"),
        (
            {"bearerTokenEnv": "T", "headersEnv": {"authorization": "A"}},
            "headersEnv.authorization",
            "headersEnv.authorization and bearerTokenEnv (Authorization) name the same header",
        ),
    ):
        _, problems = read(target("hook", "webhook", {"url": "http://a", **settings}))
        (problem,) = problems
        assert problem.field == f"metadata.annotations[covenant.dev/delivery].{field}"
        assert said in problem.message
        assert problem.fix


def test_a_slack_url_is_a_secret() -> None:
    found = codes(target("chat", "slack", {"url": "https://hooks.slack.com/services/T/B/x"}))
    assert [c for c, _, _ in found] == ["inline-secret"]


def test_the_kinds_a_target_may_name_are_the_notice_kinds() -> None:
    assert set(get_args(KindName)) == {kind.value for kind in NoticeKind}


def test_the_documented_example_validates() -> None:
    text = (ROOT / "docs" / "delivery.md").read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    workspace, problems = analyse_text(SLO + "---\n" + example, file="delivery.md")
    assert problems == []
    assert workspace is not None
    assert [(t.name, t.kind) for t in workspace.delivery] == [
        ("oncall", "alertmanager"),
        ("ops-hook", "webhook"),
        ("sre-channel", "slack"),
    ]


CUSTOMER = (
    "---\napiVersion: covenant/v1\nkind: Customer\nmetadata: {name: globex}\n"
    "spec: {currency: USD}\n"
)


def test_a_customer_target_names_a_customer_of_the_workspace() -> None:
    settings = {"url": "http://a", "audience": "customer", "customer": "globex"}
    workspace, problems = read(CUSTOMER, target("globex-hook", "webhook", settings))
    assert workspace is not None, problems
    (found,) = workspace.delivery
    assert (found.audience, found.customer) == ("customer", "globex")
    workspace, problems = read(CUSTOMER, target("h", "webhook", {**settings, "customer": "globx"}))
    assert workspace is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.code, problem.fix) == ("invalid-delivery", "did you mean 'globex'?")
