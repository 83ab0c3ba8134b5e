"""What to write when a field of an AlertCondition, AlertPolicy or AlertNotificationTarget is
refused: the schema's own words ("Input should be a valid string", "add threshold") say what
is wrong but not what the field holds in OpenSLO, nor how to write it.

A place is told by its path: ``…condition.<field>`` is a burn-rate condition; ``spec.<field>``
belongs to the document's kind, or to the inline document of a policy's ``conditions[i]`` /
``notificationTargets[i]`` / an SLO's ``alertPolicies[i]``. Real files also write an inline
condition or target flat (``- target: slack`` with its ``description`` beside it): the spec's
fields without the document's form; that is told once, at the item, with the form to write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from covenant.definitions.missing_fixes import value_at
from covenant.definitions.yamlsource import PathKey

CONDITION_FIELDS = {
    # field → (what it holds, the fix for a value of the wrong type)
    "threshold": (
        "a burn rate (a number)",
        "write the burn rate as a plain number, e.g. threshold: 14.4 (1 = spending the "
        "error budget exactly over the SLO window)",
    ),
    "lookbackWindow": (
        "a duration",
        "write the window the burn rate is measured over as a duration, e.g. lookbackWindow: 1h",
    ),
    "alertAfter": (
        "a duration",
        "write how long the condition must hold as a duration, e.g. alertAfter: 5m (0m: at once)",
    ),
}
SPEC_FIELDS = {
    ("AlertCondition", "severity"): (
        "one severity (text)",
        "write one severity as text, e.g. severity: page",
    ),
    ("AlertNotificationTarget", "target"): (
        "where to notify (text)",
        "write where to notify as text, e.g. target: slack (Covenant delivers to "
        "alertmanager, webhook and slack targets: docs/delivery.md)",
    ),
}
LISTS = {"conditions": "conditionRef", "notificationTargets": "targetRef"}
"""A policy's lists, and the reference an item of each is written with."""
INLINE = {
    # list → (the kind of its inline items, their reference key, their spec's fields and name)
    "conditions": (
        "AlertCondition",
        "conditionRef",
        ("name", "severity", "condition", "description"),
    ),
    "notificationTargets": (
        "AlertNotificationTarget",
        "targetRef",
        ("name", "target", "description"),
    ),
    "alertPolicies": (
        "AlertPolicy",
        "alertPolicyRef",
        (
            "name",
            "description",
            "conditions",
            "notificationTargets",
            "alertWhenNoData",
            "alertWhenResolved",
            "alertWhenBreaching",
            "severity",
            "condition",
        ),
    ),
}
MISSING = {
    "threshold": "add threshold, the burn rate at which the alert fires, e.g. threshold: 14.4",
    "target": "add target, where to notify, e.g. target: slack (Covenant delivers to "
    "alertmanager, webhook and slack targets: docs/delivery.md)",
}


def spec_kind(loc: PathKey, kind: Any) -> str | None:
    """The kind whose spec holds the field at ``loc`` (``(…, "spec", field)``), or None."""
    if len(loc) < 2 or loc[-2] != "spec":
        return None
    holder = loc[:-2]
    if not holder:
        return kind if isinstance(kind, str) else None
    if len(holder) >= 2 and isinstance(holder[-1], int):
        listed = INLINE.get(str(holder[-2]))
        if listed is not None:
            return listed[0]
    return None


ALERT_KINDS = frozenset(("AlertCondition", "AlertPolicy", "AlertNotificationTarget"))


def in_alert(loc: PathKey, kind: Any) -> bool:
    """Whether the field at ``loc`` is a burn-rate condition's or an alert kind's spec's."""
    return (len(loc) >= 2 and loc[-2] == "condition") or spec_kind(loc, kind) in ALERT_KINDS


def _field(loc: PathKey, kind: Any) -> tuple[str, str] | None:
    name = str(loc[-1]) if loc else ""
    if len(loc) >= 2 and loc[-2] == "condition" and name in CONDITION_FIELDS:
        return CONDITION_FIELDS[name]
    return SPEC_FIELDS.get((spec_kind(loc, kind) or "", name))


def type_problem(loc: PathKey, kind: Any, given: Any, shown: str) -> tuple[str, str] | None:
    """``(message, fix)`` for a value of the wrong type at ``loc``, or None (not an alert
    field)."""
    name = str(loc[-1]) if loc else ""
    if name in LISTS and spec_kind(loc, kind) == "AlertPolicy":
        ref = LISTS[name]
        written = given if isinstance(given, str) and given else "<its name>"
        return (
            f"{name} holds {shown} where a list is expected",
            f"write {name}: [{{{ref}: {written}}}] (one '- {ref}: <name>' per line)",
        )
    field = _field(loc, kind)
    if field is None:
        return None
    return f"{name} holds {shown} where {field[0]} is expected", field[1]


def missing_fix(loc: PathKey, kind: Any) -> str | None:
    """The fix of a missing alert field at ``loc``, or None (not an alert field)."""
    name = str(loc[-1]) if loc else ""
    if name == "threshold" and len(loc) >= 2 and loc[-2] == "condition":
        return MISSING[name]
    if name == "target" and spec_kind(loc, kind) == "AlertNotificationTarget":
        return MISSING[name]
    return None


