"""Validation: every problem at once, each with file:line, field, fix and a stable code."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from covenant.core.model import CalendarUnit, CalendarWindow, NoDataPolicy, RollingWindow
from covenant.services.workspace import validate_paths
from tests.definitions.helpers import codes, errors, load_text

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: avail
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
---
apiVersion: openslo/v1
kind: Service
metadata:
  name: web
spec: {}
"""


def slo(body: str, *, api: str = "openslo/v1", extra_meta: str = "") -> str:
    return (
        SLI + f"---\napiVersion: {api}\nkind: SLO\nmetadata:\n  name: web-slo\n{extra_meta}spec:\n"
        "  service: web\n  indicatorRef: avail\n  budgetingMethod: Occurrences\n" + body
    )


ROLLING = "  timeWindow:\n    - duration: 28d\n      isRolling: true\n"


def test_several_problems_are_all_reported_with_line_and_field() -> None:
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: Bad Name
spec:
  service: web
  indicatorRef: nowhere
  budgetingMethod: Occurences
  timeWindow:
    - duration: 28x
      isRolling: true
  objectives:
    - target: 1.5
      targt: 0.9
"""
    workspace, problems = load_text(text)
    assert workspace is None
    found = {(p.code, p.where, p.field) for p in errors(problems)}
    assert found == {
        ("invalid-name", "ws.yaml:4", "metadata.name"),
        ("invalid-value", "ws.yaml:8", "spec.budgetingMethod"),
        ("invalid-duration", "ws.yaml:10", "spec.timeWindow[0].duration"),
        ("target-out-of-range", "ws.yaml:13", "spec.objectives[0].target"),
        ("unknown-field", "ws.yaml:14", "spec.objectives[0].targt"),
        ("missing-reference", "ws.yaml:7", "spec.indicatorRef"),
    }
    by_code = {p.code: p for p in problems}
    assert "Occurrences" in by_code["invalid-value"].fix
    assert "did you mean 'target'" in by_code["unknown-field"].fix
    assert "targetPercent" in by_code["target-out-of-range"].fix


def test_problem_string_has_file_line_field_message_fix_code() -> None:
    _, problems = load_text(slo(ROLLING + "  objectives:\n    - target: 0.99\n      op: gt\n"))
    (problem,) = errors(problems)
    assert str(problem).startswith("ws.yaml:30 spec.objectives[0].op: ")
    assert str(problem).endswith("[op-on-ratio-objective]")
    assert "remove op/value" in problem.fix


def test_targets_are_exact_fractions() -> None:
    body = ROLLING + (
        "  objectives:\n    - displayName: a\n      target: 0.999\n"
        "    - displayName: b\n      targetPercent: 99.95\n"
        "    - targetPercent: 99.9\n"
    )
    workspace, problems = load_text(slo(body))
    assert workspace is not None, problems
    targets = {o.name: o.target for o in workspace.objectives}
    assert targets == {
        "a": Fraction(999, 1000),
        "b": Fraction(9995, 10000),
        "obj-2": Fraction(999, 1000),
    }


def test_single_unnamed_objective_and_series() -> None:
    workspace, _ = load_text(slo(ROLLING + "  objectives:\n    - target: 0.99\n"))
    assert workspace is not None
    (objective,) = workspace.objectives
    assert (objective.slo, objective.name, objective.series) == ("web-slo", "", "avail")
    assert objective.window == RollingWindow(seconds=28 * 86400)
    (rule,) = workspace.event_rules
    assert (rule.series, rule.sli, rule.status, rule.latency_ms) == ("avail", "avail", None, None)


@pytest.mark.parametrize(
    ("target", "code"),
    [("1", "target-out-of-range"), ("0", "target-out-of-range"), ("true", "invalid-type")],
)
def test_target_range(target: str, code: str) -> None:
    _, problems = load_text(slo(ROLLING + f"  objectives:\n    - target: {target}\n"))
    assert codes(errors(problems)) == [code]


@pytest.mark.parametrize(
    ("target", "percent"), [("99.9", "targetPercent: 99.9"), ("100", None), ("1e309", None)]
)
def test_a_target_above_1_suggests_target_percent_only_for_a_percentage(
    target: str, percent: str | None
) -> None:
    # regression: `target: 1e309` suggested `targetPercent: 1E+309`, out of range as well
    _, problems = load_text(slo(ROLLING + f"  objectives:\n    - target: {target}\n"))
    (problem,) = errors(problems)
    assert problem.code == "target-out-of-range"
    if percent is None:
        assert "targetPercent" not in problem.fix
        assert "between 0 and 1" in problem.fix
    else:
        assert percent in problem.fix


def test_target_percent_100_leaves_no_budget() -> None:
    _, problems = load_text(slo(ROLLING + "  objectives:\n    - targetPercent: 100\n"))
    (problem,) = errors(problems)
    assert problem.code == "target-out-of-range"
    assert "no error budget" in problem.fix


def test_calendar_month_in_a_zone() -> None:
    window = (
        "  timeWindow:\n    - duration: 1M\n      isRolling: false\n      calendar:\n"
        "        startTime: 2026-01-01 00:00:00\n        timeZone: America/New_York\n"
    )
    workspace, problems = load_text(slo(window + "  objectives:\n    - target: 0.99\n"))
    assert workspace is not None, problems
    window_ = workspace.objectives[0].window
    assert isinstance(window_, CalendarWindow)
    assert (window_.unit, window_.count, window_.zone) == (
        CalendarUnit.MONTH,
        1,
        "America/New_York",
    )
    assert window_.anchor is not None
    # the same instant, kept on the zone's wall clock (midnight in New York)
    assert window_.anchor == datetime(2026, 1, 1, 5, tzinfo=UTC)
    assert window_.anchor.isoformat() == "2026-01-01T00:00:00-05:00"


DRIFT = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: Drift_Gen
spec:
  service: web
  indicator:
    metadata: {name: drift-latency}
    spec:
      thresholdMetric:
        metricSource: {type: events, spec: {}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Timeslices
  objectives:
    - target: 0.99
"""


