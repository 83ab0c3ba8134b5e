"""slo-generator backends other than Prometheus: a DataSource of their type, queries kept.

Covenant does not query these backends: the SLI keeps the backend's queries (filters, metric
selectors, searches) for reference, split into good / bad / valid where the config names them,
and gets its counts from ``covenant ingest events``. A ``distribution_cut`` by
``threshold_bucket`` (Cloud Monitoring, MQL) is left out: the field is a bucket index, and the
latency bound it stands for is not in the file. Settings given as ``${VAR}`` become
``…Env: VAR``; settings that look like inline secrets are dropped (noted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from covenant.definitions.importers.base import (
    MISSING,
    Options,
    Recorder,
    mapping,
    metric_spec,
)
from covenant.definitions.importers.slogen_bounds import good_below

BACKEND_TYPES = {
    "cloud_monitoring": "GoogleCloudMonitoring",
    "cloud_monitoring_mql": "GoogleCloudMonitoringMQL",
    "cloud_service_monitoring": "GoogleCloudServiceMonitoring",
    "datadog": "Datadog",
    "dynatrace": "Dynatrace",
    "elasticsearch": "Elasticsearch",
    "open_search": "OpenSearch",
    "splunk": "Splunk",
}
GOOD = ("filter_good", "query_good", "search_query_good", "good_query")
VALID = ("filter_valid", "query_valid", "search_query_valid", "valid_query")
BAD = ("filter_bad", "query_bad", "search_query_bad", "bad_query")
# the early Datadog backend's names (slo-generator v1: GoogleCloudPlatform/professional-services)
EARLY = {"good_query": "query_good", "valid_query": "query_valid", "bad_query": "query_bad"}
SECRET = re.compile(r"key|token|password|secret", re.I)
ENV = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
CUTS = {"distribution_cut", "exponential_distribution_cut"}  # the second: its v1 alias
# the backends slo-generator gives a distribution_cut method (Cloud Monitoring's three); its
# Datadog, Dynatrace, Elasticsearch, OpenSearch and Splunk backends have none (docs/providers)
CUT_TYPES = {"GoogleCloudMonitoring", "GoogleCloudMonitoringMQL", "GoogleCloudServiceMonitoring"}
METHODS = {
    "Datadog": "good_bad_ratio, query_sli, query_slo",
    "Dynatrace": "good_bad_ratio, threshold, query_slo",
    "Elasticsearch": "good_bad_ratio",
    "OpenSearch": "good_bad_ratio",
    "Splunk": "good_bad_ratio, query_sli",
}
# slo-generator calls the backend's method by its name; these backends' methods, read from
# slo_generator/backends/datadog.py (the others' lists above are the docs', not checked here)
CHECKED = {"Datadog"}
# backends whose good_bad_ratio reads the good and the valid query only, never a bad one
# (slo_generator/backends/datadog.py, dynatrace.py, and the early Datadog one's good_query /
# valid_query); Elasticsearch, OpenSearch, Splunk and Cloud Monitoring's read a bad query too
VALID_ONLY = {"Datadog", "Dynatrace"}


def first_of(sli: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, Any]:
    for key in keys:
        if key in sli:
            return key, sli[key]
    return "", None


def other_backend(
    record: Recorder, method: str, sli: Mapping[str, Any], *, source: str, source_type: str
) -> dict[str, Any] | None:
    here = record.child(("service_level_indicator",))
    if not sli:
        here.problem((), MISSING, "service_level_indicator is empty", "add the backend's queries")
        return None
    if method in CUTS and "threshold_bucket" in sli:
        _bucket_index_cut(here, sli, source_type)
        return None
    if method in CUTS and source_type not in CUT_TYPES:
        _no_such_cut(record, method, source_type)
        return None
    if source_type in CHECKED and method not in METHODS[source_type].split(", "):
        _no_such_method(record, method, source_type)
        return None
    if method == "windows" and source_type == "GoogleCloudServiceMonitoring":
        _windows_based(record)
        return None
    shared = {k: v for k, v in sli.items() if k not in (*GOOD, *VALID, *BAD)}
    good_key, good = first_of(sli, GOOD)
    valid_key, valid = first_of(sli, VALID)
    bad_key, bad = first_of(sli, BAD)
    if method == "good_bad_ratio" and (good is None or (valid is None and bad is None)):
        _no_ratio(here, sli)
        return None
    if method == "good_bad_ratio" and valid is None and source_type in VALID_ONLY:
        _no_bad_query(here, source_type, good_key, bad_key)
        return None
    for key in (good_key, valid_key, bad_key):
        if key in EARLY:
            here.note(
                (key,),
                f"{key} is the early Datadog backend's name (slo-generator v1), read as it read "
                f"it; slo-generator v2's Datadog backend reads {EARLY[key]}: rename it there",
            )
    record.note(
        ("backend",),
        f"Covenant does not query {source_type}: the SLI keeps the queries for reference and gets "
        "its counts from covenant ingest events (sli column = the SLO name), which counts an "
        "event good by its outcome column, else status < 500, and the latency bound carried "
        "(if any) — not by the good query's own condition: check that they agree",
    )
    if _has_env(sli):
        here.note(
            (),
            "${VAR} references are kept as written (slo-generator substitutes them from the "
            "environment)",
        )

    def spec(key: str, value: Any) -> dict[str, Any]:
        return metric_spec({**shared, key: value}, datasource=source, source_type=source_type)

    if method in {"good_bad_ratio", "threshold", "distribution_cut"} and valid is not None:
        ratio: dict[str, Any] = {"counter": True, "total": spec(valid_key, valid)}
        if good is not None:
            ratio["good"] = spec(good_key, good)
        elif bad is not None:
            ratio["bad"] = spec(bad_key, bad)
        else:
            ratio["good"] = spec(valid_key, valid)  # the cut (threshold, range) is in shared
        return {"ratioMetric": ratio}
    if method == "good_bad_ratio" and good is not None and bad is not None:
        here.note((), "valid events = good + bad (no valid query given)")
        _bad_holds_good(here, good_key, good, bad_key, bad)
        return {
            "ratioMetric": {
                "counter": True,
                "bad": spec(bad_key, bad),
                "total": metric_spec(
                    {**shared, good_key: good, bad_key: bad, "valid": "good + bad"},
                    datasource=source,
                    source_type=source_type,
                ),
            }
        }
    here.note(
        (),
        f"method {method!r}: the backend computes the SLI itself; imported as a raw success ratio",
    )
    return {
        "ratioMetric": {
            "rawType": "success",
            "raw": metric_spec(dict(sli), datasource=source, source_type=source_type),
        }
    }


_WORD = re.compile(r"""(?:"[^"]*"|'[^']*'|[^\s"'])+""")
_OPS = "=!<>:"  # the characters of Cloud Monitoring's comparison operators (=, !=, <, >=, :)


