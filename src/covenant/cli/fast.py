"""``covenant evaluate`` without typer, for the command lines it reads the same way typer does.

Importing typer and building a command from its signature costs more than a warm evaluation of
100 SLOs (docs/benchmarks.md). ``main`` hands ``covenant evaluate …`` here first; this module
reads the options itself only when every one of them is plainly valid: the known options, each
as ``--name value``, ``--name=value`` or ``-x value``, flags without values, a workspace folder
typer would accept, a ``--format`` of ``table`` or ``json``, an ``--at`` and ``--status`` values
that parse. Anything else — ``--help``, an unknown or bundled option, a missing value, a bad
value — returns None *before anything is printed*, and typer runs the command line as always,
so every usage error, message and exit code is typer's own. A command line read here runs
:func:`~covenant.cli.evaluate_run.run_evaluate`, as the typer command does, and exits the
way typer's ``main`` exits (tests/cli/test_fast_path.py runs both on the same command lines).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

COMMAND = "evaluate"
WORKSPACE_ENV = "COVENANT_WORKSPACE"
_VALUES = {  # option → the parameter it sets
    "--workspace": "workspace",
    "-w": "workspace",
    "--at": "at",
    "--format": "output",
    "-f": "output",
    "--slo": "slo",
    "--service": "service",
    "--status": "status",
}
_FLAGS = {
    "--check": ("check", True),
    "--wide": ("wide", True),
    "--read": ("read", True),
    "--no-read": ("read", False),
}
_REPEATED = ("slo", "service", "status")
_SHORT = ("-w", "-f")


@dataclass(slots=True, kw_only=True)
class EvaluateLine:
    """The options of an ``evaluate`` command line, as typer would pass them."""

    workspace: str | None = None
    at: str | None = None
    output: str = "table"
    check: bool = False
    wide: bool = False
    read: bool | None = None
    repeated: dict[str, list[str]] = field(default_factory=dict)


def read_evaluate(args: Sequence[str], env: Mapping[str, str]) -> EvaluateLine | None:
    """The options of ``covenant evaluate ARGS``, or None when typer should read them."""
    line = EvaluateLine()
    rest = list(args)
    while rest:
        token = rest.pop(0)
        name, equals, attached = token.partition("=")
        if token in _FLAGS:
            setattr(line, *_FLAGS[token])
            continue
        if equals and name.startswith("--") and name in _VALUES:
            value = attached
        elif token in _VALUES and rest:
            name, value = token, rest.pop(0)
        else:  # an argument, --help, --, a bundled or unknown option, a missing value
            return None
        target = _VALUES[name]
        if target in _REPEATED:
            line.repeated.setdefault(target, []).append(value)
        else:
            setattr(line, target, value)
    if line.workspace is None:
        line.workspace = env.get(WORKSPACE_ENV) or "."
    if line.output not in ("table", "json") or not _plain_folder(line.workspace):
        return None
    return line if _values_parse(line) else None


def _plain_folder(value: str) -> bool:
    """True when the ``-w`` check passes: a readable folder (typer reports anything else)."""
    if not value or "\0" in value:
        return False
    try:
        found = Path(value).stat()
    except (OSError, ValueError):
        return False
    return stat.S_ISDIR(found.st_mode) and os.access(value, os.R_OK | os.X_OK)


def _values_parse(line: EvaluateLine) -> bool:
    """True when ``--at``, ``--status`` and the clock read without an error."""
    from covenant.cli.evaluate_run import SLO_STATUSES
    from covenant.cli.filters import check_choices
    from covenant.cli.when import parse_instant

    try:
        parse_instant(line.at)
        check_choices(line.repeated.get("status"), SLO_STATUSES)
    except Exception:  # typer reads it again and reports it as it always has
        return False
    return True


def run(args: Sequence[str]) -> None:
    """Run ``covenant evaluate ARGS`` here when this module reads ARGS; return otherwise.

    Ends the process as typer's ``main`` does: ``SystemExit`` with the command's exit code,
    130 on Ctrl-C, 1 when standard output is a closed pipe.
    """
    line = read_evaluate(args, os.environ)
    if line is None:
        return
    from covenant.cli import jsonmode
    from covenant.cli.evaluate_run import Format, run_evaluate

    jsonmode.decide(line.output == "json")  # as read here: ``--slo -fjson`` is an SLO's name

    try:
        code = run_evaluate(
            workspace=Path(line.workspace or "."),
            at=line.at,
            output=Format(line.output),
            check=line.check,
            wide=line.wide,
            slo=line.repeated.get("slo"),
            service=line.repeated.get("service"),
            status=line.repeated.get("status"),
            read=line.read,
        )
    except KeyboardInterrupt:
        if line.read:  # a query in flight is not waited for
            from covenant.cli.interrupt import interrupted

            interrupted("what was read so far is kept; nothing was evaluated")
        jsonmode.interrupted("")
        sys.exit(130)
    except Exception as error:
        exits = sys.modules.get("typer.exceptions")  # a command ends with typer.Exit
        if exits is None or not isinstance(error, exits.Exit):
            raise
        sys.exit(error.exit_code)
    sys.exit(code)