def test_an_invalid_name_does_not_hide_the_documents_other_problems() -> None:
    """Every problem at once: the name, and what the spec gets wrong (reported only after a
    rename before) — and nothing more than a valid name would get."""
    _, problems = load_text(DRIFT)
    assert [(p.code, p.field, p.where) for p in errors(problems)] == [
        ("invalid-name", "metadata.name", "ws.yaml:4"),
        ("threshold-needs-op-value", "spec.objectives[0].op", "ws.yaml:15"),
        ("missing-field", "spec.objectives[0].timeSliceTarget", "ws.yaml:15"),
        ("missing-field", "spec.objectives[0].timeSliceWindow", "ws.yaml:15"),
    ]
    _, renamed = load_text(DRIFT.replace("Drift_Gen", "drift-gen"))
    assert [p for p in problems if p.code != "invalid-name"] == renamed


def test_an_invalid_inline_sli_name_does_not_hide_them_either() -> None:
    text = DRIFT.replace("name: drift-latency", "name: Drift_Latency")
    _, problems = load_text(text)
    assert [(p.code, p.field, p.where) for p in errors(problems)] == [
        ("invalid-name", "metadata.name", "ws.yaml:4"),
        ("invalid-name", "spec.indicator.metadata.name", "ws.yaml:8"),
        ("threshold-needs-op-value", "spec.objectives[0].op", "ws.yaml:15"),
        ("missing-field", "spec.objectives[0].timeSliceTarget", "ws.yaml:15"),
        ("missing-field", "spec.objectives[0].timeSliceWindow", "ws.yaml:15"),
    ]
    (said,) = [p for p in problems if p.code == "threshold-needs-op-value"]
    assert "SLI 'Drift_Latency'" in said.message  # the name as written, not a stand-in


def test_an_sli_with_an_invalid_name_reports_its_spec_too() -> None:
    sli = (
        SLI.split("---", maxsplit=1)[0]
        .replace("name: avail", "name: Avail")
        .replace("    total: {metricSource: {type: events, spec: {}}}\n", "")
    )
    _, problems = load_text(sli)
    assert [(p.code, p.field, p.where) for p in errors(problems)] == [
        ("invalid-name", "metadata.name", "ws.yaml:4"),
        ("missing-field", "spec.ratioMetric", "ws.yaml:6"),
    ]


