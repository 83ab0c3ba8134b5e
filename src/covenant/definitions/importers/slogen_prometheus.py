"""slo-generator's Prometheus backend as OpenSLO SLIs (``covenant import slo-generator``).

The backend counts a filter over a window the way its ``_fmt_query`` writes the query: the
filter with ``[window`` replaced by the window (or the range appended when it has none), then
wrapped in each of ``operators`` in turn (by default ``increase``, then ``sum``). With
``filter_bad`` it counts good and bad events, and ``filter_valid`` is not used; without it,
good and valid. The importer writes the same queries with ``{{.window}}`` for the window: a
filter that is a plain selector, under the default operators, as a counter (``sum(<selector>)``,
``counter: true``: Covenant counts it with ``increase``), anything else in the window form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from covenant.core.promql import QueryFormError, count_query, shown
from covenant.core.promql_syntax import SLO_GENERATOR_WINDOW, syntax_error
from covenant.definitions.endpoints import SECRET_HEADERS
from covenant.definitions.importers import promql
from covenant.definitions.importers.base import INVALID, MISSING, Options, Recorder, mapping, metric
from covenant.definitions.importers.count_ratio import (
    CountRatio,
    not_counts,
    one_minus,
    split_counts,
    uncounted_query_sli,
)

_FILTERS = {"good": "filter_good", "bad": "filter_bad", "total": "filter_valid"}
OPERATORS = ("increase", "sum")  # slo-generator's default, innermost first
_OPERATOR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def counted(query: str, operators: tuple[str, ...]) -> str:
    """The window-form query slo-generator's backend runs for ``query`` over a window."""
    text = query.strip()
    if "[window" in text:
        text = text.replace("[window", f"[{promql.WINDOW}")
    else:
        text = f"{text}[{promql.WINDOW}]"
    for operator in operators:
        text = f"{operator}({text})"
    return text


def _operators(
    here: Recorder, sli: Mapping[str, Any], filters: Mapping[str, str]
) -> tuple[str, ...] | None:
    """The operators to wrap each filter in, a ``rate`` among them read as ``increase``; None
    (the SLO left out, noted) when the query slo-generator sends for a filter gives no count
    per window."""
    given = sli.get("operators")
    written = OPERATORS if given is None else given
    if not isinstance(written, (list, tuple)) or not all(
        isinstance(o, str) and _OPERATOR.match(o) for o in written
    ):
        here.problem(
            ("operators",),
            INVALID,
            "operators must be a list of PromQL function names, applied innermost first",
            "write e.g. operators: [increase, sum], or leave it out (that is the default)",
        )
        return None
    written = tuple(written)
    # rate = increase / window: slo-generator divides good by valid over one window, so the
    # window cancels; Covenant sums counts per window, which the reader takes from increase
    found = tuple("increase" if o == "rate" else o for o in written)
    first = next(iter(filters.values()), "<filter>")
    sent = counted(first, written)
    for text in filters.values() or ["x"]:
        query = counted_query(text, found)
        try:
            _range_taken(text, written)
            count_query(query, counter=False)
        except QueryFormError as exc:
            why = exc.message.removeprefix(f"cannot count {shown(query)}: ")
            here.note(
                ("operators",),
                f"operators {list(written)} make slo-generator's backend send "
                f"{counted(text, written)}, which gives no count of events per window: {why}. "
                "Fix: write the filter as a selector (the backend adds [window]) and leave "
                "operators out (slo-generator's default, operators: [increase, sum])",
                skipped=True,
            )
            return None
    rates = any(
        promql.rate_to_increase(counted(t, found))[0] != counted(t, found) for t in filters.values()
    )
    if found != written or rates:
        here.note(
            ("operators",),
            f"operators {list(written)}: slo-generator divides good by valid per-second rates "
            f"over one window ({sent}), the same ratio as counts; imported with rate read as "
            f"increase, the count per window Covenant sums: {counted_query(first, found)}",
        )
    elif found != OPERATORS:
        here.note(
            ("operators",),
            f"operators {list(found)} are applied as slo-generator applies them: {sent}",
        )
    return found


