"""A Sloth SLI as an OpenSLO ``ratioMetric`` (``covenant import sloth``; docs/import.md).

- ``sli.events``: ``error_query`` / ``total_query`` → ``bad`` / ``total`` (``rate`` over
  ``{{.window}}`` read as ``increase``);
- ``sli.raw``: an ``error_ratio_query`` that is one count divided by another is split as
  slo-generator's ``query_sli`` is (:mod:`count_ratio`): its numerator counts the bad events,
  its denominator all of them; any other ratio is left out with the reason;
- ``sli.plugin``: one of Sloth's common plugins (:mod:`sloth_plugins`) builds its error-ratio
  query from its options, read as a raw ``error_ratio_query``; any other plugin is left out
  (its queries are code, not in the file).

Both sides then go through the same checks (a query Prometheus would reject, a part that does
not grow with the window, a grouped query summed into one series).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from covenant.core.promql import QueryFormError, count_query, without_comments
from covenant.core.promql import shown as quoted_query
from covenant.core.promql_syntax import dashboard_variable, syntax_error
from covenant.definitions.importers import (
    groups,
    placeholders,
    promql,
    promql_scale,
    sloth_notes,
    sloth_plugins,
)
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    Note,
    Options,
    Recorder,
    metric,
)
from covenant.definitions.importers.count_ratio import (
    CountRatio,
    not_counts,
    one_minus,
    split_counts,
    uncounted_part,
)
from covenant.definitions.importers.failure_names import total_of_failures
from covenant.definitions.importers.sloth_plugin_sli import plugin_query
from covenant.definitions.importers.sloth_plugin_sli import what as what_it_is
from covenant.definitions.missing_fixes import value_at
from covenant.definitions.yamlsource import PathKey

SPELLINGS = {  # prometheus/v1 (snake_case) and the Kubernetes resource (camelCase)
    "error_query": "errorQuery",
    "total_query": "totalQuery",
    "error_ratio_query": "errorRatioQuery",
    "page_alert": "pageAlert",
    "ticket_alert": "ticketAlert",
    "slo_plugins": "sloPlugins",
}

Queries = tuple[dict[str, str], dict[str, PathKey], str]  # the queries; their fields; the role
# of error_query ("bad", or "good" for a raw 1 - good / total)
_EXAMPLES = {  # a fix's example of each query (as in Sloth's getting-started)
    "error_query": "'sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))'",
    "total_query": "'sum(rate(http_requests_total[{{.window}}]))'",
    "error_ratio_query": '\'sum(rate(http_requests_total{code=~"5.."}[{{.window}}])) / '
    "sum(rate(http_requests_total[{{.window}}]))'",
}


def spelled(data: Mapping[str, Any], key: str) -> tuple[str, Any]:
    """``(key as written, value)`` accepting both Sloth spellings of ``key``."""
    for spelling in (key, SPELLINGS.get(key, key)):
        if spelling in data:
            return spelling, data[spelling]
    return key, None


GOOD_TOTAL_FIX = (
    "write them as sli: events: {error_query: <total> - <good> (the bad events), "
    "total_query: <total>}, each over [{{.window}}]"
)


def good_and_total(data: Any) -> tuple[str, str] | None:
    """The keys of another tool's pair of good and all events (``good``, ``good_query``,
    ``success_metric``, ``fast_metric`` … beside ``total``, ``total_query``, ``valid`` …):
    Sloth counts the bad ones, so the good query is no ``error_query``."""
    if not isinstance(data, Mapping) or data.keys() & {"events", "raw", "plugin"}:
        return None
    keys = [k for k in data if isinstance(k, str)]
    good = [k for k in keys if k.lower().startswith(("good", "success", "fast"))]
    total = [k for k in keys if k.lower().startswith(("total", "valid"))]
    return (good[0], total[0]) if good and total else None


def indicator(
    record: Recorder, sli: Any, options: Options, *, slo: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The SLO's SLI (``slo``: the SLO, for another tool's ``indicator`` when there is no
    ``sli``)."""
    if isinstance(sli, str) and sli.strip():
        record.problem(
            ("sli",),
            INVALID,
            "sli is a query text; Sloth's sli is a mapping of events, raw or plugin",
            "write the counts as sli: events: {error_query, total_query} (bad and all events, "
            "each over [{{.window}}]), or a ratio of bad events as sli: raw: "
            "{error_ratio_query}",
        )
        return None
    pair = good_and_total(slo.get("indicator")) if slo is not None and sli is None else None
    if pair is not None:
        record.problem(
            ("indicator",),
            INVALID,
            f"the SLO has no sli: its indicator has {pair[0]} and {pair[1]} (another tool's "
            "keys: the good events and all of them), not Sloth's sli",
            GOOD_TOTAL_FIX,
        )
        return None
    if not isinstance(sli, Mapping) or not sli:
        record.problem(
            ("sli",),
            MISSING,
            "the SLO has no SLI",
            "add sli.events with error_query and total_query",
        )
        return None
    pair = good_and_total(sli)
    if pair is not None:
        record.problem(
            ("sli",),
            INVALID,
            f"sli has {pair[0]} and {pair[1]} (another tool's keys: the good events and all of "
            "them), not events, raw or plugin",
            GOOD_TOTAL_FIX,
        )
        return None
    if "plugin" in sli:
        found = _plugin(record, sli["plugin"])
    elif "raw" in sli:
        found = _raw(record, sli["raw"])
    else:
        found = _events(record, sli.get("events"))
    if found is None:
        return None
    return _counts(record, *found, options=options)


