"""Tickets that no agreement of the workspace can count: warned about when they are ingested.

A ticket names its customer and priority as the ticketing tool exports them. One whose customer
is not a customer of the workspace, or whose priority has no support target in that customer's
agreements, counts toward no support commitment: it is stored (the workspace may catch up), and
the ingest says so with the fix instead of storing it silently (docs/records.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Protocol

from covenant.core.support import targets_by_priority
from covenant.definitions.workspace import Workspace
from covenant.errors import Problem

SHOWN_IDS = 3


class _TicketLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def customer(self) -> str: ...
    @property
    def priority(self) -> str: ...


class _Seen:
    """How many tickets share a finding, and the ids of the first ``SHOWN_IDS``."""

    __slots__ = ("count", "ids")

    def __init__(self) -> None:
        self.count = 0
        self.ids: list[str] = []

    def add(self, ticket_id: str) -> None:
        self.count += 1
        if len(self.ids) < SHOWN_IDS:
            self.ids.append(ticket_id)


def ticket_warnings(
    tickets: Iterable[_TicketLike], *, workspace: Workspace, file: str
) -> tuple[Problem, ...]:
    """One warning per unknown customer, and per priority a known customer has no target for.

    A workspace that defines no customer and no agreement checks nothing (nothing to match).
    ``tickets`` is gone through once, keeping a count and a few ids per finding: a file's
    tickets may come a chunk at a time (``ingest_ticket_files``)."""
    customers = {c.name for c in workspace.customers} | {v.customer for v in workspace.agreements}
    if not customers:
        return ()
    priorities: dict[str, set[str]] = {}
    for version in workspace.agreements:
        for commitment in version.support:
            priorities.setdefault(version.customer, set()).update(targets_by_priority(commitment))
    unknown: dict[str, _Seen] = {}
    untargeted: dict[tuple[str, str], _Seen] = {}
    for ticket in tickets:
        if ticket.customer not in customers:
            unknown.setdefault(ticket.customer, _Seen()).add(ticket.id)
        elif ticket.priority not in priorities.get(ticket.customer, ()):
            untargeted.setdefault((ticket.customer, ticket.priority), _Seen()).add(ticket.id)
    found = [
        Problem(
            code="unknown-ticket-customer",
            message=f"customer {name!r} on {_tickets(ids)} is not a customer of the workspace: "
            "they count toward no agreement (stored all the same)",
            where=file,
            field="customer",
            fix=_did_you_mean(name, sorted(customers))
            + "correct the customer column and ingest the file again, or define the customer "
            "(kind: Customer) and its agreement",
            severity="warning",
        )
        for name, ids in sorted(unknown.items(), key=lambda item: item[0])
    ]
    found += [
        Problem(
            code="unknown-ticket-priority",
            message=f"priority {priority!r} on {_tickets(ids)} of {customer!r} has no support "
            f"target in its agreements ({_targets(priorities.get(customer, set()))}): they "
            "count toward no support commitment (stored all the same)",
            where=file,
            field="priority",
            fix=_did_you_mean(priority, sorted(priorities.get(customer, ())))
            + "map the tool's priorities to the agreement's and ingest the file again, or add a "
            "target for this priority",
            severity="warning",
        )
        for (customer, priority), ids in sorted(untargeted.items(), key=lambda item: item[0])
    ]
    return tuple(found)


def _targets(priorities: set[str]) -> str:
    return (
        f"targets for {', '.join(sorted(priorities))}" if priorities else "none has support terms"
    )


def _tickets(seen: _Seen) -> str:
    shown = ", ".join(seen.ids) + (", …" if seen.count > SHOWN_IDS else "")
    return f"{seen.count} ticket{'s' if seen.count > 1 else ''} ({shown})"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""
