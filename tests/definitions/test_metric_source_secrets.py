"""A secret written in an SLI's ``metricSource.spec`` is the warning a DataSource's gets.

The OpenSLO specification's own example of "a thresholdMetric that does not reference a
defined DataSource" writes ``accessKeyID`` and ``secretAccessKey`` into ``metricSource.spec``,
and OpenSLO/OpenSLO's ``schema-test/spec-files/v1/sli/sli-description-ratio-bad-inline-
metricsource.yaml`` does the same for both queries. The same keys in a DataSource's
``connectionDetails`` were an ``inline-secret`` warning (the workspace is committed and shared,
whether Covenant reads the source or not); in the SLI they passed without a word.

The expected problems are written by hand from each workspace, line by line.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: great-sli}
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Redshift
        spec:
          query: SELECT value FROM metrics
          accessKeyID: accessKey
          secretAccessKey: secretAccessKey
    total:
      metricSource:
        type: Redshift
        spec:
          query: SELECT value FROM metrics
          secret_access_key: ${REDSHIFT_SECRET}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: redshift}
spec:
  service: web
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: lat}
    spec:
      thresholdMetric:
        metricSource:
          type: Redshift
          spec: {query: SELECT 1, password: hunter2}
  objectives:
    - {target: 0.99, op: lte, value: 300}
"""


def _secrets(text: str) -> list[tuple[str, str | None, str, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [
        (p.where, p.field, p.severity, p.message) for p in problems if p.code == "inline-secret"
    ]


def test_a_secret_in_a_metric_source_spec_is_a_warning_at_its_line() -> None:
    assert _secrets(SLI) == [
        (
            "ws.yaml:13",
            "spec.ratioMetric.bad.metricSource.spec.secretAccessKey",
            "warning",
            "secretAccessKey puts a secret in the workspace (Covenant does not read Redshift "
            "sources, but the file is committed and shared)",
        ),
        (
            "ws.yaml:34",
            "spec.indicator.spec.thresholdMetric.metricSource.spec.password",
            "warning",
            "password puts a secret in the workspace (Covenant does not read Redshift "
            "sources, but the file is committed and shared)",
        ),
    ]


def test_the_workspace_is_still_used() -> None:
    """A warning: the SLIs evaluate from events as before."""
    workspace, problems = analyse_text(SLI, file="ws.yaml")
    assert workspace is not None
    assert not [p for p in problems if p.severity == "error"]
