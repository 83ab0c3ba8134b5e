"""Where a held alert's notices go now: the workspace's current routing (``definitions.routing``).

An alert whose inputs could not be evaluated this tick (a stale SLO, an agreement whose reads
failed) keeps its phase (``core.alert_state``), but not the targets of the tick that last
evaluated it: like Alertmanager, which routes every notification against the configuration it
has now, the worker routes it again each tick, so a target added to its route is told of it
(``services.delivery_unheard``) and one removed from it is no longer sent it (its resolution
still goes to the targets told of the firing: ``Dispatcher.enqueue``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from covenant.core.alert_rules import burn_rate_key, no_data_key
from covenant.core.notices import NoticeKind

if TYPE_CHECKING:
    from covenant.core.alert_state import AlertRecord
    from covenant.definitions.workspace import Workspace

Reroute = Callable[["AlertRecord"], "tuple[str, ...] | None"]

_SLO_KINDS = (NoticeKind.BURN_RATE, NoticeKind.NO_DATA)


def held_routes(workspace: Workspace) -> Reroute | None:
    """The targets of an alert as the workspace routes it now (None: the workspace routes
    nothing, so no alert's targets change). An SLO alert of an objective the workspace no
    longer has keeps its own."""
    routing = workspace.routing
    if routing is None:
        return None
    objectives = [*workspace.objectives, *(c.objective for c in workspace.composites)]
    slo: dict[str, tuple[str, ...]] = {}
    for o in objectives:
        for tier in o.alert_tiers:
            slo[burn_rate_key(o, tier.name)] = routing.for_tier(o.slo, tier.name)
            slo[no_data_key(o, tier.name)] = routing.for_no_data(o.slo, tier.name)
    customer_of = {v.agreement: v.customer for v in workspace.agreements}

    def reroute(record: AlertRecord) -> tuple[str, ...] | None:
        if record.kind in _SLO_KINDS:
            return slo.get(record.key, record.targets)
        return routing.for_customer(customer_of.get(record.labels.get("agreement", "")))

    return reroute