@pytest.mark.parametrize(
    ("window", "code", "severity"),
    [
        ("duration: 1m\n      isRolling: false", "ambiguous-duration", "error"),
        ("duration: 5m\n      isRolling: true", "ambiguous-duration", "warning"),
        ("duration: 1M\n      isRolling: true", "rolling-calendar-unit", "warning"),
        ("duration: 24h\n      isRolling: false", "invalid-window", "error"),
    ],
)
def test_ambiguous_and_invalid_windows(window: str, code: str, severity: str) -> None:
    body = f"  timeWindow:\n    - {window}\n  objectives:\n    - target: 0.99\n"
    _, problems = load_text(slo(body))
    (problem,) = [p for p in problems if p.code == code]
    assert problem.severity == severity
    assert problem.field == "spec.timeWindow[0].duration"
    if code == "ambiguous-duration":
        assert "did you mean" in problem.fix


def test_unknown_time_zone() -> None:
    window = (
        "  timeWindow:\n    - duration: 1M\n      calendar:\n"
        "        startTime: 2026-01-01 00:00:00\n        timeZone: Mars/Olympus\n"
    )
    _, problems = load_text(slo(window + "  objectives:\n    - target: 0.99\n"))
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("invalid-time-zone", "spec.timeWindow[0].calendar.timeZone")
    ]


ZONED_CALENDAR = "      calendar:\n        timeZone: America/New_York\n"
# lines: SLI 1-9, Service 11-15, SLO 17-24, timeWindow 25, duration 26, isRolling 27, calendar 28


@pytest.mark.parametrize("start", ["", "        startTime: 2026-01-01 00:00:00\n"])
def test_a_rolling_window_with_a_calendar_is_one_conflict_with_or_without_start_time(
    start: str,
) -> None:
    """The conflict comes first: adding the startTime a first message asked for used to lead
    to a second message asking to remove the calendar."""
    window = ROLLING + ZONED_CALENDAR + start
    _, problems = load_text(slo(window + "  objectives:\n    - target: 0.99\n"))
    assert [(p.code, p.field, p.where, p.message, p.fix) for p in errors(problems)] == [
        (
            "conflicting-fields",
            "spec.timeWindow[0].calendar",
            "ws.yaml:28",
            "a rolling window cannot have a calendar",
            "remove calendar, or set isRolling: false",
        )
    ]


def test_a_calendar_window_still_needs_a_start_time() -> None:
    window = ROLLING.replace("28d", "1M").replace("true", "false") + ZONED_CALENDAR
    _, problems = load_text(slo(window + "  objectives:\n    - target: 0.99\n"))
    assert [(p.code, p.field, p.where, p.message, p.fix) for p in errors(problems)] == [
        (
            "missing-field",
            "spec.timeWindow[0].calendar.startTime",
            "ws.yaml:28",
            "required field 'startTime' is missing",
            "add startTime",
        )
    ]


def test_timeslices_need_slice_fields() -> None:
    body = ROLLING.replace("Occurrences", "") + "  objectives:\n    - target: 0.99\n"
    text = slo(body).replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")
    _, problems = load_text(text)
    assert {p.field for p in errors(problems)} == {
        "spec.objectives[0].timeSliceTarget",
        "spec.objectives[0].timeSliceWindow",
    }


def test_threshold_sli_needs_op_and_value_and_builds_its_series() -> None:
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: lat
spec:
  service: web
  indicator:
    metadata: {name: checkout-latency}
    spec:
      thresholdMetric: {metricSource: {type: events, spec: {}}}
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
  objectives:
    - {displayName: fast, op: lte, value: 300, target: 0.9}
    - {displayName: ok, op: lte, value: 1000.0, target: 0.99}
