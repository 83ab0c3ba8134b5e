"""``/metrics``: the audit log's hash chain (``covenant audit verify``), as this process last
checked it (``services.audit_watch``): whether it is whole, how many rows it holds, when the
whole log was last read, and the first broken row while it is broken.

``covenant_audit_chain_ok == 0`` is a store changed outside Covenant (page someone: restore
from a backup); ``time() - covenant_audit_chain_verified_timestamp_seconds`` growing past a
couple of hours is a check that no longer runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from covenant.render.prom_text import Family


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditChain:
    ok: bool
    rows: int  # the newest row's number (the rows in a whole log)
    verified_at: datetime  # when the whole log was last read
    checked_at: datetime  # when the rows appended since were last checked
    broken_seq: int | None  # the first broken row (None: whole)


def audit_exposition(chain: AuditChain | None) -> bytes:
    """The audit families (none when the check itself failed: no sample beats a wrong one)."""
    if chain is None:
        return b""
    ok = Family(
        "covenant_audit_chain_ok",
        "1 when the audit log's hash chain is whole (covenant audit verify), 0 when broken.",
    )
    ok.add("", 1.0 if chain.ok else 0.0)
    rows = Family("covenant_audit_chain_rows", "Rows in the audit log (its newest row's number).")
    rows.add("", float(chain.rows))
    verified = Family(
        "covenant_audit_chain_verified_timestamp_seconds",
        "When this process last read the whole audit log to verify its chain, in epoch seconds.",
    )
    verified.add("", chain.verified_at.timestamp())
    checked = Family(
        "covenant_audit_chain_checked_timestamp_seconds",
        "When this process last checked the rows appended since, in epoch seconds.",
    )
    checked.add("", chain.checked_at.timestamp())
    broken = Family(
        "covenant_audit_chain_broken_row",
        "The first broken row of the audit log's chain (no sample while it is whole).",
    )
    if chain.broken_seq is not None:
        broken.add("", float(chain.broken_seq))
    return (ok.text() + rows.text() + verified.text() + checked.text() + broken.text()).encode()
