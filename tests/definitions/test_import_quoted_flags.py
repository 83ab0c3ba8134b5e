"""A quoted ``"yes"`` in a flag of a Sloth, Pyrra or slo-generator file is text, as
``covenant validate`` reads it in an OpenSLO file and as each source tool's reader does.

A quoted (or block) scalar is a string in every YAML version; only a plain ``yes`` is a YAML
1.1 boolean. Sloth reads its spec with gopkg.in/yaml.v2 (older releases) or
k8s.io/apimachinery's yaml (sigs.k8s.io/yaml: YAML → JSON through yaml.v2, then
encoding/json); Pyrra's objects are read by sigs.k8s.io/yaml (its filesystem mode,
``UnmarshalStrict``) or by Kubernetes. yaml.v2's decoder sets a bool field only from a value
its resolver made a boolean — and it resolves a quoted scalar as ``!!str`` — and encoding/json
refuses a JSON string for a bool: both refuse ``disable: "yes"``. slo-generator reads with
PyYAML, where ``'no'`` is the string ``'no'``, and a string is true to Python.

Covenant read them all as the plain word: ``disable: "yes"`` turned Sloth's alert off.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_found_shapes import (
    PYRRA_YAML11,
    SLOGEN_CONFIG,
    SLOGEN_SLO,
    SLOTH_YAML11,
    notes,
    planned,
    slo_documents,
    tier_names,
)


def test_sloth_disable_quoted_yes_is_refused_as_sloth_refuses_it(tmp_path: Path) -> None:
    for index, quoted in enumerate(('"yes"', "'on'", '"Y"')):
        text = SLOTH_YAML11.format(page=quoted, ticket="true")
        plan = planned(tmp_path / str(index), "sloth", {"s.yaml": text})
        (problem,) = plan.problems
        assert problem.code == "import-invalid-value"
        assert problem.field == "slos[0].alerting.page_alert.disable"
        assert problem.where.endswith("s.yaml:12")
        word = quoted.strip("'\"")
        assert problem.message == (
            f"disable {word!r} is quoted: text, not a boolean (Sloth refuses the spec)"
        )
        assert problem.fix == f"write {str(word in 'yesonY').lower()} without quotes"
        assert slo_documents(plan) == []


def test_sloth_disable_plain_yes_is_still_a_boolean(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"s.yaml": SLOTH_YAML11.format(page="yes", ticket="ON")})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    assert tier_names(document) == []


def test_pyrra_quoted_flag_is_refused_as_kubernetes_refuses_it(tmp_path: Path) -> None:
    text = PYRRA_YAML11.format(key="disabled", value="'yes'")
    plan = planned(tmp_path, "pyrra", {"p.yaml": text})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "spec.alerting.disabled"
    assert problem.where.endswith("p.yaml:8")
    assert problem.message == (
        "alerting.disabled 'yes' is quoted: text, not a boolean (Kubernetes refuses the object)"
    )
    assert problem.fix == "write true without quotes"
    # the plain word is still read as Kubernetes reads it
    plain = planned(
        tmp_path / "plain", "pyrra", {"p.yaml": PYRRA_YAML11.format(key="disabled", value="yes")}
    )
    assert plain.problems == []


def test_slo_generator_alert_quoted_yes_is_no_page_tier(tmp_path: Path) -> None:
    """PyYAML reads ``alert: 'yes'`` as the string 'yes': not ``alert: true``."""
    config = SLOGEN_CONFIG.format(first="'yes'", second="yes")
    plan = planned(tmp_path, "slo-generator", {"slo.yaml": SLOGEN_SLO, "config.yaml": config})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    tiers = document["spec"]["alerting"]["tiers"]
    assert [(t["name"], t["longWindow"], t["burnRate"]) for t in tiers] == [("12-hours", "12h", 3)]
    said = [n.reason for n in notes(plan)]
    assert any("alert 'yes' is not a boolean: no page tier" in reason for reason in said)


DYNATRACE = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: dt-slow, labels: {{service_name: dt}}}}
spec:
  backend: dynatrace
  method: threshold
  goal: 0.99
  service_level_indicator:
    query_valid: {{metric_selector: builtin:service.response.time}}
    threshold: 2000
    good_below_threshold: {value}
"""


def test_slo_generator_good_below_threshold_quoted_no_is_true_as_python_reads_it(
    tmp_path: Path,
) -> None:
    """``good_below_threshold: "no"`` is the string 'no' to PyYAML, which slo-generator
    tests by truth: true, good values below 2000 µs. Imported so, with a note saying why and
    what to write for false."""
    plan = planned(tmp_path, "slo-generator", {"dt.yaml": DYNATRACE.format(value='"no"')})
    (document,) = slo_documents(plan)
    rule = document["spec"]["indicator"]["metadata"]["annotations"]["covenant.dev/events"]
    assert rule == '{"latencyMs": {"op": "lt", "value": 2}}'  # below 2000 µs is good
    (note,) = [n for n in notes(plan) if n.field.endswith("good_below_threshold")]
    assert note.where.endswith("dt.yaml:11")
    assert note.reason == (
        "'no' is quoted: text, which slo-generator reads as true (any text but '' is); "
        "write false without quotes for good values above the threshold"
    )
    plain = planned(tmp_path / "plain", "slo-generator", {"dt.yaml": DYNATRACE.format(value="no")})
    (document,) = slo_documents(plain)
    rule = document["spec"]["indicator"]["metadata"]["annotations"]["covenant.dev/events"]
    assert rule == '{"latencyMs": {"op": "gt", "value": 2}}'
