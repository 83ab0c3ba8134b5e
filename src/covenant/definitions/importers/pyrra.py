"""Pyrra ``ServiceLevelObjective`` (``pyrra.dev/v1alpha1``) → OpenSLO.

Meaning kept (docs/import.md): ``target: "99.9"`` → ``0.999``; ``window: 4w`` → a rolling 4w;
``ratio`` (errors / total counters) → bad / total counters; ``latency`` (a ``_bucket`` with
``le`` / ``_count``) → good / total histogram counters; ``latencyNative`` → the share of a
native histogram below the latency, per window; ``bool_gauge`` → samples at 1 / all samples, per
window. Pyrra's four multi-window alerts (factors 14, 7, 2, 1 over 1h/5m, 6h/30m, 1d/2h, 4d/6h
for 28 days, scaled with the window and rounded to the minute) → ``covenant/v1`` alert tiers."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from covenant.definitions.importers import groups, promql
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    ImportedFile,
    Options,
    Recorder,
    SLOParts,
    add_once,
    below_one_percent,
    decimal,
    description,
    duration_text,
    mapping,
    metric,
    name_for,
    percent_to_target,
    prometheus_datasource,
    prometheus_duration_seconds,
    service_document,
    shown,
    slo_document,
    threshold_notes,
    tier,
)
from covenant.definitions.importers.bundles import skipped_in_bundle, unrecognised
from covenant.definitions.importers.failure_names import total_of_failures
from covenant.definitions.importers.pyrra_fields import (
    MATCHERS_FIX,
    alert_switches,
    indicator_elsewhere,
    latency_fix,
    note_numeric_target,
    note_unknown_fields,
    selector,
    shell_placeholder,
    unread_keys,
)
from covenant.definitions.importers.pyrra_routing import absent_alert, routing
from covenant.definitions.yamlsource import SourceDocument

BASE_DAYS = 28
NANOS = 10**9
# (severity, long divisor, short divisor, factor) of Pyrra's Windows() for a window W:
# long = W / long divisor, short = W / short divisor, each rounded to the minute
WINDOWS = (
    ("page", 28 * 24, 28 * 24 * 12, 14),
    ("page", 28 * 4, 28 * 24 * 2, 7),
    ("ticket", 28, 28 * 12, 2),
    ("ticket", 7, 28 * 4, 1),
)
UNGROUPED = "v1alpha1"  # Pyrra's apiVersion as its Go types' GroupVersion.Version writes it
OWN = ("pyrra.dev/", UNGROUPED)  # Pyrra's API: a misspelt object of it is refused, not skipped
FOR_NOTE = "Pyrra's 'for' durations of its alerts are not used (the short window does that job)"


def _round_minute(nanos: int) -> int:
    """Go's ``Duration.Round(time.Minute)`` (half away from zero) in whole minutes."""
    minute = 60 * NANOS
    whole, rest = divmod(nanos, minute)
    return whole + (1 if 2 * rest >= minute else 0)


