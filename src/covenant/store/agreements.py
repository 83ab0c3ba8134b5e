"""Agreement repository: versions as canonical JSON with a hash, and a hash-chained history.

The *content* of a version is its terms without its status, as canonical JSON (sorted keys,
no spaces; ``Fraction`` as ``"n/d"``, ``Decimal`` as written, instants in UTC ISO-8601), so
the same terms always give the same ``content_sha256`` and a signed version can be proven
unchanged. Functions take the connection first; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.agreements import (
    BINDING,
    AgreementVersion,
    AvailabilityCommitment,
    ClaimDeadline,
    ClaimRule,
    CreditTier,
    DowntimeSource,
    EligibleTime,
    Exclusions,
    Measurement,
    Party,
    PeriodUnit,
    Remedies,
    SupportCommitment,
    SupportTarget,
    VersionStatus,
)
from covenant.core.timeutil import require_utc
from covenant.errors import NotFoundError
from covenant.store.agreement_tables import agreement_events, agreement_versions, agreements

# --- canonical content -----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return require_utc(value).isoformat()
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    slots = getattr(type(value), "__slots__", None)
    if slots is not None:
        return {name: _plain(getattr(value, name)) for name in slots}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def version_content(version: AgreementVersion) -> str:
    """The canonical JSON of a version's terms (everything but its status)."""
    data = _plain(version)
    del data["status"]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(version: AgreementVersion) -> str:
    """The sha256 of :func:`version_content`."""
    return sha256(version_content(version))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def version_from_content(content: str, *, status: VersionStatus) -> AgreementVersion:
    """The inverse of :func:`version_content`."""
    data = json.loads(content)
    start = _instant(data["effective_from"])
    assert start is not None
    return AgreementVersion(
        agreement=data["agreement"],
        version=data["version"],
        customer=data["customer"],
        status=status,
        effective_from=start,
        effective_to=_instant(data["effective_to"]),
        currency=data["currency"],
        fees=tuple((service, Decimal(amount)) for service, amount in data["fees"]),
        period=PeriodUnit(data["period"]),
        zone=data["zone"],
        availability=tuple(_availability(a) for a in data["availability"]),
        support=tuple(_support(s) for s in data["support"]),
        signatories=tuple(_party(p) for p in data["signatories"]),
        approvals=tuple(_party(p) for p in data["approvals"]),
        reason=data["reason"],
    )


def _party(data: dict[str, Any]) -> Party:
    return Party(name=data["name"], role=data["role"], signed_at=_instant(data["signed_at"]))


def _availability(data: dict[str, Any]) -> AvailabilityCommitment:
    m, e, r = data["measurement"], data["exclusions"], data["remedies"]
    claim = r["claim"]
    return AvailabilityCommitment(
        name=data["name"],
        services=tuple(data["services"]),
        level=Fraction(data["level"]),
        measurement=Measurement(
            source=DowntimeSource(m["source"]),
            series=m["series"],
            interval_s=m["interval_s"],
            threshold=_fraction(m["threshold"]),
            threshold_inclusive=m["threshold_inclusive"],
            severities=frozenset(m["severities"]),
        ),
        exclusions=Exclusions(
            maintenance_notice_s=e["maintenance_notice_s"],
            customer_caused=e["customer_caused"],
            force_majeure=e["force_majeure"],
        ),
        eligible=EligibleTime(data["eligible"]),
        remedies=Remedies(
            tiers=tuple(
                CreditTier(
                    credit=Decimal(t["credit"]),
                    below=_fraction(t["below"]),
                    below_inclusive=t["below_inclusive"],
                    at_least=_fraction(t["at_least"]),
                    at_least_inclusive=t["at_least_inclusive"],
                )
                for t in r["tiers"]
            ),
            cap_percent=_decimal(r["cap_percent"]),
            cap_amount=_decimal(r["cap_amount"]),
            minimum_credit=_decimal(r["minimum_credit"]),
            claim=None
            if claim is None
            else ClaimDeadline(rule=ClaimRule(claim["rule"]), count=claim["count"]),
        ),
        backing_slos=tuple(data["backing_slos"]),
    )