def _conditions(text: Any) -> list[str] | None:
    """A filter's conditions in order, each ``key op value`` whole with the spaces around its
    operator taken out (``a = "x"`` is ``a="x"``); ``AND`` or a space between conditions joins
    them. None for a filter this cannot compare (not text, or with ``OR``, ``NOT`` or
    brackets): its conditions are not simply all required."""
    if not isinstance(text, str):
        return None
    found: list[str] = []
    joined = True  # the next word starts a condition (after AND, or at the start)
    for word in _WORD.findall(text):
        if word.upper() in {"OR", "NOT"} or word.startswith(("(", "-")):
            return None
        if word.upper() == "AND":
            joined = True
            continue
        if found and not joined and (found[-1][-1] in _OPS or word[0] in _OPS):
            found[-1] += word  # an operator, or the value after it: the same condition
        else:
            found.append(word)
        joined = False
    return found


def _clauses(text: Any) -> frozenset[str] | None:
    """A filter's conditions as a set (see _conditions)."""
    found = _conditions(text)
    return None if found is None else frozenset(found)


def _bad_holds_good(here: Recorder, good_key: str, good: Any, bad_key: str, bad: Any) -> None:
    """Told: a bad filter whose conditions are all among the good one's selects every good
    event, and slo-generator's valid = good + bad counts each of them twice (its SLI is then
    at most 50 %): most likely the filter of all events, written as filter_bad."""
    good_set, bad_set = _clauses(good), _clauses(bad)
    if good_set is None or bad_set is None or not bad_set < good_set:
        return
    extra = " ".join(c for c in _conditions(good) or [] if c in good_set - bad_set)
    valid = VALID[GOOD.index(good_key)] if good_key in GOOD else "the valid query"
    here.note(
        (bad_key,),
        f"{bad_key} selects every event {good_key} does (its conditions are all among "
        f"{good_key}'s, which adds {extra}): slo-generator counts valid = good + bad, so each "
        "good event is counted twice and its SLI can never pass 50 %. If "
        f"{bad_key} means all the events, rename it {valid}; Covenant counts the ingested "
        "events, which gives that SLI",
    )


