"""The API's dependencies, in one place: the store, the workspace, the clock, who asks.

``Context`` is made once per app by ``create_app`` (no engine at import); routes receive what
they need through the ``Annotated`` aliases below.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from covenant.config import Settings
from covenant.core.access import Principal, Role
from covenant.definitions.workspace import Workspace
from covenant.errors import ForbiddenError, InputError, NaiveDatetimeError

if TYPE_CHECKING:
    from covenant.services.delivery import Dispatcher
    from covenant.services.worker import Notify
    from covenant.services.worker_loop import Leadership, WorkerLoop

Clock = Callable[[], datetime]


@dataclass(eq=False)
class Context:
    """What every request shares: settings, the clock, the store and the loaded workspace."""

    settings: Settings
    clock: Clock
    _engine: Engine | None = None
    _workspace: tuple[tuple[Any, ...], Workspace] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    worker: WorkerLoop | None = None  # set while the app's lifespan runs the worker
    dispatcher: Dispatcher | None = None  # delivery's, started with the worker

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from covenant.services.store import open_store

                self._engine = open_store(self.settings.database_url)
            return self._engine

    def workspace(self) -> Workspace:
        """The workspace's definitions, read again when a file changed (DefinitionError when
        they do not validate)."""
        from covenant.services.workspace import load_workspace, workspace_fingerprint

        mark = workspace_fingerprint(self.settings.workspace)
        with self._lock:
            cached = self._workspace
        if cached is not None and cached[0] == mark:
            return cached[1]
        loaded = load_workspace(self.settings.workspace)
        if self._record_slos(loaded):  # else not kept: the next request records again
            with self._lock:
                self._workspace = (mark, loaded)
        return loaded

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
        from covenant.services.worker import Worker, log_notices
        from covenant.services.worker_loop import WorkerLoop

        engine = self.engine()
        dispatcher = Dispatcher.for_workspace(engine, self.workspace())
        dispatcher.start()
        self.dispatcher = dispatcher
        loop = WorkerLoop(
            Worker(
                engine,
                notify=notify or log_notices,
                enqueue=dispatcher.enqueue,
                catch_up=catch_up,
            ),
            workspace=self.workspace,
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

    def _record_slos(self, loaded: Workspace) -> bool:
        """Record the SLOs changed since the last recording (``serve``: this server loaded
        them) in the audit log; False (and a log line) when the store refused."""
        from covenant.errors import CovenantError
        from covenant.services.slo_history import record_slo_changes

        try:
            record_slo_changes(self.engine(), workspace=loaded, actor="serve", at=self.clock())
        except CovenantError as error:
            logging.getLogger(__name__).error("SLO changes not recorded: %s", error)
            return False
        return True

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def context(request: Request) -> Context:
    found: Context = request.app.state.covenant
    return found


Ctx = Annotated[Context, Depends(context)]

_bearer = HTTPBearer(auto_error=False, description="An API token: `covenant token create`")


def principal(
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    from covenant.services.tokens import authenticate

    presented = credentials.credentials if credentials is not None else None
    return authenticate(ctx.engine(), presented=presented, at=ctx.clock())


Who = Annotated[Principal, Depends(principal)]


def allow(roles: Collection[Role]) -> Callable[[Principal], Principal]:
    """A dependency that lets only ``roles`` through (``forbidden`` for the others)."""
    allowed = frozenset(roles)

    def check(who: Who) -> Principal:
        if who.role not in allowed:
            raise ForbiddenError(
                f"a {who.role.value} token may not use this route",
                hint="ask an admin for a token with one of the roles: "
                + ", ".join(r.value for r in Role if r in allowed),
            )
        return who

    return check


def parse_at(value: str | None, *, now: datetime, name: str = "at") -> datetime:
    """An instant query parameter: ISO-8601 with Z or an offset; absent means now."""
    if value is None:
        return now
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{name}={value!r} is not an ISO-8601 instant",
            hint=f"write e.g. {name}=2026-11-20T12:00:00Z",
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name}={value!r} has no UTC offset", hint=f"add Z or +HH:MM, e.g. {value}Z"
        )
    if not 1971 <= moment.year <= 8999:
        raise InputError(f"{name}={value!r} is outside the years 1971 to 8999")

    return moment.astimezone(UTC)


AtQuery = Annotated[
    str | None,
    Query(
        description="The instant to answer for: ISO-8601 with Z or an offset "
        "(2026-11-20T12:00:00Z). Default: now.",
        max_length=64,
    ),
]


def instant(ctx: Ctx, at: AtQuery = None) -> datetime:
    return parse_at(at, now=ctx.clock())


At = Annotated[datetime, Depends(instant)]
