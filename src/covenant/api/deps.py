"""The API's dependencies, in one place: the store, the workspace, the clock, who asks.

``Context`` is made once per app by ``create_app`` (no engine at import); routes receive what
they need through the ``Annotated`` aliases below.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from covenant.api.answers import MISSING
from covenant.config import Settings
from covenant.core.access import Principal, Role
from covenant.definitions.articles import with_article
from covenant.definitions.workspace import Workspace
from covenant.errors import ForbiddenError

if TYPE_CHECKING:
    from covenant.services.day_minutes_serve import MinutesReader
    from covenant.services.delivery import Dispatcher
    from covenant.services.metrics import SharedMetrics
    from covenant.services.worker import Notify
    from covenant.services.worker_loop import Leadership, WorkerLoop

Clock = Callable[[], datetime]
T = TypeVar("T")


@dataclass(eq=False)
class Context:
    """What every request shares: settings, the clock, the store and the loaded workspace."""

    settings: Settings
    clock: Clock
    definitions_check_s: float = 0.0  # the files are looked at most this often (0: always)
    monotonic: Callable[[], float] = time.monotonic
    _engine: Engine | None = None
    _workspace: tuple[tuple[Any, ...], Workspace] | None = None  # the files', records applied
    _files: tuple[tuple[Any, ...], Workspace] | None = None  # as the files say
    _checked_at: float | None = None  # when the files were last found unchanged (monotonic)
    _rendered: dict[str, tuple[Workspace, Any]] = field(default_factory=dict)
    _version: Any = None  # answers.StoreVersion of the engine, made with it
    _answers: Any = None  # answers.Answers
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loading: threading.Lock = field(default_factory=threading.Lock)  # one reads the files
    _unrecorded: tuple[Workspace, datetime] | None = None  # read then, not recorded (refused)
    worker: WorkerLoop | None = None  # set while the app's lifespan runs the worker
    dispatcher: Dispatcher | None = None  # delivery's, started with the worker
    metrics: SharedMetrics | None = None  # /metrics: the published page, made on first scrape
    _minutes: MinutesReader | None = None  # reads days stored as sums for requests

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from covenant.services.store import open_store

                self._engine = open_store(self.settings.database_url)
            return self._engine

    def workspace(self) -> Workspace:
        """The workspace's definitions, read again when a file changed (DefinitionError when
        they do not validate), with the corrections and maintenance windows recorded in the
        store applied (ADR 0006). The files' names, sizes and times, and the store's records,
        are looked at when ``definitions_check_s`` passed since they were last found
        unchanged: an edit shows at most that long after it was saved (0: in the very next
        answer); a change made through this server shows at once (``forget_definitions``)."""
        from covenant.services.workspace import load_workspace, workspace_fingerprint

        kept = self.kept_workspace()
        if kept is not None:
            return kept
        looked = self.monotonic()
        mark = workspace_fingerprint(self.settings.workspace)
        with self._lock:
            files = self._files
        if files is None or files[0] != mark:
            with self._loading:  # one reads the files; the others wait and take its reading
                with self._lock:
                    files = self._files
                if files is None or files[0] != mark:
                    loaded, seen = load_workspace(self.settings.workspace), self.clock()
                    recorded = self._record_slos(loaded, seen)
                    files = (tuple(mark), loaded)
                    with self._lock:
                        self._files = files
                        self._unrecorded = None if recorded else (loaded, seen)
        else:
            self._record_again()
        if files is None:  # pragma: no cover - read above, or by the one that read them
            raise RuntimeError("definitions not read")
        overlaid = self._recorded(files[1])  # the same object while unchanged
        if overlaid is None:  # the store does not answer: not looked at (the next request does)
            with self._lock:
                cached = self._workspace
            return cached[1] if cached is not None and cached[0] == files[0] else files[1]
        with self._lock:  # found unchanged at ``looked`` (unless replaced meanwhile)
            cached = self._workspace
            if cached is None or cached[1] is not overlaid:
                self._workspace = cached = (files[0], overlaid)
            if (self._checked_at or looked) <= looked:
                self._checked_at = looked
        return cached[1]

    def _recorded(self, base: Workspace) -> Workspace | None:
        """``base`` with the store's corrections and maintenance windows applied; None (and a
        log line) when the store does not answer: the caller keeps what it applied last for
        the same files, else answers from the files alone until the store answers again."""
        from covenant.errors import StoreError
        from covenant.services.recorded_definitions import with_recorded_definitions

        try:
            return with_recorded_definitions(self.engine(), base)
        except StoreError as error:
            logging.getLogger(__name__).error(
                "corrections and maintenance windows recorded in the store not read: %s", error
            )
            return None

    def files_workspace(self) -> Workspace:
        """The workspace's definitions as its files say (the store's records not applied)."""
        self.workspace()
        with self._lock:
            files = self._files
        if files is None:  # pragma: no cover - workspace() read them, or raised
            raise RuntimeError("definitions not read")
        return files[1]

    def forget_definitions(self) -> None:
        """Look at the files and the store's records again at the next request (after a change
        made through this server: it shows at once)."""
        with self._lock:
            self._checked_at = None

    def kept_workspace(self) -> Workspace | None:
        """The definitions in memory when the files need not be looked at yet, else None."""
        with self._lock:
            if self._workspace is None or self._checked_at is None:
                return None
            if self.monotonic() - self._checked_at >= self.definitions_check_s:
                return None
            return self._workspace[1]

    def minutes_reader(self) -> MinutesReader:
        """The process's reader of the minutes of days stored as sums (made on first use)."""
        from covenant.services.day_minutes_serve import MinutesReader

        def reads() -> Any:
            found = self.workspace().prometheus
            return found.reads if found is not None else ()

        with self._lock:
            if self._minutes is None:
                self._minutes = MinutesReader(engine=self.engine, reads=reads, clock=self.clock)
            return self._minutes

    def start_worker(
        self,
        *,
        notify: Notify | None,
        leadership: Leadership | None,
        interval_s: float,
        catch_up: bool = True,
    ) -> WorkerLoop:
        """Start the worker loop on this context's store, workspace and clock, and delivery's
        dispatcher for the workspace's notification targets (the worker writes its notices
        into the dispatcher's outbox in its own alert-state transaction)."""
        from covenant.services.delivery import Dispatcher
        from covenant.services.notice_log import log_notices
        from covenant.services.worker import Worker
        from covenant.services.worker_loop import WorkerLoop

        engine = self.engine()
        dispatcher = Dispatcher.for_workspace(engine, self.workspace())
        dispatcher.start(load=self.workspace)  # it follows the files in every process
        self.dispatcher = dispatcher
        loop = WorkerLoop(
            Worker(
                engine,
                notify=notify or log_notices,
                enqueue=dispatcher.enqueue,
                unheard=dispatcher.enqueue_unheard,  # a target added while alerts fire
                catch_up=catch_up,
            ),
            workspace=dispatcher.following(self.workspace),  # targets follow the files
            clock=self.clock,
            leadership=leadership,
            interval_s=interval_s,
        )
        self.worker = loop
        loop.start()
        return loop

    def stop_worker(self, timeout: float = 30.0) -> None:
        """Stop the worker after its running tick (if any), then the dispatcher."""
        if self.worker is not None:
            self.worker.stop(timeout)
        if self.dispatcher is not None:
            self.dispatcher.stop(timeout)

    def rendered(self, key: str, render: Callable[[Workspace], T]) -> T:
        """``render(workspace)``, kept until the workspace's files change: an answer that
        depends on the definitions alone is rendered once, not per request."""
        workspace = self.workspace()
        with self._lock:
            kept = self._rendered.get(key)
        if kept is not None and kept[0] is workspace:
            found: T = kept[1]
            return found
        made = render(workspace)
        with self._lock:
            self._rendered[key] = (workspace, made)
        return made

    def kept_rendered(self, key: str) -> Any:
        """What ``rendered(key, ...)`` would answer, when that needs no file to be looked at
        (else ``MISSING``): cheap enough for the event loop."""
        workspace = self.kept_workspace()
        with self._lock:
            kept = self._rendered.get(key)
        if workspace is None or kept is None or kept[0] is not workspace:
            return MISSING
        return kept[1]

    def kept(self, question: Hashable, *, definitions: bool = True) -> Any:
        """What ``remembered`` (``definitions``) or ``stored`` would answer from memory, when
        that can be told without waiting on the store or the files (a SQLite store's
        version, the files not due for a look), else ``MISSING``: cheap enough for the
        event loop."""
        with self._lock:
            version, answers = self._version, self._answers
        if version is None or not version.cheap:
            return MISSING
        workspace = None
        if definitions and (workspace := self.kept_workspace()) is None:
            return MISSING
        return answers.peek(question, version=version.current(), workspace=workspace)

    def remembered(self, question: Hashable, compute: Callable[[Workspace], T]) -> T:
        """``compute(workspace)``, answered from memory while nothing was committed to the
        store and the definitions were not read anew (``covenant.api.answers``)."""
        version, answers = self._answers_of(self.engine())
        workspace = self.workspace()
        return answers.get(  # type: ignore[no-any-return]
            question,
            version=version.current(),
            workspace=workspace,
            compute=lambda: compute(workspace),
        )

    def stored(self, question: Hashable, compute: Callable[[Engine], T]) -> T:
        """``compute(engine)``, answered from memory while nothing was committed to the store
        (an answer that depends on the store alone, like a token's record)."""
        engine = self.engine()
        version, answers = self._answers_of(engine)
        return answers.get(  # type: ignore[no-any-return]
            question, version=version.current(), workspace=None, compute=lambda: compute(engine)
        )

    def _answers_of(self, engine: Engine) -> tuple[Any, Any]:
        from covenant.api.answers import Answers, StoreVersion

        with self._lock:
            if self._version is None:
                self._version, self._answers = StoreVersion(engine), Answers()
            return self._version, self._answers

    def _record_slos(self, loaded: Workspace, seen: datetime) -> bool:
        """Record the SLOs changed since the last recording (``serve``: this server loaded
        them at ``seen``, the entries' time even when recorded later) in the audit log; False
        (and a log line) when the store refused — another writer held its lock past
        ``COVENANT_LOCK_TIMEOUT``, say: the request is answered from the definitions read, and
        a later one records them (:meth:`_record_again`)."""
        from covenant.errors import CovenantError
        from covenant.services.slo_history import record_slo_changes

        try:
            record_slo_changes(self.engine(), workspace=loaded, actor="serve", at=seen)
        except CovenantError as error:
            logging.getLogger(__name__).error(
                "SLO changes not recorded (a later request records them): %s (%s)",
                error.message,
                error.hint,
            )
            return False
        return True

    def _record_again(self) -> None:
        """Record the SLO changes of definitions read but not recorded yet (the store refused):
        tried by one request at a time, the others answered without waiting for it. It holds
        the lock of reading the files, so a newer reading is never recorded before it; one read
        meanwhile replaced it (and recorded itself, or is pending in its place)."""
        if self._unrecorded is None or not self._loading.acquire(blocking=False):
            return
        try:
            with self._lock:
                pending = self._unrecorded
                current = self._files[1] if self._files is not None else None
            if pending is not None and pending[0] is current and self._record_slos(*pending):
                with self._lock:
                    if self._unrecorded is pending:
                        self._unrecorded = None
        finally:
            self._loading.release()

    def close(self) -> None:
        with self._lock:
            if self._version is not None:
                self._version.close()
                self._version = self._answers = None
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def context(request: Request) -> Context:
    found: Context = request.app.state.covenant
    return found


