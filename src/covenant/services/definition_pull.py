"""``covenant corrections pull`` and ``covenant maintenance pull``: write the corrections and
maintenance windows changed over the API into the workspace's YAML (ADR 0006).

For every definition whose store record applies in place of the workspace's copy (the
workspace lacks it, has an older copy, or an edit made after the API's change), the store's
document replaces the workspace's in the file that defines it (only that document; every other
document and line stays) or goes into ``corrections/NAME.yaml`` / ``maintenance/NAME.yaml``; a
definition deleted over the API is removed from its file. Then the store records that the
workspace has it (``in-workspace``): from then on the workspace owns it again, and an edit of
the YAML applies — except on a replica whose copy is still one the store replaced.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.timeutil import require_utc
from covenant.definitions.articles import with_article
from covenant.errors import ConflictError
from covenant.services.agreement_pull import write_document
from covenant.services.definition_writes import AUDIT_KIND
from covenant.services.recorded_definitions import (
    CORRECTION,
    MAINTENANCE,
    workspace_overlay,
)
from covenant.services.workspace import load_workspace
from covenant.store import audit
from covenant.store import definition_changes as repo
from covenant.store.db import write_transaction

FOLDER = {CORRECTION: "corrections", MAINTENANCE: "maintenance"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Pulled:
    kind: str
    name: str
    file: Path
    action: str  # written, removed, confirmed (the workspace had it already)
    replaced_edit: bool = False  # the workspace's copy was an edit the store's replaced


def dump(document: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    order = ("apiVersion", "kind", "metadata", "spec")
    yaml.dump({k: document[k] for k in order if k in document}, out)
    return out.getvalue()


def pull_definitions(
    engine: Engine,
    *,
    workspace_dir: Path,
    kind: str,
    names: Sequence[str] | None = None,
    actor: str,
    at: datetime,
    dry_run: bool = False,
) -> list[Pulled]:
    """Write every ``kind`` definition the store holds ahead of the workspace (or those
    named) into the workspace's YAML; ``dry_run`` writes nothing and records nothing."""
    at = require_utc(at)
    workspace = load_workspace(workspace_dir, applying=True)
    pulled: list[Pulled] = []
    try:
        with write_transaction(engine) as conn:
            audit.lock(conn)
            changes = repo.changes(conn, kind=kind)
            overlay = workspace_overlay(workspace, changes)
            for (_, name), decision in sorted(overlay.decisions.items()):
                if names and name not in names:
                    continue
                latest = decision.latest
                if not latest.held and not decision.use_store:
                    continue  # the workspace owns it already
                written = next(
                    (d for d in workspace.documents if d.kind == kind and d.name == name), None
                )
                target = (
                    Path(written.file)
                    if written is not None
                    else workspace_dir / FOLDER[kind] / f"{name}.yaml"
                )
                document = latest.document
                if decision.workspace == "same" or (document is None and written is None):
                    action = "confirmed"
                else:
                    action = "removed" if document is None else "written"
                    if not dry_run:
                        fresh = None if document is None else dump(document)
                        write_document(target, kind, name, fresh)
                pulled.append(
                    Pulled(
                        kind=kind,
                        name=name,
                        file=target,
                        action=action,
                        replaced_edit=decision.workspace == "differs",
                    )
                )
                if dry_run:
                    continue
                repo.append(
                    conn,
                    kind=kind,
                    name=name,
                    action=repo.IN_WORKSPACE,
                    document=document,
                    content_sha256=latest.content_sha256,
                    replaced_sha256=decision.have,  # stale from now on
                    actor=actor,
                    at=at,
                    reason=f"pulled into {target}",
                )
                audit.append(
                    conn,
                    actor=actor,
                    action="pulled",
                    entity_kind=AUDIT_KIND[kind],
                    entity_id=name,
                    before=document,
                    after=document,
                    at=at,
                    reason=f"written into {target}: the workspace owns it again",
                )
    except IntegrityError as exc:
        raise ConflictError(
            f"{with_article(kind)} was changed over the API while it was pulled; "
            "nothing was recorded",
            hint="pull again",
        ) from exc
    except SQLAlchemyError as exc:
        from covenant.services.store import store_failure  # noqa: PLC0415

        raise store_failure(f"cannot record the pulled {kind}s", exc) from exc
    return pulled
