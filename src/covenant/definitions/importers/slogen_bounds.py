"""A latency bound given in a slo-generator SLI, as the SLI's ``covenant.dev/events`` rule.

Covenant does not query the backends other than Prometheus: their SLIs are fed by ``covenant
ingest events``, which counts an event good by the SLI's events rule. A bound the backend
applies (a Service Monitoring ``range_max``, a Dynatrace ``threshold``) must therefore become
that rule, or every ingested event would count as good. Each is carried with the backend's
comparison and in ms, exactly (a decimal, never rounded); what the rule cannot say (a range
with both ends) leaves the SLO out with the reason. Semantics, read from slo-generator's
backends and the Cloud Monitoring API:

- ``cloud_service_monitoring`` ``distribution_cut``: a ``DistributionCut`` whose good service
  is the count of values ``range.min <= x < range.max`` (``range_min`` defaults to 0), in the
  distribution's unit (ms for Cloud Monitoring's latency metrics);
- ``cloud_service_monitoring`` ``basic`` with ``latency.threshold``: ms (slo-generator sends
  ``int(threshold) * 10**6`` ns); good service is the requests that return in no more than it;
- ``dynatrace`` ``threshold`` (``split_threshold`` in early v1 releases): good are the values
  ``< threshold`` (``> threshold`` with ``good_below_threshold: false``), in the metric's unit
  (µs for response times); a value equal to it is neither good nor bad there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from covenant.definitions.covenant_v1 import EVENTS_KEY
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    Recorder,
    decimal,
    mapping,
)
from covenant.definitions.importers.flags import YAML11_WORDS, yaml11_bool


@dataclass(frozen=True, slots=True)
class Bound:
    """What the file's bound becomes: SLI annotations (empty: no bound), or the SLO left out."""

    annotations: Mapping[str, str]
    left_out: bool = False


NONE = Bound(annotations={})
LEFT_OUT = Bound(annotations={}, left_out=True)


def latency_bound(here: Recorder, backend: str, method: str, sli: Mapping[str, Any]) -> Bound:
    """The bound of ``sli`` (``here``: its ``spec``) as a ``covenant.dev/events`` rule."""
    if backend == "cloud_service_monitoring" and method == "distribution_cut":
        return _range_cut(here.child(("service_level_indicator",)), sli)
    if backend == "cloud_service_monitoring" and method == "basic":
        return _basic_latency(here.child(("service_level_indicator",)), sli)
    if backend == "dynatrace" and method in {"threshold", "split_threshold"}:  # 2nd: its old name
        return _dynatrace(here.child(("service_level_indicator",)), sli)
    return NONE


def good_below(here: Recorder, sli: Mapping[str, Any]) -> bool:
    """``good_below_threshold`` of ``sli`` (``here``: its place) as slo-generator reads it: by
    truth (``0`` is above), a plain ``no`` or ``off`` being false to PyYAML (YAML 1.1) as
    ``false`` is. A quoted ``"no"`` is text to PyYAML, and any text but ``''`` is true to
    Python: read so, noted with what to write for false."""
    value = sli.get("good_below_threshold", True)
    quoted = here.quoted(("good_below_threshold",))
    flag = yaml11_bool(value, quoted=quoted)
    if quoted and flag is None and not YAML11_WORDS.get(value, True):
        here.note(
            ("good_below_threshold",),
            f"{value!r} is quoted: text, which slo-generator reads as true (any text but '' "
            "is); write false without quotes for good values above the threshold",
        )
    return bool(value) if flag is None else flag


LARGEST_MS = Decimal(10) ** 9  # about eleven days: no latency bound is larger
LATENCY_METRIC = re.compile(r"latency|response[._]?time|duration", re.IGNORECASE)


def _rule(here: Recorder, path: tuple[str, ...], op: str, ms: Decimal, said: str) -> Bound:
    value = format(ms.normalize(), "f") if ms != 0 else "0"
    text = f'{{"latencyMs": {{"op": "{op}", "value": {value}}}}}'
    here.note(
        path,
        f"carried as the SLI's covenant.dev/events rule {text} (an ingested event whose "
        f"latency_ms fails it counts as bad): {said}",
    )
    return Bound(annotations={EVENTS_KEY: text})


