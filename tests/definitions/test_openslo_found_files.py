"""Real OpenSLO files of other projects (stop 39 hunt), kept in fixtures/openslo_found/ with
their sources in SOURCES.md there: OpenSLO's own schema tests and draft example, oslo's older
test inputs (composite objectives, the ``openslo/v1beta1`` draft), nobl9-openslo's converter
inputs and opensloctl's examples (condition kinds of its own, a ``{{.Window}}`` placeholder).

Each file is pinned: its errors as (code, field, line) and the codes of its warnings, each
file (or folder) loaded alone. The verdicts were read off the files by hand against the
OpenSLO v1 spec and schema (schemas/v1/parts/*.schema.json): a policy holds one condition, a
condition needs severity and condition, names are DNS labels, ``alertPolicies`` items are
mappings, a ratio SLI gives good or bad, not both. Valid files are also read for their meaning.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from covenant.core.model import BudgetingMethod, CalendarUnit, CalendarWindow, RollingWindow
from covenant.definitions.workspace import analyse
from covenant.errors import Problem

FOUND = Path(__file__).parent / "fixtures" / "openslo_found"

Verdict = tuple[set[tuple[str, str, int]], set[str]]  # errors (code, field, line), warnings

NAME = ("invalid-name", "metadata.name", 4)
UNRESOLVED = "unresolved-reference"

EXPECTED: dict[str, Verdict] = {
    # --- OpenSLO/OpenSLO schema-test/spec-files/v1 -------------------------------------
    "openslo-alert-condition-no-condition.yaml": ({("missing-field", "spec.condition", 6)}, set()),
    "openslo-alert-condition-no-sev.yaml": ({("missing-field", "spec.severity", 6)}, set()),
    "openslo-alert-notification-target-no-target.yaml": (
        {NAME, ("missing-field", "spec.target", 5)},
        set(),
    ),
    "openslo-alert-policy-inline-cond.yaml": (set(), {UNRESOLVED}),  # its target: elsewhere
    "openslo-alert-policy-malformed-cond.yaml": (
        {
            NAME,
            ("missing-field", "spec.conditions[0]", 11),
            ("unknown-field", "spec.conditions[0].foo", 11),
        },
        {UNRESOLVED},
    ),
    "openslo-alert-policy-malformed-targetref.yaml": (
        {
            ("unknown-field", "spec.conditions[0].operator", 12),  # no operator in v1
            ("missing-field", "spec.notificationTargets[0]", 15),
            ("unknown-field", "spec.notificationTargets[0].foo", 15),
        },
        {UNRESOLVED},
    ),
    "openslo-alert-policy-many-cond.yaml": (
        {("invalid-value", "spec.conditions", 11)}  # nine conditions; the schema: maxItems 1
        | {("unknown-field", f"spec.conditions[{i}].operator", 12 + 2 * i) for i in range(9)},
        {UNRESOLVED},
    ),
    "openslo-alert-policy-no-cond.yaml": ({NAME, ("missing-field", "spec.conditions", 6)}, set()),
    "openslo-data-source.yaml": ({NAME}, {"inline-secret"}),  # secretAccessKey in the file
    "openslo-sli-description-ratio-bad-metricsourceref.yaml": ({NAME}, {UNRESOLVED}),
    "openslo-sli-description-threshold-metricsourceref.yaml": ({NAME}, {UNRESOLVED}),
    "openslo-sli-no-description-threshold-inline-metricsource.yaml": (set(), {"inline-secret"}),
    "openslo-sli-ratio-good-and-bad.yaml": (
        {NAME, ("conflicting-fields", "spec.ratioMetric.bad", 10)},
        {UNRESOLVED},
    ),
    "openslo-slo-indicatorref-rolling-alerts.yaml": (
        {
            NAME,
            ("missing-reference", "spec.indicatorRef", 9),
            ("invalid-type", "spec.alertPolicies[0]", 18),  # a bare name, not {alertPolicyRef}
        },
        {UNRESOLVED},
    ),
    "openslo-slo-no-indicatorref-calendar-alerts.yaml": (
        {NAME, ("invalid-type", "spec.alertPolicies[0]", 39)},
        {UNRESOLVED},
    ),
    # the first budgeting-method example (path spelt "budgetting"): `objective:` for
    # objectives, a good query with no spec nor total, a calendar month written 1m
    "openslo-budgetting-timeslices-slo.yaml": (
        {
            ("missing-field", "spec.indicator.spec.ratioMetric", 15),
            ("invalid-type", "spec.indicator.spec.ratioMetric.good.metricSource.spec", 19),
            ("ambiguous-duration", "spec.timeWindow[0].duration", 22),
            ("unknown-field", "spec.objective", 28),
        },
        {UNRESOLVED},
    ),
    # the spec's first draft: openslo/v1alpha1, a_name
    "openslo-spec-slo-example.yaml": (
        {NAME, ("unknown-api-version", "apiVersion", 1)},
        set(),
    ),
    # --- OpenSLO/oslo's older test inputs ----------------------------------------------
    "oslo-multi.yaml": (set(), {"inline-secret", UNRESOLVED}),
    "oslo-slo-composite-indicatorRef-rolling-no-alerts.yaml": (
        {
            ("missing-reference", "spec.objectives[0].indicatorRef", 17),
            ("missing-reference", "spec.objectives[1].indicatorRef", 21),
        },
        {UNRESOLVED},
    ),
    "oslo-slo-composite-no-indicatorRef-rolling-no-alerts.yaml": (
        set(),
        {"rolling-calendar-unit", UNRESOLVED},  # a rolling 1M is read as 30d
    ),
    "oslo-slo-with-annotations.yaml": (
        {("missing-field", "spec.indicator.spec", 8)},
        {UNRESOLVED},
    ),
    "oslo-service-with-labels.yaml": (set(), set()),
    # a file of oslo's own configuration, no definition at all
    "oslo-valid.yaml": ({("not-a-definition", "", 1)}, set()),
    # v1alpha Timeslices without timeSliceTarget: `oslo validate` rejects it too
    "oslo-v1alpha-valid-slos-ratio.yaml": (
        {("missing-field", "spec.objectives[0].timeSliceTarget", 10)},
        {"converted-api-version", UNRESOLVED},
    ),
    "oslo-v1beta1_valid-slos-ratio.yaml": ({("unknown-api-version", "apiVersion", 1)}, set()),
    # --- nobl9/nobl9-openslo converter inputs ------------------------------------------
    "nobl9-convert-v1_slos.yaml": (
        {("op-on-ratio-objective", "spec.objectives[0].op", 38)},  # inline ratio with op: gt
        {UNRESOLVED},
    ),
    "nobl9-v1_data_sources.yaml": (set(), {"inline-secret"}),  # clientSecret
    "nobl9-v1_notification_target.yaml": (set(), {"target-not-delivered"}),  # email
    "nobl9-v1_slos.yaml": (set(), {UNRESOLVED}),
    # --- thisisibrahimd/opensloctl examples --------------------------------------------
    "opensloctl-error-rate": (
        {("invalid-value", "spec.condition.kind", 9)},
        # service checkout, target oncall-pagerduty: in files not kept here; its queries
        # count rate() per second, where Covenant counts events
        {UNRESOLVED, "prometheus-query-form"},
    ),
    # a threshold SLI (a p99 quantile) whose objective has no op/value; opensloctl's
    # annotation splitting the SLO per service_name, which Covenant does not do: a warning
    "opensloctl-multi-dim": (
        {("threshold-needs-op-value", "spec.objectives[0].op", 24)},
        {UNRESOLVED, "ignored-field"},
    ),
    "opensloctl-multi-burn-36x.yaml": ({("invalid-value", "spec.condition.kind", 9)}, set()),
    "opensloctl-multi-window-conditions.yaml": (
        {("invalid-value", "spec.condition.kind", 8), ("invalid-value", "spec.condition.kind", 21)},
        set(),
    ),
}


def _problems(path: Path) -> list[Problem]:
    _, problems = analyse([path])
    return problems


def _line(problem: Problem) -> int:
    return int(problem.where.rsplit(":", 1)[1])


def _verdict(path: Path) -> Verdict:
    problems = _problems(path)
    errors = {(p.code, p.field, _line(p)) for p in problems if p.severity == "error"}
    return errors, {p.code for p in problems if p.severity != "error"}


def test_every_found_file_is_pinned() -> None:
    found = {p.name for p in FOUND.iterdir() if p.name != "SOURCES.md"}
    assert found == set(EXPECTED)
    assert len(found) >= 20


def test_every_found_file_has_its_source_cited() -> None:
    sources = (FOUND / "SOURCES.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        (row,) = [line for line in sources.splitlines() if line.startswith(f"| `{name}")]
        assert "@" in row  # owner/repo path@commit


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_found_file_verdict(name: str) -> None:
    assert _verdict(FOUND / name) == EXPECTED[name]


def _loaded(name: str) -> object:
    workspace, problems = analyse([FOUND / name])
    assert workspace is not None, [p.message for p in problems if p.severity == "error"]
    return workspace


def test_oslo_multi_document_file_reads_a_threshold_slo_over_28_rolling_days() -> None:
    """Three documents (SLO, SLI, DataSource): target 0.98 over a rolling 28d, counted as
    occurrences, its SLI the CloudWatch threshold SLI beside it."""
    workspace = _loaded("oslo-multi.yaml")
    (objective,) = workspace.objectives  # type: ignore[attr-defined]
    assert objective.slo == "foo-slo"
    assert objective.target == Fraction(98, 100)
    assert objective.window == RollingWindow(seconds=28 * 86400)
    assert objective.method is BudgetingMethod.OCCURRENCES
    assert objective.sli == "foo-sli"


def test_oslo_composite_reads_both_components_and_the_strictest_target() -> None:
    """Two objectives, each with its own inline indicator and compositeWeight 1 and 2: a
    composite of two components (0.98 and 0.99) over a rolling 1M, read as 30 days; OpenSLO
    gives the composite no target of its own, Covenant the strictest (docs/semantics.md)."""
    workspace = _loaded("oslo-slo-composite-no-indicatorRef-rolling-no-alerts.yaml")
    targets = {o.name: o.target for o in workspace.objectives}  # type: ignore[attr-defined]
    assert targets == {"Foo Total Errors": Fraction(98, 100), "Bar Total Errors": Fraction(99, 100)}
    (composite,) = workspace.composites  # type: ignore[attr-defined]
    assert composite.objective.target == Fraction(99, 100)
    assert composite.objective.window == RollingWindow(seconds=30 * 86400)


def test_nobl9_calendar_week_starts_at_noon_new_york() -> None:
    """``duration: 1w``, not rolling, calendar startTime 2022-01-01 12:00:00 in
    America/New_York: weeks anchored at that instant, in that zone; target 0.95 for both SLOs
    (the threshold one by its SLI in the same file, ``promql:`` as its query key)."""
    workspace = _loaded("nobl9-v1_slos.yaml")
    anchor = datetime(2022, 1, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    week = CalendarWindow(unit=CalendarUnit.WEEK, count=1, zone="America/New_York", anchor=anchor)
    read = {o.slo: (o.target, o.window, o.sli) for o in workspace.objectives}  # type: ignore[attr-defined]
    assert read == {
        "web-availability": (Fraction(95, 100), week, "web-successful-requests-ratio"),
        "annotator-throughput": (Fraction(95, 100), week, "annotator-throughput"),
    }


def _kind_problem(name: str) -> Problem:
    (problem,) = [p for p in _problems(FOUND / name) if p.code == "invalid-value"][:1]
    return problem


def test_an_error_rate_condition_is_told_its_threshold_is_no_burn_rate() -> None:
    """opensloctl's ``kind: error-rate`` with threshold 0.001 (the 99.9 % SLO's error
    ratio): "write kind: burnrate" alone would keep 0.001 as a burn rate, an alert that means
    something else. Its burn rate is 0.001 / (1 - 0.999) = 1."""
    problem = _kind_problem("opensloctl-error-rate")
    assert problem.message.startswith("condition kind 'error-rate' is not one OpenSLO defines")
    assert "error ratio" in problem.message
    assert "1 - the objective's target" in problem.message
    assert problem.fix.startswith("write kind: burnrate and threshold: <the error ratio / (1 - ")
    assert "0.001 on a target of 0.999 is threshold: 1" in problem.fix


def test_an_error_rate_threshold_is_not_also_read_as_a_burn_rate() -> None:
    """Beside the refused kind, "burn-rate threshold 0.001 is compared as 1" was a second
    reading of the same number as something it is not."""
    codes = [p.code for p in _problems(FOUND / "opensloctl-error-rate")]
    assert "alert-threshold-raised" not in codes


@pytest.mark.parametrize(
    "name", ["opensloctl-multi-window-conditions.yaml", "opensloctl-multi-burn-36x.yaml"]
)
def test_a_multi_window_kind_is_told_covenant_pairs_windows_itself(name: str) -> None:
    problem = _kind_problem(name)
    assert problem.fix.startswith("write kind: burnrate: Covenant checks every burnrate ")
    assert "a short window of a twelfth of it" in problem.fix


@pytest.mark.parametrize(
    ("kind", "fix"),
    [
        ("burn-rate", "write kind: burnrate (OpenSLO's spelling of the same burn rate)"),
        ("burn_rate", "write kind: burnrate (OpenSLO's spelling of the same burn rate)"),
        (
            "BurnRate",
            "write kind: burnrate (in lowercase: the only condition kind OpenSLO defines)",
        ),
        ("latency", "write kind: burnrate (the only condition kind OpenSLO defines)"),
    ],
)
def test_a_burn_rate_spelling_is_told_as_the_same_measure(
    tmp_path: Path, kind: str, fix: str
) -> None:
    """opensloctl's own examples write ``burn-rate`` for OpenSLO's ``burnrate``."""
    text = (FOUND / "opensloctl-multi-burn-36x.yaml").read_text(encoding="utf-8")
    (tmp_path / "c.yaml").write_text(text.replace("multi-burn-rate", kind), encoding="utf-8")
    (problem,) = [p for p in _problems(tmp_path / "c.yaml") if p.severity == "error"]
    assert (problem.field, problem.fix) == ("spec.condition.kind", fix)


def test_opensloctls_window_placeholder_is_read_as_the_window() -> None:
    """opensloctl fills ``{{.Window}}`` (its spelling) with each recording window, as
    Covenant fills ``{{.window}}``: the query's one remaining warning is its rate() (a rate
    per second, where Covenant counts events), not "{{.Window}} is not the placeholder"."""
    (warning,) = [
        p for p in _problems(FOUND / "opensloctl-error-rate") if p.code == "prometheus-query-form"
    ]
    assert warning.field == "spec.indicator.spec.ratioMetric.good.metricSource.spec.query"
    assert "rate() over [{{.window}}] gives events per second" in warning.message
    assert "placeholder" not in warning.message


def test_opensloctls_window_placeholder_counts_over_the_window(tmp_path: Path) -> None:
    """The same SLO with increase() (and without the policy kept elsewhere) is read from
    Prometheus with its queries over Covenant's window."""
    text = (FOUND / "opensloctl-error-rate" / "slo.yaml").read_text(encoding="utf-8")
    text = text.replace("rate(", "increase(").split("  alertPolicies:")[0]
    (tmp_path / "slo.yaml").write_text(text, encoding="utf-8")
    workspace, problems = analyse([tmp_path / "slo.yaml"])
    assert workspace is not None
    assert [p.code for p in problems] == [UNRESOLVED]  # the service, in a file not kept
    (read,) = workspace.prometheus.inline  # type: ignore[union-attr]
    assert read.good == 'sum(increase(checkout_requests_total{status="success"}[{{.window}}]))'
    assert read.total == "sum(increase(checkout_requests_total[{{.window}}]))"