"""
    workspace, problems = load_text(text)
    assert workspace is not None, problems
    assert [o.series for o in workspace.objectives] == [
        "checkout-latency:lte300",
        "checkout-latency:lte1000",
    ]
    assert [str(r.latency_ms) for r in workspace.event_rules] == ["<=300", "<=1000"]
    _, problems = load_text(text.replace("op: lte, value: 300, ", ""))
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("threshold-needs-op-value", "spec.objectives[0].op")
    ]


def test_ratio_metric_needs_one_of_good_or_bad_with_total() -> None:
    text = SLI.replace("good:", "bad: {metricSource: {type: x, spec: {}}}\n    good:")
    _, problems = load_text(text)
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("conflicting-fields", "spec.ratioMetric.bad")
    ]


def test_duplicate_names_point_at_both_places() -> None:
    _, problems = load_text(SLI + "---\n" + SLI.split("---\n", maxsplit=1)[0])
    (problem,) = errors(problems)
    assert problem.code == "duplicate-name"
    assert problem.where == "ws.yaml:20"
    assert "ws.yaml:4" in problem.message


def test_a_duplicate_across_two_workspaces_names_the_one_to_give(tmp_path: Path) -> None:
    """A folder given above two workspaces (the demo's: shop/ with its store, proposals/ beside
    it) finds each definition twice; the fix names the folder that holds its own store."""
    service = "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: web\nspec: {}\n"
    (tmp_path / "shop" / ".covenant").mkdir(parents=True)
    (tmp_path / "shop" / "services.yaml").write_text(service)
    (tmp_path / "zproposals").mkdir()
    (tmp_path / "zproposals" / "copy.yaml").write_text(service)
    (tmp_path / "shop" / "again.yaml").write_text(service)
    found = [p for p in validate_paths([tmp_path]) if p.code == "duplicate-name"]
    shop = str(tmp_path / "shop")
    fixes = {Path(p.where.rsplit(":", 1)[0]).name: p.fix for p in found}
    assert fixes == {
        "copy.yaml": "rename one of them, or delete the copy; or, if the two files are of "
        f"different workspaces, give -w the one you mean ({shop} holds its own .covenant/)",
        "services.yaml": "rename one of them, or delete the copy",
    }


def test_missing_service_is_a_warning() -> None:
    workspace, problems = load_text(
        slo(ROLLING + "  objectives:\n    - target: 0.99\n").replace("service: web", "service: x")
    )
    assert workspace is not None
    assert [(p.code, p.severity) for p in problems] == [("unresolved-reference", "warning")]


def test_contract_kinds_are_validated() -> None:
    workspace, problems = load_text(
        "apiVersion: covenant/v1\nkind: Agreement\nmetadata: {name: a}\nspec: {}\n"
    )
    assert workspace is None
    assert {(p.code, p.field) for p in problems} == {
        ("missing-field", "spec.customer"),
        ("missing-field", "spec.versions"),
    }


def test_unknown_kind_suggests() -> None:
    _, problems = load_text("apiVersion: openslo/v1\nkind: Servce\nmetadata: {name: a}\n")
    (problem,) = problems
    assert (problem.code, problem.fix) == ("unknown-kind", "did you mean 'Service'?")


def test_missing_envelope_fields() -> None:
    _, problems = load_text("metadata: {name: a}\nspec: {}\n")
    assert codes(problems) == ["missing-field", "missing-field"]
    assert {p.field for p in problems} == {"apiVersion", "kind"}


COVENANT = """\
apiVersion: covenant/v1
kind: SLI
metadata: {name: checkout}
spec:
  ratioMetric:
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
  events:
    service: shop
    status: {op: lt, value: 500}
    latencyMs: {op: lte, value: 250}
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  indicatorRef: checkout
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives: [{target: 0.999}]
  noDataPolicy: bad
  minimumEvents: 50
  alerting:
    tiers:
      - {name: page-fast, burnRate: 10}
      - {name: ticket-slow, enabled: false}
      - {name: weekly, severity: ticket, longWindow: 7d, shortWindow: 12h, budgetPercent: 25}