def _number(
    here: Recorder, sli: Mapping[str, Any], key: str, fix: str, *, scale: int = 0
) -> Decimal | None:
    """The bound ``key`` (× 10^``scale`` ms), a latency bound in (0, 10^9] ms, or a problem."""
    value = decimal(sli.get(key))
    if key not in sli:
        here.problem((key,), MISSING, f"{key} is missing (slo-generator needs it)", fix)
    elif value is None:
        here.problem((key,), INVALID, f"{key} {sli.get(key)!r} is not a number", fix)
    elif not 0 < value <= LARGEST_MS.scaleb(-scale):  # compared as written: no overflow
        here.problem(
            (key,),
            INVALID,
            f"{key} {value} is not a latency bound: above 0 and at most "
            f"{LARGEST_MS.scaleb(-scale):f} (10^9 ms)",
            fix,
        )
        return None
    return value


def _range_cut(here: Recorder, sli: Mapping[str, Any]) -> Bound:
    top = _number(here, sli, "range_max", "give the latency bound in ms, e.g. range_max: 724")
    low = decimal(sli.get("range_min", 0))
    if top is None:
        return LEFT_OUT
    if low is None:
        here.problem(
            ("range_min",),
            INVALID,
            f"range_min {sli.get('range_min')!r} is not a number",
            "give a number of ms, or leave range_min out (0)",
        )
        return LEFT_OUT
    if low > 0:
        here.note(
            ("range_min",),
            f"good events are those with range_min {low} <= latency < range_max {top}, a range "
            "with two ends; a covenant.dev/events rule compares latencyMs once, so the SLO is "
            "left out. Fix: drop range_min if the events below it may count as good (the SLO "
            f'then imports with \'{{"latencyMs": {{"op": "lt", "value": {top}}}}}\'); else feed '
            "it pre-counted rows (covenant ingest events with good and total columns) counted "
            "with both ends",
            skipped=True,
        )
        return LEFT_OUT
    return _rule(
        here,
        ("range_max",),
        "lt",
        top,
        f"good events are those below range_max {top} (Service Monitoring counts "
        f"range_min <= x < range_max; range_min {low} holds for every latency), read in ms, the "
        "unit of Cloud Monitoring's latency distributions: if the metric of filter_valid is in "
        "another unit, change the rule's value",
    )


def _basic_latency(here: Recorder, sli: Mapping[str, Any]) -> Bound:
    latency = mapping(sli.get("latency"))
    given = latency.get("threshold")
    if not given:  # slo-generator: `if threshold:` else an availability SLI
        return NONE
    value = _number(
        here.child(("latency",)),
        latency,
        "threshold",
        "give the latency bound in ms, e.g. threshold: 724",
    )
    if value is None:
        return LEFT_OUT
    sent = Decimal(int(value))  # slo-generator sends int(threshold) * 10**6 ns
    cut = "" if sent == value else f" (slo-generator sends int({value}) = {sent} ms)"
    return _rule(
        here,
        ("latency", "threshold"),
        "lte",
        sent,
        f"good requests return in no more than latency.threshold {sent} ms{cut}",
    )


def _dynatrace(here: Recorder, sli: Mapping[str, Any]) -> Bound:
    micros = _number(
        here, sli, "threshold", "give the bound in µs, e.g. threshold: 50000", scale=-3
    )
    if micros is None:
        return LEFT_OUT
    selector = mapping(sli.get("query_valid")).get("metric_selector")
    if not (isinstance(selector, str) and LATENCY_METRIC.search(selector.split(":filter")[0])):
        here.note(
            ("threshold",),
            f"threshold {micros} compares the values of {selector!r}, which is not named as a "
            "latency (latency, response time, duration): Covenant's ingested events carry a "
            "latency only, so the SLO is left out. Fix: feed it pre-counted rows (covenant "
            "ingest events with good and total columns), counted by that threshold",
            skipped=True,
        )
        return LEFT_OUT
    below = good_below(here, sli)
    op, side = ("lt", "below") if below else ("gt", "above")
    ms = micros.scaleb(-3)  # µs → ms, exact
    return _rule(
        here,
        ("threshold",),
        op,
        ms,
        f"good values are those {side} threshold {micros}, read in µs (Dynatrace's unit of "
        f"response times) = {format(ms.normalize(), 'f')} ms; slo-generator counts the "
        "metric's values per time slot, Covenant each ingested request, and a value equal to "
        "it slo-generator counts neither good nor bad, Covenant bad",
    )
