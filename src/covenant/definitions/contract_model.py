"""The resolved contract documents of a workspace, as plain values.

Apart from ``contracts`` (which checks and builds them) so a workspace without contracts can
be resolved and held without loading the contract, calendar and holiday code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from covenant.errors import Problem

if TYPE_CHECKING:
    from covenant.core.agreements import AgreementVersion, MaintenanceWindow
    from covenant.definitions.calendar_spec import CalendarSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    name: str
    email: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    name: str
    display_name: str
    currency: str
    contacts: tuple[Contact, ...] = ()
    address: tuple[str, ...] = ()  # postal address lines (the statement's customer block)
    tax_id: str = ""
    reference: str = ""  # the customer's number with the issuer


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementLabel:
    """How an agreement is presented (not part of its signed terms: changing it needs no
    amendment): its display name and the locale of its statements."""

    name: str
    display_name: str = ""
    locale: str = ""  # empty: the default (en_GB)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contracts:
    """The resolved contract documents of a workspace."""

    customers: tuple[Customer, ...] = ()
    calendars: tuple[CalendarSpec, ...] = ()
    agreements: tuple[AgreementVersion, ...] = ()
    maintenance: tuple[MaintenanceWindow, ...] = ()
    labels: tuple[AgreementLabel, ...] = ()
    origins: Mapping[str, str] = field(default_factory=dict)  # "name@vN" → "file:line"
    problems: list[Problem] = field(default_factory=list)
