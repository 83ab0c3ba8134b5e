"""Settings, read from the environment when asked (never at import)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATABASE_ENV = "COVENANT_DATABASE_URL"
STATE_DIR = ".covenant"
MAX_BODY_ENV = "COVENANT_MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""The most bytes a request body of the API or the web UI may hold (``covenant serve
--max-body-bytes``): 10,000 events (a full batch) of up to 1.6 KiB each."""

LOCK_TIMEOUT_ENV = "COVENANT_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 10.0
MAX_LOCK_TIMEOUT_S = 3600.0
"""How long every write of the store (an ingest, a sync, an issue, the worker's tick, a
server's audit entry) waits for a lock another session holds on what it writes (PostgreSQL's
``lock_timeout``, SQLite's ``busy_timeout`` for its write lock; ``store.db.write_transaction``
applies it) before it is refused as ``store-error``, nothing written: seconds,
``COVENANT_LOCK_TIMEOUT``."""


BATCH_LOCK_TIMEOUT_S = 600.0
"""What a batch command (``covenant ingest``) waits for a lock when ``COVENANT_LOCK_TIMEOUT``
is unset: nobody waits on its answer, and two overlapping cron ingests should queue rather
than the second be refused while the first still writes (a large file takes minutes)."""
_batch: list[str] = []  # the batch commands running in this process (see batch_lock_wait)


@contextmanager
def batch_lock_wait(command: str) -> Iterator[None]:
    """Inside, an unset ``COVENANT_LOCK_TIMEOUT`` means :data:`BATCH_LOCK_TIMEOUT_S`: the CLI's
    ``command`` (``covenant ingest``) runs as a batch. Not for a server's requests nor its
    worker (a client or the next tick waits on them): they keep the 10 s default."""
    _batch.append(command)
    try:
        yield
    finally:
        _batch.remove(command)


def default_lock_timeout_s() -> float:
    """What an unset ``COVENANT_LOCK_TIMEOUT`` means here: 10 s, 600 s in a batch command."""
    return BATCH_LOCK_TIMEOUT_S if _batch else DEFAULT_LOCK_TIMEOUT_S


def default_lock_timeout_said() -> str:
    """:func:`default_lock_timeout_s` in a refusal's fix: ``default 10``, and in a batch
    command ``default 600 for covenant ingest, 10 for the rest``."""
    if not _batch:
        return f"default {DEFAULT_LOCK_TIMEOUT_S:g}"
    batch, rest = BATCH_LOCK_TIMEOUT_S, DEFAULT_LOCK_TIMEOUT_S
    return f"default {batch:g} for {_batch[-1]}, {rest:g} for the rest"


def lock_timeout_s(env: Mapping[str, str] | None = None) -> float:
    """``COVENANT_LOCK_TIMEOUT`` in seconds (default 10; in a batch command 600:
    :func:`batch_lock_wait`); ``OptionValueError`` when it is not a number of seconds from
    0.001 to 3600."""
    from covenant.errors import OptionValueError  # noqa: PLC0415 - only for a bad value

    text = (os.environ if env is None else env).get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return default_lock_timeout_s()
    try:
        value = float(text.removesuffix("s"))
    except ValueError:
        value = -1.0
    if not 0.001 <= value <= MAX_LOCK_TIMEOUT_S:  # also NaN
        raise OptionValueError(
            f"{LOCK_TIMEOUT_ENV}={text!r} is not a number of seconds from 0.001 to 3600",
            hint=f"set it to how long to wait for a lock, e.g. {LOCK_TIMEOUT_ENV}=10 (the "
            "default when it is unset)",
        )
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    workspace: Path
    database_url: str

    @classmethod
    def from_env(cls, workspace: Path, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get(DATABASE_ENV) or sqlite_url(workspace)
        return cls(workspace=workspace, database_url=url)


def sqlite_url(workspace: Path) -> str:
    """The embedded store of a workspace: ``<workspace>/.covenant/covenant.db``."""
    return f"sqlite:///{(workspace / STATE_DIR / 'covenant.db').resolve()}"
