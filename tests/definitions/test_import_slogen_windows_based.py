"""slo-generator's Cloud Service Monitoring ``method: windows``: a windows-based SLI.

Its backend builds a ``windowsBased`` SLI (``good_bad_metric_filter``: a boolean series,
``window_period``: the policy step's window) whose value is the share of good time windows
(slo_generator/backends/cloud_service_monitoring.py, ``build_slo``). Covenant counts the
ingested events of an imported non-Prometheus SLI, a share of events: before, the SLO was
imported as a raw success ratio and counted requests where slo-generator counted windows.
It is left out now, the reason on ``method`` with the fix. The fixture is written here.
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import plan_import

WINDOWS = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: site-uptime
  labels: {service_name: site}
spec:
  backend: cloud_service_monitoring
  method: windows
  service_level_indicator:
    filter: metric.type="monitoring.googleapis.com/uptime_check/check_passed"
  goal: 0.99
"""


def test_a_windows_based_sli_is_left_out_with_the_reason(tmp_path: Path) -> None:
    source = tmp_path / "uptime.yaml"
    source.write_text(WINDOWS, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == []
    (note,) = [n for n in file.imported.notes if n.skipped]
    assert note.field == "spec.method"
    assert note.where.endswith(":8")
    assert "share of good time windows" in note.reason
    assert "Timeslices" in note.reason  # the fix
