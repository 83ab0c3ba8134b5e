"""Settings, read from the environment when asked (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATABASE_ENV = "COVENANT_DATABASE_URL"
STATE_DIR = ".covenant"
MAX_BODY_ENV = "COVENANT_MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""The most bytes a request body of the API or the web UI may hold (``covenant serve
--max-body-bytes``): 10,000 events (a full batch) of up to 1.6 KiB each."""


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
