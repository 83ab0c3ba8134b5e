"""A ``minimumRun`` statement says which bad intervals counted and which did not (docs/sla.md,
"Downtime"): every run of bad intervals in the period is in the evidence, each with the length
of the whole run (judged across the period's bounds) and whether it reached the minimum — in
the result, the JSON, the HTML (and so the PDF) and the terminal table's notes.

The data (``tests.core.test_downtime_runs``, Filestore Basic: a minute is down when all its
requests fail, ``minimumRun: 5m``): a 6-minute run from Jan 31 23:57 (3 minutes in February,
counted whole), a 4-minute run at Feb 1 01:00 (not counted), a 6-minute run at 02:00
(counted) and a 3-minute run at 03:20 (not counted). Downtime: 3 + 6 = 9 minutes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from covenant.core.availability import AvailabilityResult
from covenant.core.statement import Statement
from covenant.render.sla import render_statement_table, statement_json
from covenant.render.statement_doc import statement_html
from covenant.render.statement_view import statement_view
from tests.core.test_downtime_runs import FEB, measure, runs

INTERVAL = "1-minute interval with 100.00 % errors (100/100; threshold 100 %)"


def counted(run: int) -> str:
    return (
        f"part of a {run}-minute run of bad intervals, at least the 5-minute minimumRun: downtime"
    )


def short(run: int) -> str:
    return (
        f"part of a {run}-minute run of bad intervals, shorter than the 5-minute minimumRun: "
        "not downtime"
    )


def result() -> AvailabilityResult:
    return measure(runs((-3, 3), (60, 64), (120, 126), (200, 203)))


def at(minutes: int) -> datetime:
    return FEB + timedelta(minutes=minutes)


def test_the_result_names_each_run_and_whether_it_counted() -> None:
    r = result()
    assert r.downtime_s == 9 * 60
    assert [(e.start, e.end, e.reason) for e in r.down] == [
        (at(0), at(3), f"{INTERVAL}; {counted(6)}"),  # the whole run is 6 minutes long
        (at(120), at(126), f"{INTERVAL}; {counted(6)}"),
    ]
    assert [(e.start, e.end, e.reason) for e in r.short_runs] == [
        (at(60), at(64), f"{INTERVAL}; {short(4)}"),
        (at(200), at(203), f"{INTERVAL}; {short(3)}"),
    ]


def statement(r: AvailabilityResult) -> Statement:
    return Statement(
        customer="acme",
        customer_name="Acme",
        period_label="February 2026",
        period_start=FEB,
        period_end=datetime(2026, 3, 1, tzinfo=UTC),
        zone="UTC",
        generated_at=datetime(2027, 1, 1, tzinfo=UTC),
        agreements=(("cloud", 1),),
        availability=(r,),
        support=(),
        credits=(),
        penalties=(),
    )


def test_every_rendering_says_which_runs_counted() -> None:
    st = statement(result())
    (section,) = statement_view(st)["availability"]
    rows = [(row.kind, row.cells[2], row.cells[3], row.cells[4]) for row in section.rows]
    intervals = "× 1-minute {} at or above the error threshold of 100% (100% to 100% errors)"
    assert rows == [
        (
            "counted",
            "3\u00a0min",
            "counted as downtime",
            f"3 {intervals.format('intervals')}; {counted(6)}",
        ),
        (
            "short-run",
            "4\u00a0min",
            "not counted",
            f"4 {intervals.format('intervals')}; {short(4)}",
        ),
        (
            "counted",
            "6\u00a0min",
            "counted as downtime",
            f"6 {intervals.format('intervals')}; {counted(6)}",
        ),
        (
            "short-run",
            "3\u00a0min",
            "not counted",
            f"3 {intervals.format('intervals')}; {short(3)}",
        ),
    ]
    html = statement_html(st)
    assert html.count(counted(6)) == 2
    assert short(4) in html
    assert short(3) in html

    (doc,) = statement_json(st)["availability"]
    assert [(d["start"], d["reason"]) for d in doc["downtime"]] == [
        ("2026-02-01T00:00:00Z", f"{INTERVAL}; {counted(6)}"),
        ("2026-02-01T02:00:00Z", f"{INTERVAL}; {counted(6)}"),
    ]
    assert [(d["start"], d["seconds"], d["reason"]) for d in doc["short_runs"]] == [
        ("2026-02-01T01:00:00Z", 240, f"{INTERVAL}; {short(4)}"),
        ("2026-02-01T03:20:00Z", 180, f"{INTERVAL}; {short(3)}"),
    ]

    out = io.StringIO()
    render_statement_table(Console(file=out, width=200), st)
    text = " ".join(out.getvalue().split())
    assert (
        "cloud v1 filestore-basic: minimumRun 5 min: 2 runs of bad intervals counted (9 min "
        "in the period), 2 shorter runs not counted (7 min)"
    ) in text


def test_a_statement_without_minimum_run_has_no_short_runs_key() -> None:
    from tests.core.test_downtime_runs import basic  # noqa: PLC0415

    r = measure(runs((120, 126)), measurement=basic(None))
    (doc,) = statement_json(statement(r))["availability"]
    assert "short_runs" not in doc
    assert [d["reason"] for d in doc["downtime"]] == [INTERVAL]
