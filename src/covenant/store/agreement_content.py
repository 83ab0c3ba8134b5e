"""An agreement version's content: its terms without its status, as canonical JSON.

Sorted keys, no spaces; ``Fraction`` as ``"n/d"``, ``Decimal`` as written, instants in UTC
ISO-8601, so the same terms always give the same ``content_sha256`` and a signed version can be
proven unchanged. Pure: no connection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from covenant.core.agreements import (
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

_OMITTED_WHEN_EMPTY: dict[str, object] = {"display_name": "", "terms": "", "minimum_run_s": None}
"""Fields added after versions were first stored, with their empty value: left out while empty,
so a version written before them keeps its content hash (a commitment's display name and
wording, issue 10; a bad-intervals measurement's minimum run, stop 41)."""


def _stored(moment: datetime) -> str:
    """An instant as the canonical content holds it (``+00:00``): the form every stored hash was
    made over, so it never changes (answers show instants with ``Z``: ``version_content``'s
    ``stamp``)."""
    return require_utc(moment).isoformat()


def _plain(value: Any, stamp: Callable[[datetime], str] = _stored) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, frozenset):
        return sorted(_plain(v, stamp) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v, stamp) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, stamp) for k, v in value.items()}
    slots = getattr(type(value), "__slots__", None)
    if slots is not None:
        return {
            name: _plain(getattr(value, name), stamp)
            for name in slots
            if not (
                name in _OMITTED_WHEN_EMPTY and getattr(value, name) == _OMITTED_WHEN_EMPTY[name]
            )
        }
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def version_content(
    version: AgreementVersion, *, stamp: Callable[[datetime], str] = _stored
) -> str:
    """The canonical JSON of a version's terms (everything but its status); ``stamp`` writes its
    instants (the default: as stored and hashed; ``utc_iso`` for an answer)."""
    data = _plain(version, stamp)
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


def instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def version_from_content(content: str, *, status: VersionStatus) -> AgreementVersion:
    """The inverse of :func:`version_content` (every field: a stored version reads back equal to
    the one written; keys added later are read with their defaults from older rows)."""
    data = json.loads(content)
    start = instant(data["effective_from"])
    assert start is not None
    return AgreementVersion(
        agreement=data["agreement"],
        version=data["version"],
        customer=data["customer"],
        status=status,
        effective_from=start,
        effective_to=instant(data["effective_to"]),
        currency=data["currency"],
        fees=tuple((service, Decimal(amount)) for service, amount in data["fees"]),
        period=PeriodUnit(data["period"]),
        zone=data["zone"],
        availability=tuple(_availability(a) for a in data["availability"]),
        support=tuple(_support(s) for s in data["support"]),
        signatories=tuple(_party(p) for p in data["signatories"]),
        approvals=tuple(_party(p) for p in data["approvals"]),
        reason=data["reason"],
        cap_percent=_decimal(data.get("cap_percent")),
        cap_amount=_decimal(data.get("cap_amount")),
    )


def _party(data: dict[str, Any]) -> Party:
    return Party(name=data["name"], role=data["role"], signed_at=instant(data["signed_at"]))


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
            records_from=instant(m.get("records_from")),
            components=tuple(m.get("components", ())),
            components_down=m.get("components_down", 0),
            minimum_run_s=m.get("minimum_run_s"),
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
            minimum_inclusive=r.get("minimum_inclusive", True),
            claim=None
            if claim is None
            else ClaimDeadline(rule=ClaimRule(claim["rule"]), count=claim["count"]),
        ),
        backing_slos=tuple(data["backing_slos"]),
        display_name=data.get("display_name", ""),
        terms=data.get("terms", ""),
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
        display_name=data.get("display_name", ""),
        terms=data.get("terms", ""),
    )
