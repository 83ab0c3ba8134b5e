"""Tables that fit the terminal: names are never cut, data is never read as markup.

Every table command prints through :func:`print_table`. A *name* column (an SLO, a customer,
an agreement, a file) is never wrapped or cut: the other columns give way, wrapping at spaces
only. When even that cannot fit (a very long name on a narrow terminal) each row is printed as
a short block instead: the names on one line, ``header: value`` pairs below.

``--wide`` (``wide=True``) means wide: every column at its natural width, never squeezed and
never turned into blocks, even when the lines are wider than the terminal (they overflow: the
terminal wraps or scrolls them; ``| less -S`` scrolls sideways). Without ``--wide`` the tables
fit the terminal.

Cells are plain strings (always shown literally: ``[link=…]`` in a customer's name stays
text, never a live terminal link) or :class:`rich.text.Text` for styled cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

Cell = str | Text

# Layout of every table: a line under the header, no outer frame, one space of padding that
# adjacent cells share, one separator column between cells.
_SEPARATOR = 1
_PADDING = 1


@dataclass(frozen=True, slots=True)
class Col:
    """One column: its header, alignment, whether it holds a name (never cut) and whether
    its cells may wrap at spaces (a figure such as ``99.9 %`` should not)."""

    header: str
    justify: JustifyMethod = "left"
    name: bool = False
    wrap: bool = True

    @property
    def whole(self) -> bool:
        return self.name or not self.wrap


def text(value: Cell, style: str = "") -> Text:
    """A cell or line as literal text (markup in data is shown as written)."""
    if isinstance(value, Text):
        return value
    return Text(value, style=style)


def line(*parts: Cell | tuple[str, str]) -> Text:
    """A line built from literal pieces; ``(text, style)`` pieces are styled."""
    out = Text()
    for part in parts:
        if isinstance(part, tuple):
            out.append(part[0], style=part[1])
        else:
            out.append(text(part))
    return out


def _lines(value: Text) -> list[str]:
    return value.plain.split("\n")


def _natural(value: Text) -> int:
    return max((cell_len(part) for part in _lines(value)), default=0)


def _longest_word(value: Text) -> int:
    return max((cell_len(word) for part in _lines(value) for word in part.split()), default=0)


def overhead(columns: int) -> int:
    """Characters a table of ``columns`` columns spends on separators and padding."""
    return max(columns - 1, 0) * (_SEPARATOR + _PADDING)


def natural_widths(cols: Sequence[Col], rows: Sequence[Sequence[Text]]) -> list[int]:
    """Each column's natural width: its widest line, header included."""
    return [
        max([_natural(Text(c.header))] + [_natural(r[i]) for r in rows]) for i, c in enumerate(cols)
    ]


def fit_widths(cols: Sequence[Col], rows: Sequence[Sequence[Text]], width: int) -> list[int] | None:
    """Content widths that fit ``width`` with every name whole and every word whole, or None.

    Columns start at their natural width; the widest column that may still wrap gives way a
    character at a time, never below its longest word.
    """
    headers = [Text(c.header) for c in cols]
    natural = [
        max([_natural(headers[i])] + [_natural(r[i]) for r in rows]) for i in range(len(cols))
    ]
    minimum = [
        natural[i]
        if c.whole
        else max([_longest_word(headers[i])] + [_longest_word(r[i]) for r in rows])
        for i, c in enumerate(cols)
    ]
    available = width - overhead(len(cols))
    if sum(minimum) > available:
        return None
    widths = list(natural)
    excess = sum(widths) - available
    while excess > 0:
        slack = [w - m for w, m in zip(widths, minimum, strict=True)]
        i = max(
            (i for i in range(len(widths)) if slack[i] > 0),
            key=lambda i: (widths[i], slack[i]),
        )
        widths[i] -= 1
        excess -= 1
    return widths


def print_table(
    console: Console,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    title: Cell | None = None,
    styles: Sequence[str | None] | None = None,
    lines_between: bool = False,
    wide: bool = False,
) -> None:
    """Print ``rows`` under ``title`` so that no name is cut at the console's width; ``wide``:
    every column at its natural width, wider than the console if need be."""
    if title is not None:
        console.print(text(title, "bold"), soft_wrap=True)
    cells = [[text(c) for c in row] for row in rows]
    widths = natural_widths(cols, cells) if wide else fit_widths(cols, cells, console.width)
    if widths is None:
        _print_blocks(console, cols, cells, styles)
        return
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        padding=(0, _PADDING),
        show_lines=lines_between,
    )
    for col, w in zip(cols, widths, strict=True):
        table.add_column(
            col.header,
            justify=col.justify,
            width=w,
            no_wrap=col.whole,
            overflow="fold",
        )
    for i, row in enumerate(cells):
        table.add_row(*row, style=None if styles is None else styles[i])
    needed = sum(widths) + overhead(len(cols))
    if needed <= console.width:
        console.print(table)
        return
    # wide: render at the table's own width and let the lines overflow the terminal (rich has
    # no public way to print wider than the console, so its width is lent for this table)
    saved = console._width
    console.width = needed
    try:
        console.print(table, crop=False)
    finally:
        console._width = saved


def _print_blocks(
    console: Console,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Text]],
    styles: Sequence[str | None] | None,
) -> None:
    """Rows as blocks: the names on one line (never cut), the other cells indented below."""
    for r, row in enumerate(rows):
        style = (None if styles is None else styles[r]) or ""
        names = [row[i] for i, c in enumerate(cols) if c.name]
        head = Text("  ").join(names) if names else Text("—")
        head.stylize("bold")
        console.print(head, soft_wrap=True, style=style)
        for i, c in enumerate(cols):
            if c.name or not row[i].plain.strip():
                continue
            value = Text("; ").join(Text(part) for part in _lines(row[i]))
            header = " ".join(c.header.split())
            console.print(line("  ", (f"{header}: ", "dim"), value), style=style)


def print_notes(console: Console, notes: Sequence[Cell], *, style: str = "dim") -> None:
    """Lines below a table (details that did not fit a column), each shown literally and
    wrapped under itself: every line of a long note indented as its first, none ending in the
    blank it was broken at."""
    width = max(console.width - 2, 20)
    for note in notes:
        for piece in text(note, style).wrap(console, width):
            piece.rstrip()
            console.print(line("  ", piece), soft_wrap=True)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 day``, ``2 days``, ``1,200 series``: a count and its noun as the number wants it."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def tally(errors: int, warnings: int) -> str:
    """``1 error, 2 warnings``: a verdict's counts, each noun as its number wants it."""
    noun = {True: "", False: "s"}
    return f"{errors} error{noun[errors == 1]}, {warnings} warning{noun[warnings == 1]}"
