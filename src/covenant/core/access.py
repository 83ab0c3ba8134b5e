"""Who may do what through the API: roles and the principal a token stands for (pure).

Four roles, each a superset of the one after it except ``customer``, which is apart:

- ``admin``: everything, including managing API tokens;
- ``editor``: every read and every change of data (agreement lifecycle, tickets, incidents,
  event ingestion);
- ``viewer``: every read, internal ones included (SLOs, evaluations, exposure, lint);
- ``customer``: bound to one customer, reads only that customer's agreements, statements,
  tickets, incidents and credits, shown without anything internal (no SLO, target, margin or
  internal name). Another customer's objects do not exist for it (``not-found``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"
    CUSTOMER = "customer"


INTERNAL_READERS = frozenset({Role.ADMIN, Role.EDITOR, Role.VIEWER})
WRITERS = frozenset({Role.ADMIN, Role.EDITOR})
ADMINS = frozenset({Role.ADMIN})
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who a request speaks for: a token's id, role and (for ``customer``) its customer."""

    token_id: str
    role: Role
    customer: str | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.CUSTOMER) != (self.customer is not None):
            raise ValueError("a customer token names exactly one customer; other roles none")

    def sees_customer(self, customer: str) -> bool:
        """Whether this principal may see objects of ``customer`` at all."""
        return self.role is not Role.CUSTOMER or self.customer == customer