def test_opensloctls_per_dimension_annotation_is_told_not_to_split_the_slo() -> None:
    """``multi-dimensional-sli.openslo.com/label: service_name`` makes opensloctl record one
    SLO per service_name value; Covenant reads one SLO over every series, a budget of all
    callers together: said, not silently read otherwise."""
    (warning,) = [p for p in _problems(FOUND / "opensloctl-multi-dim") if p.code == "ignored-field"]
    assert warning.severity == "warning"
    assert warning.field == "metadata.annotations[multi-dimensional-sli.openslo.com/label]"
    assert warning.where.endswith("slo.yaml:6")
    assert "one SLO per value of service_name" in warning.message
    assert "once, over every service_name together" in warning.message
    assert warning.fix.startswith("write one SLO per service_name value")


def test_schema_tests_calendar_day_once_its_faults_are_fixed(tmp_path: Path) -> None:
    """The schema test's calendar SLO with the fixes its errors give (lowercase names; its
    alertPolicies, bare names of policies kept nowhere, left out): a calendar day starting at
    12:30 in America/New_York (startTime 2020-01-21 12:30:00), target 0.98, occurrences."""
    text = (FOUND / "openslo-slo-no-indicatorref-calendar-alerts.yaml").read_text(encoding="utf-8")
    text = text.replace("TestSLO", "test-slo").replace("TheServiceName", "the-service")
    (tmp_path / "slo.yaml").write_text(text.split("  alertPolicies:")[0], encoding="utf-8")
    workspace, problems = analyse([tmp_path / "slo.yaml"])
    assert workspace is not None, [p.message for p in problems]
    (objective,) = workspace.objectives
    anchor = datetime(2020, 1, 21, 12, 30, tzinfo=ZoneInfo("America/New_York"))
    assert objective.window == CalendarWindow(
        unit=CalendarUnit.DAY, count=1, zone="America/New_York", anchor=anchor
    )
    assert objective.target == Fraction(98, 100)
    assert objective.method is BudgetingMethod.OCCURRENCES
    assert objective.sli == "foo-error"


