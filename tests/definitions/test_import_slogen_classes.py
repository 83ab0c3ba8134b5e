"""A slo-generator backend that is none of slo-generator's own is named for what it is.

slo-generator reads a backend name without a dot as one of its own classes: ``class:
NewRelic`` (v1) is loaded as ``slo_generator.backends.new_relic.NewRelicBackend``, ``backend:
ssm`` (v2) as ``slo_generator.backends.ssm.SsmBackend`` (utils.import_cls), which v2 does not
ship; only a dotted ``module.Class`` is a custom class. (The early slo-generator did ship a
v1 ``Ssm``: its Service Monitoring backend, read as cloud_service_monitoring.)
``slo-generator migrate`` writes a v1 class as its v2 name in snake_case,
``Stackdriver`` renamed ``cloud_monitoring``. Covenant called ``Ssm`` "a custom Python
class" and left the SLO out; ``CloudMonitoringMql`` (v1 spelling of a v2 backend) too.
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import ImportPlan, plan_import

V1 = """\
service_name: shop
feature_name: api
slo_name: availability
slo_description: x
slo_target: 0.99
backend:
  class: {klass}
  method: good_bad_ratio
  measurement: {{filter_good: a, filter_valid: b}}
"""

V2 = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: shop-api-availability, labels: {{service_name: shop}}}}
spec:
  backend: {backend}
  method: good_bad_ratio
  goal: 0.99
  service_level_indicator: {{filter_good: a, filter_valid: b}}
"""


def _plan(tmp_path: Path, text: str) -> ImportPlan:
    source = tmp_path / "slo.yaml"
    source.write_text(text, encoding="utf-8")
    return plan_import("slo-generator", [source], into=tmp_path / "ws")


def test_a_v1_class_slo_generator_does_not_ship_is_refused_by_its_name(tmp_path: Path) -> None:
    (problem,) = _plan(tmp_path, V1.format(klass="NewRelic")).problems
    assert problem.field == "spec.backend"
    assert problem.message == (
        "v1 backend class 'NewRelic' is not a slo-generator backend: slo-generator would load "
        "slo_generator.backends.new_relic.NewRelicBackend, which it does not ship"
    )
    assert "e.g. Prometheus" in problem.fix
    assert "module.Class" in problem.fix


def test_the_early_v1_ssm_class_is_cloud_service_monitoring(tmp_path: Path) -> None:
    """professional-services' early slo-generator shipped backends/ssm.py (SsmBackend, Service
    Monitoring), later StackdriverServiceMonitoring: imported as that backend, and told."""
    plan = _plan(tmp_path, V1.format(klass="Ssm"))
    assert plan.problems == []
    assert "type: GoogleCloudServiceMonitoring" in "".join(text for _, text in plan.writes)
    (note,) = [n for f in plan.files for n in f.imported.notes if n.field == "spec.backend"][:1]
    assert note.reason.startswith("class Ssm: the Service Monitoring backend of the early")


def test_a_v2_backend_name_slo_generator_does_not_ship_is_refused(tmp_path: Path) -> None:
    (problem,) = _plan(tmp_path, V2.format(backend="ssm")).problems
    assert problem.message.startswith("backend 'ssm' is not a slo-generator backend")
    assert "custom Python class" not in problem.message


def test_a_v1_class_in_camel_case_is_its_v2_backend(tmp_path: Path) -> None:
    """``CloudMonitoringMql`` → ``cloud_monitoring_mql``, as migrate names it: imported."""
    plan = _plan(tmp_path, V1.format(klass="CloudMonitoringMql"))
    assert plan.problems == []
    assert "GoogleCloudMonitoringMQL" in "".join(text for _, text in plan.writes)


def test_a_dotted_class_is_still_a_custom_class(tmp_path: Path) -> None:
    plan = _plan(tmp_path, V1.format(klass="custom.custom_backend.CustomBackend"))
    assert plan.problems == []
    (reason,) = [n.reason for f in plan.files for n in f.imported.notes if n.skipped]
    assert "is a custom Python class" in reason
