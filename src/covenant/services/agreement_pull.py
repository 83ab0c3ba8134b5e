"""``covenant agreements pull``: write the store's agreement versions into the workspace's YAML.

The store is the record of agreement versions (ADR 0005); a change made over the API is there
first. ``pull`` writes each stored agreement whose versions differ from the workspace's as one
Agreement document, built from the definitions the store recorded with each version (the same
document the API's writes validated), into the file that defines it — only that document of the
file is replaced, every other document and line stays as written — or into
``agreements/NAME.yaml`` when no file does. A version only the workspace has (not synced yet) is
kept. Each file is replaced whole or not at all (``covenant.files_replaced``: its permissions
kept, a read-only one refused).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy.engine import Engine

from covenant.definitions.yamlsource import read_text
from covenant.errors import InputError
from covenant.files_replaced import write_replacing
from covenant.services.agreement_gaps import stored_reading
from covenant.services.agreement_plan import document_specs, history_of, recorded_specs
from covenant.services.agreement_presentation import recorded_presentation
from covenant.services.agreement_writes import Document, recorded_document
from covenant.services.workspace import load_workspace
from covenant.store import agreements as repo
from covenant.store.agreement_content import content_hash

_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Pulled:
    agreement: str
    file: Path
    versions: tuple[int, ...]  # the versions that were missing or different in the workspace
    replaced: tuple[int, ...] = ()  # unsynced workspace versions the store's replaced


def pull_agreements(
    engine: Engine,
    *,
    workspace_dir: Path,
    names: Sequence[str] | None = None,
    dry_run: bool = False,
) -> list[Pulled]:
    """Write every stored agreement (or those named) that the workspace lacks or has otherwise;
    nothing for the ones it already has exactly. ``dry_run`` writes nothing."""
    workspace = load_workspace(workspace_dir, applying=True)
    with engine.connect() as conn:
        stored = repo.load_agreements(conn, names=names)  # agreement-tampered if forged
        history = history_of(conn, stored)
        specs = recorded_specs(history)
        shown = recorded_presentation(history)
    written_specs: dict[tuple[str, int], Any] = {}
    for document in workspace.documents:
        if document.kind == "Agreement":
            written_specs.update(document_specs(document.name, document.raw))
    pulled: list[Pulled] = []
    for agreement in stored:
        mine = {v.version: v for v in workspace.agreements if v.agreement == agreement.name}
        differ = tuple(
            v.version
            for v in agreement.versions
            if v.version not in mine
            or (
                content_hash(mine[v.version]) != v.content_sha256
                and stored_reading(
                    mine[v.version],
                    written_specs.get((agreement.name, v.version)),
                    v.content_sha256,
                )
                is None  # the same signed version when only a DST-gap time reads anew
            )
            or mine[v.version].status is not v.status
        )
        if not differ:
            continue
        doc = recorded_document(
            agreement.name, agreement, workspace, specs, shown.get(agreement.name)
        )
        written = next(
            (d for d in workspace.documents if d.kind == "Agreement" and d.name == agreement.name),
            None,
        )
        numbers = {v.version for v in agreement.versions}
        replaced: tuple[int, ...] = ()
        if written is not None:  # keep the versions only the workspace has (not synced yet)
            raw_versions = written.raw.get("spec", {}).get("versions", [])
            extra = [v for v in raw_versions if v.get("version") not in numbers]
            doc["spec"]["versions"] += extra
            replaced = tuple(
                n for n in differ if n in mine and mine[n].status.value in ("draft", "proposed")
            )
        target = Path(written.file) if written is not None else _new_file(workspace_dir, doc)
        if not dry_run:
            _write_document(target, agreement.name, doc)
        pulled.append(
            Pulled(agreement=agreement.name, file=target, versions=differ, replaced=replaced)
        )
    return pulled


def _new_file(workspace_dir: Path, doc: Document) -> Path:
    return workspace_dir / "agreements" / f"{doc['metadata']['name']}.yaml"


def dump(doc: Document) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(_ordered(doc), out)
    return out.getvalue()


def _ordered(doc: Document) -> Document:
    versions = [
        {"version": v["version"], "status": v["status"], **v} for v in doc["spec"]["versions"]
    ]
    return {**doc, "spec": {**doc["spec"], "versions": versions}}


def _write_document(path: Path, name: str, doc: Document) -> None:
    """Replace the Agreement ``name`` in ``path`` (or add it), every other line kept."""
    write_document(path, "Agreement", name, dump(doc))


def write_document(path: Path, kind: str, name: str, fresh: str | None) -> None:
    """Replace the ``kind`` named ``name`` in ``path`` by the YAML text ``fresh`` (or add it;
    None: remove it), every other document and line kept; the file is replaced whole or not at
    all (its permissions kept; a read-only file is refused: InputError naming it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    chunks = _split(text)
    for i, chunk in enumerate(chunks):
        if _is_document(chunk, kind, name):
            if fresh is None:
                del chunks[i]
            else:
                chunks[i] = fresh
            break
    else:
        if fresh is None:
            return
        chunks.append(fresh)
    joined = "---\n".join(c if c.endswith("\n") or not c else c + "\n" for c in chunks)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_replacing(path, [joined])
    except OSError as exc:
        raise InputError(
            f"cannot write {path}: {exc.strerror or exc}; it was left as it was",
            hint="make the file writable (chmod u+w) and its folder, then pull again",
        ) from None


def _split(text: str) -> list[str]:
    """The file's documents as texts (separator lines dropped; a leading one leaves an empty
    first chunk, which joining puts back)."""
    chunks: list[list[str]] = [[]]
    for line in text.splitlines(keepends=True):
        if _SEPARATOR.match(line.rstrip("\n")):
            chunks.append([])
        else:
            chunks[-1].append(line)
    return ["".join(c) for c in chunks]


def _is_document(chunk: str, kind: str, name: str) -> bool:
    documents, _ = read_text(chunk, file="<chunk>")
    for doc in documents:
        data: Any = doc.data
        if isinstance(data, dict) and data.get("kind") == kind:
            metadata = data.get("metadata")
            if isinstance(metadata, dict) and metadata.get("name") == name:
                return True
    return False
