"""What the row filters of the table commands do with their values (typer-free: the fast
``evaluate`` path uses them; the option declarations are in ``table_options``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from covenant.cli.console import err_console


def check_choices(given: Sequence[str] | None, choices: Sequence[str]) -> list[str]:
    """The ``--status`` values, each one of ``choices`` (``no-data`` = ``no_data``)."""
    out = []
    for value in given or ():
        norm = value.strip().lower()
        allowed = {c.replace("_", "-"): c for c in choices}
        if norm.replace("_", "-") not in allowed:
            import typer

            raise typer.BadParameter(
                f"{value!r} is not a status here; use one of {', '.join(choices)}",
                param_hint="--status",
            )
        out.append(allowed[norm.replace("_", "-")])
    return out


def warn_unmatched(flag: str, patterns: Sequence[str] | None, names: Iterable[str]) -> None:
    """A warning on stderr for each filter value that matches nothing, with the closest name:
    ``--slo chekout-availability`` used to print an empty table and exit 0."""
    if not patterns:
        return
    import difflib

    from covenant.services.selection import unmatched  # the services load per command

    pool = sorted({n for n in names if n})
    for pattern in unmatched(patterns, pool):
        close = difflib.get_close_matches(pattern, pool, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(pool) or 'none'}"
        err_console.print(
            f"warning: {flag} {pattern!r} matches nothing — {hint}",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