_RANGE_FUNCTION = re.compile(
    r"^(?:rate|irate|increase|delta|idelta|deriv|changes|resets|[a-z_]+_over_time)$"
)


def _range_taken(text: str, operators: tuple[str, ...]) -> None:
    """Refuse a filter holding ``[window`` that is no range itself (``rate(x[window])``) under
    an innermost operator that takes a range (``increase``): Prometheus refuses the query."""
    body = text.strip()
    if (
        operators
        and _RANGE_FUNCTION.match(operators[0])
        and "[window" in body
        and not body.endswith("]")
    ):
        raise QueryFormError(
            f"{operators[0]}() takes a range, and the filter {body} is none (its [window] is "
            "inside it): Prometheus refuses the query",
            hint="",
        )


def counted_query(query: str, operators: tuple[str, ...]) -> str:
    """:func:`counted`, each ``rate`` over the window read as ``increase`` (the count)."""
    return promql.rate_to_increase(counted(query, operators))[0]


def _good_bad_ratio(here: Recorder, sli: Mapping[str, Any], ds: str) -> dict[str, Any] | None:
    for key in ("filter_good", "filter_bad", "filter_valid"):
        if here.no_query_text((key,), sli.get(key), example=_EXAMPLE):
            return None
    filters = {
        k: v.strip()
        for k, v in (
            ("good", sli.get("filter_good")),
            ("bad", sli.get("filter_bad")),
            ("total", sli.get("filter_valid")),
        )
        if isinstance(v, str) and v.strip()
    }
    for key, text in filters.items():  # as written: a position in it is the file's
        refused = syntax_error(text, placeholder=SLO_GENERATOR_WINDOW)
        if refused is not None:
            here.problem((_FILTERS[key],), INVALID, refused.message, refused.hint)
            return None
    operators = _operators(here, sli, filters)
    if operators is None:
        return None
    if "good" in filters and "bad" in filters:
        if "total" in filters:
            here.note(
                ("filter_valid",),
                "filter_bad is given, so filter_valid is not used (slo-generator does the same)",
            )
        good, bad = (_one(counted_query(filters[k], operators)) for k in ("good", "bad"))
        here.note(
            ("filter_bad",),
            "valid events = good + bad (slo-generator's rule); a series that does not exist "
            "(yet) counts as no event (or vector(0)), as an exporter creates a 5xx series "
            "only at the first error",
        )
        return {
            "ratioMetric": {
                "counter": False,
                "good": metric(good, datasource=ds),
                "total": metric(f"({good} or vector(0)) + ({bad} or vector(0))", datasource=ds),
            }
        }
    if "total" in filters and ("good" in filters or "bad" in filters):
        key = "good" if "good" in filters else "bad"
        if key == "bad":
            here.note(
                ("filter_bad",),
                "slo-generator itself needs filter_good; imported as bad events of filter_valid",
            )
        return {"ratioMetric": _pair(key, filters[key], filters["total"], operators, ds)}
    here.problem(
        (),
        MISSING,
        "good_bad_ratio needs filter_good with filter_bad or filter_valid",
        "add the filters",
    )
    return None


def _pair(key: str, first: str, total: str, operators: tuple[str, ...], ds: str) -> dict[str, Any]:
    """Two filters as counter selectors where they are plain selectors under the default
    operators, else both in the window form."""
    if operators == OPERATORS and all(promql.is_selector(q) for q in (first, total)):
        return {
            "counter": True,
            key: metric(f"sum({first})", datasource=ds),
            "total": metric(f"sum({total})", datasource=ds),
        }
    return {
        "counter": False,
        key: metric(_one(counted_query(first, operators)), datasource=ds),
        "total": metric(_one(counted_query(total, operators)), datasource=ds),
    }


