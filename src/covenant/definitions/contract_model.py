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


@dataclass(frozen=True, slots=True, kw_only=True)
class Contracts:
    """The resolved contract documents of a workspace."""

    customers: tuple[Customer, ...] = ()
    calendars: tuple[CalendarSpec, ...] = ()
    agreements: tuple[AgreementVersion, ...] = ()
    maintenance: tuple[MaintenanceWindow, ...] = ()
    origins: Mapping[str, str] = field(default_factory=dict)  # "name@vN" → "file:line"
    problems: list[Problem] = field(default_factory=list)
