"""A signed version stored before wall times in a DST gap were read as the gap's end.

Until stop 41 a date-time written without an offset that the zone's clock skips (02:30 on
Berlin's spring-forward night) was read by Python's ``fold=0`` rule (03:30 CEST, 01:30 UTC);
since then it is the gap's end (03:00 CEST, 01:00 UTC), the rule of windows and business time.
The content hash covers the instants, so a version signed and stored under the old reading
hashes differently although nobody changed a character of it. :func:`gap_reading` rebuilds the
version with the old reading of exactly those fields, so a caller can tell "the same signed
version, read by the old rule" (keep the stored one) from a real change (refused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from covenant.core.agreements import AgreementVersion, Party
from covenant.definitions.agreements import fold0_gap_instant
from covenant.store.agreement_content import content_hash


@dataclass(frozen=True, slots=True)
class GapReading:
    version: AgreementVersion  # the version with the old (fold=0) reading of its gap times
    fields: tuple[str, ...]  # where those times are written, e.g. "signatories[0].signedAt"


def _old(text: Any, zone: str) -> datetime | None:
    return fold0_gap_instant(str(text), zone) if isinstance(text, str) and text else None


def _parties(
    written: Any, parties: Sequence[Party], zone: str, key: str, fields: list[str]
) -> tuple[Party, ...]:
    items = written if isinstance(written, list) else []
    out = list(parties)
    for i, party in enumerate(parties):
        raw = items[i] if i < len(items) and isinstance(items[i], Mapping) else {}
        old = _old(raw.get("signedAt"), zone) if party.signed_at is not None else None
        if old is not None:
            out[i] = replace(party, signed_at=old)
            fields.append(f"{key}[{i}].signedAt")
    return tuple(out)


def gap_reading(version: AgreementVersion, spec: Mapping[str, Any]) -> GapReading | None:
    """``version`` with each instant written (in ``spec``, its definition as written) without an
    offset inside a DST gap read the old way; None when it has no such instant."""
    zone = version.zone
    fields: list[str] = []
    changes: dict[str, Any] = {}
    start = _old(spec.get("effectiveFrom"), zone)
    if start is not None:
        changes["effective_from"] = start
        fields.append("effectiveFrom")
    end = _old(spec.get("effectiveTo"), zone) if version.effective_to is not None else None
    if end is not None:
        changes["effective_to"] = end
        fields.append("effectiveTo")
    changes["signatories"] = _parties(
        spec.get("signatories"), version.signatories, zone, "signatories", fields
    )
    changes["approvals"] = _parties(
        spec.get("approvals"), version.approvals, zone, "approvals", fields
    )
    written = spec.get("availability")
    items = written if isinstance(written, list) else []
    availability = list(version.availability)
    for j, commitment in enumerate(version.availability):
        raw = items[j] if j < len(items) and isinstance(items[j], Mapping) else {}
        measurement = raw.get("measurement")
        text = measurement.get("recordsFrom") if isinstance(measurement, Mapping) else None
        old = _old(text, zone) if commitment.measurement.records_from is not None else None
        if old is not None:
            availability[j] = replace(
                commitment, measurement=replace(commitment.measurement, records_from=old)
            )
            fields.append(f"availability[{j}].measurement.recordsFrom")
    changes["availability"] = tuple(availability)
    if not fields:
        return None
    return GapReading(version=replace(version, **changes), fields=tuple(fields))


def stored_reading(
    version: AgreementVersion, spec: Mapping[str, Any] | None, stored_sha256: str
) -> GapReading | None:
    """The version as stored when ``version`` (defined by ``spec``) differs from the stored one
    (hash ``stored_sha256``) only by the old reading of times written in a DST gap; else None."""
    if spec is None:
        return None
    legacy = gap_reading(version, spec)
    if legacy is None or content_hash(legacy.version) != stored_sha256:
        return None
    return legacy
