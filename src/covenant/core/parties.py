"""Who issues a statement and to whom: the issuer and customer blocks (plain values; apart from
``core.statement`` so reading a workspace's Settings loads nothing else)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Addressee", "Issuer"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Issuer:
    """Who issues the statements (the workspace's Settings ``issuer``)."""

    name: str
    address: tuple[str, ...] = ()
    tax_id: str = ""
    registration: str = ""  # company register entry
    email: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Addressee:
    """The customer block: display name, postal address, tax id and customer number."""

    name: str
    address: tuple[str, ...] = ()
    tax_id: str = ""
    reference: str = ""
