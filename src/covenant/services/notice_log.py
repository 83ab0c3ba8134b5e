"""The worker's default ``notify``: a tick's notices in the log, grouped as Alertmanager
groups alerts (``group_by``) — a first tick over 600,000 tickets logged 334,000 lines, one per
ticket alert; now one line per transition, alert name, severity, agreement and commitment
(or SLO) with the count, and a line of its own for an alert alone in its group. Each alert
stays in the outbox and the alert history (``covenant alerts history``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from covenant.core.notices import AlertNotice

log = logging.getLogger("covenant.worker")

GROUPED_FROM = 4
"""A tick's notices of one group (:func:`notice_group`) this many or more are logged as one
line with their count; fewer, one line each."""
EXAMPLES = 3  # keys a grouped line names


def notice_group(notice: AlertNotice) -> tuple[str, ...]:
    """What an operator tells a tick's notices apart by, as Alertmanager's ``group_by``: the
    transition, the alert's name and severity, and its agreement and commitment (or SLO) —
    not the ticket, timer or incident, one alert each."""
    labels = notice.labels
    return (
        notice.state.value,
        labels.get("alertname", notice.kind.value),
        notice.severity,
        f"agreement={labels['agreement']}" if labels.get("agreement") else "",
        _which(labels),
    )


def _which(labels: Mapping[str, str]) -> str:
    """The commitment, or the SLO (Sloth's ``sloth_id``, service-name: two services' SLOs of one
    name share their alert name), an alert is of; "" for neither."""
    for label in ("commitment", "sloth_id", "slo"):
        if labels.get(label):
            return f"{'slo' if label == 'sloth_id' else label}={labels[label]}"
    return ""


def log_notices(notices: Sequence[AlertNotice]) -> None:
    """The default ``notify``: one log line per notice, except that a group of
    :data:`GROUPED_FROM` or more (:func:`notice_group`: 100,000 tickets breaching at once) is
    one line with the count and the first keys; the outbox and ``covenant alerts`` keep each."""
    groups: dict[tuple[str, ...], list[AlertNotice]] = {}
    for n in notices:
        groups.setdefault(notice_group(n), []).append(n)
    for (state, name, severity, agreement, commitment), members in groups.items():
        if len(members) < GROUPED_FROM:
            for n in members:
                log.warning(
                    "alert %s %s (%s): %s", n.state.value, n.key, n.severity, dict(n.labels)
                )
            continue
        where = " ".join(part for part in (agreement, commitment) if part)
        shown = ", ".join(n.key for n in members[:EXAMPLES])
        log.warning(
            "alerts %s: %d %s (%s)%s: %s, … (covenant alerts history names each)",
            state,
            len(members),
            name,
            severity,
            f" {where}" if where else "",
            shown,
        )
