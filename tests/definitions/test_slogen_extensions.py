"""OpenSLO/slogen's own top-level keys are named as slogen's, with what to do about each.

slogen (Sumo Logic's SLO generator) reads an OpenSLO SLO with keys of its own beside it —
``createView``, ``fields``, ``alerts`` (``burnRate`` windows), the deprecated
``burnRateAlerts`` — as in its ``samples/sumologic/logs/drift-calculation.yaml``, reduced
here. They used to be plain "unknown field … remove it; allowed here: apiVersion, kind,
metadata, spec", which says neither whose they are nor what becomes of them.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SAMPLE = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: anomaly-compute-delay}
spec:
  service: ts-analytics
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: delay}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: sumologic-logs, spec: {query: good}}}
        total: {metricSource: {type: sumologic-logs, spec: {query: total}}}
  objectives:
    - target: 0.8
createView: true
fields:
  region: 'if(isNull(Region),"-",Region)'
alerts:
  burnRate:
    - {shortWindow: 10m, shortLimit: 14, longWindow: 1h, longLimit: 14}
burnRateAlerts: []
"""


def _unknown() -> list[tuple[str, str | None, str, str]]:
    _, problems = analyse_text(SAMPLE, file="ws.yaml")
    return [(p.where, p.field, p.message, p.fix) for p in problems if p.code == "unknown-field"]


def test_each_slogen_key_is_named_as_slogen_s_at_its_line() -> None:
    found = _unknown()
    assert [(where, field) for where, field, _, _ in found] == [
        ("ws.yaml:17", "createView"),
        ("ws.yaml:18", "fields"),
        ("ws.yaml:20", "alerts"),
        ("ws.yaml:23", "burnRateAlerts"),
    ]
    for _, field, message, _ in found:
        assert message == (
            f"unknown field {field!r}: OpenSLO/slogen's (Sumo Logic's SLO generator reads it "
            "beside the OpenSLO document), not OpenSLO's"
        )


def test_the_fix_says_what_becomes_of_each() -> None:
    fixes = {field: fix for _, field, _, fix in _unknown()}
    assert fixes["createView"].startswith("remove it: slogen's Sumo Logic scheduled view")
    assert fixes["fields"].startswith("remove it: slogen's dashboard panel fields")
    for key in ("alerts", "burnRateAlerts"):
        assert fixes[key].startswith("remove it and alert with an AlertPolicy")
        assert "covenant explain invalid-alert-tier" in fixes[key]


def test_the_same_key_inside_spec_is_no_slogen_key() -> None:
    text = SAMPLE.replace("  objectives:", "  fields: {}\n  objectives:", 1)
    _, problems = analyse_text(text, file="ws.yaml")
    inside = [p for p in problems if p.field == "spec.fields"]
    assert [p.message for p in inside] == ["unknown field 'fields'"]
