"""Shapes found in the second import hunt of stop 37 (real Sloth, Pyrra and slo-generator
files of other projects). Each fixture is small and written here, reproducing only the shape
seen; the expected values are read off the fixture and the tool's documented rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.definitions.test_import_found_shapes import notes, planned, slo_documents

SLOTH_KIND = """\
apiVersion: sloth.slok.dev/v1
kind: {kind}
metadata: {{name: api}}
spec:
  service: api
  slos:
    - name: avail
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{{code=~"5.."}}[{{{{.window}}}}]))
          totalQuery: sum(rate(http_requests_total[{{{{.window}}}}]))
"""


@pytest.mark.parametrize(
    ("kind", "meant"),
    [
        ("PrometheusServiceLevels", "PrometheusServiceLevel"),  # the CRD's plural
        ("PrometheusSLO", "PrometheusServiceLevel"),
        ("prometheusServiceLevel", "PrometheusServiceLevel"),
        ("AlertWindow", "AlertWindows"),
    ],
)
def test_a_misspelt_sloth_kind_is_answered_with_the_kind_meant(
    tmp_path: Path, kind: str, meant: str
) -> None:
    """``kind: PrometheusServiceLevels`` (the resource's plural, as ``kubectl get`` names it)
    was refused without saying which kind was close; Sloth's CRD knows only
    PrometheusServiceLevel (and its AlertWindows catalog)."""
    plan = planned(tmp_path, "sloth", {"k.yaml": SLOTH_KIND.format(kind=kind)})
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert problem.field == "kind"
    assert problem.message.endswith(f"did you mean {meant!r}?")
    assert problem.fix.startswith(f"write kind: {meant}")


def test_a_kind_of_sloths_own_history_is_not_taken_for_a_misspelling(tmp_path: Path) -> None:
    """``ManagedPrometheusServiceLevel`` is a kind of its own (slok/sloth's history), not a
    misspelt PrometheusServiceLevel: no "did you mean"."""
    plan = planned(
        tmp_path, "sloth", {"k.yaml": SLOTH_KIND.format(kind="ManagedPrometheusServiceLevel")}
    )
    (problem,) = plan.problems
    assert "did you mean" not in problem.message
    assert problem.fix.startswith("if its spec is a PrometheusServiceLevel's")


LONE_BUCKET = """\
version: "prometheus/v1"
service: gateway
slos:
  - name: latency
    objective: 99
    sli:
      events:
        error_query: sum(rate(req_seconds_bucket{{le="0.25",job="gw"}}[{{{{.window}}}}]))
        total_query: {total}
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


@pytest.mark.parametrize(
    ("total", "suggested"),
    [
        (
            'sum(rate(req_seconds_bucket{le="+Inf",job="gw"}[{{.window}}]))',
            'sum(rate(req_seconds_bucket{le="+Inf",...}[{{.window}}]))',
        ),
        (
            'sum(rate(req_seconds_count{job="gw"}[{{.window}}]))',
            "sum(rate(req_seconds_count{...}[{{.window}}]))",
        ),
    ],
)
def test_the_fix_for_a_lone_bucket_counts_the_total_as_it_was_written(
    tmp_path: Path, total: str, suggested: str
) -> None:
    """The note on an ``error_query`` of one bucket alone suggested ``_count`` minus the
    bucket even where the file's total is the ``le="+Inf"`` bucket: the suggestion now counts
    all requests the way the total query does."""
    plan = planned(tmp_path, "sloth", {"l.yaml": LONE_BUCKET.format(total=total)})
    assert len(slo_documents(plan)) == 1
    (note,) = [n for n in notes(plan) if "alone" in n.reason]
    expected = f'{suggested} - sum(rate(req_seconds_bucket{{le="0.25",...}}[{{{{.window}}}}]))'
    assert note.reason.endswith(expected)
