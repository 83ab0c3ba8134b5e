"""A Sloth PrometheusServiceLevel resource written with prometheus/v1's snake_case fields.

Sloth's resource (sloth.slok.dev/v1) names its fields in camelCase: SLIEvents has
``errorQuery``/``totalQuery`` (json tags of its Go types, which the CRD schema is made from),
alerting ``pageAlert``/``ticketAlert``. snake_case (``error_query``) is its prometheus/v1
spec's. Kubernetes drops a field the schema does not hold, so such a resource reaches Sloth
without its queries; Covenant read it silently.
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import ImportPlan, plan_import

RESOURCE = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {{name: shop}}
spec:
  service: shop
  labels: {{page_alert: kept-as-a-label}}
  slos:
    - name: requests-availability
      objective: 99.9
      sli:
        events:
{events}
      alerting: {{name: ShopErrors, pageAlert: {{disable: true}}, ticketAlert: {{disable: true}}}}
"""
QUERIES = "{key}: sum(increase(http_requests_total{{code=~'5..'}}[{{{{.window}}}}]))"
TOTAL = "          totalQuery: sum(increase(http_requests_total[{{.window}}]))"


def _plan(tmp_path: Path, events: str) -> ImportPlan:
    source = tmp_path / "sloth.yaml"
    source.write_text(RESOURCE.format(events=events), encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws")


def _said(plan: ImportPlan) -> dict[str, str]:
    return {n.field: n.reason for f in plan.files for n in f.imported.notes}


def test_a_snake_case_query_in_the_resource_is_said_with_its_camel_case_name(
    tmp_path: Path,
) -> None:
    events = "          " + QUERIES.format(key="error_query") + "\n" + TOTAL
    plan = _plan(tmp_path, events)
    assert plan.problems == []
    reason = _said(plan)["spec.slos[0].sli.events.error_query"]
    assert reason.startswith(
        "error_query is Sloth's prometheus/v1 spelling; its PrometheusServiceLevel resource "
        "names it errorQuery"
    )
    assert reason.endswith("write errorQuery")
    assert "spec.labels.page_alert" not in _said(plan)  # a label's name is not a field
    (text,) = [text for _, text in plan.writes]
    assert "code=~'5..'" in text  # the query is imported, not dropped


def test_the_resource_in_camel_case_gets_no_such_note(tmp_path: Path) -> None:
    events = "          " + QUERIES.format(key="errorQuery") + "\n" + TOTAL
    assert not [r for r in _said(_plan(tmp_path, events)).values() if "spelling" in r]


def test_a_query_written_in_both_spellings_is_refused(tmp_path: Path) -> None:
    events = "\n".join(
        "          " + QUERIES.format(key=key) for key in ("error_query", "errorQuery")
    )
    (problem,) = _plan(tmp_path, events + "\n" + TOTAL).problems
    assert problem.field == "spec.slos[0].sli.events.error_query"
    assert problem.fix == (
        "keep errorQuery (the PrometheusServiceLevel resource's name) and remove error_query"
    )