def _query(record: Recorder, field: PathKey, key: str, value: Any) -> str | None:
    """One query as written: ``{{.window}}`` spelled so, no template markup, ``rate`` over
    the window read as ``increase``; its ``#`` comments dropped (Prometheus ignores them)."""
    if record.no_query_text(field, value, example=_EXAMPLES[key]):
        return None
    if not isinstance(value, str) or not value.strip():
        record.problem(
            field,
            MISSING,
            f"sli.{field[1]}.{key} is missing",
            f"add {key} (a PromQL query with {{{{.window}}}})",
        )
        return None
    query = promql.normalise_window(without_comments(value).strip())
    if placeholders.unrendered(record, field, key, query):
        return None
    refused = dashboard_variable(query)  # said before "no {{.window}}": $__rate_interval
    if refused is not None:
        record.problem(field, INVALID, refused.message, refused.hint)
        return None
    if promql.WINDOW not in query:
        record.problem(
            field,
            INVALID,
            f"{field[-1]} has no {{{{.window}}}} range",  # the key as the file spells it
            "Sloth queries use [{{.window}}] as the range of rate()",
        )
        return None
    query, kept = promql.rate_to_increase(query)
    if kept:
        record.note(
            field,
            f"{kept} rate() over a range other than {{{{.window}}}} kept as written (a "
            "per-second rate, not a count)",
        )
    return query


def _events(record: Recorder, events: Any) -> Queries | None:
    if not isinstance(events, Mapping):
        record.problem(
            ("sli",),
            MISSING,
            "sli needs events, raw or plugin",
            "add sli.events with error_query and total_query",
        )
        return None
    queries: dict[str, str] = {}
    fields: dict[str, PathKey] = {}
    for key in ("error_query", "total_query"):
        written, value = spelled(events, key)
        fields[key] = ("sli", "events", written)
        query = _query(record, fields[key], key, value)
        if query is None:
            return None
        queries[key] = query
    sloth_notes.fast_requests(
        record, fields["error_query"], queries["error_query"], queries["total_query"]
    )
    sloth_notes.successes(
        record, fields["error_query"], queries["error_query"], queries["total_query"]
    )
    total_of_failures(
        record, fields["total_query"], queries["total_query"], tool="Sloth", key="total_query"
    )
    if re.fullmatch(r"\s*vector\s*\(\s*1\s*\)\s*(\[[^\]]*\])?\s*", queries["total_query"]):
        record.note(
            ("sli", "events"),
            "total_query is the constant vector(1), so error_query is an error *ratio* "
            "(e.g. VictoriaMetrics' 1 - histogram_share(...)), not a count of events; Covenant "
            "sums counts and cannot carry a ratio over: count the slow requests "
            "(…_bucket / …_count) as error_query and all requests as total_query",
            skipped=True,
        )
        return None
    why = _no_share(queries["error_query"], queries["total_query"])
    if why is None and promql.subtracts_all(queries["error_query"], queries["total_query"]):
        why = (
            "it takes every event of total_query away from a share of them: it is never above "
            "0 (the opposite of the events it means to count; Sloth's error ratio is never "
            "positive and its alerts never fire). Write the bad events as total_query minus "
            "that share (e.g. the _count minus the bucket under the latency bound)"
        )
    if why is not None:
        record.note(
            fields["error_query"],
            "error_query must count a share of total_query's events (Covenant reads bad ≤ "
            f"total, and refuses a read where it is not), but {why}",
            skipped=True,
        )
        return None
    return queries, fields, "bad"


_EVENTS = ("error_query", "total_query")


