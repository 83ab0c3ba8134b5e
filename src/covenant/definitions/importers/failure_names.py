"""A count of all events whose every metric is named a failure (``…_failed_total``): the SLI
is then the share of errors among the failures, not among all events, and the SLO burns
whenever the failures are of the counted kind. Imported as written, as the tool reads it,
and told with the metric the name suggests for all events."""

from __future__ import annotations

import re

from covenant.definitions.importers.base import Recorder
from covenant.definitions.yamlsource import PathKey

METRIC = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*(?=[{\[]|$)")
SUCCESS = frozenset({"success", "successes", "successful", "succeeded", "ok", "good"})
FAILURE = frozenset({"error", "errors", "fail", "failed", "failure", "failures", "bad"})


def words(name: str) -> set[str]:
    return set(name.lower().split("_"))


def metric_names(query: str) -> list[str]:
    """The metric names a query selects, in order, once each."""
    return list(dict.fromkeys(METRIC.findall(query.strip())))


def total_of_failures(record: Recorder, field: PathKey, query: str, *, tool: str, key: str) -> None:
    """Note ``key`` (the count of all events) when every metric it counts is named a failure
    and none a success."""
    names = metric_names(query)
    if not names or any(not words(n) & FAILURE or words(n) & SUCCESS for n in names):
        return
    meant = "_".join(w for w in names[0].split("_") if w.lower() not in FAILURE)
    record.note(
        field,
        f"{key} counts {', '.join(names)}, whose name says failure: only the failures as all "
        f"events (imported as written, as {tool} reads it: the SLI is the share of errors "
        f"among the failures, not among all events). Count every event in {key} "
        f"(e.g. {meant})",
    )
