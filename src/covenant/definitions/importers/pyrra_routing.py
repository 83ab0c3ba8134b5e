"""What Pyrra's alerts carry, as ``covenant import pyrra`` keeps it for Covenant's alerts
(``definitions.alert_routing``): Pyrra's slo/rules.go puts on each burn-rate alert its name
(``alerting.name``, default ``ErrorBudgetBurn``), ``slo``, the ``pyrra.dev/`` labels without
the prefix (``commonRuleLabels``), the total's ``=`` matchers not grouped by, ``severity``,
``long``, ``short`` and ``exhaustion``; and the ``pyrra.dev/`` annotations
(``commonRuleAnnotations``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from covenant.definitions.importers import promql
from covenant.definitions.importers.base import Recorder, label_values, mapping
from covenant.definitions.importers.pyrra_fields import window_labels

PROPAGATED = "pyrra.dev/"  # the prefix of the labels and annotations Pyrra puts on its rules
DEFAULT_ALERT = "ErrorBudgetBurn"  # Pyrra's alert name when alerting.name is not given


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
    routing = {
        "name": _alert_name(record, mapping(spec.get("alerting")).get("name")),
        "labels": common,
        **({"annotations": kept} if kept else {}),
        "page_alert": {"labels": {"severity": "critical"}},
        "ticket_alert": {"labels": {"severity": "warning"}},
        "tiers": window_labels(tiers, seconds),
    }
    return labels, {ALERT_ROUTING: to_json(routing)}


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
