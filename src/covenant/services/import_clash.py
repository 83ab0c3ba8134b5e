"""A DataSource an import would reuse that cannot run the imported queries: the workspace (or
an earlier file of the import) has a DataSource of the import's name (``--datasource``, or a
slo-generator backend's) of another type — a CloudWatch ``prometheus`` for Sloth's PromQL.
Reused, it would leave SLOs that can never be read; the file is refused instead, its problem
naming the DataSource's file, line and type and the names that would do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from covenant.core.promql import is_compatible
from covenant.definitions.source_fit import runs
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import Problem

CLASH = "import-datasource-clash"


@dataclass(frozen=True, slots=True)
class Defined:
    """A DataSource already there: its type (None: it states none) and where it is."""

    type: str | None
    where: str  # file:line in the workspace, or the file this import writes it into
    imported: bool = False  # written by an earlier file of this import

    @classmethod
    def of(cls, document: Mapping[str, Any], target: str) -> Defined:
        return cls(type=_type(document), where=target, imported=True)


def _type(item: Mapping[str, Any]) -> str | None:
    spec = item.get("spec")
    kind = spec.get("type") if isinstance(spec, Mapping) else None
    return kind if isinstance(kind, str) else None


def defined_sources(existing: Sequence[SourceDocument]) -> dict[str, Defined]:
    """The workspace's DataSources by name (the first of a name, as the workspace reads it)."""
    found: dict[str, Defined] = {}
    for doc in existing:
        items = doc.data if isinstance(doc.data, list) else [doc.data]
        for item in items:
            if not (isinstance(item, Mapping) and item.get("kind") == "DataSource"):
                continue
            metadata = item.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            if isinstance(name, str):
                found.setdefault(name, Defined(type=_type(item), where=doc.where()))
    return found


def source_clash(
    document: Mapping[str, Any], defined: Mapping[str, Defined], source: str
) -> Problem | None:
    """The problem of the imported file ``source`` whose DataSource ``document`` would reuse
    one of ``defined`` of its name that cannot run its queries (None: none, or one that can)."""
    name = document["metadata"]["name"]
    there = defined.get(name)
    wanted = _type(document)
    if there is None or wanted is None or (there.type is not None and runs(there.type, wanted)):
        return None
    promql = is_compatible(wanted)
    queries = f"PromQL queries (type {wanted})" if promql else f"{wanted} queries"
    held = f"as type {there.type}" if there.type else "with no spec.type"
    whose = (
        f"an earlier file of this import writes into {there.where}"
        if there.imported
        else f"the workspace defines ({there.where})"
    )
    if promql:
        others = sorted(n for n, d in defined.items() if d.type and is_compatible(d.type))
        theirs = f"a Prometheus one of the workspace ({', '.join(others)}), or " if others else ""
        fix = (
            "name another DataSource with --datasource (datasource on the import page and in "
            f"the API): {theirs}a new name such as {_free(name, defined)}, which the import "
            f"writes; or correct the spec.type of DataSource {name!r} if it is a Prometheus "
            "server"
        )
    else:
        fix = (
            f"rename DataSource {name!r} in the workspace (the name is the backend's), or "
            f"import into another workspace; or correct its spec.type if it is a {wanted} "
            "source"
        )
    return Problem(
        code=CLASH,
        message=f"its SLIs are {queries} for DataSource {name!r}, which {whose} {held}, which "
        "cannot run them: the SLOs could never be read",
        where=source,
        fix=fix,
    )


def _free(name: str, defined: Mapping[str, Defined]) -> str:
    """``name-2``, ``name-3``…: the first no DataSource has."""
    counter = 2
    while f"{name}-{counter}" in defined:
        counter += 1
    return f"{name}-{counter}"
