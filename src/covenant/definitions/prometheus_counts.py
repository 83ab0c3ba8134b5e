"""The queries that count an SLI's events in Prometheus (``{{.window}}`` templates): good (or
bad) and total from a ``ratioMetric``, or from a histogram ``thresholdMetric`` the buckets at
the objective's threshold (docs/prometheus.md). What has no count form is a
:class:`~covenant.core.promql.QueryFormError` saying why."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from covenant.core.model import EventRule, Objective
from covenant.core.promql import (
    WINDOW,
    CountQueries,
    QueryFormError,
    count_query,
    counter_selector,
    is_compatible,
)
from covenant.core.promql_bounds import Bound, bounds
from covenant.core.promql_fingerprint import query_fingerprint
from covenant.core.promql_histograms import histogram_queries, le_values, legacy_bucket_query
from covenant.core.promql_syntax import QuerySyntaxError, checked, syntax_error, value_variable
from covenant.definitions.diagnostics import did_you_mean, not_a_query, query_expected, query_fix
from covenant.definitions.openslo import MetricSpec, SLISpec
from covenant.definitions.yamlsource import PathKey


def metrics_of(spec: SLISpec) -> list[tuple[str, MetricSpec]]:
    found: list[tuple[str, MetricSpec | None]] = [("threshold", spec.threshold_metric)]
    ratio = spec.ratio_metric
    if ratio is not None:
        found += [(k, getattr(ratio, k)) for k in ("good", "bad", "total", "raw")]
    return [(k, m) for k, m in found if m is not None]


def count_queries(o: Objective, spec: SLISpec, rule: EventRule | None) -> CountQueries:
    """The queries that count ``o``'s events (QueryFormError: they have no count form)."""
    metrics = dict(metrics_of(spec))
    texts = {}
    for part, metric in metrics.items():
        try:
            texts[part] = _query_text(metric)
        except QueryFormError as exc:
            exc.part = part  # its warning is at the query's own line
            raise
    if "threshold" in metrics:
        if rule is None or rule.latency_ms is None:
            raise QueryFormError(
                "no threshold found for it", hint="give the objective op and value"
            )
        try:
            first, total, is_bad = histogram_queries(
                texts["threshold"], op=rule.latency_ms.op.value, threshold=rule.latency_ms.threshold
            )
        except QueryFormError as exc:
            exc.part = "threshold"
            raise
        built = _built(o, first=first, total=total, is_bad=is_bad)
        bucket = counter_selector(texts["threshold"])
        assert bucket is not None  # histogram_queries refused any other
        old = legacy_bucket_query(texts["threshold"], threshold=rule.latency_ms.threshold)
        legacy = query_fingerprint(None if is_bad else old, old if is_bad else None, total)
        spellings = le_values(rule.latency_ms.threshold)
        return replace(built, bucket=(bucket.text(), spellings), legacy=legacy)
    if "raw" in metrics:
        raise QueryFormError(
            "ratioMetric.raw gives a ratio, which cannot be counted per bucket",
            hint="give good (or bad) and total counters instead of raw",
        )
    counter = None if spec.ratio_metric is None else spec.ratio_metric.counter  # None: unwritten
    first_key = "good" if "good" in metrics else "bad"
    if first_key not in texts or "total" not in texts:
        raise QueryFormError("it needs good (or bad) and total", hint="add both queries")
    return _built(
        o,
        first=_counted(texts, first_key, counter=counter),
        total=_counted(texts, "total", counter=counter),
        is_bad=first_key == "bad",
    )


def syntax_errors(spec: SLISpec, kinds: Sequence[str | None]) -> list[QuerySyntaxError]:
    """Every query of ``spec`` that is not PromQL, each knowing its part, when its sources'
    ``kinds`` all read PromQL (a query that is missing or no text is the convention's to
    refuse). VictoriaMetrics reads MetricsQL, a language of its own: not checked."""
    if not all(checked(k) for k in kinds):
        return []
    found = []
    for part, metric in metrics_of(spec):
        try:
            bad = syntax_error(_query_text(metric))
        except QueryFormError:
            continue
        if bad is not None:
            bad.part = part
            found.append(bad)
    return found


