"""Generated Prometheus rules: promtool accepts them, names follow Sloth's, alerts compare exact
bounds, and every objective without rules is reported with the reason."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from covenant.core.model import CalendarUnit, CalendarWindow, Objective, RollingWindow
from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.definitions.workspace import analyse_text, load_workspace
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from covenant.render.prom_windows import period_of, range_of, tier_bounds
from covenant.services.prom_rules import plan_rules

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "prometheus"
COUNTS = SeriesQueries(
    series="api",
    slos=("api-availability",),
    sli="api",
    source=PrometheusSource(name="prometheus", url="http://localhost:9090"),
    total='sum(increase(http_requests_total{job="api"}[{{.window}}]))',
    good='sum(increase(http_requests_total{job="api", code!~"5.."}[{{.window}}]))',
)


def _objective(**changes: object) -> Objective:
    fields: dict[str, object] = {
        "slo": "api-availability",
        "name": "",
        "series": "api",
        "target": Fraction(999, 1000),
        "window": RollingWindow(seconds=30 * 86400),
        "service": "api",
        "sli": "api",
    }
    fields.update(changes)
    return Objective(**fields)  # type: ignore[arg-type]


def _check(promtool: str, text: str, tmp_path: Path) -> str:
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_example_rules_pass_promtool(promtool: str, tmp_path: Path) -> None:
    plan = plan_rules(load_workspace(EXAMPLE))
    out = _check(promtool, rules_yaml(rule_groups(plan.targets)), tmp_path)
    assert "SUCCESS" in out
    assert [t.objective.key for t in plan.targets] == [
        "api-availability",
        "api-availability-monthly",
        "api-latency",
    ]


def test_the_prometheusrule_form_holds_the_same_groups(promtool: str, tmp_path: Path) -> None:
    plan = plan_rules(load_workspace(EXAMPLE))
    groups = rule_groups(plan.targets)
    doc = yaml.safe_load(rules_yaml(groups, operator=True))
    assert doc["apiVersion"] == "monitoring.coreos.com/v1"
    assert doc["kind"] == "PrometheusRule"
    assert doc["spec"]["groups"] == groups
    _check(promtool, yaml.safe_dump({"groups": doc["spec"]["groups"]}), tmp_path)


def test_objectives_without_rules_are_reported_with_the_reason() -> None:
    plan = plan_rules(load_workspace(EXAMPLE))
    assert [(s.objective, s.reason.split(";")[0]) for s in plan.skipped] == [
        ("api-latency-weekly", "Timeslices counts time slices")
    ]


def test_a_promql_error_is_caught_by_promtool(promtool: str, tmp_path: Path) -> None:
    """The check can fail: promtool rejects a broken expression."""
    path = tmp_path / "bad.yml"
    path.write_text("groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(\n")
    done = subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0


def test_sloth_names_and_labels() -> None:
    target = RuleTarget(objective=_objective(), counts=COUNTS)
    records = {r["record"]: r for g in rule_groups([target]) for r in g["rules"] if "record" in r}
    for name in (
        "slo:sli_error:ratio_rate5m",
        "slo:sli_error:ratio_rate30m",
        "slo:sli_error:ratio_rate1h",
        "slo:sli_error:ratio_rate2h",
        "slo:sli_error:ratio_rate6h",
        "slo:sli_error:ratio_rate1d",
        "slo:sli_error:ratio_rate3d",
        "slo:sli_error:ratio_rate30d",
        "slo:objective:ratio",
        "slo:error_budget:ratio",
        "slo:time_period:days",
        "slo:current_burn_rate:ratio",
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
        "sloth_slo_info",
    ):
        labels = records[name]["labels"]
        assert labels["sloth_id"] == "api-api-availability"
        assert labels["sloth_service"] == "api"
        assert labels["sloth_slo"] == "api-availability"
    assert records["slo:sli_error:ratio_rate1h"]["labels"]["sloth_window"] == "1h"
    assert records["slo:objective:ratio"]["expr"] == "vector(0.999)"
    assert records["slo:time_period:days"]["expr"] == "vector(30.0)"


def test_window_counts_sum_exactly_the_minutes_of_the_window() -> None:
    """One millisecond short of the window: 60 one-minute points, whether the range is closed at
    both ends (Prometheus 2) or open on the left (Prometheus 3)."""
    assert range_of(3600) == "59m59s999ms"
    assert range_of(30 * 86400) == "29d23h59m59s999ms"
    target = RuleTarget(objective=_objective(), counts=COUNTS)
    records = {
        r["record"]: r["expr"] for g in rule_groups([target]) for r in g["rules"] if "record" in r
    }
    assert records["covenant:sli_total:count1h"].startswith(
        "sum_over_time(covenant:sli_total:count1m{"
    )
    assert records["covenant:sli_total:count1h"].endswith("[59m59s999ms])")


def test_alerts_compare_exact_integer_bounds() -> None:
    """14.4 × (1 − 0.999) = 0.0144 = 9/625: the page-fast alert compares 625 × bad ≥ 9 × total."""
    target = RuleTarget(objective=_objective(), counts=COUNTS)
    rules = [r for g in rule_groups([target]) for r in g["rules"] if "alert" in r]
    assert [r["labels"]["covenant_tier"] for r in rules] == [
        "page-fast",
        "page-slow",
        "ticket-fast",
        "ticket-slow",
    ]
    assert [r["labels"]["sloth_severity"] for r in rules] == ["page", "page", "ticket", "ticket"]
    page_fast = rules[0]["expr"]
    assert "625 * (covenant:sli_total:count1h" in page_fast
    assert ">= 9 * covenant:sli_total:count1h" in page_fast
    assert "625 * (covenant:sli_total:count5m" in page_fast
    strict = _objective(alert_tiers=(rules_tier(inclusive=False),))
    (alert,) = [
        r
        for g in rule_groups([RuleTarget(objective=strict, counts=COUNTS)])
        for r in g["rules"]
        if "alert" in r
    ]
    assert " > 1 * covenant:sli_total" in alert["expr"]
    # and says so: op gt fires strictly above its threshold
    assert "burns above the t threshold" in alert["annotations"]["summary"]


def rules_tier(*, inclusive: bool) -> object:
    from covenant.core.model import AlertTier  # noqa: PLC0415

    return AlertTier(
        name="t",
        severity="page",
        long_window_s=3600,
        short_window_s=300,
        burn_rate=Fraction(1),
        inclusive=inclusive,
    )


def test_minimum_events_guard_both_windows() -> None:
    target = RuleTarget(objective=_objective(minimum_events=20), counts=COUNTS)
    alert = next(r for g in rule_groups([target]) for r in g["rules"] if "alert" in r)
    assert len(re.findall(r">= 20\)", alert["expr"])) == 2


def test_a_calendar_month_has_one_bound_per_month_length() -> None:
    """page-fast at 99.9 % on a month: 2 % × D days / 1 h, so 13.44, 13.92, 14.4, 14.88."""
    month = _objective(window=CalendarWindow(unit=CalendarUnit.MONTH))
    tier = month.alert_tiers[0]
    bounds = tier_bounds(month, tier)
    expected = [Fraction(2, 100) * d * 24 / 1000 for d in (28, 29, 30, 31)]
    assert [b for b, _ in bounds] == expected
    assert all(guard and guard.startswith("days_in_month(") for _, guard in bounds)


def test_calendar_windows_in_a_dst_zone_read_the_offset_table() -> None:
    """Europe/Berlin: the offset in force from its transitions (tests/render/test_prom_dst.py
    runs them across the changes); a fixed offset stays a constant."""
    found = period_of(CalendarWindow(unit=CalendarUnit.MONTH, zone="Europe/Berlin"))
    assert not isinstance(found, str)
    assert found.seasonal
    assert found.offset_expr is not None
    assert found.offset_expr.startswith("vector(3600 + 3600 * (time() >= bool ")
    assert [n for n, _ in found.lengths] == [
        28 * 86400,
        29 * 86400,
        30 * 86400,
        31 * 86400 - 3600,
        31 * 86400,
        31 * 86400 + 3600,
    ]
    fixed = period_of(CalendarWindow(unit=CalendarUnit.MONTH, zone="Asia/Kolkata"))
    assert not isinstance(fixed, str)
    assert "+ 19800" in fixed.id_expr


NOT_PROMETHEUS = """
apiVersion: openslo/v1
kind: DataSource
metadata: {name: dd}
spec: {type: Datadog, connectionDetails: {}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  indicator:
    metadata: {name: checkout}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {metricSourceRef: dd, spec: {query: good}}}
        total: {metricSource: {metricSourceRef: dd, spec: {query: total}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""


def test_an_sli_outside_prometheus_is_reported_not_skipped() -> None:
    workspace, problems = analyse_text(NOT_PROMETHEUS)
    assert workspace is not None, problems
    plan = plan_rules(workspace)
    assert plan.targets == ()
    (skipped,) = plan.skipped
    assert skipped.objective == "checkout"
    assert "no Prometheus DataSource" in skipped.reason


@pytest.mark.parametrize("query", ["sum(rate(x[1m]))", "x / y"])
def test_a_query_without_count_form_is_reported(query: str) -> None:
    text = (
        NOT_PROMETHEUS.replace(
            "type: Datadog, connectionDetails: {}",
            "type: Prometheus, connectionDetails: {url: 'http://localhost:9090'}",
        )
        .replace("metricSourceRef: dd", "metricSourceRef: dd, type: Prometheus")
        .replace("query: good", f"query: '{query}'")
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    (skipped,) = plan_rules(workspace).skipped
    assert "{{.window}}" in skipped.reason


CALENDAR_WINDOWS = pytest.mark.parametrize(  # every form of calendar period expression
    "window",
    [
        CalendarWindow(unit=CalendarUnit.DAY),
        CalendarWindow(unit=CalendarUnit.WEEK),
        CalendarWindow(unit=CalendarUnit.MONTH, zone="Asia/Kolkata"),
        CalendarWindow(unit=CalendarUnit.MONTH, zone="Europe/Berlin"),
        CalendarWindow(unit=CalendarUnit.DAY, zone="America/Havana"),
        CalendarWindow(unit=CalendarUnit.QUARTER),  # the quarter's days from a leap-year test
        CalendarWindow(unit=CalendarUnit.QUARTER, zone="Europe/Berlin"),
        CalendarWindow(unit=CalendarUnit.YEAR, zone="Asia/Kolkata"),
    ],
    ids=[
        "day",
        "week",
        "kolkata-month",
        "berlin-month",
        "havana-day",
        "quarter",
        "berlin-quarter",
        "kolkata-year",
    ],
)


@CALENDAR_WINDOWS
def test_calendar_rules_pass_promtool(
    promtool: str, window: CalendarWindow, tmp_path: Path
) -> None:
    target = RuleTarget(objective=_objective(window=window), counts=COUNTS)
    assert "SUCCESS" in _check(promtool, rules_yaml(rule_groups([target])), tmp_path)


def test_the_command_lists_every_skipped_objective_and_fails_when_none_is_left(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(NOT_PROMETHEUS, encoding="utf-8")
    for args in (["rules", "prometheus"], ["dashboards", "grafana", "--out", str(tmp_path / "d")]):
        result = CliRunner().invoke(app, [*args, "-w", str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "skipped checkout: " in result.output
        assert "no objective gets Prometheus rules" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "d").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "ds.yaml").write_text(
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prometheus}\n"
        "spec: {type: Prometheus, connectionDetails: {url: 'http://localhost:9090'}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["rules", "prometheus", "-w", str(empty)])
    assert result.exit_code == 1, result.output
    assert "the workspace defines no SLO" in result.output
    assert "listed above" not in result.output


def test_the_command_writes_the_rules_and_names_the_skipped(promtool: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    out = tmp_path / "rules.yml"
    result = CliRunner().invoke(app, ["rules", "prometheus", "-w", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped api-latency-weekly: Timeslices" in result.output
    assert "SUCCESS" in _check(promtool, out.read_text(encoding="utf-8"), tmp_path)


def test_a_one_minute_alert_window_records_each_count_once(promtool: str, tmp_path: Path) -> None:
    """Pyrra's windows scaled to a one-day SLO give a 1m short window: its counts are the
    minute's counts already recorded, so no second rule may record the same series (promtool's
    duplicate-rules lint fails the file, and Prometheus would record two values)."""
    from covenant.core.model import AlertTier  # noqa: PLC0415

    tier = AlertTier(
        name="page-2",
        severity="page",
        long_window_s=13 * 60,
        short_window_s=60,
        burn_rate=Fraction(7),
        inclusive=False,
    )
    objective = _objective(window=RollingWindow(seconds=86400), alert_tiers=(tier,))
    groups = rule_groups([RuleTarget(objective=objective, counts=COUNTS)])
    keys = [
        (r["record"], tuple(sorted(r["labels"].items())))
        for g in groups
        for r in g["rules"]
        if "record" in r
    ]
    assert len(keys) == len(set(keys))
    windows = {
        dict(labels).get("sloth_window") for record, labels in keys if "ratio_rate" in record
    }
    assert {"1m", "13m"} <= windows
    # and Sloth's windows, whatever the tiers (its dashboards draw them), also with none
    sloths = {"5m", "30m", "1h", "2h", "6h", "1d", "3d"}
    assert sloths <= windows
    bare = _objective(window=RollingWindow(seconds=86400), alert_tiers=())
    recorded = {
        r["labels"].get("sloth_window")
        for g in rule_groups([RuleTarget(objective=bare, counts=COUNTS)])
        for r in g["rules"]
        if "ratio_rate" in r.get("record", "")
    }
    assert sloths <= recorded
    _check(promtool, rules_yaml(groups), tmp_path)


@pytest.mark.parametrize("operator", [False, True])
def test_the_file_written_group_by_group_is_what_one_dump_writes(operator: bool) -> None:
    """The groups are dumped one at a time (5,000 SLOs' YAML nodes never in memory at once):
    the text is the same as PyYAML's dump of the whole document, folding and all."""
    groups = rule_groups(plan_rules(load_workspace(ROOT / "examples" / "shop")).targets)
    written = rules_yaml(groups, operator=operator, name="x", labels={"release": "p"})
    body = written[written.index("\ngroups:" if not operator else "\napiVersion") + 1 :]
    if operator:
        whole = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": {
                "name": "x",
                "labels": {"app.kubernetes.io/managed-by": "covenant", "release": "p"},
            },
            "spec": {"groups": groups},
        }
    else:
        whole = {"groups": groups}
    one = yaml.dump(whole, Dumper=_Literal, sort_keys=False, allow_unicode=True, width=100)
    assert body == one


class _Literal(yaml.SafeDumper):  # type: ignore[misc]
    """PyYAML's own (pure Python) dumper, multi-line strings as literal blocks."""


_Literal.add_representer(
    str,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None),
)


@pytest.mark.parametrize(
    ("target", "label"),
    [
        ("0.999", "99.9"),
        ("0.99", "99"),
        ("0.99875", "99.875"),
        ("0.9999999999999999999", "99.99999999999999999"),
    ],
)
def test_sloth_objective_is_the_target_in_percent_as_written(target: str, label: str) -> None:
    """Sloth's ``sloth_objective`` label: the percent written, never rounded to ``100``."""
    o = _objective(target=Fraction(target))
    (info,) = [
        r
        for g in rule_groups([RuleTarget(objective=o, counts=COUNTS)])
        for r in g["rules"]
        if r.get("record") == "sloth_slo_info"
    ]
    assert info["labels"]["sloth_objective"] == label


def test_a_sum_of_two_counts_is_recorded_as_written(promtool: str, tmp_path: Path) -> None:
    """mdbdba/roller's Sloth total, ok + failed: the counter rewrite took the whole sum for one
    selector and wrote rules Prometheus cannot parse. It is recorded as written (as the reader
    reads it), over the last minute."""
    two = "sum(increase(ok_total[{{.window}}])) + sum(increase(failed_total[{{.window}}]))"
    counts = SeriesQueries(
        series="roller",
        slos=("roller",),
        sli="roller",
        source=COUNTS.source,
        total=two,
        bad="sum(increase(failed_total[{{.window}}]))",
    )
    target = RuleTarget(objective=_objective(slo="roller", series="roller"), counts=counts)
    text = rules_yaml(rule_groups([target]))
    _check(promtool, text, tmp_path)
    records = {
        r["record"]: r["expr"] for g in rule_groups([target]) for r in g["rules"] if "record" in r
    }
    assert records["covenant:sli_total:count1m"] == (
        "sum(increase(ok_total[1m])) + sum(increase(failed_total[1m]))"
    )
