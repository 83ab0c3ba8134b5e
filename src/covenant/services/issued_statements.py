"""Issued statements: a customer's statement for a closed period, stored once as issued.

A statement is recomputed from the store whenever it is asked for, so a closed period's can
change after the customer received it (a ticket reopened, records ingested late, a correction
added). Issuing stores the statement exactly as it stands — its JSON (canonical: sorted keys, no
spaces, UTF-8), the SHA-256 of those bytes, its HTML page — with who issued it and when. From
then on the customer is given that copy, byte for byte; staff see it too, with ``restated``:
whether the statement recomputed now differs from it, and in what. A changed statement is
issued again only on purpose (``reissue`` with a reason): a new revision; the earlier ones stay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.config import lock_timeout_s
from covenant.core.agreements import PeriodUnit
from covenant.core.statement import IssueMark, Statement
from covenant.core.timeutil import require_utc, utc_iso, utc_text
from covenant.definitions.workspace import Workspace
from covenant.errors import ConflictError, InputError, NotFoundError, StoreError
from covenant.render.sla import minutes_text, statement_html, statement_json
from covenant.services.restatement import canonical, change_text, restatement
from covenant.services.sla import parse_period, report_statement
from covenant.services.store import store_failure
from covenant.services.store_refusals import lock_wait_refused, write_refused
from covenant.store import audit
from covenant.store import issued_statements as repo
from covenant.store.db import lock_bounded, write_transaction
from covenant.store.issued_statements import IssuedStatement
from covenant.store.lock_wait import AUDIT_LOG, WRITE_LOCK, StoreLockedError

MAX_REASON = 1000
_AUDIT_LOG = AUDIT_LOG
_WRITE_LOCK = WRITE_LOCK
_READS = "a table the statement is computed from (agreements, records, counts)"


def restatement_of(issued: IssuedStatement, statement: Statement) -> dict[str, Any]:
    """:func:`restatement` of ``statement`` (computed now) against the ``issued`` revision."""
    return restatement(json.loads(issued.document), statement_json(statement))


def digest_of(text: str) -> str:
    """The SHA-256 (hex) of ``text``'s UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def period_key(period: str) -> str:
    """The period as statements label it: ``2026-11``, ``2026-Q4`` (checked)."""
    year, month, unit = parse_period(period)
    if unit is PeriodUnit.QUARTER:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Issued:
    """What issuing stored, and the revision it replaces (None: the first)."""

    issued: IssuedStatement
    replaces: IssuedStatement | None

    def json(self, customer: str) -> dict[str, Any]:
        """The answer to an issue (``report sla --issue --format json``, the API's ``201``)."""
        return {
            "customer": customer,
            "period": self.issued.period,
            **revision_json(self.issued),
            "replaces": None if self.replaces is None else self.replaces.revision,
        }


def _why_provisional(st: Statement) -> str:
    """Why a period that has ended still has a provisional statement."""
    reasons = []
    for a in st.availability:
        if a.uncovered:
            reasons.append(
                f"the stored records do not cover all of {a.agreement} v{a.version} "
                f"{a.commitment} ({minutes_text(a.uncovered_s)} uncovered: {a.uncovered[0].reason})"
            )
        elif not a.complete:
            reasons.append(f"{a.agreement} v{a.version} {a.commitment} is not judged to its end")
    running = sorted({t.ticket for s in st.support for t in s.timers if t.stopped is None})
    if running:
        reasons.append(
            f"{len(running)} ticket(s) still have a support timer running "
            f"({', '.join(running[:5])}{', …' if len(running) > 5 else ''})"
        )
    return "; ".join(reasons) or "it is not final"


def check_issuable(st: Statement, *, force: bool) -> None:
    """Refuse a statement whose period has not ended (always), or one that is provisional
    (unless ``force``: issued as it stands, saying ``complete: false``)."""
    if st.until < st.period_end:
        raise InputError(
            f"{st.period_label} has not ended: it ends at {utc_text(st.period_end)} "
            f"({st.zone}); a statement is issued for a period that is over",
            hint=f"issue it after {utc_text(st.period_end)}",
        )
    if not st.complete and not force:
        raise ConflictError(
            f"the statement of {st.customer} for {st.period_label} is provisional: "
            f"{_why_provisional(st)}",
            hint="issue it once it is final (ingest the missing records, close the tickets), "
            "or add --force (API: force) to issue it as it stands, marked complete: false",
        )


