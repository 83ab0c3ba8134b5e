"""Sloth's raw ``1 - (good / total)``: the error ratio as one minus the good share.

A common real form (the latency SLIs of a traefik spec: ``1 - (sum(rate(x_bucket{le="0.5"}
[{{.window}}])) / sum(rate(x_count[{{.window}}])))``). When the ratio is one count over
another, its numerator counting a share of the denominator's events, ``1 - good/total`` is the
error ratio of good = the numerator and total = the denominator: imported so, noted. Before it
was left out and the user told to rewrite it by hand into that very form.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_sloth_raw import planned, ratio_of, spec


def test_one_minus_a_ratio_of_counts_is_imported_as_good_over_total(tmp_path: Path) -> None:
    plan = planned(
        tmp_path,
        spec(
            "1 - (\n"
            '  sum(rate(lat_bucket{svc="login",le="0.5"}[{{.window}}]))\n'
            "  /\n"
            '  sum(rate(lat_count{svc="login"}[{{.window}}]))\n'
            ")"
        ),
    )
    assert plan.problems == []
    assert [n.reason for n in plan.files[0].imported.notes if n.skipped] == []
    ratio = ratio_of(plan, "errors")
    assert set(ratio) == {"counter", "good", "total"}
    assert ratio["good"]["metricSource"]["spec"]["query"] == (
        'sum(increase(lat_bucket{svc="login",le="0.5"}[{{.window}}]))'
    )
    assert ratio["total"]["metricSource"]["spec"]["query"] == (
        'sum(increase(lat_count{svc="login"}[{{.window}}]))'
    )
    notes = [n.reason for n in plan.files[0].imported.notes]
    assert any("1 minus" in n and "good" in n for n in notes)


def test_one_minus_a_ratio_that_is_no_share_stays_left_out(tmp_path: Path) -> None:
    plan = planned(
        tmp_path,
        spec('1 - (sum(rate(x{code="200"}[{{.window}}])) / sum(rate(x{job="api"}[{{.window}}])))'),
    )
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert "1 minus a ratio" in left.reason
    assert "job" in left.reason


def test_one_minus_a_ratio_without_brackets_is_read_by_precedence(tmp_path: Path) -> None:
    """``1 - A / B`` is ``1 - (A / B)`` in PromQL (division binds tighter than subtraction)."""
    plan = planned(
        tmp_path,
        spec(
            '1 - sum(rate(lat_bucket{le="0.5"}[{{.window}}])) / sum(rate(lat_count[{{.window}}]))'
        ),
    )
    assert [n.reason for n in plan.files[0].imported.notes if n.skipped] == []
    ratio = ratio_of(plan, "errors")
    assert ratio["good"]["metricSource"]["spec"]["query"] == (
        'sum(increase(lat_bucket{le="0.5"}[{{.window}}]))'
    )
    assert ratio["total"]["metricSource"]["spec"]["query"] == (
        "sum(increase(lat_count[{{.window}}]))"
    )