"""


def test_covenant_extensions_resolve() -> None:
    workspace, problems = load_text(COVENANT)
    assert workspace is not None, problems
    (objective,) = workspace.objectives
    assert objective.no_data is NoDataPolicy.BAD
    assert objective.minimum_events == 50
    tiers = {t.name: t for t in objective.alert_tiers}
    assert list(tiers) == ["page-fast", "page-slow", "ticket-fast", "weekly"]
    assert tiers["page-fast"].burn_rate == 10
    assert tiers["page-fast"].budget_fraction is None
    assert tiers["page-fast"].long_window_s == 3600
    assert tiers["weekly"].budget_fraction == Fraction(1, 4)
    (rule,) = workspace.event_rules
    assert rule.service == "shop"
    assert (str(rule.status), str(rule.latency_ms)) == ("<500", "<=250")


def test_tier_op_gt_fires_strictly_above() -> None:
    text = COVENANT.replace(
        "      - {name: page-fast, burnRate: 10}", "      - {name: page-fast, burnRate: 10, op: gt}"
    ).replace("budgetPercent: 25}", "budgetPercent: 25, op: gt}")
    workspace, problems = load_text(text)
    assert workspace is not None, problems
    tiers = {t.name: t for t in workspace.objectives[0].alert_tiers}
    assert not tiers["page-fast"].inclusive  # an override changes the default's comparison
    assert not tiers["weekly"].inclusive  # a new tier with op: gt
    assert tiers["page-slow"].inclusive  # the defaults fire at the threshold or above
    _, problems = load_text(text.replace("op: gt}", "op: ge}", 1))
    assert [p.code for p in errors(problems)] == ["invalid-value"]


def test_alerting_defaults_false_and_incomplete_new_tier() -> None:
    text = COVENANT.replace("    tiers:\n", "    defaults: false\n    tiers:\n")
    _, problems = load_text(text)
    # page-fast no longer exists as a default, so it is a new, incomplete tier
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("invalid-alert-tier", "spec.alerting.tiers[0]")
    ]


def with_condition(lookback: str, after: str) -> str:
    """The SLO with one alert policy of one burn-rate condition (14.4 over ``lookback``)."""
    return slo(
        ROLLING
        + "  objectives:\n    - target: 0.99\n  alertPolicies:\n    - alertPolicyRef: fast\n"
    ) + (
        "---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: fast}\nspec:\n"
        "  conditions: [{conditionRef: burn}]\n  notificationTargets: []\n"
        "---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: burn}\nspec:\n"
        "  severity: page\n  condition: {kind: burnrate, op: gte, threshold: 14.4, "
        f"lookbackWindow: {lookback}, alertAfter: {after}}}\n"
    )


def test_burnrate_conditions_become_tiers() -> None:
    workspace, problems = load_text(with_condition("1h", "5m"))
    assert workspace is not None, problems
    (tier,) = workspace.objectives[0].alert_tiers
    assert (tier.name, tier.severity, tier.long_window_s, tier.short_window_s) == (
        "burn",
        "page",
        3600,
        300,
    )
    assert tier.burn_rate == Fraction(144, 10)
    assert tier.for_s == 300


@pytest.mark.parametrize(
    ("lookback", "after", "short_s", "for_s"),
    [
        # whole minutes: long / 12 as is
        ("6h", "0m", 30 * 60, 0),  # OpenSLO's default pending period, written out
        ("2h", "0h", 10 * 60, 0),
        # not whole minutes: the engine counts the minutes a window holds (90m / 12 = 7m30s
        # holds 7), and a window under a minute none (its tier could never fire): 1 at least
        ("90m", "1m", 7 * 60, 60),
        ("7m", "2m", 60, 120),
        ("5m", "0m", 60, 0),
    ],
)
def test_a_conditions_short_window_is_whole_minutes(
    lookback: str, after: str, short_s: int, for_s: int
) -> None:
    workspace, problems = load_text(with_condition(lookback, after))
    assert workspace is not None, problems
    (tier,) = workspace.objectives[0].alert_tiers
    assert (tier.short_window_s, tier.for_s) == (short_s, for_s)


def test_two_objectives_with_the_same_prometheus_labels_are_refused() -> None:
    # two SLOs of one service with names of their own: valid
    base = slo(ROLLING + "  objectives:\n    - target: 0.99\n")
    other = base.split("---\n", 1)[1]
    apart = base + "---\n" + other.replace("name: web-slo", "name: web-slo-2")
    workspace, problems = load_text(apart)
    assert workspace is not None, problems
    # objectives "Strict" and "strict!" of one SLO: both sloth_slo "web-slo-strict"
    two = slo(
        ROLLING + "  objectives:\n    - {displayName: Strict, target: 0.99}\n"
        "    - {displayName: 'strict!', target: 0.9}\n"
    )
    _, problems = load_text(two)
    (found,) = errors(problems)
    assert (found.code, found.field) == ("duplicate-name", "metadata.name")
    assert "SLO 'web-slo' objective 'strict!' has the sloth_id of SLO 'web-slo' " in (found.message)
    assert "sloth_slo 'web-slo-strict'" in found.message
    # an SLO named after another's objective: "web-slo-strict" has sloth_slo "web-slo-strict"
    one = slo(
        ROLLING + "  objectives:\n    - {displayName: Strict, target: 0.99}\n"
        "    - {displayName: Loose, target: 0.9}\n"
    )
    clash = (
        one + "---\n" + base.split("---\n", 1)[1].replace("name: web-slo", "name: web-slo-strict")
    )
    _, problems = load_text(clash)
    (found,) = errors(problems)
    assert "SLO 'web-slo-strict' has the sloth_id of SLO 'web-slo' objective 'Strict'" in (
        found.message
    )
    # SLO "c" of service "a-b" and SLO "b-c" of service "a": both sloth_id "a-b-c"
    first = base.replace("name: web-slo", "name: c").replace("service: web", "service: a-b")
    second = base.split("---\n", 1)[1]
    second = second.replace("name: web-slo", "name: b-c").replace("service: web", "service: a")
    _, problems = load_text(first + "---\n" + second)
    (found,) = errors(problems)
    assert "SLO 'b-c' has the sloth_id of SLO 'c', 'a-b-c' (sloth_service 'a'" in found.message


def test_annotations_carry_the_extensions() -> None:
    meta = (
        "  annotations:\n    covenant.dev/no-data-policy: good\n"
        "    covenant.dev/minimum-events: '7'\n"
        '    covenant.dev/alerting: \'{"defaults": false, "tiers": [{"name": "x", '
        '"severity": "page", "longWindow": "1h", "shortWindow": "5m", "burnRate": 2}]}\'\n'
    )
    workspace, problems = load_text(
        slo(ROLLING + "  objectives:\n    - target: 0.99\n", extra_meta=meta)
    )
    assert workspace is not None, problems
    (objective,) = workspace.objectives
    assert (objective.no_data, objective.minimum_events) == (NoDataPolicy.GOOD, 7)
    assert [t.name for t in objective.alert_tiers] == ["x"]


def test_bad_annotation_points_at_its_key() -> None:
    meta = '  annotations:\n    covenant.dev/alerting: \'{"tiers": [{"nme": "x"}]}\'\n'
    _, problems = load_text(slo(ROLLING + "  objectives:\n    - target: 0.99\n", extra_meta=meta))
    found = {(p.code, p.where, p.field) for p in errors(problems)}
    assert (
        "unknown-field",
        "ws.yaml:22",
        "metadata.annotations[covenant.dev/alerting].tiers[0].nme",
    ) in found


MISPLACED_FIELDS = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: payments}
spec:
  service: payments
  budgetingMethod: Occurrences
  timeWindows: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: payments}
    spec:
      thresholdMetric:
        metricSource: {metricSourceType: Prometheus, spec: {query: latency}}
  objectives:
    - target: 0.99
      op: lte
      value: 300
      timeWindow: [{duration: 28d, isRolling: true}]
      ratioMetrics: {good: {query: a}, total: {query: b}}
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast}
      spec:
        conditions: [{threshold: 14.4}]
        notificationTargets: []
"""