def _support(data: dict[str, Any]) -> SupportCommitment:
    return SupportCommitment(
        name=data["name"],
        calendar=data["calendar"],
        targets=tuple(
            SupportTarget(
                priority=t["priority"],
                first_response_s=t["first_response_s"],
                resolution_s=t["resolution_s"],
            )
            for t in data["targets"]
        ),
        pause_states=frozenset(data["pause_states"]),
        attainment=Fraction(data["attainment"]),
        penalty_percent=_decimal(data["penalty_percent"]),
        penalty_amount=_decimal(data["penalty_amount"]),
        backing_slos=tuple(data["backing_slos"]),
    )


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredVersion:
    agreement: str
    version: int
    status: VersionStatus
    effective_from: datetime
    effective_to: datetime | None
    content: str
    content_sha256: str
    first_seen: datetime
    last_seen: datetime

    def model(self) -> AgreementVersion:
        return version_from_content(self.content, status=self.status)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAgreement:
    id: int
    name: str
    customer: str
    versions: tuple[StoredVersion, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEvent:
    """One entry of an agreement's append-only history."""

    agreement: str
    seq: int
    version: int | None
    event: str  # created | status-changed | content-changed | customer-changed
    from_status: str | None
    to_status: str | None
    at: datetime
    actor: str | None
    details: dict[str, Any]
    prev_hash: str | None
    hash: str


def load_agreements(
    conn: Connection, *, names: Sequence[str] | None = None
) -> list[StoredAgreement]:
    """Every stored agreement (or those named) with its versions, by name and version."""
    query = sa.select(agreements).order_by(agreements.c.name)
    if names is not None:
        query = query.where(agreements.c.name.in_(list(names)))
    heads = conn.execute(query).mappings().all()
    if not heads:
        return []
    ids = [row["id"] for row in heads]
    rows = (
        conn.execute(
            sa.select(agreement_versions)
            .where(agreement_versions.c.agreement_id.in_(ids))
            .order_by(agreement_versions.c.agreement_id, agreement_versions.c.version)
        )
        .mappings()
        .all()
    )
    by_id: dict[int, list[StoredVersion]] = {i: [] for i in ids}
    names_by_id = {row["id"]: row["name"] for row in heads}
    for row in rows:
        by_id[row["agreement_id"]].append(
            StoredVersion(
                agreement=names_by_id[row["agreement_id"]],
                version=row["version"],
                status=VersionStatus(row["status"]),
                effective_from=row["effective_from"],
                effective_to=row["effective_to"],
                content=row["content"],
                content_sha256=row["content_sha256"],
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
            )
        )
    return [
        StoredAgreement(
            id=row["id"],
            name=row["name"],
            customer=row["customer"],
            versions=tuple(by_id[row["id"]]),
        )
        for row in heads
    ]


def insert_agreement(conn: Connection, *, name: str, customer: str, at: datetime) -> int:
    result = conn.execute(
        sa.insert(agreements).values(name=name, customer=customer, created_at=at, updated_at=at)
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def set_customer(conn: Connection, *, agreement_id: int, customer: str, at: datetime) -> None:
    conn.execute(
        sa.update(agreements)
        .where(agreements.c.id == agreement_id)
        .values(customer=customer, updated_at=at)
    )


def insert_version(
    conn: Connection, *, agreement_id: int, version: AgreementVersion, at: datetime
) -> None:
    content = version_content(version)
    conn.execute(
        sa.insert(agreement_versions).values(
            agreement_id=agreement_id,
            version=version.version,
            status=version.status.value,
            effective_from=version.effective_from,
            effective_to=version.effective_to,
            content=content,
            content_sha256=sha256(content),
            first_seen=at,
            last_seen=at,
        )
    )


def update_version(
    conn: Connection, *, agreement_id: int, version: AgreementVersion, at: datetime
) -> None:
    """Store ``version``'s status and content (the caller checked the move is allowed)."""
    content = version_content(version)
    conn.execute(
        sa.update(agreement_versions)
        .where(
            agreement_versions.c.agreement_id == agreement_id,
            agreement_versions.c.version == version.version,
        )
        .values(
            status=version.status.value,
            effective_from=version.effective_from,
            effective_to=version.effective_to,
            content=content,
            content_sha256=sha256(content),
            last_seen=at,
        )
    )


def touch_versions(conn: Connection, *, agreement_id: int, at: datetime) -> None:
    """Record that the agreement's versions were seen in the definitions at ``at``."""
    conn.execute(
        sa.update(agreement_versions)
        .where(agreement_versions.c.agreement_id == agreement_id)
        .values(last_seen=at)
    )


def _event_hash(prev_hash: str | None, body: Mapping[str, Any]) -> str:
    return sha256((prev_hash or "") + "\n" + canonical_json(body))


def _event_body(
    agreement: str, row: Mapping[str, Any], details: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "seq": row["seq"],
        "version": row["version"],
        "event": row["event"],
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "at": require_utc(row["at"]).isoformat(),
        "actor": row["actor"],
        "details": dict(details),
    }


def append_event(
    conn: Connection,
    *,
    agreement_id: int,
    agreement: str,
    version: int | None,
    event: str,
    at: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    actor: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one event, numbered after and chained to the agreement's last one."""
    last = conn.execute(
        sa.select(agreement_events.c.seq, agreement_events.c.hash)
        .where(agreement_events.c.agreement_id == agreement_id)
        .order_by(agreement_events.c.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (1, None) if last is None else (int(last.seq) + 1, str(last.hash))
    row = {
        "seq": seq,
        "version": version,
        "event": event,
        "from_status": from_status,
        "to_status": to_status,
        "at": at,
        "actor": actor,
    }
    details = dict(details or {})
    conn.execute(
        sa.insert(agreement_events).values(
            agreement_id=agreement_id,
            details=canonical_json(details),
            prev_hash=prev_hash,
            hash=_event_hash(prev_hash, _event_body(agreement, row, details)),
            **row,
        )
    )


def history(conn: Connection, *, agreement: str) -> list[HistoryEvent]:
    """Every event of ``agreement``, oldest first; NotFoundError when it was never stored."""
    agreement_id = _agreement_id(conn, agreement)
    rows = conn.execute(
        sa.select(agreement_events)
        .where(agreement_events.c.agreement_id == agreement_id)
        .order_by(agreement_events.c.seq)
    ).mappings()
    return [
        HistoryEvent(
            agreement=agreement,
            seq=row["seq"],
            version=row["version"],
            event=row["event"],
            from_status=row["from_status"],
            to_status=row["to_status"],
            at=row["at"],
            actor=row["actor"],
            details=json.loads(row["details"]),
            prev_hash=row["prev_hash"],
            hash=row["hash"],
        )
        for row in rows
    ]


def chain_intact(conn: Connection, *, agreement: str) -> bool:
    """True when every event's hash matches its content and the previous event's hash."""
    previous: str | None = None
    for index, item in enumerate(history(conn, agreement=agreement), start=1):
        row = {
            "seq": item.seq,
            "version": item.version,
            "event": item.event,
            "from_status": item.from_status,
            "to_status": item.to_status,
            "at": item.at,
            "actor": item.actor,
        }
        expected = _event_hash(previous, _event_body(agreement, row, item.details))
        if item.seq != index or item.prev_hash != previous or item.hash != expected:
            return False
        previous = item.hash
    return True


def _agreement_id(conn: Connection, name: str) -> int:
    found = conn.execute(sa.select(agreements.c.id).where(agreements.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(
            f"no agreement named {name!r} in the store",
            hint="run `covenant agreements sync` after adding it to the workspace",
        )
    return int(found)


def version_in_force(conn: Connection, *, agreement: str, at: datetime) -> AgreementVersion:
    """The signed version of ``agreement`` in force at ``at``.

    Among the versions that were signed (signed, active, superseded, expired, or terminated
    with signatories), the highest-numbered one whose ``effective_from`` is at or before
    ``at`` — a later amendment ends the previous version implicitly — provided ``at`` is
    before its ``effective_to`` and, for a terminated version, before the termination was
    recorded. Raises NotFoundError when no version is in force.
    """
    at = require_utc(at)
    _agreement_id(conn, agreement)  # NotFoundError for an unknown agreement
    (stored,) = load_agreements(conn, names=[agreement])
    candidates = [
        v
        for v in stored.versions
        if v.status in BINDING and v.effective_from <= at and _was_signed(v)
    ]
    if candidates:
        latest = max(candidates, key=lambda v: v.version)
        ended = latest.effective_to is not None and at >= latest.effective_to
        terminated = _terminated_at(conn, stored.id, latest)
        if not ended and (terminated is None or at < terminated):
            return latest.model()
    raise NotFoundError(
        f"no version of {agreement!r} is in force at {at.isoformat()}",
        hint="see `covenant agreements history` for its versions and their dates",
    )


def _was_signed(version: StoredVersion) -> bool:
    if version.status is not VersionStatus.TERMINATED:
        return True
    return bool(json.loads(version.content)["signatories"])


def _terminated_at(conn: Connection, agreement_id: int, version: StoredVersion) -> datetime | None:
    if version.status is not VersionStatus.TERMINATED:
        return None
    found: datetime | None = conn.execute(
        sa.select(agreement_events.c.at)
        .where(
            agreement_events.c.agreement_id == agreement_id,
            agreement_events.c.version == version.version,
            agreement_events.c.to_status == VersionStatus.TERMINATED.value,
        )
        .order_by(agreement_events.c.seq)
        .limit(1)
    ).scalar()
    return None if found is None else require_utc(found)


def termination_times(conn: Connection, *, names: Sequence[str]) -> dict[tuple[str, int], datetime]:
    """When each terminated version's termination was recorded, keyed by (agreement, version)."""
    if not names:
        return {}
    rows = conn.execute(
        sa.select(agreements.c.name, agreement_events.c.version, agreement_events.c.at)
        .join(agreements, agreements.c.id == agreement_events.c.agreement_id)
        .where(
            agreements.c.name.in_(list(names)),
            agreement_events.c.to_status == VersionStatus.TERMINATED.value,
        )
        .order_by(agreement_events.c.seq)
    )
    found: dict[tuple[str, int], datetime] = {}
    for name, version, at in rows:
        found.setdefault((name, int(version)), require_utc(at))
    return found