def issue_statement(
    engine: Engine,
    *,
    workspace: Workspace,
    customer: str,
    period: str,
    now: datetime,
    actor: str,
    force: bool = False,
    reissue: bool = False,
    reason: str | None = None,
    lock_wait_s: float | None = None,
) -> Issued:
    """Issue ``customer``'s statement for ``period`` as computed at ``now`` (audited as
    ``statement`` ``issued`` / ``reissued``). Refused (nothing stored) for a period that has
    not ended, a provisional statement without ``force``, and a period issued already unless
    the statement changed since and ``reissue`` gives a ``reason``; and when a lock on what
    it writes is held by another session for longer than ``lock_wait_s`` seconds (default
    ``COVENANT_LOCK_TIMEOUT``, 10 s): ``store-error`` naming what was locked."""
    now = require_utc(now, what="issue instant")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise InputError(f"the reason is longer than {MAX_REASON} characters", hint="shorten it")
    key = period_key(period)
    waits = lock_timeout_s() if lock_wait_s is None else lock_wait_s
    locking = _AUDIT_LOG  # what a lock is waited for on (a refusal names it)
    subject = f"{customer} {key} was not issued"
    try:  # its reads wait as long for a table another session locked (an ALTER, a LOCK)
        st = report_statement(
            lock_bounded(engine, waits),
            workspace=workspace,
            customer=customer,
            period=key,
            at=now,
            now=now,
        )
    except (SQLAlchemyError, StoreError) as exc:
        held = lock_wait_refused(
            engine, exc, subject=subject, locked=_READS, waited_s=waits, again="issue it again"
        )
        if held is None:
            raise
        raise held from exc
    check_issuable(st, force=force)
    document = statement_json(st)
    text = canonical(document)
    digest = digest_of(text)
    try:
        with write_transaction(engine, lock_timeout_s=waits) as conn:
            audit.lock(conn)  # one issuer of a period at a time (and the audit chain)
            before = repo.revisions(conn, customer=customer, period=key)
            last = before[-1] if before else None
            if last is not None:
                _check_reissue(last, document, reissue=reissue, reason=reason)
            revision = 1 if last is None else last.revision + 1
            mark = IssueMark(issued_at=now, revision=revision, digest=digest)
            issued = IssuedStatement(
                customer=customer,
                period=key,
                revision=revision,
                issued_at=now,
                issued_by=actor,
                reason=reason,
                complete=st.complete,
                digest=digest,
                document=text,
                html=statement_html(st, mark),
            )
            locking = f"the issued statements of {customer}"
            repo.append(conn, issued)
            locking = _AUDIT_LOG
            audit.append(
                conn,
                actor=actor,
                action="issued" if last is None else "reissued",
                entity_kind="statement",
                entity_id=f"{customer}/{key}",
                before=None if last is None else audit_document(last),
                after=audit_document(issued),
                at=now,
                reason=reason,
            )
    except (SQLAlchemyError, StoreLockedError) as exc:  # held past the wait, full, lost…
        held = lock_wait_refused(
            engine,
            exc,
            subject=subject,
            locked=locking if engine.dialect.name == "postgresql" else _WRITE_LOCK,
            waited_s=waits,
            again="issue it again",
        )
        if held is not None:
            raise held from exc.__cause__ if isinstance(exc, StoreLockedError) else exc
        if isinstance(exc, StoreLockedError):  # pragma: no cover - a lock wait, named above
            raise
        raise write_refused(engine, exc, subject=subject, again="issue it again") from exc
    return Issued(issued=issued, replaces=last)


def _check_reissue(
    last: IssuedStatement, document: dict[str, Any], *, reissue: bool, reason: str | None
) -> None:
    which = f"{last.customer} {last.period} was issued {utc_text(last.issued_at)} (revision "
    which += f"{last.revision})"
    change = restatement(json.loads(last.document), document)
    if not change["differs"]:
        raise ConflictError(
            f"{which} and the statement computed now is the same: nothing to issue again",
            hint="the customer has that revision; read it with the statement route or "
            "`covenant report sla`",
        )
    if not reissue:
        shown = "; ".join(change_text(c) for c in change["changes"][:5])
        raise ConflictError(
            f"{which}; the statement computed now differs: {shown}",
            hint=f'to issue revision {last.revision + 1}, add --reissue --reason "why" (API: '
            f"reissue, reason); revision {last.revision} is kept",
        )
    if reason is None:
        raise InputError(
            f"{which}: a reissue needs a reason (the customer's adjustment says why)",
            hint='add --reason "why" (API: reason)',
        )


def audit_document(issued: IssuedStatement) -> dict[str, Any]:
    """An issued revision as the audit log keeps it: its identity and digest, not its text."""
    return {
        "customer": issued.customer,
        "period": issued.period,
        "revision": issued.revision,
        "issued_at": issued.issued_at,
        "issued_by": issued.issued_by,
        "complete": issued.complete,
        "digest": issued.digest,
    }


def issued_revisions(
    engine: Engine, *, customer: str, period: str, at: datetime | None = None
) -> list[IssuedStatement]:
    """Every revision issued for ``customer``'s ``period`` (at or before ``at``), oldest first."""
    key = period_key(period)
    try:
        with engine.connect() as conn:
            return repo.revisions(conn, customer=customer, period=key, at=at)
    except SQLAlchemyError as exc:
        raise store_failure("read issued statements", exc) from exc


