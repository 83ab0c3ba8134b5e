"""Options every table command shares: ``--wide`` and the row filters.

What the filters do with their values (``check_choices``, ``warn_unmatched``) is in
``filters``, which does not import typer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from covenant.cli.filters import check_choices, warn_unmatched

__all__ = [
    "AgreementFilter",
    "CustomerFilter",
    "ServiceFilter",
    "SloFilter",
    "WideOption",
    "check_choices",
    "status_filter",
    "warn_unmatched",
]

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