def _one(query: str) -> str:
    """``query`` summed into one series unless it is one already (slo-generator takes the
    first series of an answer; Covenant reads one, the sum of them all)."""
    return promql.one_series(query)[0]


_EXAMPLE = "'http_requests_total{code!~\"5..\"}'"
_BUCKETS = "'http_request_duration_seconds_bucket'"
_RATIO = (
    '\'sum(rate(http_requests_total{code!~"5.."}[window])) / '
    "sum(rate(http_requests_total[window]))'"
)


def prometheus_indicator(
    record: Recorder, method: str, sli: Mapping[str, Any], options: Options
) -> dict[str, Any] | None:
    ds = options.datasource
    here = record.child(("service_level_indicator",))
    _environment_references(here, sli)
    if method == "good_bad_ratio":
        return _good_bad_ratio(here, sli, ds)
    if method == "distribution_cut":
        expression = sli.get("expression")
        threshold = sli.get("threshold_bucket")
        if here.no_query_text(("expression",), expression, example=_BUCKETS):
            return None
        if isinstance(expression, str):  # slo-generator appends the range if not written
            expression = re.sub(r"\[\s*window\s*\]\s*$", "", expression.strip())
        if (
            not isinstance(expression, str)
            or not promql.is_selector(expression)
            or threshold is None
        ):
            here.problem(
                ("expression",),
                MISSING,
                "distribution_cut needs expression (a _bucket selector) and threshold_bucket",
                "add both",
            )
            return None
        bucket = expression.strip()
        le = str(threshold)
        cut = promql.with_le(bucket, le)
        total = promql.with_matcher(bucket, "le", "+Inf")
        if sli.get("good_below_threshold", True) is not True:  # not read: any other value
            _above_not_read(here, le)
        if promql.matchers(cut)["le"].startswith("=~"):
            here.note(
                ("threshold_bucket",),
                f"le {le} is matched in each spelling an exporter or Prometheus 3 writes "
                f"({', '.join(promql.le_spellings(le))})",
            )
        return {
            "ratioMetric": {
                "counter": True,
                "good": metric(f"sum({cut})", datasource=ds),
                "total": metric(f"sum({total})", datasource=ds),
            }
        }
    if method == "query_sli":
        expression = sli.get("expression")
        if here.no_query_text(("expression",), expression, example=_RATIO):
            return None
        if not isinstance(expression, str):
            here.problem(
                ("expression",), MISSING, "query_sli needs expression", "add the PromQL expression"
            )
            return None
        windowed = promql.range_to_window(expression.strip())
        split = split_counts(windowed)
        why = not_counts(split) if split is not None else None
        inverse = one_minus(windowed) if split is None else None
        if inverse is not None:
            return _one_minus_errors(here, inverse, ds)
        if split is not None and why is None:
            for note in split.dropped():
                here.note(("expression",), note)
            (good, good_why), (total, total_why) = (
                promql.one_series(part) for part in (split.numerator, split.denominator)
            )
            if good_why.startswith("grouped") or total_why.startswith("grouped"):
                here.note(
                    ("expression",),
                    "the numerator or denominator is grouped (by/without): slo-generator "
                    "takes the first series of the answer; Covenant sums all of them",
                )
            here.note(
                ("expression",),
                "a ratio of two counts: imported as its numerator (good) and denominator "
                "(total), rate read as increase",
            )
            return {
                "ratioMetric": {
                    "counter": False,
                    "good": metric(good, datasource=ds),
                    "total": metric(total, datasource=ds),
                }
            }
        if why is not None:
            here.note(
                ("expression",),
                f"query_sli is not taken as good / total events: {why}; write it as "
                "good_bad_ratio filters counting events",
                skipped=True,
            )
            return None
        here.note(("expression",), _unsplit(expression), skipped=True)
        return None
    here.note((), f"method {method!r} has no Prometheus form in Covenant", skipped=True)
    return None