async def _context(request: Request) -> Context:
    # The cheap dependencies are coroutines: a plain function would be run on the thread pool,
    # a thread hop per dependency per request (the costliest part of a cached answer).
    return context(request)


Ctx = Annotated[Context, Depends(_context)]

_bearer = HTTPBearer(auto_error=False, description="An API token: `covenant token create`")


async def _token_principal(ctx: Context, presented: str | None) -> Principal:
    import hashlib

    from covenant.services.tokens import find_token, principal_of

    # The token's record is kept while nothing is committed (a revocation is a commit); its
    # state is judged at each request's instant. Kept by the presented text's hash, found only
    # by whoever presents the whole token again. Found in memory on the event loop; looked up
    # in the store on the thread pool.
    question = ("token", hashlib.sha256((presented or "").encode()).hexdigest())
    token = ctx.kept(question, definitions=False)
    if token is MISSING:
        token = await run_in_threadpool(
            ctx.stored, question, lambda engine: find_token(engine, presented=presented)
        )
    return principal_of(token, at=ctx.clock())


async def principal(
    ctx: Ctx,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    found = getattr(request.state, "principal", None)  # token_gate's, for a request's body
    if not isinstance(found, Principal):
        presented = credentials.credentials if credentials is not None else None
        found = await _token_principal(ctx, presented)
    request.state.customer = found.customer  # an error answer names nothing internal to one
    return found


def _gate_checks(dependant: Any) -> tuple[bool, list[Callable[[Principal], Awaitable[Any]]]]:
    """Whether ``dependant`` (a route's, or one of its dependencies') needs a token, and the
    role checks (``allow``) among its dependencies."""
    needs = dependant.call is principal
    checks = [dependant.call] if hasattr(dependant.call, "roles") else []
    for below in dependant.dependencies:
        more, found = _gate_checks(below)
        needs, checks = needs or more, checks + found
    return needs, checks


# a route's (by its id, the route kept: APIRoute is no dict key): whether it needs a token,
# its role checks
_GATES: dict[int, tuple[Any, bool, list[Callable[[Principal], Awaitable[Any]]]]] = {}


async def token_gate(request: Request, route: Any) -> Response | None:
    """A request with a body to a route that needs a token: the token looked up (and the
    route's roles checked) before a byte of the body is read (``api.body_limit``), refused
    with the answer the route's dependencies give (401 ``unauthenticated``, 403
    ``forbidden``); let through, the principal is left in ``request.state`` for them."""
    from fastapi.routing import APIRoute
    from sqlalchemy.exc import SQLAlchemyError

    from covenant.api.errors import error_response
    from covenant.errors import CovenantError
    from covenant.services.store_refusals import outage

    route = getattr(route, "route", route)  # the APIRoute the app's router found
    if not isinstance(route, APIRoute):
        return None
    kept = _GATES.get(id(route))
    if kept is None or kept[0] is not route:
        kept = (route, *_gate_checks(route.dependant))
        _GATES[id(route)] = kept
    _, needs, checks = kept
    if not needs:
        return None
    try:
        credentials = await _bearer(request)
        presented = credentials.credentials if credentials is not None else None
        who = await _token_principal(context(request), presented)
        for check in checks:
            await check(who)
    except CovenantError as error:
        return error_response(error)
    except SQLAlchemyError as exc:  # the store's outage (the connection lost): 503, as a route's
        lost = outage("check the API token", exc)
        if lost is None:
            raise
        return error_response(lost)
    request.state.principal = who
    return None


async def remembered(ctx: Context, question: Hashable, compute: Callable[[Workspace], T]) -> T:
    """``ctx.remembered(question, compute)``: from memory on the event loop when it can be
    told there (``Context.kept``), else on the thread pool (the store, the files, computing)."""
    found = ctx.kept(question)
    if found is not MISSING:
        kept: T = found
        return kept
    return await run_in_threadpool(ctx.remembered, question, compute)


async def rendered(ctx: Context, key: str, render: Callable[[Workspace], T]) -> T:
    """``ctx.rendered(key, render)``, as ``remembered``: the event loop when it is kept."""
    found = ctx.kept_rendered(key)
    if found is not MISSING:
        kept: T = found
        return kept
    return await run_in_threadpool(ctx.rendered, key, render)


Who = Annotated[Principal, Depends(principal)]


def actor(who: Principal) -> str:
    """How the audit log and the stores name the token a change was made with."""
    return f"token:{who.token_id}"


def allow(roles: Collection[Role]) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (``forbidden`` for the others)."""
    allowed = frozenset(roles)

    async def check(who: Who) -> Principal:
        if who.role not in allowed:
            raise ForbiddenError(
                f"{with_article(who.role.value)} token may not use this route",
                hint="ask an admin for a token with one of the roles: "
                + ", ".join(r.value for r in Role if r in allowed),
            )
        return who

    check.roles = allowed  # type: ignore[attr-defined]  # token_gate finds the checks by it
    return check


def parse_at(value: str | None, *, now: datetime, name: str = "at") -> datetime:
    """An instant parameter, as the CLI reads ``--at`` (``core.when``, one parser): ISO-8601
    with Z or an offset, ``now``, or relative to now (``-7d``, ``-36h``, ``-3M``, ``+1d``);
    absent means now."""
    from covenant.core.when import parse_instant

    return parse_instant(value, reference=now, option=name)


AtQuery = Annotated[
    str | None,
    Query(
        description="The instant to answer for: ISO-8601 with Z or an offset "
        "(2026-11-20T12:00:00Z), now, or relative to now as the CLI's --at: -7d, -36h, -90m, "
        "-2w, -3M, -1y, +1d. Default: now.",
        max_length=64,
    ),
]


async def instant(ctx: Ctx, at: AtQuery = None) -> datetime:
    return parse_at(at, now=ctx.clock())


At = Annotated[datetime, Depends(instant)]
