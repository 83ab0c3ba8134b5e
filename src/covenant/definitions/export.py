"""Workspace → OpenSLO v1 YAML. Covenant extensions travel as ``covenant.dev/*`` annotations.

Every ``openslo/v1`` document is written as read (``openslo/v1alpha`` and ``v2alpha`` ones in
their converted ``openslo/v1`` form); a ``covenant/v1`` SLO or SLI becomes an ``openslo/v1`` one
with its extension fields moved into annotations (JSON text), so loading the export gives the
same objectives and event rules (lossless). Kinds OpenSLO cannot represent (``covenant/v1``
Customer, Agreement…) are left out.

An SLO's spec is written the way the reference (the OpenSLO Go SDK, ``oslo validate``) reads
it back: the year unit as ``Y`` (not ``y``), a ``timeSliceWindow`` written as a bare number of
minutes as a duration (``5m``), ``calendar.startTime`` as ``YYYY-MM-DD HH:MM:SS`` on the
calendar's wall clock, the window Covenant assumed when none was written (rolling 28 days), and
the calendar Covenant assumed when ``isRolling: false`` had none (UTC, from the natural start),
and a rolling window written in months, quarters or years as the days Covenant reads it as
(``1M`` → ``30d``, ``1Q`` → ``90d``, ``1y`` → ``365d``): the same length, stated.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

from covenant.definitions.covenant_v1 import SLI_EXTENSION_FIELDS, SLO_EXTENSION_FIELDS
from covenant.definitions.durations import parse_duration
from covenant.definitions.field_rules import START_TIME_FORMAT, parse_start_time
from covenant.definitions.kinds import COVENANT_V1, OPENSLO_V1
from covenant.definitions.parsed import Definition
from covenant.definitions.timewindows import DEFAULT_START, DEFAULT_WEEK_START, DEFAULT_WINDOW_TEXT
from covenant.errors import InputError


def openslo_documents(definitions: Iterable[Definition]) -> list[dict[str, Any]]:
    """The OpenSLO v1 form of every representable definition."""
    exported: list[dict[str, Any]] = []
    for definition in definitions:
        if definition.api_version == OPENSLO_V1:
            document = dict(definition.raw)
        elif definition.api_version == COVENANT_V1 and definition.kind in {"SLO", "SLI"}:
            document = _to_openslo(definition.raw)
        else:
            continue
        if document.get("kind") == "SLO" and isinstance(document.get("spec"), Mapping):
            document["spec"] = reference_slo_spec(document["spec"])
        exported.append(document)
    return exported


def reference_slo_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """An SLO spec in the form the reference reads back with the same meaning."""
    result = dict(spec)
    windows = result.get("timeWindow")
    if windows is None:
        result["timeWindow"] = [{"duration": DEFAULT_WINDOW_TEXT, "isRolling": True}]
    elif isinstance(windows, list):
        result["timeWindow"] = [
            _reference_window(w) if isinstance(w, Mapping) else w for w in windows
        ]
    objectives = result.get("objectives")
    if isinstance(objectives, list):
        result["objectives"] = [
            _reference_objective(o) if isinstance(o, Mapping) else o for o in objectives
        ]
    return result


def _reference_window(window: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(window)
    duration = result.get("duration")
    if result.get("isRolling") is True and isinstance(duration, str):
        result["duration"] = duration = _rolling_length(duration)
    if isinstance(duration, str) and duration.endswith("y"):
        result["duration"] = duration[:-1] + "Y"  # the reference knows Y only
    calendar = result.get("calendar")
    if result.get("isRolling") is not True:
        result["isRolling"] = False
        if calendar is None:
            unit = str(result.get("duration", ""))[-1:]
            start = DEFAULT_WEEK_START if unit == "w" else DEFAULT_START
            result["calendar"] = {"startTime": start, "timeZone": "UTC"}
        elif isinstance(calendar, Mapping):
            result["calendar"] = _reference_calendar(calendar)
    return result


def _rolling_length(duration: str) -> str:
    """A rolling window's duration in a fixed unit: ``1M`` → ``30d`` (as Covenant and the
    OpenSLO SDK read it; docs/definitions.md), which every reader takes for the same length."""
    try:
        return parse_duration(duration).rolling_text
    except InputError:
        return duration  # not valid: never reached for a workspace that loaded


def _reference_calendar(calendar: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(calendar)
    zone = result.get("timeZone", "UTC")
    result["timeZone"] = zone
    start = result.get("startTime")
    if isinstance(start, str):
        try:
            parsed = parse_start_time(start)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(ZoneInfo(str(zone)))
        except (ValueError, ZoneInfoNotFoundError):
            return result  # not valid: never reached for a workspace that loaded
        result["startTime"] = parsed.strftime(START_TIME_FORMAT)
    return result


def _reference_objective(objective: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(objective)
    window = result.get("timeSliceWindow")
    if isinstance(window, int) and not isinstance(window, bool):
        result["timeSliceWindow"] = f"{window}m"  # a bare number is minutes
    return result


def _to_openslo(raw: Mapping[str, Any]) -> dict[str, Any]:
    document = dict(raw)
    document["apiVersion"] = OPENSLO_V1
    if raw.get("kind") == "SLO":
        spec = dict(raw["spec"])
        indicator = spec.get("indicator")
        if isinstance(indicator, Mapping):
            spec["indicator"] = _move_extensions(indicator, SLI_EXTENSION_FIELDS)
        document["spec"] = spec
        return _move_extensions(document, SLO_EXTENSION_FIELDS)
    return _move_extensions(document, SLI_EXTENSION_FIELDS)


def _move_extensions(obj: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """Move ``spec.<field>`` of ``obj`` into ``metadata.annotations[<key>]`` as text."""
    result = dict(obj)
    spec = dict(result.get("spec") or {})
    metadata = dict(result.get("metadata") or {})
    annotations = dict(metadata.get("annotations") or {})
    for name, key in fields.items():
        if name in spec:
            value = spec.pop(name)
            annotations[key] = value if isinstance(value, str) else to_json(value)
    if annotations:
        metadata["annotations"] = annotations
    result["metadata"] = metadata
    result["spec"] = spec
    return result


def to_json(value: Any) -> str:
    """Compact JSON that keeps decimals exactly as written (``0.999`` stays ``0.999``)."""
    if isinstance(value, Mapping):
        items = ",".join(f"{json.dumps(str(k))}:{to_json(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def _represent_decimal(representer: RoundTripRepresenter, value: Decimal) -> Any:
    text = str(value)
    if not any(ch in text for ch in ".eE"):
        text += ".0"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def dump_yaml(documents: Iterable[Mapping[str, Any]]) -> str:
    """Documents as a multi-document YAML text (``---`` between them)."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    stream = io.StringIO()
    yaml.dump_all([_plain(doc) for doc in documents], stream)
    return stream.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def export_openslo(definitions: Iterable[Definition]) -> str:
    return dump_yaml(openslo_documents(definitions))
