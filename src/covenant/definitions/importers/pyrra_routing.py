"""What Pyrra's alerts carry, as ``covenant import pyrra`` keeps it for Covenant's alerts
(``definitions.alert_routing``): Pyrra's slo/rules.go puts on each burn-rate alert its name
(``alerting.name``, default ``ErrorBudgetBurn``), ``slo``, the ``pyrra.dev/`` labels without
the prefix (``commonRuleLabels``), the total's ``=`` matchers not grouped by, ``severity``,
``long``, ``short`` and ``exhaustion``; and the ``pyrra.dev/`` annotations
(``commonRuleAnnotations``). ``alerting.severities`` (``fastBurn``, ``mediumBurn``,
``slowBurn``, ``longTermBurn``: ``alertSeverityLabel``) replaces a tier's ``severity``; its
absent alert (``alerting.absent``, true by default) has no counterpart and is reported, once
per file, naming the objectives it is made for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from covenant.definitions.diagnostics import did_you_mean
from covenant.definitions.importers import promql
from covenant.definitions.importers.base import Recorder, label_values, mapping, shown
from covenant.definitions.importers.pyrra_fields import window_labels

PROPAGATED = "pyrra.dev/"  # the prefix of the labels and annotations Pyrra puts on its rules
DEFAULT_ALERT = "ErrorBudgetBurn"  # Pyrra's alert name when alerting.name is not given
DEFAULT_ABSENT = "SLOMetricAbsent"  # its absent alert's name when alerting.absentName is not
# alerting.severities: the key of each of Pyrra's four windows, by the tier imported from it,
# with Pyrra's default severity for it
SEVERITY_KEYS = {
    "fastBurn": ("page-1", "critical"),
    "mediumBurn": ("page-2", "critical"),
    "slowBurn": ("ticket-1", "warning"),
    "longTermBurn": ("ticket-2", "warning"),
}
ABSENT_KEY = "absent"


def routing(
    record: Recorder, data: Mapping[str, Any], tiers: list[dict[str, Any]], seconds: int
) -> tuple[dict[str, str], dict[str, str]]:
    """The SLO's labels and annotations that give its alerts what Pyrra's carry
    (``definitions.alert_routing``): the ``pyrra.dev/`` labels and annotations without the
    prefix, its alert name (``ErrorBudgetBurn`` unless ``alerting.name``), ``slo``, the total's
    = matchers, ``severity`` critical or warning, per tier ``long``, ``short``, ``exhaustion``."""
    from covenant.definitions.alert_routing import ALERT_ROUTING  # noqa: PLC0415
    from covenant.definitions.export import to_json  # noqa: PLC0415

    metadata, spec = mapping(data.get("metadata")), mapping(data.get("spec"))
    labels = _propagated(record, label_values(metadata.get("labels")), "labels")
    kept = _propagated(record, label_values(metadata.get("annotations")), "annotations")
    chosen = _severities(record, mapping(spec.get("alerting")), {str(t["name"]) for t in tiers})
    if not tiers:
        return labels, {}
    common = {"slo": str(metadata.get("name"))}
    kind, block = next(iter(mapping(spec.get("indicator")).items()), ("", {}))
    block = mapping(block)
    total = (
        block.get("metric") if kind == "bool_gauge" else mapping(block.get("total")).get("metric")
    )
    skip = {"__name__", *map(str, block.get("grouping") or ())}  # as Pyrra's rules skip them
    for label, matcher in promql.matchers(total if isinstance(total, str) else "").items():
        if matcher.startswith("=") and not matcher.startswith("=~") and label not in skip:
            common[label] = _unquoted(matcher[1:])
    tier_labels = window_labels(tiers, seconds)
    for name, severity in chosen.items():
        tier_labels[name]["labels"]["severity"] = severity
    routing = {
        "name": _alert_name(record, mapping(spec.get("alerting")).get("name")),
        "labels": common,
        **({"annotations": kept} if kept else {}),
        "page_alert": {"labels": {"severity": "critical"}},
        "ticket_alert": {"labels": {"severity": "warning"}},
        "tiers": tier_labels,
    }
    return labels, {ALERT_ROUTING: to_json(routing)}


def _severities(record: Recorder, alerting: Mapping[str, Any], kept: set[str]) -> dict[str, str]:
    """``alerting.severities``' text for each tier imported (``SEVERITY_KEYS``); what is not
    carried over (a key Pyrra does not have, a value that is no text, a tier left out) is
    noted. An empty severity keeps Pyrra's default, as Pyrra does."""
    given = alerting.get("severities")
    where = ("spec", "alerting", "severities")
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        record.note(
            where,
            f"{shown(given)} is not a mapping of fastBurn, mediumBurn, slowBurn, longTermBurn "
            "and absent to severities (Kubernetes refuses the object): not carried over",
        )
        return {}
    chosen: dict[str, str] = {}
    for written, value in given.items():
        key = str(written)
        if key == ABSENT_KEY:
            continue  # the absent alert's: absent_alert() reports it
        if key not in SEVERITY_KEYS:
            guess = did_you_mean(key, [*SEVERITY_KEYS, ABSENT_KEY])
            record.note(
                (*where, key),
                f"{key!r} is not a field of Pyrra's alerting.severities; ignored, as "
                "Kubernetes drops it" + (f": did you mean {guess!r}?" if guess else ""),
            )
            continue
        tier, default = SEVERITY_KEYS[key]
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            record.note(
                (*where, key),
                f"{shown(value)} is not text (Kubernetes refuses the object): not carried "
                f"over, {tier}'s alert keeps Pyrra's default severity {default}",
            )
        elif tier not in kept:
            record.note(
                (*where, key),
                f"{value}: the severity of {tier}, which is left out (its alert is not "
                "imported: see alerting and window)",
            )
        else:
            chosen[tier] = value
    return chosen


