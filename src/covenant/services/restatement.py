"""How a statement computed now differs from the revision issued: one change per figure
(per commitment, then the totals; a support commitment's counts per priority and timer), each
named ``old → new`` by :func:`change_text` (a refusal to issue again, the reissue flags, the
revisions page)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from covenant.render import sla as rendered
from covenant.render.sla import level_text

VOLATILE = ("generated_at", "measured_until", "not_yet_note")
"""What differs between two computations of one closed period's statement though nothing in
it changed: the instant it was computed at. Left out when comparing contents."""
AVAILABILITY_FIELDS = ("level", "met", "credit", "downtime_seconds", "excluded_seconds")
SUPPORT_FIELDS = ("met", "penalty")
ATTAINMENT_FIELDS = ("met", "breached", "running")
"""Per priority and timer of a support commitment (tickets met, missed, still open)."""
TOTAL_FIELDS = ("complete", "credits", "penalties", "owed")


def canonical(document: Any) -> str:
    """The one text of a JSON document: sorted keys, no spaces, non-ASCII as it is."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def comparable(
    issued: dict[str, Any], live: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An issued and a live statement made comparable, both steps in one place so neither is
    applied without the other. Each loses what a closed period's statement may differ in though
    no figure changed: the instant it was computed at (``VOLATILE``) and its fee's pro rata
    blocks (shown since stop 39, derived from the version's fee and dates). And when ``issued``
    lists no tickets not measured (issued before stop 43 listed them), ``live`` loses its
    support commitments' ``not_measured`` lists: those tickets change no figure, so they alone
    do not make the two differ."""
    if not any("not_measured" in s for s in issued.get("support", [])) and "support" in live:
        support = [{k: v for k, v in c.items() if k != "not_measured"} for c in live["support"]]
        live = {**live, "support": support}

    def content(document: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in rendered.without_pro_rata(document).items() if k not in VOLATILE}

    return content(issued), content(live)


def _credit(value: Any) -> Any:
    return value.get("amount") if isinstance(value, dict) else value


def restatement(issued: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """How ``live`` (the statement computed now) differs from ``issued``: ``differs``, and
    ``changes``, one per changed figure — per commitment its level, met, credit amount, downtime
    and excluded seconds (availability) or met and penalty (support); then the totals. A
    commitment in one and not the other is a change of its ``commitment`` field; a difference
    elsewhere (evidence, wording) alone is one change of field ``details``."""
    issued, live = comparable(issued, live)
    differs = canonical(issued) != canonical(live)
    changes: list[dict[str, Any]] = []
    for kind, fields in (("availability", AVAILABILITY_FIELDS), ("support", SUPPORT_FIELDS)):
        old = {_key(c): c for c in issued.get(kind, [])}
        new = {_key(c): c for c in live.get(kind, [])}
        for key in dict.fromkeys([*old, *new]):
            where = {"agreement": key[0], "version": key[1], "commitment": key[2]}
            if key not in old or key not in new:
                changes.append(
                    {**where, "field": "commitment", "issued": key in old, "restated": key in new}
                )
                continue
            for name in fields:
                before, after = old[key].get(name), new[key].get(name)
                if name == "credit":
                    before, after = _credit(before), _credit(after)
                if before != after:
                    changes.append({**where, "field": name, "issued": before, "restated": after})
            if kind == "support":
                changes.extend({**where, **c} for c in _attainment_changes(old[key], new[key]))
    changes.extend(
        {
            "agreement": None,
            "version": None,
            "commitment": None,
            "field": name,
            "issued": issued.get(name),
            "restated": live.get(name),
        }
        for name in TOTAL_FIELDS
        if issued.get(name) != live.get(name)
    )
    if differs and not changes:
        changes.append(
            {
                "agreement": None,
                "version": None,
                "commitment": None,
                "field": "details",
                "issued": None,
                "restated": None,
            }
        )
    return {"differs": differs, "changes": changes}


def _attainment_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """A support commitment's counts that changed, per priority and timer (``P1 resolution
    breached``: 1 → 2) — a late ticket changes them though the verdict and penalty stay — and
    the tickets not measured (no target for their priority)."""

    def rows(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(a["priority"], a["timer"]): a for a in doc.get("attainment", [])}

    before, after = rows(old), rows(new)
    out = []
    for priority, timer in dict.fromkeys([*before, *after]):
        was, now = before.get((priority, timer), {}), after.get((priority, timer), {})
        for name in ATTAINMENT_FIELDS:
            if was.get(name, 0) != now.get(name, 0):
                field = f"{priority} {timer} {name}"
                out.append(
                    {"field": field, "issued": was.get(name, 0), "restated": now.get(name, 0)}
                )
    unmeasured = [[n["ticket"] for n in doc.get("not_measured", [])] for doc in (old, new)]
    if unmeasured[0] != unmeasured[1]:
        out.append({"field": "not measured", "issued": unmeasured[0], "restated": unmeasured[1]})
    return out


def _key(commitment: dict[str, Any]) -> tuple[str, int, str]:
    return (commitment["agreement"], commitment["version"], commitment["commitment"])


def change_text(change: dict[str, Any]) -> str:
    """One change as a message names it: ``initech-standard v1 storefront-uptime: credit
    150.00 → 375.00``."""
    where = (
        f"{change['agreement']} v{change['version']} {change['commitment']}: "
        if change["commitment"]
        else ""
    )
    if change["field"] == "details":
        return "the evidence or wording (no figure) changed"
    return f"{where}{change['field']} {_short(change['issued'])} → {_short(change['restated'])}"


def _short(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value) or "none"
    if isinstance(value, dict) and "exact" in value:
        return level_text(Fraction(value["exact"]))
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value.get('currency', '')}".strip()
    return "none" if value is None else str(value)