def _one_minus_errors(here: Recorder, inverse: CountRatio, ds: str) -> dict[str, Any] | None:
    """``1 - (A / B)``: the share of good events as one minus the share of bad ones, so A is
    the bad events and B all of them; left out (noted) when A is no share of B."""
    why = not_counts(inverse)
    if why is not None:
        here.note(
            ("expression",),
            f"query_sli is 1 minus a ratio, but {why}; write it as good_bad_ratio filters "
            "counting events",
            skipped=True,
        )
        return None
    here.note(
        ("expression",),
        "1 minus a ratio of two counts: its numerator imported as the bad events and its "
        "denominator as all events (1 - bad / valid is the share of good events slo-generator "
        "reads), rate read as increase",
    )
    for note in inverse.dropped():
        here.note(("expression",), note)
    bad, total = (promql.one_series(part)[0] for part in (inverse.numerator, inverse.denominator))
    return {
        "ratioMetric": {
            "counter": False,
            "bad": metric(bad, datasource=ds),
            "total": metric(total, datasource=ds),
        }
    }


def _above_not_read(here: Recorder, le: str) -> None:
    """slo-generator's Prometheus ``distribution_cut`` reads ``expression`` and
    ``threshold_bucket`` only: good is the ``le`` bucket, whatever ``good_below_threshold``
    says (its Cloud Monitoring backends read that field; this one does not)."""
    here.note(
        ("good_below_threshold",),
        "slo-generator's Prometheus backend does not read good_below_threshold: its "
        f'distribution_cut counts the requests of the bucket le="{le}" (at most {le}) as good '
        "whatever this field says, so the SLO is imported as slo-generator computes it. If the "
        "good events are those above the bound, change good: to bad: in the imported SLI's "
        "ratioMetric (the bucket then counts the bad events)",
    )


_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _environment_references(here: Recorder, sli: Mapping[str, Any]) -> None:
    """Say each query holding ``${VAR}``: slo-generator replaces it from the environment before
    it queries; written as it is, Prometheus reads it literally."""
    for key, value in sli.items():
        if not isinstance(value, str):
            continue
        found = sorted({f"${{{name}}}" for name in _ENV_REFERENCE.findall(value)})
        if found:
            here.note(
                (str(key),),
                f"{', '.join(found)}: slo-generator replaces it with the environment's value "
                "before it queries; Covenant sends the query as written, where Prometheus reads "
                "it literally, so a matcher on it matches no series and the SLO has no data — "
                "write the value in the query of the imported SLI",
            )


def _unsplit(expression: str) -> str:
    """Why a ``query_sli`` is left out: a ratio whose numerator or denominator is no one count
    (``(A + B) / C``), or no ratio of counts at all."""
    compound = promql.compound_ratio_part(promql.without_fallback(expression.strip())[0])
    uncounted = uncounted_query_sli(expression) if compound is None else None
    if uncounted is not None:
        return uncounted
    if compound is None:
        return (
            "query_sli gives a ratio Covenant cannot split into two counts (it sums good and "
            "total counts over the window, and a ratio cannot be summed): write it as "
            "good_bad_ratio filters, or as numerator / denominator of increase(...[window])"
        )
    part, text, operator = compound
    what = "a sum of counts" if operator == "+" else f"counts joined by '{operator}'"
    return (
        f"query_sli is a ratio of counts whose {part} is {what} ('{text}'): Covenant takes "
        f"the {part} as one count (one sum(increase(...[window])) or sum(rate(...[window])) of "
        f"one selector) and does not import {what}. Fix: write the {part} as one count: one "
        'selector matching every series it counts (e.g. requests_total{code=~"200|304"} '
        "for two codes), in the query_sli or as good_bad_ratio filter_good / filter_valid"
    )


