"""The fields of a Pyrra objective, as its Go types (``kubernetes/api/v1alpha1``) hold them:
the selector a block's ``metric`` holds, and the keys Pyrra does not have.

A key Pyrra does not have is dropped before Pyrra sees it (Kubernetes keeps only what the
CRD's schema holds; Pyrra's file mode decodes into the same types), so it changes nothing in
Pyrra — and nothing in the import. Each one is noted where it is written, with the key meant
when one is close: below ``spec`` too, where a selector split into ``metric`` and a
``matchers:`` list otherwise loses its matchers without a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from covenant.definitions.diagnostics import did_you_mean
from covenant.definitions.importers import placeholders, promql
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    Recorder,
    mapping,
    prometheus_duration_seconds,
    shown,
)
from covenant.definitions.importers.flags import quoted_flag_fix, yaml11_bool

SPEC_KEYS = (
    "target",
    "window",
    "indicator",
    "description",
    "alerting",
    "serviceLevel",
    "performanceOverAccuracy",
    "partial_response_strategy",
)
ALERTING_KEYS = (
    "disabled",
    "burnrates",
    "absent",
    "name",
    "absentName",
    "burnRateType",
    "severities",
)
INDICATOR_KEYS = {  # each kind's fields; the selector blocks among them hold ``metric`` only
    "ratio": ("errors", "total", "grouping"),
    "latency": ("success", "total", "grouping"),
    "latencyNative": ("total", "latency", "grouping"),
    "bool_gauge": ("metric", "grouping"),
}
QUERY_KEYS = ("metric",)
SUCCESS_FIX = ' (…_bucket{le="0.6"}); latency: 600ms over a native histogram: latencyNative'
_SELECTOR, _WHAT = "'http_requests_total{job=\"api\"}'", "PromQL series selector"
MATCHERS_FIX = (
    'write the matchers inside the selector, e.g. http_requests_total{job="api",code=~"5.."}'
)


def note_unknown_fields(record: Recorder, spec: Mapping[str, Any]) -> None:
    """A note per key of ``spec`` (``record`` at ``spec``), its ``alerting``, its indicator and
    the indicator's selector blocks that Pyrra does not have."""
    _unknown(record, (), spec, SPEC_KEYS, "a Pyrra objective")
    if "partial_response_strategy" in spec:
        record.note(
            ("partial_response_strategy",),
            "a Thanos Ruler setting of Pyrra's rules (abort or warn on a partial answer); not "
            "carried over: Covenant's own rules and readers say when a read is incomplete",
        )
    alerting = spec.get("alerting")
    if isinstance(alerting, Mapping):
        _unknown(record, ("alerting",), alerting, ALERTING_KEYS, "Pyrra's alerting")
    indicator = spec.get("indicator")
    if not isinstance(indicator, Mapping):
        return
    for kind, block in indicator.items():
        known = INDICATOR_KEYS.get(str(kind))
        if known is None or not isinstance(block, Mapping):
            continue  # an unknown indicator is refused by the importer
        where = ("indicator", str(kind))
        _unknown(record, where, block, known, f"Pyrra's {kind} indicator")
        for key in known:
            query = block.get(key)
            if key not in {"grouping", "latency", "metric"} and isinstance(query, Mapping):
                _unknown(record, (*where, key), query, QUERY_KEYS, f"Pyrra's {key}")


def selector(record: Recorder, block: Any, path: tuple[str | int, ...]) -> str | None:
    """The selector of a block's ``metric`` (an ``offset`` dropped, noted); None: refused."""
    query = block.get("metric") if isinstance(block, Mapping) else None
    if record.no_query_text((*path, "metric"), query, example=_SELECTOR, what=_WHAT):
        return None
    if not isinstance(query, str) or not query.strip():
        record.problem(
            (*path, "metric"),
            MISSING,
            f"{'.'.join(map(str, path))}.metric is missing",
            "give the series selector" + (SUCCESS_FIX if path == ("success",) else ""),
        )
        return None
    offset = re.search(r"\s+offset\s+-?[0-9][0-9smhdwy]*\s*$", query)
    if offset is not None and promql.is_selector(query[: offset.start()]):
        record.note(
            (*path, "metric"),
            f"'{offset.group().strip()}' is dropped: Pyrra reads the counter that much later "
            "(to wait for late samples); Covenant counts each sample at its own time, "
            "so the counts are the same, each at its own minute",
        )
        query = query[: offset.start()]
    if not promql.is_selector(query):
        record.problem(
            (*path, "metric"),
            INVALID,
            f"{query!r} is not a series selector",
            'Pyrra takes a selector such as http_requests_total{job="api"}',
        )
        return None
    return query.strip()