def absent_alert(
    record: Recorder, alerting: Mapping[str, Any], absent: bool, objective: str
) -> None:
    """Report Pyrra's absent alert of ``objective`` (``record`` at ``spec``): made while
    ``alerting.absent`` is true, its default, so a file that does not mention it has one too;
    not carried over. Said once per file and alert (name and severity), at its first
    objective's place, naming every objective it is made for."""
    severities = mapping(alerting.get("severities"))
    severity = severities.get(ABSENT_KEY) or "critical"
    name = alerting.get("absentName") or DEFAULT_ABSENT
    if not absent:
        for path, what in (
            (("alerting", "severities", ABSENT_KEY), "severity"),
            (("alerting", "absentName"), "name"),
        ):
            given = severities.get(ABSENT_KEY) if what == "severity" else alerting.get(path[-1])
            if given:
                record.note(
                    path,
                    f"the absent alert's {what}: alerting.absent is false, so Pyrra makes no "
                    "absent alert",
                )
        return
    key = f"absent alert {name!r} {severity!r}"
    earlier = record.result.gathered.get(key)
    objectives = [*earlier[1], objective] if earlier else [objective]
    which = (
        f"each of the objectives {', '.join(objectives)}" if earlier else f"objective {objective}"
    )
    reason = (
        f"Pyrra also makes an absent alert {name} (severity {severity}) for {which} that fires "
        "when the SLI's series are missing (alerting.absent is true unless written false): not "
        "carried over — Covenant's nearest, a no-data alert (an AlertPolicy with "
        "alertWhenNoData: true, docs/delivery.md), is per tier and also fires on a window "
        "without traffic, so it is not the same alert; add one if you want it"
    )
    if earlier is None:
        record.note(("alerting",) if alerting else (), reason)
        note = record.result.notes[-1]
    else:
        note = replace(earlier[0], reason=reason)
        notes = record.result.notes
        notes[next(i for i, one in enumerate(notes) if one is earlier[0])] = note
    record.result.gathered[key] = (note, objectives)


def _alert_name(record: Recorder, given: Any) -> str:
    """``alerting.name`` when Prometheus takes it as an alert name, else Pyrra's default."""
    from covenant.definitions.alert_routing import ALERT_NAME  # noqa: PLC0415

    if not given:
        return DEFAULT_ALERT
    if isinstance(given, str) and ALERT_NAME.match(given):
        return given
    record.note(
        ("spec", "alerting", "name"),
        f"{given!r} is not a Prometheus alert name (letters, digits, _ and :, not starting "
        "with a digit; Prometheus refuses Pyrra's rules with it): not carried over, the alerts "
        f"are named {DEFAULT_ALERT} as Pyrra names them without one — rename it (e.g. "
        "ApiErrorBudgetBurn) to keep routes on it",
    )
    return DEFAULT_ALERT


def _propagated(record: Recorder, given: Mapping[str, str], field: str) -> dict[str, str]:
    """The ``pyrra.dev/`` keys without their prefix (what Pyrra puts on its rules and alerts);
    the others are noted as not carried over."""
    kept = {k.removeprefix(PROPAGATED): v for k, v in given.items() if k.startswith(PROPAGATED)}
    others = sorted(k for k in given if not k.startswith(PROPAGATED))
    if others:
        record.note_once(
            ("metadata", field),
            f"{', '.join(others)}: Kubernetes {field} of the object, which Pyrra does not put "
            f"on its rules (only {PROPAGATED}… {field}, without the prefix); not carried over",
        )
    return kept


def _unquoted(text: str) -> str:
    """A PromQL string's value (``"a\\"b"`` → ``a"b``)."""
    body = text[1:-1]
    return body if text[0] == "`" else re.sub(r"\\(.)", r"\1", body)