def pyrra_tiers(window_seconds: int, dropped: list[str] | None = None) -> list[dict[str, Any]]:
    """Pyrra's alert windows for an SLO window, as ``covenant/v1`` tiers; a tier whose window
    rounds to under a minute is left out and described in ``dropped``."""
    tiers = []
    names = ("page-1", "page-2", "ticket-1", "ticket-2")
    for name, (severity, long_div, short_div, factor) in zip(names, WINDOWS, strict=True):
        long_m = _round_minute(window_seconds * NANOS // long_div)
        short_m = _round_minute(window_seconds * NANOS // short_div)
        long_text, short_text = duration_text(long_m * 60), duration_text(short_m * 60)
        if long_text is None or short_text is None:
            if dropped is not None:  # Pyrra's own rule would read a range of 0s
                dropped.append(f"{name} (burn rate {factor}: {long_m}m/{short_m}m)")
            continue
        tiers.append(tier(name, severity, long_text, short_text, burn_rate=Decimal(factor)))
    return tiers


def import_pyrra(docs: list[SourceDocument], *, file: str, options: Options) -> ImportedFile:
    result = ImportedFile(source=file, tool="pyrra")
    for doc in docs:
        record = Recorder(result, doc)
        data = doc.data
        if not _is_pyrra(data):
            if skipped_in_bundle(record, docs, _is_pyrra, "Pyrra ServiceLevelObjective", OWN):
                continue
            unrecognised(
                record,
                data,
                expected="a Pyrra ServiceLevelObjective",
                fix="Pyrra files have apiVersion: pyrra.dev/v1alpha1 and kind: "
                "ServiceLevelObjective; for other tools use covenant import sloth or covenant "
                "import slo-generator",
            )
            continue
        assert isinstance(data, Mapping)
        if data["apiVersion"] == UNGROUPED:
            record.note(
                ("apiVersion",),
                f"apiVersion {UNGROUPED!r} lacks Pyrra's group (as Pyrra's Go types write "
                f"it): read as pyrra.dev/{UNGROUPED}",
            )
        _objective(result, record, data, options)
    if result.problems:
        result.documents.clear()
    return result


def _is_pyrra(data: Any) -> bool:
    """A Pyrra objective: ``pyrra.dev/…``, or its version alone with a Pyrra spec."""
    if not isinstance(data, Mapping) or data.get("kind") != "ServiceLevelObjective":
        return False
    api = data.get("apiVersion")
    spec = data.get("spec")
    return isinstance(api, str) and (
        api.startswith("pyrra.dev/")
        or (api == UNGROUPED and isinstance(spec, Mapping) and "indicator" in spec)
    )


def _objective(
    result: ImportedFile, record: Recorder, data: Mapping[str, Any], options: Options
) -> None:
    metadata = mapping(data.get("metadata"))
    spec = data.get("spec")
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        record.problem(
            ("metadata", "name"), MISSING, "metadata.name is missing", "name the objective"
        )
        return
    if shell_placeholder(record, data):
        return
    if not isinstance(spec, Mapping):
        record.problem(
            ("spec",), MISSING, "spec is missing", "add spec.target, spec.window and spec.indicator"
        )
        return
    here = record.child(("spec",))
    target = decimal(spec.get("target"))
    if target is None or not 0 < target < 100:
        here.problem(
            ("target",),
            INVALID,
            f"target {shown(spec.get('target'))} is not a percentage in (0, 100)",
            'write e.g. target: "99.9"',
        )
        return
    note_numeric_target(here, spec.get("target"))
    below_one_percent(here, ("target",), target, "Pyrra", warns=True)
    window_text = spec.get("window")
    seconds = prometheus_duration_seconds(str(window_text)) if window_text is not None else None
    window = duration_text(seconds) if seconds else None
    if window is None:
        here.problem(
            ("window",),
            INVALID,
            f"window {window_text!r} is not a duration of whole minutes",
            "write e.g. window: 4w",
        )
        return
    assert seconds is not None
    if isinstance(window_text, str) and promql.duration_is_openslo(window_text):
        window = window_text
    if indicator_elsewhere(here, spec):
        return
    indicator = _indicator(here.child(("indicator",)), spec.get("indicator"), options)
    if indicator is None:
        return
    note_unknown_fields(here, spec)
    if spec.get("performanceOverAccuracy"):
        here.note(
            ("performanceOverAccuracy",),
            "a rule-generation choice of Pyrra; Covenant's windows are always exact sums of counts",
        )
    dropped: list[str] = []
    tiers = pyrra_tiers(seconds, dropped)
    alerting = mapping(spec.get("alerting"))
    switches = alert_switches(here, alerting)
    if switches is None:
        return
    if switches.get("disabled") is True or switches.get("burnrates") is False:
        tiers = []
    else:
        here.note_once(("alerting",) if alerting else (), FOR_NOTE)
        if str(alerting.get("burnRateType") or "static").lower() != "static":
            here.note(
                ("alerting", "burnRateType"),
                f"burnRateType {alerting['burnRateType']}: Pyrra scales each threshold by the "
                "traffic of its window; Covenant's tiers have fixed burn rates, so Pyrra's "
                "static ones (14, 7, 2, 1) are imported",
            )
        if dropped:
            here.note(
                ("window",),
                f"window {spec.get('window')}: Pyrra's alert windows scale with it and round "
                f"to the minute, and a window under a minute cannot be evaluated: left out "
                f"{'; '.join(dropped)} (a window of 3d or more keeps all four tiers)",
            )
    absent_alert(here, alerting, switches.get("absent", True), name)
    threshold_notes(
        here,
        ("alerting",) if alerting else (),
        tiers,
        target=percent_to_target(target),
        window=window,
    )
    service = _service(record, metadata)
    add_once(result, service_document(service))
    add_once(result, prometheus_datasource(options.datasource, options.prometheus_url))
    slo_name = name_for(result, name)
    labels, annotations = routing(record, data, tiers, seconds)
    document = slo_document(
        SLOParts(
            name=slo_name,
            service=service,
            description=description(here, ("description",), spec.get("description")),
            labels=labels,
            annotations=annotations,
            indicator=indicator,
            target=percent_to_target(target),
            window=window,
            tiers=tiers,
        )
    )
    result.documents.append(document)
    groups.attach(result, document)


SERVICE_LABEL = "pyrra.dev/service"
"""The label rhobs and others name an SLO's service with; Pyrra puts it on the rules as
``service``."""


def _service(record: Recorder, metadata: Mapping[str, Any]) -> str:
    """The SLO's service: its ``pyrra.dev/service`` label when written, else its namespace
    (Pyrra has no service field), noted either way."""
    labels = mapping(metadata.get("labels"))
    labelled = labels.get(SERVICE_LABEL)
    if isinstance(labelled, str) and labelled.strip():
        service = name_for(record.result, labelled.strip())
        record.note(
            ("metadata", "labels", SERVICE_LABEL),
            f"Pyrra has no service field: the SLO's service is its {SERVICE_LABEL} label "
            f"({service}), which Pyrra puts on its rules as service",
        )
        return service
    namespace = metadata.get("namespace")
    service = name_for(record.result, str(namespace or "default"))
    record.note(
        ("metadata", "namespace") if namespace else ("metadata",),
        f"Pyrra has no service: the SLO's service is its namespace ({service})",
    )
    return service


def promql_duration_is_openslo(text: str) -> bool:
    """``4w``, ``7d``, ``90m``: one count and a unit OpenSLO reads the same way."""
    return bool(text) and text[:-1].isdigit() and text[-1] in "mhdw" and int(text[:-1]) > 0


def _grouping(record: Recorder, block: Mapping[str, Any]) -> None:
    """A grouped SLI: noted, and recorded for ``--split-groups`` (``importers.groups``)."""
    if block.get("grouping"):
        record.note(
            ("grouping",),
            f"grouping by {block['grouping']} makes one objective per group in Pyrra; Covenant "
            "evaluates one SLI per SLO, imported over all series together (write one SLO per "
            "group value to keep per-group objectives: --split-groups does)",
        )
        record.result.groups.append(
            groups.pyrra_grouping(block["grouping"], record.result.notes[-1])
        )


def _indicator(record: Recorder, indicator: Any, options: Options) -> dict[str, Any] | None:
    if not isinstance(indicator, Mapping) or len(indicator) != 1:
        record.problem(
            (),
            MISSING,
            "indicator needs exactly one of ratio, latency, latencyNative, bool_gauge",
            "add one",
        )
        return None
    ((kind, block),) = indicator.items()
    ds = options.datasource
    here = record.child((kind,))
    if not isinstance(block, Mapping):
        here.problem((), INVALID, f"indicator.{kind} must be a mapping", "see Pyrra's examples")
        return None
    if kind == "ratio":
        errors, total = (
            selector(here, block.get("errors"), ("errors",)),
            selector(here, block.get("total"), ("total",)),
        )
        if errors is None or total is None:
            return None
        total_of_failures(here, ("total", "metric"), total, tool="Pyrra", key="total")
        _grouping(here, block)
        return {
            "ratioMetric": {
                "counter": True,
                "bad": metric(f"sum({errors})", datasource=ds),
                "total": metric(f"sum({total})", datasource=ds),
            }
        }
    if kind == "latency":
        success, total = (
            selector(here, block.get("success"), ("success",)),
            selector(here, block.get("total"), ("total",)),
        )
        if success is None or total is None:
            return None
        if "le" not in promql.matchers(success):
            unread = unread_keys(block.get("success"))
            here.problem(
                ("success", "metric"),
                MISSING,
                "the success selector has no le matcher",
                'select the bucket, e.g. …_bucket{le="0.5"}'
                + (
                    f"; {', '.join(unread)}: beside metric is not a field of Pyrra "
                    f"(Kubernetes drops it): {MATCHERS_FIX}"
                    if unread
                    else ""
                ),
            )
            return None
        le = promql.matchers(success)["le"]
        if le.startswith('="'):
            success = promql.with_le(success, le[2:-1])
            if promql.matchers(success)["le"].startswith("=~"):
                here.note(
                    ("success", "metric"),
                    f"le {le[2:-1]} is matched in each spelling Prometheus 3 may write "
                    f"({', '.join(promql.le_spellings(le[2:-1]))}), as Pyrra's migration does",
                )
        extra = {
            k: v
            for k, v in promql.matchers(success).items()
            if k != "le" and promql.matchers(total).get(k) != v
        }
        if extra:
            here.note(
                ("success", "metric"),
                f"the success selector has matchers the total lacks ({extra}); imported as written",
            )
        _grouping(here, block)
        return {
            "ratioMetric": {
                "counter": True,
                "good": metric(f"sum({success})", datasource=ds),
                "total": metric(f"sum({total})", datasource=ds),
            }
        }
    if kind == "latencyNative":
        total = selector(here, block.get("total"), ("total",))
        seconds = (
            prometheus_duration_seconds(str(block.get("latency", "")))
            if block.get("latency")
            else None
        )
        latency = _latency_seconds(str(block.get("latency", "")))
        if total is None:
            return None
        if latency is None and seconds is None:
            here.problem(
                ("latency",),
                INVALID,
                f"latency {block.get('latency')!r} is not a duration",
                latency_fix(block.get("latency")),
            )
            return None
        _grouping(here, block)
        hist = f"sum(increase({total}[{promql.WINDOW}]))"
        here.note(
            ("latency",),
            "a native histogram has no bucket at the latency: the good count is estimated by "
            "interpolation (histogram_fraction), as Pyrra does",
        )
        return {
            "ratioMetric": {
                "counter": False,
                "good": metric(
                    f"histogram_count({hist}) * histogram_fraction(0, {latency}, {hist})",
                    datasource=ds,
                ),
                "total": metric(f"histogram_count({hist})", datasource=ds),
            }
        }
    if kind == "bool_gauge":
        query = selector(here, block, ())
        if query is None:
            return None
        _grouping(here, block)
        here.note(
            (),
            "samples are counted per window (sum_over_time / count_over_time); with Prometheus "
            "before 3.0 a sample exactly on a bucket boundary counts in both buckets",
        )
        return {
            "ratioMetric": {
                "counter": False,
                "good": metric(f"sum(sum_over_time({query}[{promql.WINDOW}]))", datasource=ds),
                "total": metric(f"sum(count_over_time({query}[{promql.WINDOW}]))", datasource=ds),
            }
        }
    here.problem(
        (),
        INVALID,
        f"unknown indicator {kind!r}",
        "use ratio, latency, latencyNative or bool_gauge",
    )
    return None


def _latency_seconds(text: str) -> str | None:
    """``200ms`` → ``0.2``; ``1s`` → ``1`` (the histogram's unit is seconds)."""
    text = text.strip()
    for suffix, scale in (("ms", -3), ("s", 0)):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            value = Decimal(text[: -len(suffix)]).scaleb(scale).normalize()
            return format(value, "f")
    seconds = prometheus_duration_seconds(text)
    return None if seconds is None else str(seconds)
