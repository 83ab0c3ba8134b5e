"""Use cases: the only place that wires definitions, store, sources and core together.

Each module is one family of use cases; entrypoints (CLI, later API and worker) call these.
"""