def alert_switches(record: Recorder, alerting: Mapping[str, Any]) -> dict[str, bool] | None:
    """``alerting``'s ``disabled``, ``burnrates`` and ``absent`` as Kubernetes reads them into
    Pyrra's booleans (YAML 1.1: ``off``, ``no``, ``n`` are false); None (refused) when one is no
    boolean, which the API server refuses. A switch not given is left out."""
    switches: dict[str, bool] = {}
    for key in ("disabled", "burnrates", "absent"):
        value = alerting.get(key)
        if value is None:
            continue
        quoted = record.quoted(("alerting", key))
        flag = yaml11_bool(value, go=True, quoted=quoted)
        if flag is None and quoted:
            record.problem(
                ("alerting", key),
                INVALID,
                f"alerting.{key} {value!r} is quoted: text, not a boolean (Kubernetes refuses "
                "the object)",
                quoted_flag_fix(value),
            )
            return None
        if flag is None:
            record.problem(
                ("alerting", key),
                INVALID,
                f"alerting.{key} {shown(value)} is not a boolean (Kubernetes refuses the object)",
                f"write {key}: true or false",
            )
            return None
        if isinstance(value, str):
            record.note(
                ("alerting", key),
                f"{value!r} read as {str(flag).lower()}, as Kubernetes reads YAML 1.1 for Pyrra",
            )
        switches[key] = flag
    return switches


def unread_keys(block: Any) -> list[str]:
    """The keys beside ``metric`` of a selector block (``matchers``…), which Pyrra drops."""
    if not isinstance(block, Mapping):
        return []
    return [str(key) for key in block if key not in QUERY_KEYS]


def _unknown(
    record: Recorder,
    where: tuple[str, ...],
    data: Mapping[str, Any],
    known: tuple[str, ...],
    what: str,
) -> None:
    for key in data:
        if str(key) in known:
            continue
        if where == () and what == "a Pyrra objective":
            text = "not a field of a Pyrra objective; ignored"
        elif known == QUERY_KEYS:
            text = (
                f"{str(key)!r} is not a field of {what} (it reads metric only); ignored, as "
                "Kubernetes drops it"
            )
            if key == "matchers":
                text += ": " + MATCHERS_FIX
        else:
            text = f"{str(key)!r} is not a field of {what}; ignored, as Kubernetes drops it"
        guess = did_you_mean(str(key), list(known))
        if guess:
            text += f": did you mean {guess!r}?"
        record.note((*where, str(key)), text)


def note_numeric_target(record: Recorder, written: Any) -> None:
    """``target: 99.9`` unquoted (``record`` at ``spec``): Pyrra's CRD declares a string, so
    the Kubernetes API refuses the number; Pyrra's filesystem mode (sigs.k8s.io/yaml) turns
    it into its text. Imported as the percentage it says, noted with the quoted form."""
    if isinstance(written, (int, Decimal)) and not isinstance(written, bool):
        text = shown(Decimal(written))
        record.note(
            ("target",),
            f"target {text} is a number where Pyrra's CRD declares a string: Kubernetes "
            f'refuses the object (spec.target must be of type string); write target: "{text}" '
            "(Pyrra's filesystem mode reads the number as that text)",
        )


