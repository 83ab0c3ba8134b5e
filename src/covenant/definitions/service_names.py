"""The service names a workspace knows, and the warning for a MaintenanceWindow naming another.

A window's ``services`` matter only where they meet an agreement's commitment (its
``services``, or the ``components`` its measurement reads): a misspelt name excludes nothing,
silently. The workspace knows a service when a Service document, an SLO's ``spec.service`` or
an Agreement (a commitment's services or components, a fee) names it. An unknown one is a
warning (``unresolved-reference``), not an error: an agreement created over the API lives in
the store, not in the files; the API's write route, which reads the store too, refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from covenant.definitions.diagnostics import WARNING, at, did_you_mean
from covenant.definitions.parsed import Definition
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

UNKNOWN_SERVICE = "unresolved-reference"


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def agreement_services(spec: Mapping[str, Any]) -> set[str]:
    """The services an Agreement's spec (as written) names: commitments, components, fees."""
    found: set[str] = set()
    versions = spec.get("versions")
    for version in versions if isinstance(versions, list) else ():
        if not isinstance(version, Mapping):
            continue
        fees = version.get("fees")
        if isinstance(fees, Mapping):
            found |= {k for k in fees if isinstance(k, str)}
        items = version.get("availability")
        for item in items if isinstance(items, list) else ():
            if isinstance(item, Mapping):
                found |= set(_names(item.get("services")))
                measurement = item.get("measurement")
                if isinstance(measurement, Mapping):
                    found |= set(_names(measurement.get("components")))
    return found


def known_services(definitions: Iterable[Definition]) -> set[str]:
    """Every service name the workspace's documents give."""
    found: set[str] = set()
    for item in definitions:
        kind, raw = item.kind, item.raw
        spec = raw.get("spec") if isinstance(raw, Mapping) else None
        if kind == "Service":
            found.add(item.name)
        elif kind == "SLO" and isinstance(spec, Mapping):
            if isinstance(spec.get("service"), str):
                found.add(spec["service"])
        elif kind == "Agreement" and isinstance(spec, Mapping):
            found |= agreement_services(spec)
    return found


def unknown_service(
    doc: SourceDocument,
    path: PathKey,
    name: str,
    known: Iterable[str],
    *,
    severity: str = WARNING,
    place: str = "the workspace",
) -> Problem:
    """The warning (or, with ``severity``, the error) for a window's service ``name`` (at
    ``path``) that nothing in ``place`` names."""
    guess = did_you_mean(name, sorted(known))
    ask = f"did you mean {guess!r}? " if guess else ""
    return at(
        doc,
        path,
        code=UNKNOWN_SERVICE,
        message=f"no service named {name!r} in {place}: no Service, SLO or Agreement "
        "names it, so the window excludes nothing on it",
        fix=f"{ask}fix the name to the service an agreement's commitment names (its "
        "services or components), or add a Service document named "
        f"{name!r} if the service is real",
        severity=severity,
    )
