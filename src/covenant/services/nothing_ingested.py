"""A file of which no row would be stored is refused, not recorded as ingested.

Recorded, it would read as a success that stored nothing, and the same bytes run again (after
the workspace gained the SLI its rows name) would be skipped as already ingested. Event files
and ticket and incident files share this check and its wording, and the refusal of a file with
any rejected row when it is ingested strictly (``--strict``, ``strict=true``: all or nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from covenant.errors import NothingIngestedError, Problem, RowsRejectedError

SHOWN_REASONS = 3
SHOWN_STRICT = 20  # a strict refusal lists the rows to fix, as the command's table shows them
AGAIN = "nothing of {name} was recorded, so it is read afresh, not skipped as already ingested"


def refuse_if_nothing_ingested(
    path: Path,
    *,
    rows_read: int,
    rows_ingested: int,
    rows_rejected: int,
    problems: Sequence[Problem],
    rows_unmatched: int = 0,
    unmatched: Sequence[tuple[str, int]] = (),
    what: str = "event",
    refuse_empty: bool = True,
) -> None:
    """Raise ``NothingIngestedError`` when no row of ``path`` would be stored: every row read
    was rejected or matched no SLI (``unmatched``: label and count), or — with
    ``refuse_empty`` — the file holds no rows. A file with one row stored passes."""
    name = path.name
    if rows_ingested > 0 or (rows_read == 0 and not refuse_empty):
        return
    again = AGAIN.format(name=name)
    if rows_read == 0:
        only = "only its header line" if ".csv" in path.suffixes else "no rows"
        raise NothingIngestedError(
            f"{name}: holds no {what} rows ({only})",
            hint=f"ingest the export that holds the rows, or leave the file out; {again}",
        )
    raise _refusal(
        name,
        rows_read=rows_read,
        rows_rejected=rows_rejected,
        problems=problems,
        rows_unmatched=rows_unmatched,
        unmatched=unmatched,
        where=lambda problem: problem.where,
        resend="ingest the file again",
        again=again,
    )


def refuse_if_rows_rejected(
    path: Path,
    *,
    rows_read: int,
    rows_rejected: int,
    problems: Sequence[Problem],
    what: str = "row",
) -> None:
    """With ``--strict``: raise ``RowsRejectedError`` when any row of ``path`` was rejected,
    so nothing of it is stored or recorded (its good rows neither) and it is read afresh once
    fixed. The message lists the first ``SHOWN_STRICT`` rejected rows (``file:line field:
    problem — fix``); ``refused`` holds every problem kept."""
    name = path.name
    _refuse_rejected(
        name,
        rows_read=rows_read,
        rows_rejected=rows_rejected,
        problems=problems,
        where=lambda p: p.where,
        resend="fix those rows and ingest the file again (all or nothing); {again}; or ingest "
        "it without {strict} to store its {kept} good {what}{s} and skip the rejected ones",
        again=AGAIN.format(name=name),
        what=what,
    )


def refuse_batch_if_rows_rejected(
    key: str,
    *,
    rows_read: int,
    rows_rejected: int,
    problems: Sequence[Problem],
) -> None:
    """The same for a batch of event rows sent under ``key`` with ``strict=true``: not
    recorded, so the corrected batch sent again under that key is applied. Its rows are named
    ``events[i]``, as a batch's other refusals name them."""
    _refuse_rejected(
        f"batch {key!r}",
        rows_read=rows_read,
        rows_rejected=rows_rejected,
        problems=problems,
        where=_row,
        resend="fix those rows and send the batch again under the same key (all or nothing); "
        "{again}; or send it without {strict} to store its {kept} good {what}{s} and skip the "
        "rejected ones",
        again="nothing of it was recorded, so it is applied, not answered as a duplicate",
        what="row",
    )


def _refuse_rejected(
    name: str,
    *,
    rows_read: int,
    rows_rejected: int,
    problems: Sequence[Problem],
    where: Callable[[Problem], str],
    resend: str,
    again: str,
    what: str,
) -> None:
    """Raise ``RowsRejectedError`` when any row was rejected (``resend``: the hint's template)."""
    if rows_rejected == 0:
        return
    verb = "was" if rows_rejected == 1 else "were"
    lines = _reasons(problems, rows_rejected, where=where, shown=SHOWN_STRICT)
    kept = rows_read - rows_rejected
    error = RowsRejectedError.naming(
        "{name}: refused whole ({strict}): {rejected} of its {read} {verb} rejected; nothing "
        "of it was stored{reasons}",
        hint=resend,
        name=name,
        rejected=f"{rows_rejected:,}",
        read=_rows(rows_read),
        verb=verb,
        reasons="".join(f"\n{line}" for line in lines),
        again=again,
        kept=f"{kept:,}",
        what=what,
        s="" if kept == 1 else "s",
    )
    error.rows_read = rows_read
    error.refused = tuple(problems)
    error.rows_rejected = rows_rejected
    raise error


