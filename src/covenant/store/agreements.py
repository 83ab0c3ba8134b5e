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
from covenant.errors import NotFoundError, TamperedError
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
    conn: Connection, *, names: Sequence[str] | None = None, verify: bool = True
) -> list[StoredAgreement]:
    """Every stored agreement (or those named) with its versions, by name and version.

    With ``verify`` (the default) every agreement read is checked against its hash-chained
    history first (:func:`discrepancies`), and :class:`TamperedError` is raised when any
    disagrees: nothing reads forged terms.
    """
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
    found = [
        StoredAgreement(
            id=row["id"],
            name=row["name"],
            customer=row["customer"],
            versions=tuple(by_id[row["id"]]),
        )
        for row in heads
    ]
    if verify:
        events = _events_by_id(conn, names_by_id)
        for stored in found:
            wrong = discrepancies(stored, events[stored.id])
            if wrong:
                raise tampered(stored.name, wrong)
    return found


def tampered(name: str, wrong: Sequence[str]) -> TamperedError:
    """The error for an agreement whose stored rows disagree with its history."""
    return TamperedError(
        f"agreement {name!r} in the store disagrees with its hash-chained history, so it was "
        f"altered outside Covenant and is not used: {'; '.join(wrong)}",
        hint="restore the store from a backup taken before the change (or re-create it and "
        f"run `covenant agreements sync`); `covenant agreements history {name}` lists the "
        "disagreements",
    )


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


def _event(agreement: str, row: sa.RowMapping) -> HistoryEvent:
    try:
        details = json.loads(row["details"])
    except ValueError:
        details = None
    return HistoryEvent(
        agreement=agreement,
        seq=row["seq"],
        version=row["version"],
        event=row["event"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        at=row["at"],
        actor=row["actor"],
        # unreadable details (edited outside Covenant) keep their text: the hash shows it
        details=details if isinstance(details, dict) else {"unreadable": row["details"]},
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _events_by_id(
    conn: Connection, names_by_id: Mapping[int, str]
) -> dict[int, list[HistoryEvent]]:
    found: dict[int, list[HistoryEvent]] = {i: [] for i in names_by_id}
    if not names_by_id:
        return found
    rows = conn.execute(
        sa.select(agreement_events)
        .where(agreement_events.c.agreement_id.in_(list(names_by_id)))
        .order_by(agreement_events.c.agreement_id, agreement_events.c.seq)
    ).mappings()
    for row in rows:
        found[row["agreement_id"]].append(_event(names_by_id[row["agreement_id"]], row))
    return found


def history(conn: Connection, *, agreement: str) -> list[HistoryEvent]:
    """Every event of ``agreement``, oldest first; NotFoundError when it was never stored."""
    agreement_id = _agreement_id(conn, agreement)
    return _events_by_id(conn, {agreement_id: agreement})[agreement_id]


def chain_problems(events: Sequence[HistoryEvent]) -> list[str]:
    """Where the hash chain of ``events`` (one agreement's, oldest first) is broken."""
    wrong: list[str] = []
    previous: str | None = None
    for index, item in enumerate(events, start=1):
        row = {
            "seq": item.seq,
            "version": item.version,
            "event": item.event,
            "from_status": item.from_status,
            "to_status": item.to_status,
            "at": item.at,
            "actor": item.actor,
        }
        expected = _event_hash(previous, _event_body(item.agreement, row, item.details))
        if item.seq != index:
            wrong.append(f"history event #{index} is missing (the next one is #{item.seq})")
            return wrong
        if item.prev_hash != previous:
            wrong.append(f"history event #{item.seq} is not chained to the event before it")
        if item.hash != expected:
            wrong.append(f"history event #{item.seq} was changed after it was recorded")
        previous = item.hash
    return wrong


def discrepancies(stored: StoredAgreement, events: Sequence[HistoryEvent]) -> list[str]:
    """Every way ``stored`` disagrees with its history ``events`` (empty when it does not).

    The chain must be intact; and each stored version's terms must hash to its stored hash,
    which must be the hash its last ``created``/``content-changed`` event recorded; its status
    must be the last status its events moved it to; its effective dates the ones in its terms;
    no version the history knows may be missing; the customer must be the last one recorded.
    """
    wrong = chain_problems(events)
    recorded_hash: dict[int, object] = {}
    recorded_status: dict[int, str] = {}
    customer: object = None
    for item in events:
        if item.version is None:
            if item.event == "customer-changed":
                customer = item.details.get("to")
            continue
        if item.event in ("created", "content-changed"):
            recorded_hash[item.version] = item.details.get("content_sha256")
        if item.to_status is not None:
            recorded_status[item.version] = item.to_status
    for v in stored.versions:
        label = f"v{v.version}"
        if v.version not in recorded_hash:
            wrong.append(f"{label} is stored but its history never recorded it")
            continue
        if sha256(v.content) != v.content_sha256:
            wrong.append(f"{label}'s terms do not match their stored hash")
        elif recorded_hash[v.version] != v.content_sha256:
            wrong.append(f"{label}'s terms are not the ones its history recorded")
        else:
            data = json.loads(v.content)
            if (
                _instant(data["effective_from"]) != v.effective_from
                or _instant(data["effective_to"]) != v.effective_to
            ):
                wrong.append(f"{label}'s effective dates are not the ones in its terms")
        expected = recorded_status.get(v.version)
        if expected != v.status.value:
            wrong.append(
                f"{label} is {v.status.value} in the store but its history last recorded "
                f"{expected or 'no status'}"
            )
    missing = sorted(set(recorded_hash) - {v.version for v in stored.versions})
    wrong.extend(f"v{n} is in the history but missing from the store" for n in missing)
    if customer is not None and customer != stored.customer:
        wrong.append(
            f"the customer is {stored.customer!r} in the store but its history last "
            f"recorded {customer!r}"
        )
    return wrong


def audit(conn: Connection, *, agreement: str) -> list[str]:
    """Every way the stored ``agreement`` disagrees with its history (NotFoundError if none)."""
    _agreement_id(conn, agreement)
    (stored,) = load_agreements(conn, names=[agreement], verify=False)
    return discrepancies(stored, history(conn, agreement=agreement))


def chain_intact(conn: Connection, *, agreement: str) -> bool:
    """True when the history's hash chain is intact and the stored versions agree with it."""
    return not audit(conn, agreement=agreement)


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
    load_agreements(conn, names=names)  # TamperedError when one disagrees with its history
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
