"""The web UI: server-rendered pages for the team and the customer portal (docs/ui.md).

``covenant.api.app.create_app`` mounts it beside the API (``install``). It sits below the API in
the layers: it reaches the app's store, workspace and clock through ``app.state.covenant`` (the
API's ``Context``, seen here as :class:`covenant.web.core.Backend`) and never imports the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Serve the UI under ``/ui`` (and ``/`` redirecting to it), its files under ``/ui/static``."""
    from covenant.web import routes

    routes.install(app)