def issued_marks(
    engine: Engine, *, customer: str, periods: Sequence[str], at: datetime
) -> dict[str, repo.LatestIssue]:
    """Which of ``periods`` (as the pages list them) are issued to ``customer`` at ``at``, each
    with its latest revision then and when it was issued; a period not issued is absent."""
    keys = {p: period_key(p) for p in periods}
    try:
        with engine.connect() as conn:
            found = repo.latest_issues(conn, customer=customer, periods=list(keys.values()), at=at)
    except SQLAlchemyError as exc:
        raise store_failure("read issued statements", exc) from exc
    return {p: found[k] for p, k in keys.items() if k in found}


def issue_json(issued: IssuedStatement) -> dict[str, Any]:
    """The issue of a revision as an answer carries it (the ``issued`` block)."""
    return {
        "issued_at": utc_iso(issued.issued_at),
        "revision": issued.revision,
        "digest": issued.digest,
        "reason": issued.reason,
        "complete": issued.complete,
    }


def revision_json(issued: IssuedStatement) -> dict[str, Any]:
    """A revision in the list of a period's revisions (staff: with who issued it)."""
    return {**issue_json(issued), "issued_by": issued.issued_by}


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementAnswer:
    """A statement as a reader gets it: the issued copy (``issued``, with ``restated`` for
    staff) of a period issued at ``at``, else the statement computed (``live``)."""

    issued: IssuedStatement | None = None
    restated: dict[str, Any] | None = None
    live: Statement | None = None

    def issued_html(self) -> str:
        """The issued HTML page, as stored (the PDF is it printed)."""
        assert self.issued is not None
        return self.issued.html

    def json(self) -> dict[str, Any]:
        """The JSON answer: the issued document with its ``issued`` block (and ``restated``),
        or the computed statement's JSON."""
        if self.issued is None:
            assert self.live is not None
            return statement_json(self.live)
        answer: dict[str, Any] = {**json.loads(self.issued.document)}
        answer["issued"] = issue_json(self.issued)
        if self.restated is not None:
            answer["restated"] = self.restated
        return answer


def read_statement(
    engine: Engine,
    *,
    workspace: Workspace,
    customer: str,
    period: str,
    at: datetime,
    now: datetime | None,
    staff: bool,
    live: bool = False,
    revision: int | None = None,
) -> StatementAnswer:
    """The statement of ``customer`` for ``period`` at ``at``: the latest revision issued at or
    before ``at`` when there is one (a customer gets it as it is; staff with ``restated``
    against the statement computed at ``at``), else the statement computed (for a customer:
    the first revision, when the period was issued after ``at``); ``live`` (staff):
    the statement computed, issued or not. ``revision``: that revision (issued at or before
    ``at``), to a customer too (each was sent to it); ``not-found`` naming the revisions there
    are when it is not one of them."""

    def computed() -> Statement:
        return report_statement(
            engine, workspace=workspace, customer=customer, period=period, at=at, now=now
        )

    if live and revision is not None:
        raise InputError(
            "a revision is an issued copy; live is the statement computed now: not both",
            hint="drop live (or the revision)",
        )
    if live:
        return StatementAnswer(live=computed())
    if revision is not None:
        every = issued_revisions(engine, customer=customer, period=period)
        which = f"{customer} {period_key(period)}"
        found: IssuedStatement | None = numbered(every, revision, at=at, which=which)
    else:
        found = _latest(issued_revisions(engine, customer=customer, period=period, at=at))
    if found is None and not staff:
        # a customer never gets figures recomputed from today's store for an issued period: a
        # reading from before its first issue is that first revision (what it was given)
        found = next(iter(issued_revisions(engine, customer=customer, period=period)), None)
    if found is None:
        return StatementAnswer(live=computed())
    if not staff:
        return StatementAnswer(issued=found)
    return StatementAnswer(issued=found, restated=restatement_of(found, computed()))


def numbered(
    found: Sequence[IssuedStatement], revision: int, *, at: datetime, which: str
) -> IssuedStatement:
    """Revision ``revision`` of ``found`` (the revisions of ``which``, customer and period,
    oldest first) if it was issued at or before ``at``; else ``not-found`` naming the
    revisions issued by then."""
    known = [r for r in found if r.issued_at <= at]
    chosen = next((r for r in known if r.revision == revision), None)
    if chosen is not None:
        return chosen
    hint = "leave out the revision for the statement as it is given now"
    if not found:
        raise NotFoundError(f"{which} is not issued: it has no revision to read", hint=hint)
    numbers = ", ".join(str(r.revision) for r in known)
    if any(r.revision == revision for r in found):
        then = f"its revisions then: {numbers}" if known else "it was not issued then"
        raise NotFoundError(
            f"{which} has no revision {revision} issued at {utc_text(at)} or before; {then}",
            hint="read it at a later instant (at), or one of those revisions",
        )
    raise NotFoundError(
        f"{which} has no revision {revision}; its revisions: {numbers or 'none yet'}",
        hint=f"ask for one of them, or {hint}",
    )


def _latest(found: Sequence[IssuedStatement]) -> IssuedStatement | None:
    return found[-1] if found else None
