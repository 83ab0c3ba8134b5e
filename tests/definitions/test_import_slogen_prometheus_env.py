"""``${VAR}`` in a slo-generator Prometheus query is said, not passed over in silence.

slo-generator substitutes ``${VAR}`` from the environment in the whole config before it runs a
query (``utils.parse_config``), so ``http_requests_total{namespace="${APP_NAMESPACE}"}`` counts
the namespace the variable names. Covenant writes the query as it is: Prometheus reads the
matcher literally and it matches no series, so the SLO never has data. The import said nothing;
it now names the variable and the fix on the filter's field.
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import plan_import

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: app-availability, labels: {service_name: app}}
spec:
  goal: 0.99
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:
    filter_good: 'http_requests_total{namespace="${APP_NAMESPACE}", code!~"5.."}[window]'
    filter_valid: 'http_requests_total{namespace="${APP_NAMESPACE}"}[window]'
"""


def test_an_environment_variable_in_a_prometheus_filter_is_noted(tmp_path: Path) -> None:
    source = tmp_path / "slo.yaml"
    source.write_text(SLO, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert plan.problems == []
    notes = {
        n.field: n.reason
        for f in plan.files
        for n in f.imported.notes
        if "${APP_NAMESPACE}" in n.reason
    }
    assert set(notes) == {
        "spec.service_level_indicator.filter_good",
        "spec.service_level_indicator.filter_valid",
    }
    reason = notes["spec.service_level_indicator.filter_good"]
    assert "matches no series" in reason
    assert "write the value" in reason