def prometheus_url(record: Recorder, options: Options, key: str = "prometheus") -> str:
    """The DataSource's URL: ``--prometheus-url``, else the backend's URL if literal (a v1
    config's own, else the shared config's under ``key``: ``prometheus/thanos`` for a second
    one)."""
    config = options.slo_generator_config or {}
    settings = options.inline_backend
    if settings is None:
        settings = mapping(mapping(config.get("backends")).get(key))
    whose = "the v1 backend's" if options.inline_backend is not None else "the config's"
    url = settings.get("url")
    if options.prometheus_url_given or not isinstance(url, str) or not url:
        return options.prometheus_url
    if url.startswith(("http://", "https://")):
        record.note_once(("backend",), f"the DataSource's url is {whose} ({url})")
        return url.rstrip("/")
    record.note_once(
        ("backend",),
        f"{whose} Prometheus url is {url!r} (slo-generator reads it from the environment); "
        f"the DataSource's url is {options.prometheus_url}: give --prometheus-url or edit it",
    )
    return options.prometheus_url


def prometheus_headers(
    record: Recorder, options: Options, config_key: str = "prometheus"
) -> dict[str, Any]:
    """The backend's ``headers`` (slo-generator sends them with every query) as the DataSource's
    ``tenant`` (``X-Scope-OrgID``), ``headers``, and ``headersEnv`` or ``bearerTokenEnv`` for a
    value that is a ``${VAR}`` alone (``Bearer ${VAR}``); what a DataSource cannot hold is
    noted."""
    settings = options.inline_backend
    if settings is None:
        config = options.slo_generator_config or {}
        settings = mapping(mapping(config.get("backends")).get(config_key))
    given = settings.get("headers")
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        record.note_once(
            ("backend",),
            f"the backend's headers {given!r} are not a mapping of header names to values: not "
            "carried over — give the DataSource's headers: {Name: value} yourself",
        )
        return {}
    details: dict[str, Any] = {}
    kept: dict[str, str] = {}
    named: dict[str, str] = {}
    for key, value in given.items():
        name, text = str(key), "" if value is None else str(value)
        lower = name.lower()
        variable = _ENV_ONLY.fullmatch(text)
        bearer = _BEARER_ENV.fullmatch(text) if lower == "authorization" else None
        if lower == "content-type":
            why = "not carried over: Covenant sets the content type of its own queries"
        elif bearer is not None:
            details["bearerTokenEnv"] = bearer.group(1)
            why = f"carried as the DataSource's bearerTokenEnv: {bearer.group(1)}"
        elif variable is not None:
            named[name] = variable.group(1)
            why = f"carried as the DataSource's headersEnv (the value of {variable.group(1)})"
        elif lower in SECRET_HEADERS:
            why = (
                "a credential written in the file: not carried over (a DataSource never holds "
                "one) — put it in an environment variable and name it in the DataSource's "
                f"connectionDetails: headersEnv: {{{name}: VAR}}, bearerTokenEnv: VAR or "
                "basicAuth: {usernameEnv: VAR, passwordEnv: VAR}"
            )
        elif "${" in text:
            why = (
                "not carried over: slo-generator substitutes ${VAR} from the environment, and "
                "a DataSource sends its headers as written, or one variable's value alone "
                "(headersEnv) — write the value in the DataSource"
            )
        elif lower == "x-scope-orgid":
            details["tenant"] = text
            why = "carried as the DataSource's tenant (sent as X-Scope-OrgID)"
        else:
            kept[name] = text
            why = "carried as the DataSource's header"
        record.note_once(("backend",), f"the backend's header {name!r}: {why}")
    if kept:
        details["headers"] = kept
    if named:
        details["headersEnv"] = named
    return details


_ENV_ONLY = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""A header value that is one variable alone, as slo-generator substitutes it."""
_BEARER_ENV = re.compile(r"Bearer \$\{([A-Za-z_][A-Za-z0-9_]*)\}")