def _no_ratio(here: Recorder, sli: Mapping[str, Any]) -> None:
    """A good_bad_ratio without the good events' query, or without the valid and the bad
    events' ones: slo-generator's backends stop on it (a KeyError, or "one of filter_bad or
    filter_valid is required")."""
    written = ", ".join(str(k) for k in sli) or "nothing"
    here.problem(
        (),
        MISSING,
        f"good_bad_ratio counts good events over valid (or good + bad) ones, and the "
        f"service_level_indicator gives {written}: no query of good events and of valid or bad "
        "ones (slo-generator stops on it)",
        "give the good events' query and the valid or bad events' one: filter_good and "
        "filter_valid (Cloud Monitoring, MQL), query_good and query_valid (Datadog, Dynatrace, "
        "Elasticsearch, OpenSearch), search_query_good and search_query_valid (Splunk); "
        "_bad instead of _valid for the bad events (not Datadog's or Dynatrace's, which read "
        "the valid one only)",
    )


def _no_bad_query(here: Recorder, source_type: str, good_key: str, bad_key: str) -> None:
    """Left out: this backend's good_bad_ratio reads the good and the valid query, never the
    bad one, so slo-generator stops on a config without the valid one (a KeyError)."""
    valid_key = VALID[BAD.index(bad_key)]
    one_query = ", or compute the ratio in one query with method query_sli"
    if "query_sli" not in METHODS[source_type]:
        one_query = ""
    here.note(
        (bad_key,),
        f"slo-generator's {source_type} backend's good_bad_ratio takes {good_key} and "
        f"{valid_key} (all the events), and reads no {bad_key}: slo-generator stops on this "
        "config (it asks for the valid query), so the SLO is left out. Fix: write the query of "
        f"all the events as {valid_key} in place of {bad_key}{one_query}",
        skipped=True,
    )


def _no_such_cut(record: Recorder, method: str, source_type: str) -> None:
    """Left out: slo-generator's backend has no such method (it stops on the config), and
    imported, its cut (a ``threshold``) would be lost: every ingested event counted good by its
    status alone."""
    record.note(
        ("method",),
        f"slo-generator's {source_type} backend has no {method} method (its documented methods: "
        f"{METHODS.get(source_type, 'good_bad_ratio')}): slo-generator stops on this config, and "
        "Covenant, which counts this SLI from ingested events, would count every event good by "
        "its outcome or status alone, whatever latency bound the SLI gives — so the SLO is left "
        "out. Fix: count it with good_bad_ratio (a good query that holds only the fast events), "
        "or write it as OpenSLO with the bound in its SLI's covenant.dev/events annotation, "
        '\'{"latencyMs": {"op": "lt", "value": <ms>}}\', fed by covenant ingest events',
        skipped=True,
    )


def _no_such_method(record: Recorder, method: str, source_type: str) -> None:
    """Left out: slo-generator calls the backend's method of that name, and this backend has
    none (a fork's method, a misspelling): it stops on the config, so there is no SLO to
    carry over — imported, it would be a ratio nobody computes."""
    record.note(
        ("method",),
        f"slo-generator's {source_type} backend has no {method} method (its methods: "
        f"{METHODS[source_type]}): slo-generator stops on this config (it calls the "
        "backend's method of that name), so the SLO is left out. Fix: use one of those "
        "methods — query_slo with the same slo_id reads the good and valid events of a "
        f"{source_type} SLO, good_bad_ratio counts query_good over query_valid",
        skipped=True,
    )


