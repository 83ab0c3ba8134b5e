"""An SLO's alert routing (``core.model.AlertRouting``): the labels and names its burn-rate
alerts carry for Alertmanager routes, in the worker's notices and the generated rules alike.

- The SLO's ``metadata.labels`` whose keys are Prometheus label names, under Covenant's own
  labels (a list value joined with ","): Sloth puts an SLO's labels on its recordings, which
  its alerts then carry.
- A Sloth file's ``alerting`` as ``covenant import sloth`` keeps it, verbatim, in the
  annotation ``sloth.slok.dev/alerting``: ``name`` (the alert name), ``labels`` and
  ``annotations`` of every alert, over Covenant's, and ``page_alert`` / ``ticket_alert``
  (``pageAlert`` / ``ticketAlert`` in Sloth's Kubernetes form)
  ``labels`` and ``annotations`` of the page and ticket tiers' alerts, over those — so a route
  on ``severity: critical``, ``routing_key`` or the alert name keeps matching. The same
  mapping under ``covenant.dev/alert-routing`` (which ``covenant import pyrra`` writes) is
  read first; a Sloth annotation beside it is not used (a warning).

The labels that say which alert it is (``core.model.IDENTITY``: ``sloth_id``, ``covenant_tier``,
…) are never replaced; a key that is not a label name, or one of those, is left out with a
warning (``invalid-annotation`` from the annotation, ``label-not-carried`` for an SLO label).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from covenant.core.model import IDENTITY, AlertRouting, Pairs
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.yamlsource import PathKey, SourceDocument, read_text
from covenant.errors import Problem

ALERT_ROUTING = "covenant.dev/alert-routing"
SLOTH_ALERTING = "sloth.slok.dev/alerting"
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
ALERT_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def alert_routing(
    doc: SourceDocument,
    labels: Mapping[str, Any] | None,
    annotations: Mapping[str, str] | None,
    path: PathKey = (),
) -> tuple[AlertRouting | None, list[Problem]]:
    """The routing of an SLO from its metadata (``path``: where the metadata's document sits)."""
    slo_labels, left_out = _slo_labels(doc, labels or {}, path)
    given = [k for k in (ALERT_ROUTING, SLOTH_ALERTING) if k in (annotations or {})]
    if not given:
        return (AlertRouting(slo_labels=slo_labels) if slo_labels else None), left_out
    assert annotations is not None
    key, text = given[0], annotations[given[0]]
    where = (*path, "metadata", "annotations", key)
    if len(given) == 2:
        left_out.append(
            _warn(doc, (*where[:-1], SLOTH_ALERTING), f"not used: {ALERT_ROUTING} is given too")
        )
    found, syntax = read_text(text, file=doc.file)
    data = found[0].data if len(found) == 1 and not syntax else None
    if not isinstance(data, Mapping):
        return AlertRouting(slo_labels=slo_labels) if slo_labels else None, [
            *left_out,
            _warn(doc, where, "is not a JSON or YAML mapping: its labels are not carried"),
        ]
    problems: list[Problem] = left_out
    name = data.get("name")
    if name is not None and not (isinstance(name, str) and ALERT_NAME.match(name)):
        problems.append(
            _warn(
                doc,
                where,
                f"name {name!r} is not an alert name (letters, digits, _ and :, not first a "
                "digit): not used",
                f"name the alert so in {where[-1]} (e.g. {_alert_like(name)!r})",
            )
        )
        name = None
    # the prometheus/v1 spelling, or the Kubernetes CRD's
    page = data.get("page_alert") or data.get("pageAlert") or {}
    ticket = data.get("ticket_alert") or data.get("ticketAlert") or {}
    page = page if isinstance(page, Mapping) else {}
    ticket = ticket if isinstance(ticket, Mapping) else {}
    routing = AlertRouting(
        name=name or "",
        slo_labels=slo_labels,
        labels=_pairs(doc, where, data, "labels", problems),
        page_labels=_pairs(doc, where, page, "labels", problems, "page_alert."),
        ticket_labels=_pairs(doc, where, ticket, "labels", problems, "ticket_alert."),
        annotations=_pairs(doc, where, data, "annotations", problems),
        page_annotations=_pairs(doc, where, page, "annotations", problems, "page_alert."),
        ticket_annotations=_pairs(doc, where, ticket, "annotations", problems, "ticket_alert."),
        tier_labels=_tier_labels(doc, where, data.get("tiers"), problems),
    )
    return routing, problems + _missing_labels(doc, where, routing)


def _tier_labels(
    doc: SourceDocument, where: PathKey, tiers: Any, problems: list[Problem]
) -> tuple[tuple[str, Pairs], ...]:
    """``tiers: {<tier name>: {labels: {…}}}``: labels of one tier's alert only (what
    ``covenant import pyrra`` writes for Pyrra's ``long``, ``short`` and ``exhaustion``)."""
    if tiers is None:
        return ()
    if not isinstance(tiers, Mapping):
        problems.append(_warn(doc, where, "tiers is not a mapping: not carried"))
        return ()
    out = []
    for name, block in tiers.items():
        given = block if isinstance(block, Mapping) else {}
        pairs = _pairs(doc, where, given, "labels", problems, f"tiers.{name}.")
        if pairs:
            out.append((str(name), pairs))
    return tuple(out)


# how a Prometheus alert template reads a label inside an action: {{ $labels.name }},
# {{ .Labels.name }}, {{ index $labels "name" }}
ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
LABEL_REFERENCE = re.compile(
    r'(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+"([^"]+)"'
)
SCOPED = re.compile(r"\{\{-?\s*(?:range|with)\b")  # .Labels there is a query result's


def _missing_labels(doc: SourceDocument, where: PathKey, routing: AlertRouting) -> list[Problem]:
    """A warning for each annotation that reads a label an alert it goes on does not carry (a
    label of the series Sloth's per-series alerts had: Covenant's alert is one per SLO), which
    renders empty there."""
    common = {*IDENTITY, "severity"}
    for pairs in (routing.slo_labels, routing.labels):
        common.update(name for name, _ in pairs)
    if routing.tier_labels:  # the labels every tier listed carries
        common.update(set.intersection(*({n for n, _ in p} for _, p in routing.tier_labels)))
    page = common | {name for name, _ in routing.page_labels}
    ticket = common | {name for name, _ in routing.ticket_labels}
    found = []
    for prefix, pairs, carried in (
        ("", routing.annotations, page & ticket),
        ("page_alert.", routing.page_annotations, page),
        ("ticket_alert.", routing.ticket_annotations, ticket),
    ):
        for key, text in pairs:
            if SCOPED.search(text):
                continue  # a range or with block: its labels are not the alert's
            read = {
                a or b
                for action in ACTION.findall(text)
                for a, b in LABEL_REFERENCE.findall(action)
            }
            missing = sorted(read - carried)
            if missing:
                found.append(
                    _warn(
                        doc,
                        where,
                        f"{prefix}annotations.{key} reads the label(s) {', '.join(missing)}, "
                        "which the SLO's alerts do not carry (one alert per SLO, over all its "
                        "series): it renders empty there",
                        fix="remove the reference, or give the label its value in the alert labels",
                    )
                )
    return found


def why_not_carried(name: str) -> str | None:
    """Why an alert may not carry the label ``name`` (None: it may)."""
    if not LABEL_NAME.match(name):
        return "is not a Prometheus label name (letters, digits and _, not first a digit)"
    if name.startswith("__"):
        return "is reserved for Prometheus's own use (a name starting with __)"
    if name in IDENTITY:
        return "is one of the labels that say which alert it is"
    return None


def _slo_labels(
    doc: SourceDocument, labels: Mapping[str, Any], path: PathKey
) -> tuple[Pairs, list[Problem]]:
    """The SLO labels its alerts carry, and a warning for each one they cannot."""
    kept, left_out = [], []
    for key, value in labels.items():
        name = str(key)
        why = why_not_carried(name)
        if why is None:
            kept.append(
                (name, ",".join(map(str, value)) if isinstance(value, list) else str(value))
            )
            if name == "severity":  # the alerts' own: each tier sets it (page, ticket)
                left_out.append(
                    at(
                        doc,
                        (*path, "metadata", "labels", key),
                        code="label-not-carried",
                        message="label 'severity' is set on each alert by its tier (page or "
                        "ticket): the SLO's value is carried by its recordings, not its alerts",
                        fix="rename it (e.g. 'slo_severity') to have alerts carry it; an "
                        "alert's severity is set in the covenant.dev/alert-routing annotation "
                        "(docs/prometheus-rules.md)",
                        severity=WARNING,
                    )
                )
            continue
        left_out.append(
            at(
                doc,
                (*path, "metadata", "labels", key),
                code="label-not-carried",
                message=f"label {name!r} {why}: the SLO's alerts and recordings do not carry it",
                fix=f"rename it (e.g. {_label_name(name)!r}) to have alerts carry it, "
                "or leave it if only the workspace needs it",
                severity=WARNING,
            )
        )
    return tuple(kept), left_out


def _unaccented(name: str) -> str:
    """``name`` with each accented letter as its letter (``équipe`` → ``equipe``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _label_name(name: str) -> str:
    """A label name like ``name``: what Prometheus's Kubernetes discovery makes of one."""
    clean = re.sub(r"[^a-zA-Z0-9_]", "_", _unaccented(name)).lstrip("_") or "label"
    return "slo_" + clean if clean[0].isdigit() or clean in IDENTITY else clean


def _pairs(
    doc: SourceDocument,
    where: PathKey,
    data: Mapping[str, Any],
    key: str,
    problems: list[Problem],
    prefix: str = "",
) -> Pairs:
    given = data.get(key) or {}
    if not isinstance(given, Mapping):
        problems.append(_warn(doc, where, f"{prefix}{key} is not a mapping: not carried"))
        return ()
    kept = []
    for written, value in given.items():
        name = str(written)
        why = why_not_carried(name) if key == "labels" else None
        if why is not None:
            problems.append(
                _warn(
                    doc,
                    where,
                    f"{prefix}labels.{name} is not a label an alert may set: it {why}",
                    f"rename it in {where[-1]} (e.g. {_label_like(name)!r}), or remove it",
                )
            )
            continue
        kept.append((name, "" if value is None else str(value)))
    return tuple(kept)


def _label_like(name: str) -> str:
    """``name`` as a label an alert may set (``routing.key`` → ``routing_key``)."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", _unaccented(name)).lstrip("_") or "label"
    return f"slo_{text}" if text[0].isdigit() or why_not_carried(text) is not None else text


def _alert_like(name: Any) -> str:
    """``name`` as an alert name (``shop-availability`` → ``ShopAvailability``)."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", str(name)) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "MyAlert"
    return text if ALERT_NAME.match(text) else f"Slo{text}"


def _warn(doc: SourceDocument, where: PathKey, message: str, fix: str = "") -> Problem:
    return at(
        doc,
        where,
        code="invalid-annotation",
        message=f"{where[-1]}: {message}",
        fix=fix
        or "write it as covenant import sloth does: "
        '{"name": "MyAlert", "labels": {...}, "page_alert": {"labels": {...}}}',
        severity=WARNING,
    )