def literal_problem(loc: PathKey, given: Any) -> tuple[str, str] | None:
    """``(message, fix)`` for a condition kind OpenSLO does not define, or None. Kinds other
    tools write (opensloctl's ``burn-rate``, ``error-rate``, ``multi-window-multi-burn-rate``,
    slogen's ``sli``) are told by what their threshold means, so the fix keeps the alert's
    meaning: an error-rate threshold is an error ratio, an sli threshold a level of the SLI,
    neither a burn rate."""
    if len(loc) < 2 or loc[-1] != "kind" or loc[-2] != "condition":
        return None
    written = str(given)
    plain = re.sub(r"[\s_-]", "", written.casefold())
    message = f"condition kind {given!r} is not one OpenSLO defines"
    if plain in ERROR_RATE_KINDS:
        return (
            f"{message}: its threshold is an error ratio, where burnrate's is the error ratio "
            "divided by the error budget (1 - the objective's target)",
            "write kind: burnrate and threshold: <the error ratio / (1 - target)> "
            "(an error ratio of 0.001 on a target of 0.999 is threshold: 1; of 0.0144 on "
            "0.999, 14.4)",
        )
    if plain in SLI_LEVEL_KINDS:
        return (
            f"{message}: its threshold is a level of the SLI (Sumo Logic's slogen alerts when "
            "the SLI falls below it, written in percent), where burnrate's is the error ratio "
            "divided by the error budget (1 - the objective's target)",
            "write kind: burnrate and threshold: <(1 - the SLI level) / (1 - target)> "
            "(the level as a fraction: an SLI of 99.75 % on a target of 0.999 is "
            "threshold: 2.5)",
        )
    if plain in MULTI_WINDOW_KINDS:
        return (
            message,
            "write kind: burnrate: Covenant checks every burnrate condition over its "
            "lookbackWindow and a short window of a twelfth of it (docs/definitions.md), so "
            "each window pair is one condition, in a policy of its own",
        )
    if written.casefold() == "burnrate":
        return (
            message,
            "write kind: burnrate (in lowercase: the only condition kind OpenSLO defines)",
        )
    if plain == "burnrate":  # burn-rate, burn_rate, Burn Rate: the same measure
        return (message, "write kind: burnrate (OpenSLO's spelling of the same burn rate)")
    return (message, "write kind: burnrate (the only condition kind OpenSLO defines)")


ERROR_RATE_KINDS = frozenset({"errorrate", "errorratio"})
"""Condition kinds (written without case, '-' or '_') whose threshold is an error ratio."""
SLI_LEVEL_KINDS = frozenset({"sli", "slilevel", "slivalue"})
"""Condition kinds whose threshold is a level the SLI must stay above (slogen's ``sli``)."""
MULTI_WINDOW_KINDS = frozenset(
    {"multiburnrate", "multiwindowburnrate", "multiwindowmultiburnrate", "mwmbr"}
)
"""Condition kinds that pair burn-rate windows, as each burnrate condition of Covenant does."""


def flat_inline(loc: PathKey, data: Any) -> tuple[PathKey, str, str] | None:
    """``(the item's path, message, fix)`` when the unknown key at ``loc`` in ``data`` is a
    field of the spec of an inline condition, target or policy written flat in the item (or
    its ``name``, which goes in ``metadata``); an AlertCondition's fields written flat where
    an AlertPolicy goes (a generator's ``alertPolicies: [{name, severity, condition}]``) are
    told with the policy that holds that condition."""
    if len(loc) < 3 or not isinstance(loc[-2], int):
        return None
    listed = INLINE.get(str(loc[-3]))
    item = value_at(data, loc[:-1])
    if listed is None or str(loc[-1]) not in listed[2] or not isinstance(item, Mapping):
        return None
    kind, ref, fields = listed
    flat = [key for key in item if key in fields]
    name = _short(item.get("name")).replace("…", "<its name>")
    spec = _pairs(item, [key for key in flat if key != "name"])
    message = (
        f"{', '.join(flat)} {'is a field' if len(flat) == 1 else 'are fields'} of the "
        f"{kind}'s spec, written without the document's form"
    )
    if kind == "AlertPolicy" and ("condition" in item or "severity" in item):
        message = f"{', '.join(flat)}: an AlertCondition written flat where an AlertPolicy goes"
        inner = INLINE["conditions"][2]
        condition = _pairs(item, [key for key in flat if key in inner and key != "name"])
        spec = (
            f"conditions: [{{kind: AlertCondition, metadata: {{name: {name}}}, spec: "
            f"{{{condition}}}}}], notificationTargets: [{{targetRef: <an "
            "AlertNotificationTarget's name>}]"
        )
    return (
        loc[:-1],
        message,
        f"write the item as kind: {kind}, metadata: {{name: {name}}}, spec: {{{spec}}}, "
        f"or refer to an {kind} document with {ref}: <its name>",
    )


def _pairs(item: Mapping[str, Any], keys: list[str]) -> str:
    return ", ".join(f"{key}: {_short(item[key])}" for key in keys)


def _short(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= 30 and value else "…"
