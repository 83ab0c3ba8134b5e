"""A MaintenanceWindow's services: each must be a service the workspace knows (a Service, an
SLO's `spec.service`, or a service, fee or component of an Agreement). One it does not know is
a warning naming the window's line and field, the nearest known name and the fix: a typo would
exclude nothing from any statement."""

from __future__ import annotations

from covenant.errors import Problem
from tests.definitions.test_agreements import (
    CALENDAR,
    CUSTOMER,
    MAINTENANCE,
    V1,
    agreement,
    line,
    load,
)


def unknown(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if "spec.services" in p.field]


def test_a_window_on_a_known_service_has_no_problem() -> None:
    text = "---\n".join([CUSTOMER, CALENDAR, MAINTENANCE, agreement(V1)])
    workspace, problems = load(text)
    assert workspace is not None
    assert unknown(problems) == []


def test_a_misspelt_service_is_named_with_the_nearest_known_one() -> None:
    window = MAINTENANCE.replace("services: [checkout]", "services: [checkout, chekout]")
    text = "---\n".join([CUSTOMER, CALENDAR, window, agreement(V1)])
    workspace, problems = load(text)
    assert workspace is not None  # a warning: an agreement created over the API may name it
    (problem,) = unknown(problems)
    assert problem.code == "unresolved-reference"
    assert problem.severity == "warning"
    assert problem.where == f"ws.yaml:{line(text, 'chekout')}"
    assert problem.field == "spec.services[1]"
    assert problem.message == (
        "no service named 'chekout' in the workspace: no Service, SLO or Agreement names it, "
        "so the window excludes nothing on it"
    )
    assert problem.fix.startswith("did you mean 'checkout'?")


def test_a_service_only_an_agreement_component_names_is_known() -> None:
    window = MAINTENANCE.replace("services: [checkout]", "services: [use1-az2]")
    body = V1.replace(
        "measurement: {source: incidents, severities: [sev1]}",
        "measurement: {source: incidents, components: [use1-az1, use1-az2], atLeastDown: 2}",
    )
    text = "---\n".join([CUSTOMER, CALENDAR, window, agreement(body)])
    _, problems = load(text)
    assert unknown(problems) == []


def test_a_service_no_one_names_has_no_guess_but_the_fix() -> None:
    window = MAINTENANCE.replace("services: [checkout]", "services: [zzz]")
    text = "---\n".join([CUSTOMER, CALENDAR, window, agreement(V1)])
    _, problems = load(text)
    (problem,) = unknown(problems)
    assert "did you mean" not in problem.fix
    assert "fix the name" in problem.fix
