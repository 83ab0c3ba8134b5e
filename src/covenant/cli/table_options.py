"""Options every table command shares: ``--wide`` and the row filters."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Annotated

import typer

from covenant.cli.common import err_console

WideOption = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Show every column and detail at full width: lines may be wider than the "
        "terminal (pipe to `less -S` to scroll); the default table fits 80 columns.",
        show_default=False,
    ),
]


def _filter(flag: str, what: str) -> object:
    return typer.Option(
        flag,
        help=f"Only {what} (a name or a glob such as 'checkout-*'; repeatable).",
        show_default=False,
        metavar="NAME",
    )


SloFilter = Annotated[list[str] | None, _filter("--slo", "these SLOs")]
ServiceFilter = Annotated[list[str] | None, _filter("--service", "SLOs of these services")]
CustomerFilter = Annotated[
    list[str] | None, _filter("--customer", "these customers (id or display name)")
]
AgreementFilter = Annotated[list[str] | None, _filter("--agreement", "these agreements")]


def status_filter(choices: Sequence[str], what: str) -> object:
    return typer.Option(
        "--status",
        help=f"Only {what} with this status: {', '.join(choices)} (repeatable).",
        show_default=False,
        metavar="STATUS",
    )


def check_choices(given: Sequence[str] | None, choices: Sequence[str]) -> list[str]:
    """The ``--status`` values, each one of ``choices`` (``no-data`` = ``no_data``)."""
    out = []
    for value in given or ():
        norm = value.strip().lower()
        allowed = {c.replace("_", "-"): c for c in choices}
        if norm.replace("_", "-") not in allowed:
            raise typer.BadParameter(
                f"{value!r} is not a status here; use one of {', '.join(choices)}",
                param_hint="--status",
            )
        out.append(allowed[norm.replace("_", "-")])
    return out


def warn_unmatched(flag: str, patterns: Sequence[str] | None, names: Iterable[str]) -> None:
    """A warning on stderr for each filter value that matches nothing, with the closest name:
    ``--slo chekout-availability`` used to print an empty table and exit 0."""
    from covenant.services.selection import unmatched  # the services load per command

    pool = sorted({n for n in names if n})
    for pattern in unmatched(patterns or (), pool):
        close = difflib.get_close_matches(pattern, pool, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(pool) or 'none'}"
        err_console.print(
            f"warning: {flag} {pattern!r} matches nothing — {hint}",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
