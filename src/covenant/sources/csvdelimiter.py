"""A CSV header as spreadsheets write it: columns separated by something else than commas, and
empty columns without a name.

A spreadsheet saved as "CSV" in a locale whose decimal mark is the comma separates its columns
by ';' (and a "text" export by tabs): the whole header is then read as one column, and the
error about a missing column would show the semicolons without saying what they mean.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from covenant.errors import IngestError

__all__ = ["name_blank_columns", "refuse_other_delimiter"]

_OTHERS = {";": "';'", "\t": "tabs", "|": "'|'"}


def refuse_other_delimiter(name: str, header: Sequence[str]) -> None:
    """Raise ``IngestError`` when ``header`` (the file ``name``'s column names, split at
    commas) is one column that another delimiter splits into several names. Empty names after
    the last one are the empty columns a spreadsheet writes after its data (``a;b;c;;``)."""
    if len(header) != 1:
        return
    (only,) = header
    for delimiter, said in _OTHERS.items():
        # read as that delimiter's CSV: a spreadsheet quotes every name ("id";"customer"), and
        # the comma reader took the quotes off the first one only
        parts = [part.strip() for part in next(csv.reader([only], delimiter=delimiter))]
        while parts and not parts[-1]:
            parts.pop()
        if len(parts) > 1 and all(parts):
            raise IngestError(
                f"{name}:1: the header is one column, {only!r}: its {len(parts)} columns are "
                f"separated by {said}, and a CSV file's by commas",
                hint=f"save the file as comma-separated CSV ({','.join(parts)}): in a "
                "spreadsheet choose CSV with the comma as field delimiter",
            )


def name_blank_columns(header: Sequence[str]) -> list[str]:
    """``header`` with every blank name replaced by ``(unnamed column N)`` (N counts from 1).

    A spreadsheet saved as CSV writes the empty columns after its data too (``a,b,c,,``): two
    of them would be one name given twice. A column without a name is read as any column no
    reader uses — ignored — and a name given twice is still refused by the caller.
    """
    return [
        name if name.strip() else f"(unnamed column {number})"
        for number, name in enumerate(header, start=1)
    ]
