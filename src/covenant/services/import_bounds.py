"""An import's ``implausible-latency-bound`` warnings placed where the user wrote the bound.

The warning is found by checking the files the import writes (as ``covenant validate`` would
check them), so it names a line of the written file; the user edits the source file. Each is
placed at the source file's line that holds the bound (the bucket's metric with its ``le``
value, or slo-generator's ``threshold_bucket``, whose metric is on another line), the written
file's place kept in the message. The copies of one bound (one metric and value) are placed in
turn at the source's lines holding it, in order: an import writes a file's SLOs in the order
of its source. A bound the source does not spell so (written by a rule of Covenant's own) keeps
the written file's place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from covenant.definitions.prometheus_checks import LATENCY_BOUND
from covenant.errors import Problem

# the message begins with the series and the matcher as written (core.promql_bounds._said)
_SAID = re.compile(r'(?P<metric>[A-Za-z_:][A-Za-z0-9_:]*): le=~?"(?P<value>[^"|]*)')


def at_sources(
    warnings: Sequence[Problem], sources: Mapping[str, tuple[str, str]]
) -> list[Problem]:
    """``warnings`` with each latency bound warning of a written file (``sources``: the
    written file's path → the source's name and text) at its line of the source."""
    seen: dict[tuple[str, str, str], int] = {}
    placed: list[Problem] = []
    for warning in warnings:
        written = warning.where.rpartition(":")[0]
        said = _SAID.match(warning.message)
        if warning.code != LATENCY_BOUND or written not in sources or said is None:
            placed.append(warning)
            continue
        metric, value = said.group("metric"), said.group("value").replace("\\", "")
        key = (written, metric, value)
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        name, text = sources[written]
        lines = _lines(text, metric, value)
        if not lines:
            placed.append(warning)
            continue
        place = " ".join(p for p in (warning.where, warning.field) if p)
        placed.append(
            replace(
                warning,
                where=f"{name}:{lines[min(nth, len(lines) - 1)]}",
                field="",
                message=f"{warning.message} (written to {place})",
            )
        )
    return placed


def _lines(text: str, metric: str, value: str) -> list[int]:
    """The source's lines holding the bound: its metric with an ``le`` of ``value`` (quotes
    escaped or not), else a ``threshold_bucket`` of ``value``, else the metric alone."""
    number = rf"{re.escape(value)}(?![0-9.eE])"
    series = re.compile(rf"(?<![A-Za-z0-9_:]){re.escape(metric)}(?![A-Za-z0-9_:])")
    le = re.compile(rf"\ble\s*=~?\s*\\?[\"']{number}")
    threshold = re.compile(rf"\bthreshold_bucket\s*:\s*[\"']?{number}")
    numbered = list(enumerate(text.splitlines(), 1))
    for found in (
        [n for n, line in numbered if series.search(line) and le.search(line)],
        [n for n, line in numbered if threshold.search(line)],
        [n for n, line in numbered if series.search(line)],
    ):
        if found:
            return found
    return []