def test_fields_real_files_put_in_the_wrong_place_say_where_they_go() -> None:
    """Real OpenSLO files (siasia86's objective timeWindow, a k8s proxy's metricSourceType, a
    blog's v1alpha ratioMetrics and flat conditions in v1): "did you mean 'timeSliceWindow'" or
    "remove it" led to another error; the fix now says where the field belongs."""
    _, problems = load_text(MISPLACED_FIELDS)
    fixes = {p.field.rsplit(".", 1)[-1]: p.fix for p in problems if p.code == "unknown-field"}
    assert fixes["timeWindow"].startswith("timeWindow belongs to the SLO's spec")
    assert fixes["timeWindows"].startswith("timeWindows is openslo/v1alpha's")
    assert fixes["ratioMetrics"].startswith("ratioMetrics is openslo/v1alpha's")
    assert fixes["metricSourceType"] == "rename metricSourceType to type"
    assert fixes["threshold"].startswith("threshold goes in the condition's spec.condition")


def test_metric_source_type_is_one_problem() -> None:
    """A k8s platform's implementation plan writes OpenSLO SLOs whose metric sources say
    ``metricSourceType: Prometheus`` (no ``type``, no ``metricSourceRef``). Each source was two
    errors for one mistake: the unknown key, and at its parent "metricSource needs type or
    metricSourceRef". Now one, at the key's line; the rename is its fix. Expected by hand:
    OpenSLO v1's metricSource key is ``type`` (the spec's SLI section)."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: bootstrap}
spec:
  service: cloud
  indicator:
    metadata: {name: bootstrap-ok}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceType: Prometheus
            spec: {query: 'sum(boot_total{outcome="success"})'}
        total:
          metricSource:
            metricSourceType: Prometheus
            spec: {query: sum(boot_total)}
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives: [{target: 0.995}]
"""
    _, problems = load_text(text)
    source = "spec.indicator.spec.ratioMetric.{}.metricSource.metricSourceType"
    assert sorted((p.where, p.code, p.field, p.fix) for p in errors(problems)) == [
        ("ws.yaml:13", "unknown-field", source.format("good"), "rename metricSourceType to type"),
        ("ws.yaml:17", "unknown-field", source.format("total"), "rename metricSourceType to type"),
    ]


