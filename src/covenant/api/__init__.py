"""The HTTP API (FastAPI) under ``/api/v1``: an entry point beside ``covenant.cli``.

``create_app(settings)`` (``covenant.api.app``) builds it; ``covenant serve`` runs it with
uvicorn. Routers are thin: they parse, check who asks (``deps``), call the same
``covenant.services`` functions as the CLI, and render with ``covenant.render``. Every error
has one body ``{code, message, hint}`` (``errors``) with the CLI's codes. See docs/api.md.
"""