def refuse_batch_if_nothing_ingested(
    key: str,
    *,
    rows_read: int,
    rows_ingested: int,
    rows_rejected: int,
    problems: Sequence[Problem],
    rows_unmatched: int = 0,
    unmatched: Sequence[tuple[str, int]] = (),
) -> None:
    """The same for a batch of event rows sent under ``key`` (``PUT /event-batches/{key}``):
    not recorded, so the corrected batch sent again under that key is applied, not taken for
    a repeat. Its reasons name rows as ``events[i]`` (a problem's line is row ``i + 1``)."""
    if rows_ingested > 0:
        return
    raise _refusal(
        f"batch {key!r}",
        rows_read=rows_read,
        rows_rejected=rows_rejected,
        problems=problems,
        rows_unmatched=rows_unmatched,
        unmatched=unmatched,
        where=_row,
        resend="send the batch again under the same key",
        again="nothing of it was recorded, so it is applied, not answered as a duplicate",
    )


def _row(problem: Problem) -> str:
    line = problem.where.rpartition(":")[2]
    return f"events[{int(line) - 1}]" if line.isdigit() else problem.where


def _refusal(
    name: str,
    *,
    rows_read: int,
    rows_rejected: int,
    problems: Sequence[Problem],
    rows_unmatched: int,
    unmatched: Sequence[tuple[str, int]],
    where: Callable[[Problem], str],
    resend: str,
    again: str,
) -> NothingIngestedError:
    """Rows were read and none is stored: why, the first reasons and the fixes."""
    why = _why(rows_read, rejected=rows_rejected, unmatched=rows_unmatched)
    lines = [f"{name}: none of its {_rows(rows_read)} was ingested: {why}"]
    lines += _reasons(problems, rows_rejected, where=where, shown=SHOWN_REASONS)
    for label, count in unmatched[:SHOWN_REASONS]:
        lines.append(f"  {_rows(count)} with {label} match{'es' if count == 1 else ''} no SLI")
    fixes = []
    if rows_rejected:
        fixes.append(f"fix those rows and {resend}")
    if rows_unmatched:
        fixes.append(
            "name an SLI (or service) the workspace defines in those rows, or define it in the "
            f"workspace, and {resend}"
        )
    return NothingIngestedError(
        "\n".join(lines),
        hint=f"{'; '.join(fixes)}; {again}",
        rows_read=rows_read,
        refused=problems,
        rows_rejected=rows_rejected,
        unmatched=unmatched,
        rows_unmatched=rows_unmatched,
    )


def _reasons(
    problems: Sequence[Problem],
    rows_rejected: int,
    *,
    where: Callable[[Problem], str],
    shown: int,
) -> list[str]:
    """The first ``shown`` rejected rows, one line each (where, field, problem, fix), and how
    many more there were."""
    lines = []
    for problem in problems[:shown]:
        head = " ".join(part for part in (where(problem), problem.field) if part)
        fix = f" — {problem.fix}" if problem.fix else ""
        lines.append(f"  {head}: {problem.message}{fix}")
    hidden = rows_rejected - min(len(problems), shown)
    if hidden > 0:
        lines.append(f"  … and {hidden:,} more rejected row{'' if hidden == 1 else 's'}")
    return lines


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


def _why(read: int, *, rejected: int, unmatched: int) -> str:
    """Why none was stored: rejected, matched no SLI, or some of each."""
    if read == 1:
        return "it was rejected" if rejected else "it matches no SLI"
    if rejected == read:
        return f"all {read:,} were rejected"
    if unmatched == read:
        return f"all {read:,} match no SLI"
    verb = "was" if rejected == 1 else "were"
    match = "matches" if unmatched == 1 else "match"
    return f"{rejected:,} {verb} rejected and {unmatched:,} {match} no SLI"
