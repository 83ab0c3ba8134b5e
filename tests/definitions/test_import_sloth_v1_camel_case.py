"""A Sloth ``prometheus/v1`` spec written with its Kubernetes resource's camelCase fields.

Found in a tutorial's Sloth spec (a markdown guide's ``slo.yaml``, found by code search for
``version: "prometheus/v1"``, document id 69703491557): ``sli.events.errorQuery`` /
``totalQuery`` under ``version: "prometheus/v1"``. The spec's Go types
(github.com/slok/sloth, ``pkg/prometheus/api/v1/v1.go``) name the fields ``error_query`` and
``total_query``; its loader (``internal/storage/io/sloth.go``) reads no other spelling, so Sloth
sees an SLI without queries and refuses the spec, while Covenant read it silently. Now each
such field is read as its prometheus/v1 name and noted, as the reverse (snake_case in a
``PrometheusServiceLevel`` resource) is; both spellings of one field are refused.
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import ImportPlan, plan_import

# a minimal copy of the tutorial's first SLO (metric renamed; its alerting as written, but
# ticket_alert spelled ticketAlert)
SPEC = """\
version: "prometheus/v1"
service: "shop"
slos:
  - name: "availability"
    objective: 99.9
    sli:
      events:
        errorQuery: sum(rate(http_requests_total{{job="shop-api",status=~"5.."}}[{{{{.window}}}}]))
        totalQuery: sum(rate(http_requests_total{{job="shop-api"}}[{{{{.window}}}}]))
{extra}    alerting:
      name: ShopApiAvailability
      labels: {{team: platform, tier: "1"}}
      page_alert:
        labels: {{severity: critical}}
      ticketAlert:
        labels: {{severity: warning}}
"""


def _plan(tmp_path: Path, extra: str = "") -> ImportPlan:
    source = tmp_path / "slo.yaml"
    source.write_text(SPEC.format(extra=extra), encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws")


def _said(plan: ImportPlan) -> dict[str, str]:
    return {n.field: n.reason for f in plan.files for n in f.imported.notes}


def test_camel_case_queries_are_read_and_said_with_their_v1_names(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    assert plan.problems == []
    said = _said(plan)
    reason = said["slos[0].sli.events.errorQuery"]
    assert reason.startswith(
        "errorQuery is the spelling of Sloth's PrometheusServiceLevel resource; a "
        "prometheus/v1 spec names it error_query"
    )
    assert "Sloth reads no other spelling" in reason
    assert reason.endswith("write error_query")
    assert said["slos[0].sli.events.totalQuery"].endswith("write total_query")
    assert said["slos[0].alerting.ticketAlert"].endswith("write ticket_alert")
    assert "slos[0].alerting.page_alert" not in said
    (text,) = [text for _, text in plan.writes]
    assert 'status=~\\"5..\\"' in text or 'status=~"5.."' in text  # imported, not dropped


def test_both_spellings_of_one_field_are_refused(tmp_path: Path) -> None:
    # after totalQuery, inside events (inserted as it is: single braces)
    extra = (
        "        error_query: sum(rate(http_requests_total"
        '{job="shop-api",status=~"5.."}[{{.window}}]))\n'
    )
    plan = _plan(tmp_path, extra=extra)
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "slos[0].sli.events.errorQuery"
    assert "error_query and errorQuery are both written" in problem.message
    assert problem.fix == "keep error_query (the prometheus/v1 spec's name) and remove errorQuery"