def test_nobl9_timeslices_slo_once_its_op_is_removed(tmp_path: Path) -> None:
    """nobl9-openslo's Timeslices SLO with its one error fixed as told (remove op from the
    inline ratio's objective): target 0.995 of one-minute slices, each good at 0.95, over
    calendar weeks from 2022-01-01 12:00 New York; its Prometheus queries counted per window."""
    text = (FOUND / "nobl9-convert-v1_slos.yaml").read_text(encoding="utf-8")
    (tmp_path / "slo.yaml").write_text(text.replace("        op: gt\n", ""), encoding="utf-8")
    workspace, problems = analyse([tmp_path / "slo.yaml"])
    assert workspace is not None, [p.message for p in problems]
    (objective,) = workspace.objectives
    assert objective.method is BudgetingMethod.TIMESLICES
    assert (objective.target, objective.time_slice_target) == (
        Fraction(995, 1000),
        Fraction(95, 100),
    )
    assert objective.time_slice_window_s == 60
    anchor = datetime(2022, 1, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    assert objective.window == CalendarWindow(
        unit=CalendarUnit.WEEK, count=1, zone="America/New_York", anchor=anchor
    )
    assert workspace.prometheus is not None
    (read,) = workspace.prometheus.inline
    assert (
        read.total
        == 'sum(increase(http_requests{k8s_cluster="prod",component="web"}[{{.window}}]))'
    )
    assert read.good == (
        'sum(increase(http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}'
        "[{{.window}}]))"
    )