def test_an_unknown_field_does_not_hide_the_documents_other_problems() -> None:
    """A k8s proxy's SLO (helper round 3) wrote ``metricSourceType`` and a Timeslices SLO
    without timeSliceTarget/Window: the unknown field alone was said, the rest only after it
    was fixed. The document is now checked without the unknown field too."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: proxy-latency}
spec:
  service: proxy
  budgetingMethod: Timeslices
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: proxy-latency}
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: latency}, flavour: x}
  objectives: [{target: 0.99, op: lte, value: 300}]
"""
    _, problems = load_text(text)
    assert sorted((p.code, p.field) for p in errors(problems)) == [
        ("missing-field", "spec.objectives[0].timeSliceTarget"),
        ("missing-field", "spec.objectives[0].timeSliceWindow"),
        ("unknown-field", "spec.indicator.spec.thresholdMetric.metricSource.flavour"),
    ]


def test_an_inline_indicator_with_a_document_header_says_what_the_inline_form_is() -> None:
    """OpenSLO's inline indicator is an SLI's metadata and spec (the spec's SLO example; the
    go-sdk's SLOIndicatorInline holds those two and is decoded with unknown fields refused, so
    oslo refuses apiVersion/kind there too). "remove it" did not say why a header that is right
    on an SLI document is wrong here, nor the other way: its own document and indicatorRef."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    apiVersion: openslo/v1
    kind: SLI
    metadata: {name: api-good}
    spec:
      ratioMetric:
        good: {metricSource: {type: Prometheus, spec: {query: good}}}
        total: {metricSource: {type: Prometheus, spec: {query: total}}}
  objectives: [{target: 0.99}]
"""
    _, problems = load_text(text)
    found = {p.field: p.fix for p in problems if p.code == "unknown-field"}
    assert set(found) == {"spec.indicator.apiVersion", "spec.indicator.kind"}
    for fix in found.values():
        assert fix.startswith("an inline indicator is an SLI's metadata and spec only")
        assert "indicatorRef: <its name>" in fix


NOBL9_FIELDS_IN_OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
  project: consumer-reservations
spec:
  service: search
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicatorRef: search
  objectives:
  - displayName: latency
    op: lte
    value: 300
    target: 0.995
    rawMetric: {query: {prometheus: {promql: latency}}}
  - displayName: availability
    target: 0.99
    countMetrics:
      incremental: true
      good: {prometheus: {promql: good}}
      total: {prometheus: {promql: total}}