def _windows_based(record: Recorder) -> None:
    """Left out: Service Monitoring's ``windows`` method builds a windows-based SLI (its
    ``good_bad_metric_filter`` a boolean series, its ``window_period`` the policy step's
    window): a share of good time windows, where Covenant would count ingested events."""
    record.note(
        ("method",),
        "method windows makes slo-generator build a windows-based Service Monitoring SLI: the "
        "share of good time windows (good_bad_metric_filter, a boolean series, judged over each "
        "window_period), not a share of events; Covenant counts the ingested events of this "
        "SLI, which would be another SLO, so it is left out. Fix: write it as an OpenSLO SLO "
        "with budgetingMethod: Timeslices (timeSliceWindow the window's length, "
        "timeSliceTarget what makes a window good), fed by covenant ingest events",
        skipped=True,
    )


def _bucket_index_cut(here: Recorder, sli: Mapping[str, Any], source_type: str) -> None:
    """Left out: the backend counts the events of buckets ``0..threshold_bucket`` of its
    distribution as below the cut; which latency that is, only the metric's bucket layout
    says, and Covenant does not query the backend."""
    index = sli.get("threshold_bucket")
    below = good_below(here, sli)
    op, side = ("lt", "below") if below else ("gte", "at or above")
    here.note(
        ("threshold_bucket",),
        f"threshold_bucket {index} is a bucket index of the backend's latency distribution, not "
        f"a latency: good events are those {side} the upper bound of bucket {index}, a latency "
        "bound in ms that is not in the config (only the metric's bucket layout holds it), and "
        f"Covenant does not query {source_type}: every ingested event would count as good, so "
        "the SLO is left out. Fix: write it as OpenSLO with "
        "the bound in its SLI's covenant.dev/events annotation, "
        f'\'{{"latencyMs": {{"op": "{op}", "value": <ms>}}}}\' (<ms>: the upper bound of '
        f"bucket {index}), and feed it with covenant ingest events",
        skipped=True,
    )


def _has_env(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, Mapping):
        return any(_has_env(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_env(v) for v in value)
    return False


def backend_datasource(
    record: Recorder, backend: str, name: str, options: Options, config_key: str = ""
) -> dict[str, Any]:
    """A DataSource of ``backend``'s type set from the shared config's ``key`` (the backend's
    own name, or a second one: ``cloud_monitoring/test``) ``config_key``."""
    config = options.slo_generator_config or {}
    backends = mapping(config.get("backends"))
    settings = options.inline_backend
    if settings is None:
        settings = mapping(backends.get(config_key or backend))
    details = _settings(record, settings, (), secret=False)
    spec: dict[str, Any] = {"type": BACKEND_TYPES[backend]}
    if details:
        spec["connectionDetails"] = details
    return {
        "apiVersion": "openslo/v1",
        "kind": "DataSource",
        "metadata": {"name": name},
        "spec": spec,
    }


def _settings(
    record: Recorder, settings: Mapping[str, Any], path: tuple[str, ...], *, secret: bool
) -> dict[str, Any]:
    """A backend's settings as connection details: ``${VAR}`` → ``…Env: VAR``, a literal that
    looks like a secret dropped (noted), keys in camelCase; a mapping (Elasticsearch's
    ``basic_auth: {username, password}``, ``api_key: {id, value}``) read the same way, every
    literal in it a secret when its own key looks like one (``api_key``'s ``id`` and
    ``value``)."""
    details: dict[str, Any] = {}
    for key, value in settings.items():
        env = ENV.match(value) if isinstance(value, str) else None
        camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), str(key))
        named = ".".join((*path, str(key)))
        hidden = secret or bool(SECRET.search(str(key)))
        if env:
            details[f"{camel}Env"] = env.group(1)
        elif isinstance(value, Mapping):
            inner = _settings(record, value, (*path, str(key)), secret=hidden)
            if inner:
                details[camel] = inner
        elif hidden:
            record.note(
                ("backend",),
                f"backend setting {named!r} looks like an inline secret; not carried over (give "
                "it by environment variable)",
            )
        else:
            details[camel] = value
    return details