def value_variables(spec: SLISpec, kinds: Sequence[str | None]) -> list[tuple[str, str, str]]:
    """``(part, query, variable)`` for each query of ``spec`` holding a Grafana variable in a
    label value, when its sources' ``kinds`` are all Prometheus-compatible."""
    if not all(is_compatible(k) for k in kinds):
        return []
    found = []
    for part, metric in metrics_of(spec):
        try:
            query = _query_text(metric)
        except QueryFormError:
            continue
        variable = value_variable(query)
        if variable is not None:
            found.append((part, query, variable))
    return found


def latency_bounds(spec: SLISpec, kinds: Sequence[str | None]) -> list[tuple[str, Bound]]:
    """``(part, bound)`` for each ``le`` matcher on a metric with a time unit in the queries
    of ``spec``, when its sources' ``kinds`` all read PromQL."""
    if not all(checked(k) for k in kinds):
        return []
    found = []
    for part, metric in metrics_of(spec):
        try:
            query = _query_text(metric)
        except QueryFormError:
            continue
        found += [(part, bound) for bound in bounds(query)]
    return found


def _counted(texts: dict[str, str], part: str, *, counter: bool | None) -> str:
    try:
        return count_query(texts[part], counter=counter)
    except QueryFormError as exc:
        exc.part = part  # its problem points at that query's line
        raise


def query_path(spec: SLISpec, part: str) -> PathKey:
    """Where in the SLI's spec the query of ``part`` is written (``()``: no such part)."""
    metric = dict(metrics_of(spec)).get(part)
    if metric is None:
        return ()
    field = ("thresholdMetric",) if part == "threshold" else ("ratioMetric", part)
    return (*field, "metricSource", "spec", _query_key(metric.metric_source.spec)[0])


def _built(o: Objective, *, first: str, total: str, is_bad: bool) -> CountQueries:
    return CountQueries(
        series=o.series,
        slos=(o.slo,),
        sli=o.sli,
        total=total,
        good=None if is_bad else first,
        bad=first if is_bad else None,
    )


QUERY_KEYS = ("query", "promql")


def _query_key(spec: Mapping[str, Any]) -> tuple[str, Any]:
    """``("query", its value)``, or ``promql``'s when query is absent or blank text; with
    neither written, a key that is likely one of them misspelt (``queyr``) and None."""
    if not any(key in spec for key in QUERY_KEYS):
        for key in spec:
            if isinstance(key, str) and _meant(key):
                return key, None
    query = spec.get("query")
    if query is None or (isinstance(query, str) and not query.strip()):
        return "promql", spec.get("promql") or query  # an empty query: promql, if given
    return "query", query


def _query_text(metric: MetricSpec) -> str:
    """``spec.query``, else ``spec.promql`` (Nobl9's name; two that differ are an error of
    ``checks``)."""
    key, query = _query_key(metric.metric_source.spec)
    if key not in QUERY_KEYS:
        raise QueryFormError(
            f"a metricSource has no spec.query: {key!r} is likely {_meant(key)!r}, misspelt",
            hint=f"rename {key} to {_meant(key)}",
        )
    if not_a_query(query) is not None:
        raise QueryFormError(
            query_expected(f"metricSource.spec.{key}", query),
            hint=query_fix(key, "'sum(rate(http_requests_total[5m]))'"),
        )
    if not isinstance(query, str) or not query.strip():
        raise QueryFormError(
            "a metricSource has no spec.query (or spec.promql) text",
            hint="write the PromQL in metricSource.spec.query",
        )
    return OPENSLOCTL_WINDOW.sub(WINDOW, query)


OPENSLOCTL_WINDOW = re.compile(r"\{\{-?\s*\.Window\s*-?\}\}")
"""opensloctl's window placeholder (an OpenSLO tool's, filled with each recording window):
in an OpenSLO query it means what ``{{.window}}`` does. Sloth's files, case-sensitive, are
read by the importer, not here."""


def _meant(key: str) -> str:
    """``query`` or ``promql`` when ``key`` is likely that key misspelt, else ''."""
    same = [known for known in QUERY_KEYS if known.lower() == key.lower()]
    return same[0] if same else did_you_mean(key, QUERY_KEYS)