def indicator_elsewhere(record: Recorder, spec: Mapping[str, Any]) -> bool:
    """Whether ``spec`` (``record`` at it) lacks ``indicator`` but holds it under another key
    — the Go field's name (``serviceLevelIndicator``), a near spelling (``indicators``) or an
    unknown key holding one of the indicator kinds: then refused, naming that key (Kubernetes
    drops it and refuses the object for want of ``indicator``)."""
    if "indicator" in spec:
        return False
    for key, value in spec.items():
        name = str(key)
        if name in SPEC_KEYS:
            continue
        if (
            name.lower() == "servicelevelindicator"
            or did_you_mean(name, ["indicator"])
            or (isinstance(value, Mapping) and any(kind in value for kind in INDICATOR_KEYS))
        ):
            record.problem(
                (name,),
                MISSING,
                f"indicator is missing: {name} is not a field of a Pyrra objective (Kubernetes "
                "drops it and refuses the object without indicator)",
                f"rename {name} to indicator, holding one of {', '.join(INDICATOR_KEYS)}",
            )
            return True
    return False


def latency_fix(written: Any) -> str:
    """The fix for a ``latencyNative.latency`` that is no Prometheus duration: a number
    (``"0.3"``, as a histogram's ``le`` bounds are written, in seconds) as one with its unit."""
    try:
        seconds = Decimal(str(written).strip())
    except ArithmeticError:
        return "write e.g. latency: 200ms"
    if not seconds.is_finite() or seconds <= 0:
        return "write e.g. latency: 200ms"
    unit, amount = (
        ("s", seconds) if seconds == seconds.to_integral_value() else ("ms", seconds * 1000)
    )
    return (
        f"write latency: {format(amount.normalize(), 'f')}{unit} (a duration with its unit; "
        f"{written} read as seconds)"
    )


def prometheus_duration(seconds: int) -> str:
    """Whole seconds as Prometheus's ``model.Duration.String()`` writes them (Pyrra's alert
    labels): years and weeks only when exact (``14d`` → ``2w``, ``15d`` → ``15d``), then days,
    hours, minutes, seconds (``185142`` → ``2d3h25m42s``)."""
    if seconds <= 0:
        return "0s"
    out, rest = "", seconds
    for unit, size, exact in (
        ("y", 365 * 86400, True),
        ("w", 7 * 86400, True),
        ("d", 86400, False),
        ("h", 3600, False),
        ("m", 60, False),
        ("s", 1, False),
    ):
        if exact and rest % size:
            continue
        count, rest = divmod(rest, size)
        out += f"{count}{unit}" if count else ""
    return out


def window_labels(tiers: list[dict[str, Any]], window_seconds: int) -> dict[str, Any]:
    """Per tier, the labels Pyrra's alert of those windows carries (slo/rules.go,
    ``Burnrates``): ``long`` and ``short``, its windows, and ``exhaustion``, the SLO window
    over the tier's factor truncated to whole seconds (``Exhausts``)."""
    out: dict[str, Any] = {}
    for tier in tiers:
        long_s = prometheus_duration_seconds(str(tier["longWindow"])) or 0
        short_s = prometheus_duration_seconds(str(tier["shortWindow"])) or 0
        exhaustion = int(Decimal(window_seconds) / Decimal(tier["burnRate"]))
        out[str(tier["name"])] = {
            "labels": {
                "long": prometheus_duration(long_s),
                "short": prometheus_duration(short_s),
                "exhaustion": prometheus_duration(exhaustion),
            }
        }
    return out


def shell_placeholder(record: Recorder, data: Mapping[str, Any]) -> bool:
    """Refuse an objective whose name or a selector holds a placeholder (``${svc}``,
    ``service="$svc"``: ``importers.placeholders``). Kubernetes refuses such a name, and a
    selector would match the placeholder's text. True when refused."""
    metadata, spec = mapping(data.get("metadata")), mapping(data.get("spec"))
    fields: list[tuple[tuple[str, ...], Any]] = [(("metadata", "name"), metadata.get("name"))]
    for kind, block in mapping(spec.get("indicator")).items():
        for key, value in mapping(block).items():
            where = ("spec", "indicator", str(kind))
            if key == "metric":
                fields.append(((*where, "metric"), value))
            elif isinstance(value, Mapping):
                fields.append(((*where, str(key), "metric"), value.get("metric")))
    for path, value in fields:
        found = placeholders.placeholder(value) if isinstance(value, str) else None
        if found is not None:
            record.problem(
                path,
                INVALID,
                f"{path[-1]} {value!r} {placeholders.why(found)}"
                + ("; Kubernetes refuses such a name" if path[-1] == "name" else ""),
                placeholders.FIX,
            )
            return True
    return False
