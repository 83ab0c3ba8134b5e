"""Agreement repository: stored agreements and their versions, checked against their history.

A version is stored as its canonical content with a hash (``agreement_content``); every change
is an event of the hash-chained history (``agreement_history``), and every read for a statement,
a sync or a lint verifies the stored rows against that history. Functions take the connection
first; the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.agreements import BINDING, AgreementVersion, VersionStatus
from covenant.core.timeutil import require_utc, utc_text
from covenant.errors import NotFoundError, TamperedError
from covenant.store.agreement_content import (
    instant,
    sha256,
    version_content,
    version_from_content,
)
from covenant.store.agreement_history import HistoryEvent, chain_problems, events_by_id
from covenant.store.agreement_tables import agreement_events, agreement_versions, agreements

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
        events = events_by_id(conn, names_by_id)
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


def history(conn: Connection, *, agreement: str) -> list[HistoryEvent]:
    """Every event of ``agreement``, oldest first; NotFoundError when it was never stored."""
    agreement_id = _agreement_id(conn, agreement)
    return events_by_id(conn, {agreement_id: agreement})[agreement_id]


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
                instant(data["effective_from"]) != v.effective_from
                or instant(data["effective_to"]) != v.effective_to
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
        f"no version of {agreement!r} is in force at {utc_text(at)}",
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
