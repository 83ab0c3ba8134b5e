"""Which objectives are Prometheus-backed, and their SLI as counts per window.

Reads the SLI of each resolved objective from the documents as written (an SLI document named
by ``indicatorRef``, or the SLO's inline ``indicator``), follows ``metricSourceRef`` to its
``DataSource`` and applies the query convention of :mod:`covenant.core.prom_queries`. An
objective whose data is not in a Prometheus-compatible engine, or whose query has no count
form, gets the reason instead: callers report it, never skip it silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from covenant.core.model import Objective
from covenant.core.prom_queries import (
    NoCountFormError,
    PromCounts,
    count_template,
    histogram_templates,
)
from covenant.definitions.parsed import Definition

PROMETHEUS_TYPES = frozenset({"prometheus", "victoriametrics", "thanos", "mimir", "cortex"})
_THRESHOLD_SERIES = re.compile(r"^(?P<sli>.*):(?P<op>lte|lt|gte|gt)(?P<value>[^:]+)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    """Why an objective gets no Prometheus rules."""

    objective: str  # the objective's key
    reason: str


def prometheus_counts(
    documents: tuple[Definition, ...], objective: Objective
) -> PromCounts | Unsupported:
    """The objective's SLI as Prometheus count templates, or why it has none."""
    by_kind: dict[tuple[str, str], Definition] = {(d.kind, d.name): d for d in documents}
    slo = by_kind.get(("SLO", objective.slo))
    spec = _sli_spec(by_kind, slo, objective.sli) if slo is not None else None
    if spec is None:
        return Unsupported(objective=objective.key, reason="its SLI definition was not found")
    try:
        return _counts(by_kind, spec, objective)
    except NoCountFormError as exc:
        return Unsupported(objective=objective.key, reason=str(exc))


def _sli_spec(
    by_kind: Mapping[tuple[str, str], Definition], slo: Definition, sli: str
) -> Mapping[str, Any] | None:
    spec = _map(slo.raw.get("spec"))
    candidates = [_map(spec.get("indicator"))]
    candidates += [_map(_map(o).get("indicator")) for o in spec.get("objectives") or ()]
    for inline in candidates:
        if _map(inline.get("metadata")).get("name") == sli:
            return _map(inline.get("spec"))
    found = by_kind.get(("SLI", sli))
    return _map(found.raw.get("spec")) if found is not None else None


def _counts(
    by_kind: Mapping[tuple[str, str], Definition], spec: Mapping[str, Any], o: Objective
) -> PromCounts:
    ratio = _map(spec.get("ratioMetric"))
    threshold = _map(spec.get("thresholdMetric"))
    if ratio:
        counter = bool(ratio.get("counter", True))
        if ratio.get("raw") is not None:
            raise NoCountFormError("a raw ratio metric (a precomputed ratio) has no event counts")
        total = _query(by_kind, ratio.get("total"), "total")
        good, bad = ratio.get("good"), ratio.get("bad")
        source = total[1]
        if good is not None:
            return PromCounts(
                total=count_template(total[0], counter=counter),
                good=count_template(_query(by_kind, good, "good")[0], counter=counter),
                source=source,
            )
        return PromCounts(
            total=count_template(total[0], counter=counter),
            bad=count_template(_query(by_kind, bad, "bad")[0], counter=counter),
            source=source,
        )
    if threshold:
        query, source = _query(by_kind, threshold, "thresholdMetric")
        found = _THRESHOLD_SERIES.match(o.series)
        if found is None:
            raise NoCountFormError("the objective has no op/value threshold")
        good_t, total_t = histogram_templates(
            query, op=found.group("op"), value=Fraction(found.group("value"))
        )
        return PromCounts(total=total_t, good=good_t, source=source)
    raise NoCountFormError("the SLI has neither ratioMetric nor thresholdMetric")


def _query(
    by_kind: Mapping[tuple[str, str], Definition], metric: object, part: str
) -> tuple[str, str]:
    """(query, data source name) of one metric, checking the source is Prometheus-like."""
    source = _map(_map(metric).get("metricSource"))
    ref = source.get("metricSourceRef")
    kind = source.get("type")
    if kind is None and isinstance(ref, str):
        found = by_kind.get(("DataSource", ref))
        if found is None:
            raise NoCountFormError(
                f"the {part} metric's DataSource {ref!r} is not in the workspace"
            )
        kind = _map(found.raw.get("spec")).get("type")
    if not isinstance(kind, str) or kind.lower() not in PROMETHEUS_TYPES:
        raise NoCountFormError(
            f"the {part} metric's data source is {kind or 'not given'}, not Prometheus "
            f"(or {', '.join(sorted(PROMETHEUS_TYPES - {'prometheus'}))})"
        )
    query = _map(source.get("spec")).get("query")
    if not isinstance(query, str) or not query.strip():
        raise NoCountFormError(f"the {part} metric has no spec.query")
    return query, ref if isinstance(ref, str) else ""


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
