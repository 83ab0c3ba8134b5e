"""The ``openslo/v1alpha`` SLOs Sloth reads, as Sloth reads them: one SLO per objective; and
Sloth's alert windows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from covenant.core.promql import without_comments
from covenant.definitions.importers import placeholders, promql, promql_scale
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    ImportedFile,
    Options,
    Recorder,
    SLOParts,
    add_once,
    decimal,
    description,
    mapping,
    metric,
    name_for,
    prometheus_datasource,
    quoted_number,
    service_document,
    slo_document,
)

SLOTH_PERIODS = ("28d", "30d")
# Sloth's default alert windows (its 30d and 28d catalogs): the budget share is the same
DEFAULT_WINDOWS: dict[str, dict[str, Any]] = {
    "page": {
        "quick": {"errorBudgetPercent": Decimal(2), "shortWindow": "5m", "longWindow": "1h"},
        "slow": {"errorBudgetPercent": Decimal(5), "shortWindow": "30m", "longWindow": "6h"},
    },
    "ticket": {
        "quick": {"errorBudgetPercent": Decimal(10), "shortWindow": "2h", "longWindow": "1d"},
        "slow": {"errorBudgetPercent": Decimal(10), "shortWindow": "6h", "longWindow": "3d"},
    },
}


def alert_windows(options: Options) -> tuple[str, dict[str, Any]]:
    """The SLO period and its alert windows (the ``--alert-windows`` catalog, or Sloth's)."""
    catalog = options.alert_windows
    if catalog is not None:
        spec = catalog.get("spec", {})
        return str(spec.get("sloPeriod", options.sloth_period)), dict(spec)
    return options.sloth_period, DEFAULT_WINDOWS


def _period(record: Recorder, windows: Any, options: Options) -> str | None:
    """The SLO's window as Sloth reads it: ``count`` days (its unit in any case), or, with no
    ``timeWindows`` at all, Sloth's SLO period (``--sloth-period``); None: refused."""
    if windows is None or windows == []:
        record.note(
            ("spec",),
            f"no timeWindows: Sloth uses its SLO period, {options.sloth_period} (--sloth-period)",
        )
        return options.sloth_period
    window = (
        windows[0]
        if isinstance(windows, list) and windows and isinstance(windows[0], Mapping)
        else {}
    )
    unit = {"day": "d", "week": "w"}.get(str(window.get("unit")).lower())
    count = window.get("count")
    if unit is None or not isinstance(count, int) or count <= 0:
        record.problem(
            ("spec", "timeWindows"),
            INVALID,
            "Sloth reads a time window of a number of days",
            "write timeWindows: [{count: 30, unit: Day}], or leave timeWindows out for Sloth's "
            "SLO period",
        )
        return None
    return f"{count}{unit}"


def openslo_alpha(
    result: ImportedFile, record: Recorder, data: Mapping[str, Any], options: Options
) -> None:
    """An ``openslo/v1alpha`` SLO as Sloth reads it: one SLO per objective (``<name>-<i>``)."""
    spec = mapping(data.get("spec"))
    metadata = mapping(data.get("metadata"))
    name, service = metadata.get("name"), spec.get("service")
    if not isinstance(name, str) or not isinstance(service, str) or not service:
        record.problem(
            ("spec", "service"), MISSING, "metadata.name and spec.service are needed", "add both"
        )
        return
    windows = spec.get("timeWindows")
    period = _period(record, windows, options)
    if period is None:
        return
    if windows and period != options.sloth_period:
        record.note(
            ("spec", "timeWindows", 0),
            f"Sloth reads an OpenSLO window only when it equals its SLO period "
            f"({options.sloth_period}; --sloth-period) and refuses this file; Covenant takes "
            f"the file's {period} as written",
        )
    service_name = name_for(result, service)
    add_once(result, service_document(service_name))
    add_once(result, prometheus_datasource(options.datasource, options.prometheus_url))
    for index, objective in enumerate(spec.get("objectives") or []):
        here = record.child(("spec", "objectives", index))
        ratio = objective.get("ratioMetrics") if isinstance(objective, Mapping) else None
        target = decimal(objective.get("target")) if isinstance(objective, Mapping) else None
        if quoted_number(here, "target", objective):
            return
        if not isinstance(ratio, Mapping) or target is None or not 0 < target < 1:
            here.note(
                (),
                "Sloth reads objectives with ratioMetrics and a target in (0, 1); left out",
                skipped=True,
            )
            continue
        queries = _queries(here, ratio)
        if queries is None:
            return
        if not queries:
            continue
        slo_name = name_for(result, f"{name}-{index}")
        indicator = {
            "ratioMetric": {
                "counter": False,
                "good": metric(queries["good"], datasource=options.datasource),
                "total": metric(queries["total"], datasource=options.datasource),
            }
        }
        result.documents.append(
            slo_document(
                SLOParts(
                    name=slo_name,
                    display_name=str(metadata.get("displayName") or ""),
                    service=service_name,
                    description=description(
                        record, ("spec", "description"), spec.get("description")
                    ),
                    indicator=indicator,
                    target=target,
                    window=period,
                    tiers=[],
                )
            )
        )
    record.note(
        (),
        "Sloth generates no alerts for OpenSLO input: the imported SLOs have none "
        "(alerting.defaults: false)",
    )
    if spec.get("budgetingMethod") not in (None, "Occurrences"):
        record.note(
            ("spec", "budgetingMethod"),
            "Sloth treats every SLO as Occurrences; imported as Occurrences",
        )


_SELECT = {"good": '{code!~"5.."}', "total": ""}


def _queries(here: Recorder, ratio: Mapping[str, Any]) -> dict[str, str] | None:
    """The good and total queries as counts per window (``rate`` read as ``increase``, one
    series), checked as the ``prometheus/v1`` queries are; None after a problem, ``{}`` when
    the objective is left out (noted)."""
    if not _promql_sources(here, ratio):
        return None
    queries = {}
    for key in ("good", "total"):
        query = ratio.get(key, {}).get("query") if isinstance(ratio.get(key), Mapping) else None
        field = ("ratioMetrics", key, "query")
        example = f"'sum(rate(http_requests_total{_SELECT[key]}[{{{{.window}}}}]))'"
        if here.no_query_text(field, query, example=example):
            return None
        if not isinstance(query, str) or not query.strip():
            here.problem(field, MISSING, f"ratioMetrics.{key}.query is missing", "add the query")
            return None
        query = promql.normalise_window(without_comments(query).strip())
        if placeholders.unrendered(here, field, f"ratioMetrics.{key}.query", query):
            return None
        if promql.WINDOW not in query:
            here.problem(
                field,
                INVALID,
                f"ratioMetrics.{key}.query has no {{{{.window}}}} range",
                "Sloth queries use [{{.window}}] as the range of rate()",
            )
            return None
        query = promql.rate_to_increase(query)[0]
        if (part := promql_scale.unscaled_part(query)) is not None:
            here.note(field, promql_scale.reason(part), skipped=True)
            return {}
        queries[key], why = promql.one_series(query)
        if why:
            here.note(
                field,
                f"the query is {why}: Sloth divides it series by series; Covenant reads one "
                "series, so it is summed into one SLO over all of them (sum(...) around it)",
            )
    return queries


def _promql_sources(here: Recorder, ratio: Mapping[str, Any]) -> bool:
    """Whether both queries are PromQL as Sloth's OpenSLO loader requires (getSLI): the good
    query's ``source`` ``prometheus`` or ``sloth``, the total's ``prometheus`` (Sloth lets it
    pass when the good one's is ``sloth``), both ``queryType: promql``; else a problem."""
    good, total = (mapping(ratio.get(key)) for key in ("good", "total"))
    sloth_good = good.get("source") == "sloth"
    for key, side, sources in (
        ("good", good, ("prometheus", "sloth")),
        ("total", total, ("prometheus", "sloth") if sloth_good else ("prometheus",)),
    ):
        written = side.get("source")
        if written not in sources:
            here.problem(
                ("ratioMetrics", key, "source"),
                INVALID,
                f"ratioMetrics.{key}.source {written!r} is not Prometheus: Sloth reads "
                f"OpenSLO queries as PromQL (source: {' or '.join(sources)}) and refuses "
                "the spec",
                "for a PromQL query write source: prometheus and queryType: promql; an SLO of "
                "another backend is not Sloth's (write it as OpenSLO v1, which Covenant reads "
                "without import)",
            )
            return False
    for key, side in (("good", good), ("total", total)):
        if side.get("queryType") != "promql":
            here.problem(
                ("ratioMetrics", key, "queryType"),
                INVALID,
                f"ratioMetrics.{key}.queryType {side.get('queryType')!r} is not promql, the "
                "only query type Sloth's OpenSLO loader reads (it refuses the spec)",
                "write queryType: promql",
            )
            return False
    return True