"""


def test_nobl9_fields_in_an_openslo_file_say_where_openslo_puts_them() -> None:
    """A Nobl9 SLO given `apiVersion: openslo/v1` (nobl9/sepich-nobl9-demo-org,
    catalog/projects/consumer-reservations/services/search/slos/search-availability.yaml keeps
    metadata.project and an objective's rawMetric; Nobl9's countMetrics is the ratio form, as
    the early OpenSLO README wrote it). "remove it; allowed here: …" dropped the SLI's queries
    without saying where OpenSLO writes them."""
    _, problems = load_text(NOBL9_FIELDS_IN_OPENSLO)
    fixes = {p.field: p.fix for p in problems if p.code == "unknown-field"}
    assert fixes["metadata.project"].startswith("metadata.project is Nobl9's (n9/v1alpha)")
    assert "labels: {project: …}" in fixes["metadata.project"]
    raw = fixes["spec.objectives[0].rawMetric"]
    assert raw.startswith("rawMetric is Nobl9's")
    assert "thresholdMetric" in raw
    count = fixes["spec.objectives[1].countMetrics"]
    assert count.startswith("countMetrics is Nobl9's")
    assert "ratioMetric" in count


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("yEs", 'the string "yEs"'),
        ("oN", 'the string "oN"'),
        ("t", 'the string "t"'),
        ('"true"', 'the string "true"'),
        ("1", "the number 1"),
    ],
)
def test_a_flag_that_is_no_yaml_boolean_is_an_error_not_a_half_read_true(
    written: str, found: str
) -> None:
    """``counter: 1`` or ``alertWhenNoData: "true"`` validated (pydantic's lax bool read them
    as true) while the readers of the file's own values (the export, the worker's alert
    switches) did not. An OpenSLO flag is ``true`` or ``false``, or one of the YAML 1.1
    spellings the reference reads as a boolean (yes, On, NO…: test_yaml11_flags)."""
    window = f"  timeWindow:\n    - duration: 28d\n      isRolling: {written}\n"
    _, problems = load_text(slo(window + "  objectives:\n    - target: 0.99\n"))
    (problem,) = errors(problems)
    assert problem.code == "invalid-type"
    assert problem.field == "spec.timeWindow[0].isRolling"
    assert problem.message == f"expected a boolean (true/false), got {found}"
    assert problem.fix.startswith("write true")
    policy = (
        "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: p}\nspec:\n"
        f"  alertWhenNoData: {written}\n  conditions: []\n  notificationTargets: []\n"
    )
    _, problems = load_text(policy)
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("invalid-type", "spec.alertWhenNoData"),
        ("invalid-value", "spec.conditions"),  # no condition: said beside the flag's problem
    ]


@pytest.mark.parametrize(("kind", "meant"), [("Slo", "SLO"), ("sli", "SLI"), ("slo", "SLO")])
def test_unknown_kind_in_the_wrong_case_suggests_the_kind(kind: str, meant: str) -> None:
    # difflib alone finds nothing for three letters of which two differ in case
    _, problems = load_text(f"apiVersion: openslo/v1\nkind: {kind}\nmetadata: {{name: a}}\n")
    (problem,) = problems
    assert (problem.code, problem.fix) == ("unknown-kind", f"did you mean {meant!r}?")


@pytest.mark.parametrize(
    ("target", "low", "budget"),
    [
        # 1.5: 1.5 % good is 0.015; 1.5 % of budget leaves 100 - 1.5 = 98.5 % good, 0.985
        ("1.5", "targetPercent: 1.5 (target: 0.015)", "targetPercent: 98.5 (target: 0.985)"),
        # 5: 5 % good is 0.05; a 5 % budget is 95 % good, 0.95
        ("5", "targetPercent: 5 (target: 0.05)", "targetPercent: 95 (target: 0.95)"),
        # 49.99: 0.4999; a 49.99 % budget is 50.01 % good, 0.5001
        ("49.99", "targetPercent: 49.99 (target: 0.4999)", "targetPercent: 50.01 (target: 0.5001)"),
    ],
)
def test_a_low_target_above_1_gets_both_readings(target: str, low: str, budget: str) -> None:
    # regression: `target: 1.5` got only "targetPercent: 1.5", i.e. 1.5 % of events good,
    # when a typo for 0.985 (a 1.5 % error budget) is as likely
    _, problems = load_text(slo(ROLLING + f"  objectives:\n    - target: {target}\n"))
    (problem,) = errors(problems)
    assert problem.code == "target-out-of-range"
    assert f"% of events must be good, write {low}" in problem.fix
    assert f"is the error budget (the bad events allowed), write {budget}" in problem.fix


def test_a_target_from_50_reads_as_a_percentage_alone() -> None:
    # 50 and up (99.9 as tested above): the percentage reading only, as before
    _, problems = load_text(slo(ROLLING + "  objectives:\n    - target: 50\n"))
    (problem,) = errors(problems)
    assert problem.fix == "write a ratio, e.g. 0.999; for a percentage use targetPercent: 50"
