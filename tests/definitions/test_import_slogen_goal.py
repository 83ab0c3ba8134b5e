"""A slo-generator goal written as a percentage is named as such, in plain numbers.

slo-generator's ``goal`` is a ratio (``0.999``: its samples and docs). A config that writes
``goal: 99.5`` (a percentage, as Sloth's ``objective`` is) was refused with the Python repr of
the value: "goal Decimal('99.5') is not a ratio in (0, 1]". 99.5 % is the ratio 0.995.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.importing import plan_import

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: ingress-availability, labels: {{service_name: ingress}}}}
spec:
  backend: prometheus
  method: good_bad_ratio
  goal: {goal}
  service_level_indicator:
    filter_bad: nginx_ingress_controller_requests{{status=~"5.."}}
    filter_valid: nginx_ingress_controller_requests
"""


@pytest.mark.parametrize(
    ("goal", "message", "fix"),
    [
        (
            "99.5",
            "goal 99.5 is not a ratio in (0, 1]",
            "a percentage? write goal: 0.995 (99.5 %)",
        ),
        ("250", "goal 250 is not a ratio in (0, 1]", "write e.g. goal: 0.999"),
        ("0", "goal 0 is not a ratio in (0, 1]", "write e.g. goal: 0.999"),
        # as written, not 401 digits
        ("1e400", "goal 1E+400 is not a ratio in (0, 1]", "write e.g. goal: 0.999"),
    ],
)
def test_a_goal_out_of_range_is_said_in_plain_numbers(
    tmp_path: Path, goal: str, message: str, fix: str
) -> None:
    source = tmp_path / "slo.yaml"
    source.write_text(SLO.format(goal=goal), encoding="utf-8")
    (problem,) = plan_import("slo-generator", [source], into=tmp_path / "ws").problems
    assert (problem.field, problem.message, problem.fix) == ("spec.goal", message, fix)
    assert "Decimal" not in problem.message


def test_sloth_and_pyrra_say_their_percentages_in_plain_numbers_too(tmp_path: Path) -> None:
    """Sloth's objective and Pyrra's target are percentages; 100.5 is not one."""
    sloth = tmp_path / "sloth.yaml"
    sloth.write_text(
        'version: "prometheus/v1"\nservice: shop\nslos:\n  - name: availability\n'
        "    objective: 100.5\n    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', "
        "total_query: 'sum(rate(t[{{.window}}]))'}}\n    alerting: {page_alert: {disable: true}, "
        "ticket_alert: {disable: true}}\n",
        encoding="utf-8",
    )
    (problem,) = plan_import("sloth", [sloth], into=tmp_path / "ws").problems
    assert problem.message == "objective 100.5 is not a percentage above 0 and at most 100"
    pyrra = tmp_path / "pyrra.yaml"
    pyrra.write_text(
        "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n"
        "metadata: {name: api, namespace: shop}\nspec:\n  target: 100.5\n  window: 4w\n"
        "  indicator: {ratio: {errors: {metric: 'e{code=\"500\"}'}, total: {metric: e}}}\n",
        encoding="utf-8",
    )
    (problem,) = plan_import("pyrra", [pyrra], into=tmp_path / "ws2").problems
    assert problem.message == "target 100.5 is not a percentage in (0, 100)"