def _no_share(error: str, total: str) -> str | None:
    """Why ``error`` does not count a share of ``total``'s events (the rule of a raw ratio's
    parts, :func:`count_ratio.not_counts`, and a grouping Sloth's division cannot match);
    None: nothing shows it."""
    found = [groups.outer_grouping(query) for query in (error, total)]
    bases = [one[1] if one else query for one, query in zip(found, (error, total), strict=True)]
    why = not_counts(CountRatio(numerator=bases[0], denominator=bases[1]), parts=_EVENTS)
    if why is not None or found[0] is None or found[1] is None:
        return why
    mine, theirs = found[0][0], found[1][0]
    apart = [label for label in (*mine, *theirs) if (label in mine) != (label in theirs)]
    if not apart:
        return None

    def kept(labels: tuple[str, ...]) -> str:
        return f"groups by ({', '.join(labels)})" if labels else "sums into one series (no by)"

    return (
        f"error_query {kept(mine)} and total_query {kept(theirs)}: Sloth divides series whose "
        f"labels are the same, and only one side keeps {', '.join(apart)}, so no error series "
        "has a total series to be divided by (Sloth's SLI has no value); group both queries "
        "by the same labels"
    )


def _raw(record: Recorder, raw: Any) -> Queries | None:
    """``error_ratio_query`` split into the count of bad events and of all events."""
    if not isinstance(raw, Mapping):
        what = what_it_is(raw)
        record.problem(
            ("sli", "raw"),
            INVALID,
            f"sli.raw is {what}, not a mapping",
            "write raw: {error_ratio_query: <a PromQL error ratio with {{.window}}>}",
        )
        return None
    written, value = spelled(raw, "error_ratio_query")
    field = ("sli", "raw", written)
    query = _query(record, field, "error_ratio_query", value)
    if query is None:
        return None
    return _ratio(record, field, query)


def _plugin(record: Recorder, plugin: Any) -> Queries | None:
    """The query one of Sloth's common SLI plugins builds from its options, read as a raw
    ``error_ratio_query`` is; any other plugin is left out with the reason."""
    field: PathKey = ("sli", "plugin")
    query = plugin_query(record, plugin)
    if query is None:
        return None
    return _ratio(record, field, query)


def _ratio(record: Recorder, field: PathKey, query: str) -> Queries | None:
    """An error-ratio query (``{{.window}}`` normalised) split into the count of bad (or good)
    events and of all events, or left out with the reason."""
    minus = sloth_plugins.total_minus_good(query)  # (T - G) / T = 1 - G / T
    if minus is not None:
        record.note(
            field,
            "(count − bucket) / count: the count subtracted (a histogram's bucket under the "
            "bound) is imported as the good events and the count as all events (1 − good / "
            "total is the same error ratio)",
        )
        queries = {"error_query": minus[0], "total_query": minus[1]}
        return queries, dict.fromkeys(queries, field), "good"
    split = split_counts(query)
    good = _good_share(query) if split is None else None
    if good is not None:
        record.note(
            field,
            "1 minus a ratio of counts: the numerator is the good events, so it is imported "
            "as the good events and the denominator as all events (1 - good / total is the "
            "error ratio of that SLI), over {{.window}} with rate read as increase",
        )
        for note in good.dropped(no_traffic="the ratio"):
            record.note(field, note)
        queries = {"error_query": good.numerator, "total_query": good.denominator}
        return queries, dict.fromkeys(queries, field), "good"
    why = _unsplit(query) if split is None else not_counts(split)
    why = f"{why}; {_FIX}" if split is not None and why else why
    if split is None or why is not None:
        record.note(
            field,
            f"error_ratio_query is an error *ratio*, and Covenant sums counts of bad and total "
            f"events over the window (a ratio cannot be summed): it splits a ratio A / B of two "
            f"counts over {{{{.window}}}} into bad = A and total = B, but {why}",
            skipped=True,
        )
        return None
    record.note(
        field,
        "split from a ratio: its numerator imported as the bad events and its denominator as "
        "all events (Sloth's raw query is an error ratio), over {{.window}} with rate read as "
        "increase",
    )
    for note in split.dropped(no_traffic="the ratio"):
        record.note(field, note)
    queries = {"error_query": split.numerator, "total_query": split.denominator}
    return queries, dict.fromkeys(queries, field), "bad"


def _good_share(query: str) -> CountRatio | None:
    """``A / B`` when ``query`` is ``1 - (A / B)`` of two counts, ``A`` a share of ``B``."""
    inner = one_minus(query)
    return inner if inner is not None and not_counts(inner) is None else None


_FIX = (
    "write it as sli.events: error_query counting the bad events and total_query all events, "
    "each over [{{.window}}]"
)


