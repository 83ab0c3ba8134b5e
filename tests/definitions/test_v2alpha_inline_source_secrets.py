"""A secret in a v2alpha inline ``dataSourceSpec.connectionDetails`` is an ``inline-secret``
warning, as the same keys in a v1 DataSource or an SLI's ``metricSource.spec`` are.

The conversion to openslo/v1 drops those connection details (a v1 metricSource has no place
for them) with a ``converted-api-version`` note; the secret written there used to go unnamed,
though the file holding it is committed and shared all the same. Expected lines and fields are
counted by hand from the text below.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata: {name: checkout}
spec:
  serviceRef: web
  sli:
    metadata: {name: checkout-ok}
    spec:
      ratioMetric:
        counter: true
        good:
          dataSourceSpec:
            type: datadog
            connectionDetails:
              apiKey: 1234abcd
              applicationKey: ${DD_APP_KEY}
          spec: {query: good}
        total:
          dataSourceSpec:
            type: prometheus
            connectionDetails:
              url: http://prometheus:9090
              basicAuth: {username: svc, password: hunter2}
          spec: {query: total}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""


def _secrets(text: str) -> list[tuple[str, str | None, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [(p.where, p.field, p.severity) for p in problems if p.code == "inline-secret"]


def test_a_secret_in_an_inline_data_source_is_a_warning_at_its_line() -> None:
    base = "spec.sli.spec.ratioMetric"
    assert _secrets(SLO) == [
        ("ws.yaml:15", f"{base}.good.dataSourceSpec.connectionDetails.apiKey", "warning"),
        (
            "ws.yaml:23",
            f"{base}.total.dataSourceSpec.connectionDetails.basicAuth.password",
            "warning",
        ),
    ]


def test_the_warning_says_the_details_are_dropped_and_where_the_secret_belongs() -> None:
    _, problems = analyse_text(SLO, file="ws.yaml")
    first = next(p for p in problems if p.code == "inline-secret")
    assert first.message == (
        "apiKey puts a secret in the workspace (Covenant drops an inline dataSourceSpec's "
        "connectionDetails, but the file is committed and shared)"
    )
    assert first.fix.startswith("remove it from the file")


def test_without_a_secret_there_is_no_warning() -> None:
    clean = SLO.replace("1234abcd", "${DD_API_KEY}").replace("password: hunter2", "passwordEnv: P")
    assert _secrets(clean) == []
