"""A secret written into a DataSource Covenant does not read (Datadog, CloudWatch) is a warning:
the workspace is committed and shared all the same. A reference to the environment is none."""

from __future__ import annotations

from tests.definitions.helpers import load_text

DATADOG = """apiVersion: openslo/v1
kind: DataSource
metadata: {name: datadog}
spec:
  type: Datadog
  connectionDetails:
"""


def _secrets(details: str) -> list[tuple[str, str]]:
    workspace, problems = load_text(DATADOG + details)
    assert workspace is not None  # a warning: the workspace loads
    return [(p.field, p.severity) for p in problems if p.code == "inline-secret"]


def test_a_secret_value_is_a_warning_naming_its_field() -> None:
    found = _secrets("    apiKey: 0123abcd\n    app_key: 4567\n    site: datadoghq.eu\n")
    assert found == [
        ("spec.connectionDetails.apiKey", "warning"),
        ("spec.connectionDetails.app_key", "warning"),
    ]


def test_the_go_sdk_list_form_is_read_too() -> None:
    found = _secrets("    - secretAccessKey: abc\n    - accessKeyID: AKIA0000\n")
    assert found == [("spec.connectionDetails[0].secretAccessKey", "warning")]


def test_references_to_the_environment_and_variable_names_are_no_secrets() -> None:
    details = (
        "    apiKey: ${DATADOG_API_KEY}\n    token: $TOKEN\n    apiKeyEnv: DATADOG_API_KEY\n"
        "    password: ''\n    secret: true\n"
    )
    assert _secrets(details) == []


def test_a_prometheus_source_with_a_secret_stays_an_error() -> None:
    text = DATADOG.replace("Datadog", "Prometheus") + "    url: http://p:9090\n    token: abc\n"
    _, problems = load_text(text)
    assert [(p.code, p.severity) for p in problems if p.code == "inline-secret"] == [
        ("inline-secret", "error")
    ]
