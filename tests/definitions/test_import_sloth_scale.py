"""A Sloth query part that does not grow with the window is not read as counts silently.

Sloth divides ``error_query`` by ``total_query`` as written, over per-second rates; Covenant
reads ``rate(x[{{.window}}])`` as ``increase(x[{{.window}}])``, the count per window. That is
the same SLI only when every part of the query scales with the window. A real shape (VSHN's
AppCat uptime SLOs, rendered from their jsonnet) subtracts a maintenance flag (a 0/1 scalar)
and keeps what is above zero::

    (sum(rate(probes{reason!="success"}[{{.window}}])) by (…) or vector(0))
      - appcat:cluster:maintenance > 0

Worked by hand: 0.1 failed probes per second and maintenance = 1. Sloth: 0.1 - 1 = -0.9, not
above 0, so the window has no errors (maintenance suppresses them). Read as counts over a
one-minute bucket: 6 - 1 = 5 errors in every minute of the maintenance. Such an SLO is left
out with its reason; shapes that do scale (``or vector(0)``, ``> 0``, ``* 60``,
``clamp_min(…, 0)``, ``unless on() (m > 0)``) import as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.importers.promql_scale import unscaled_part
from covenant.services.importing import ImportPlan, plan_import

PROBES = 'appcat_probes_seconds_count{service="VSHNPostgreSQL"}'
FAILED = 'appcat_probes_seconds_count{reason!="success", service="VSHNPostgreSQL"}'


def spec(error: str, total: str, *, name: str = "uptime") -> str:
    return (
        f"  - name: {name}\n"
        "    objective: 99.9\n"
        "    sli:\n"
        "      events:\n"
        f"        error_query: '{error}'\n"
        f"        total_query: '{total}'\n"
        "    alerting:\n"
        "      page_alert: {disable: true}\n"
        "      ticket_alert: {disable: true}\n"
    )


def planned(tmp_path: Path, slos: str) -> ImportPlan:
    source = tmp_path / "slos.yaml"
    source.write_text(
        'version: "prometheus/v1"\nservice: vshn-postgresql\nslos:\n' + slos, encoding="utf-8"
    )
    return plan_import("sloth", [source], into=tmp_path / "ws")


def test_a_maintenance_flag_subtracted_from_rates_leaves_the_slo_out(tmp_path: Path) -> None:
    vshn = spec(
        f"(sum(rate({FAILED}[{{{{.window}}}}])) by (service, name) or vector(0))"
        " - appcat:cluster:maintenance > 0",
        f"(sum(rate({PROBES}[{{{{.window}}}}])) by (service, name) or vector(0))"
        " - appcat:cluster:maintenance > 0",
    )
    plain = spec(
        f"sum(rate({FAILED}[{{{{.window}}}}])) or vector(0)",
        f"sum(rate({PROBES}[{{{{.window}}}}]))",
        name="plain",
    )
    plan = planned(tmp_path, vshn + plain)
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["plain"]
    (left,) = [n for n in file.imported.notes if n.skipped]
    assert left.field == "slos[0].sli.events.error_query"
    assert left.reason.startswith(
        "it adds or subtracts appcat:cluster:maintenance, which does not grow with the window"
    )
    assert "unless on() (maintenance > 0)" in left.reason


@pytest.mark.parametrize(
    ("error", "part"),
    [
        ("sum(rate(e[{{.window}}])) - 1", "it adds or subtracts 1"),
        ("sum(rate(e[{{.window}}])) > 0.5", "it compares a count per window with 0.5"),
        (
            "sum(rate(e[{{.window}}])) + sum(rate(f[5m]))",
            "it adds or subtracts sum(rate(f[5m]))",
        ),
        (
            "sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))",
            "it divides by a count per window (sum(increase(t[{{.window}}]))): a ratio",
        ),
        ("clamp_min(sum(rate(e[{{.window}}])), 1)", "clamp_min() bounds a count per window by 1"),
    ],
)
def test_parts_that_do_not_scale_are_named(tmp_path: Path, error: str, part: str) -> None:
    plan = planned(tmp_path, spec(error, "sum(rate(t[{{.window}}]))"))
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == []
    (left,) = [n for n in file.imported.notes if n.skipped]
    assert left.reason.startswith(part)


@pytest.mark.parametrize(
    "error",
    [
        "sum(rate(e[{{.window}}])) or vector(0)",
        "sum(rate(e[{{.window}}])) > 0",
        "sum(rate(e[{{.window}}])) * 60",
        "sum(rate(e[{{.window}}])) * on() group_left() max(up)",
        # giantswarm's controller-manager latency SLO: count − bucket, clamped at 0
        "clamp_min(sum(rate(c[{{.window}}])) by (cluster_id)"
        ' - sum(rate(b{le="10"}[{{.window}}])) by (cluster_id), 0)',
        "sum(rate(e[{{.window}}])) unless on() (appcat:cluster:maintenance > 0)",
        "(sum(rate(e[{{.window}}]) or 0*rate(t[{{.window}}])) by (name) or vector(0)) > 0",
        "sum(avg_over_time(probe_success[{{.window}}]) < 1)",
    ],
)
def test_parts_that_scale_are_imported(tmp_path: Path, error: str) -> None:
    plan = planned(tmp_path, spec(error, "sum(rate(t[{{.window}}]))"))
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["uptime"]


def test_unscaled_part_reads_operators_by_precedence() -> None:
    # a - b > 0 is (a - b) > 0: the subtraction is the part, not the comparison with 0
    assert unscaled_part("(sum(increase(x[{{.window}}])) or vector(0)) - m > 0") == (
        "it adds or subtracts m, which does not grow with the window"
    )
    # a sign is not a subtraction; an offset's minus neither
    assert unscaled_part("-sum(increase(x[{{.window}}] offset -5m))") is None
    assert unscaled_part("sum(increase(x[{{.window}}])) - sum(increase(y[{{.window}}]))") is None
    # a product of two counts, whatever number comes first (60 * a * b grows as the square)
    for product in ("a * b", "60 * a * b", "a * 60 * b"):
        query = product.replace("a", "sum(increase(x[{{.window}}]))").replace(
            "b", "sum(increase(y[{{.window}}]))"
        )
        assert unscaled_part(query) == (
            "it multiplies two counts per window (… * sum(increase(y[{{.window}}])))"
        ), product


def openslo(good: str, total: str) -> str:
    return (
        "apiVersion: openslo/v1alpha\n"
        "kind: SLO\n"
        "metadata: {name: checkout}\n"
        "spec:\n"
        "  service: checkout\n"
        "  budgetingMethod: Occurrences\n"
        "  objectives:\n"
        "    - ratioMetrics:\n"
        f"        good: {{source: prometheus, queryType: promql, query: '{good}'}}\n"
        f"        total: {{source: prometheus, queryType: promql, query: '{total}'}}\n"
        "        incremental: true\n"
        "      target: 0.995\n"
        "  timeWindows: [{count: 30, unit: Day, isRolling: true}]\n"
    )


def planned_openslo(tmp_path: Path, text: str) -> ImportPlan:
    tmp_path.mkdir()
    source = tmp_path / "checkout.yaml"
    source.write_text(text, encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws")


def test_openslo_queries_are_checked_as_sloths_own(tmp_path: Path) -> None:
    """The ``openslo/v1alpha`` queries Sloth reads get the checks of ``prometheus/v1`` ones:
    before, a grouped query was written as it was (one series per route, which the reader
    refuses at ingest), one without ``{{.window}}`` was imported with exit 0 and got no
    rules, and a part that does not scale was read with another meaning."""
    ok, total = (
        'sum by (route) (rate(r{code!~"5.."}[{{.window}}]))',
        "sum by (route) (rate(r[{{.window}}]))",
    )
    plan = planned_openslo(tmp_path / "a", openslo(ok, total))
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["checkout-0"]
    document = next(d for d in file.imported.documents if d["kind"] == "SLO")
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    assert ratio["good"]["metricSource"]["spec"]["query"] == (
        'sum(sum by (route) (increase(r{code!~"5.."}[{{.window}}])))'
    )
    assert ratio["total"]["metricSource"]["spec"]["query"] == (
        "sum(sum by (route) (increase(r[{{.window}}])))"
    )
    assert all("grouped by (route)" in n.reason for n in file.imported.notes[:2])

    plan = planned_openslo(tmp_path / "b", openslo('sum(r{code!~"5.."})', "sum(r)"))
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "spec.objectives[0].ratioMetrics.good.query"
    assert "has no {{.window}} range" in problem.message

    minus = openslo("sum(rate(r[{{.window}}])) - 1", "sum(rate(r[{{.window}}]))")
    plan = planned_openslo(tmp_path / "c", minus)
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == []
    (left,) = [n for n in file.imported.notes if n.skipped]
    assert left.reason.startswith("it adds or subtracts 1, which does not grow with the window")


def test_a_difference_of_bracketed_counts_is_read_as_one(tmp_path: Path) -> None:
    """``(A) - (B)``: the ``-`` after a closing bracket is an operator, not a sign. Before, it
    was taken for a sign, so a latency error query ``(count) - (bucket)`` was not seen as
    total minus the good bucket, and a grouped one was said to be "not aggregated"."""
    count = "sum(rate(workqueue_queue_duration_seconds_count[{{.window}}])) by (cluster_id)"
    bucket = (
        'sum(rate(workqueue_queue_duration_seconds_bucket{le="10"}[{{.window}}])) by (cluster_id)'
    )
    plan = planned(tmp_path, spec(f"({count}) - ({bucket})", count, name="latency"))
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["latency"]
    document = next(d for d in file.imported.documents if d["kind"] == "SLO")
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    assert ratio["good"]["metricSource"]["spec"]["query"] == (
        "sum(" + bucket.replace("rate(", "increase(") + ")"
    )
    reasons = [n.reason for n in file.imported.notes]
    assert any(r.startswith("error_query is total_query minus another count") for r in reasons)
    assert not any("not aggregated" in r for r in reasons)
    assert any(r.startswith("the query is grouped by (cluster_id)") for r in reasons)


def test_a_percentage_under_one_is_noted(tmp_path: Path) -> None:
    """Sloth reads ``objective: 0.999`` as 0.999 %, Pyrra ``target: "0.999"`` too: imported as
    such (target 0.00999), with a note that 99.9 % is written 99.9."""
    text = spec("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}]))").replace(
        "objective: 99.9", "objective: 0.999"
    )
    plan = planned(tmp_path, text)
    (file,) = plan.files
    document = next(d for d in file.imported.documents if d["kind"] == "SLO")
    assert str(document["spec"]["objectives"][0]["target"]) == "0.00999"
    (note,) = [n for n in file.imported.notes if n.field == "slos[0].objective"]
    assert note.reason == (
        "0.999 is read as a percentage, as Sloth reads it: 0.999 % (target 0.00999); "
        "for 99.9 % write 99.9"
    )


def test_a_round_percentage_is_suggested_as_yaml_reads_a_number(tmp_path: Path) -> None:
    """``objective: 0.9`` means 90 %: the note says "write 90" (it said "write 9E+1", which YAML
    reads as a string and the import then refuses)."""
    text = spec("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}]))").replace(
        "objective: 99.9", "objective: 0.9"
    )
    (file,) = planned(tmp_path, text).files
    (note,) = [n for n in file.imported.notes if n.field == "slos[0].objective"]
    assert note.reason.endswith("(target 0.009); for 90 % write 90")


def test_a_refused_query_with_a_regex_is_named_once_not_quoted_twice(tmp_path: Path) -> None:
    # an aggregation of the range (Prometheus refuses it); the query has a regular expression's
    # backslashes: the problem says what is wrong without repeating the query, which its
    # place (file:line) already names
    error = 'sum(appcat_probes_seconds_count{code=~"5\\d\\d"}[{{.window}}])'
    plan = planned(tmp_path, spec(error, f"sum(rate({PROBES}[{{{{.window}}}}]))"))
    (problem,) = plan.problems
    assert problem.message.startswith("sum() is applied to a range [{{.window}}]"), problem