def _unsplit(query: str) -> str:
    """Why ``query`` is no ratio of two counts (after ``but``), with the fix."""
    ratio = promql.without_fallback(query)[0]
    difference = promql.split_difference(ratio)
    if difference is not None and difference[0].strip() == "1":
        inner = split_counts(difference[1])  # a share of counts is imported (_good_share)
        why = not_counts(inner) if inner is not None else None
        what = (
            f"a ratio, and {why}"
            if why
            else "a value that is no ratio of two counts (an average or other aggregation of "
            "ratios, avg_over_time of a recorded ratio, …)"
        )
        return f"it is 1 minus {what}; " + _FIX
    compound = promql.compound_ratio_part(ratio)
    if compound is not None:
        part, text, operator = compound
        what = "a sum of counts" if operator == "+" else f"counts joined by '{operator}'"
        return (
            f"its {part} is {what} ('{text}'), and each part must be one count; write the "
            f"{part} as one selector matching every series it counts (e.g. "
            'requests_total{code=~"5..|429"}), or ' + _FIX
        )
    uncounted = uncounted_part(query)
    if uncounted is not None:
        part, text = uncounted
        return (
            f"its {part} ('{text}') counts with none of increase, count_over_time and "
            "sum_over_time over {{.window}} (rate over it is read as increase; irate, "
            "avg_over_time and the like give a value per window, not a count); " + _FIX
        )
    return (
        "it is no A / B at the top level (an average or other aggregation of ratios, "
        "avg_over_time of a recorded ratio, a ratio with another operator beside it); " + _FIX
    )


def _as_written(record: Recorder, field: PathKey, bad: QueryFormError) -> QueryFormError:
    """The syntax error of the query as the source file writes it, when that is no PromQL
    either: its position counts in the user's text, not in the query Covenant rewrote
    (``rate`` read as ``increase``, a latency SLI's ``count - bucket`` as the bucket)."""
    written = value_at(record.doc.data, (*record.prefix, *field))
    again = syntax_error(written) if isinstance(written, str) else None
    return bad if again is None else again


def _counts(
    record: Recorder,
    queries: dict[str, str],
    fields: dict[str, PathKey],
    role: str,
    *,
    options: Options,
) -> dict[str, Any] | None:
    for key, query in queries.items():  # Sloth refuses a query Prometheus cannot parse
        try:
            count_query(query, counter=False)
            bad = syntax_error(query)  # what the convention's forms let through
            if bad is not None:
                raise _as_written(record, fields[key], bad)
        except QueryFormError as exc:
            message = exc.message.removeprefix(f"cannot count {quoted_query(query)}: ")
            record.problem(fields[key], INVALID, message, exc.hint)
            return None
    good = promql.good_of(queries["error_query"], queries["total_query"]) if role == "bad" else None
    if good is not None:  # a latency SLI's count − bucket: the bucket, counted from samples
        queries["error_query"], role = good, "good"
        record.note(
            fields["error_query"],
            "error_query is total_query minus another count: imported as that count of good "
            "events (good / total is the same SLI)",
        )
    grouped = dict(queries)  # as written (rate read as increase): --split-groups splits them
    notes: list[Note] = []
    noted: set[PathKey] = set()
    filtered = promql_scale.filtered_total(queries["error_query"], queries["total_query"])
    if role == "bad" and filtered is not None:
        record.note(fields["error_query"], filtered, skipped=True)
        return None
    for key, query in queries.items():
        if re.search(r"\[\{\{\.window\}\}\s*:", query) and re.search(
            r"(?<![A-Za-z0-9_:])i?rate\s*\(", query
        ):
            record.note(
                fields[key],
                "a subquery over [{{.window}}:…] of rate() adds up per-second rates, one per "
                "step, not counts of events: Covenant sums counts and cannot carry it over; "
                "write the query as increase(x[{{.window}}]) of the counters",
                skipped=True,
            )
            return None
        if (part := promql_scale.unscaled_part(query)) is not None:
            record.note(fields[key], promql_scale.reason(part), skipped=True)
            return None
        if not promql.counts_over_window(query):
            record.note(
                fields[key],
                "it counts with none of increase, count_over_time and sum_over_time over "
                "{{.window}} (avg_over_time, max_over_time and the like give a value per "
                "window, not a count): check that the query counts events per window",
            )
        queries[key], why = promql.one_series(query)
        if why and fields[key] not in noted:  # a raw ratio's two parts: one field, one note
            noted.add(fields[key])
            record.note(
                fields[key],
                f"the query is {why}: Sloth divides it series by series (an SLI and alerts per "
                "group); Covenant reads one series, so it is summed into one SLO over all of "
                "them (sum(...) around it); write one SLO per group value to keep them apart "
                "(--split-groups does)",
            )
            notes.append(record.result.notes[-1])
    if notes:
        record.result.groups.append(groups.sloth_grouping(grouped, notes, error_role=role))
    return {
        "ratioMetric": {
            "counter": False,
            role: metric(queries["error_query"], datasource=options.datasource),
            "total": metric(queries["total_query"], datasource=options.datasource),
        }
    }
