"""openslo/v1 documents written with openslo.com/v2alpha's field names are told so.

OpenSLO/OpenSLO's own ``pkg/openslo/v2alpha/examples/slos.yml`` heads a v2alpha SLO (``sli``,
``dataSourceRef``) with ``apiVersion: openslo/v1``. Covenant said "unknown field 'sli' —
remove it" (which throws the SLI away) and, for the same cause, "the SLO has no indicator";
``sliRef`` the same; a metric's ``dataSourceRef`` and ``spec`` were "remove it" each. Each is
now named as v2alpha's with both ways out: the v2alpha apiVersion (which Covenant reads) or
v1's name. Lines and fields are counted by hand from the text.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: web}
spec:
  serviceRef: web
  sliRef: web-ok
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""

INLINE = SLO.replace("  sliRef: web-ok\n", "  sli:\n    metadata: {name: web-ok}\n")

METRIC = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: web-ok}
spec:
  thresholdMetric:
    dataSourceRef: prom
    spec: {query: latency}
"""


def _errors(text: str) -> list[tuple[str, str | None, str, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [(p.where, p.field, p.message, p.fix) for p in problems if p.severity == "error"]


V2 = (
    "openslo.com/v2alpha's name, not openslo/v1's (or write apiVersion: openslo.com/v2alpha, "
    "which Covenant reads)"
)


def test_v2alpha_reference_names_are_one_problem_each_at_their_line() -> None:
    assert _errors(SLO) == [
        (
            "ws.yaml:5",
            "spec.serviceRef",
            f"unknown field 'serviceRef': {V2}",
            "rename serviceRef to service",
        ),
        (
            "ws.yaml:6",
            "spec.sliRef",
            f"unknown field 'sliRef': {V2}",
            "rename sliRef to indicatorRef",
        ),
    ]


def test_an_inline_sli_is_renamed_not_removed() -> None:
    assert _errors(INLINE) == [
        (
            "ws.yaml:5",
            "spec.serviceRef",
            f"unknown field 'serviceRef': {V2}",
            "rename serviceRef to service",
        ),
        (
            "ws.yaml:6",
            "spec.sli",
            f"unknown field 'sli': {V2}",
            "rename sli to indicator",
        ),
    ]


def test_a_v2alpha_metric_is_named_with_its_v1_form() -> None:
    found = _errors(METRIC)
    assert [(where, field) for where, field, _, _ in found] == [
        ("ws.yaml:6", "spec.thresholdMetric.dataSourceRef")
    ]
    (_, _, message, fix) = found[0]
    assert message == (
        "unknown field 'dataSourceRef': openslo.com/v2alpha's form of a metric, not openslo/v1's"
    )
    assert fix == (
        "write apiVersion: openslo.com/v2alpha (Covenant reads it), or write it as openslo/v1 "
        "does: metricSource: {metricSourceRef: <the DataSource>, spec: {query: …}} "
        "(dataSourceSpec's type goes in metricSource.type)"
    )
