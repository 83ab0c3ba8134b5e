"""The table layout: names whole, words whole, markup literal, blocks when nothing fits."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from covenant.render.tables import Col, fit_widths, print_notes, print_table

NAME = "a-very-long-service-name-that-is-long"  # 37 characters


def render(width: int, rows: list[list[str]], cols: list[Col]) -> str:
    out = io.StringIO()
    print_table(Console(file=out, width=width), cols, rows, title="T")
    return out.getvalue()


def test_widths_shrink_the_wrapping_column_down_to_its_longest_word() -> None:
    cols = [Col("n", name=True), Col("w")]
    rows = [[Text("0123456789"), Text("aaaa bbbbbb")]]  # name 10; 11 wide, longest word 6
    # one separator column and one shared padding space between the two columns: 2
    assert fit_widths(cols, rows, 23) == [10, 11]
    assert fit_widths(cols, rows, 20) == [10, 8]
    assert fit_widths(cols, rows, 18) == [10, 6]
    assert fit_widths(cols, rows, 17) is None  # the word would be cut: no table


def test_a_name_is_never_cut_and_other_cells_wrap_at_spaces() -> None:
    cols = [Col("service", name=True), Col("note"), Col("level", "right", wrap=False)]
    out = render(60, [[NAME, "alpha beta gamma delta", "99.95 %"]], cols)
    assert NAME in out
    assert "99.95 %" in out
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "gamma" in out  # wrapped, not dropped


def test_blocks_when_even_the_longest_words_do_not_fit() -> None:
    cols = [Col("service", name=True), Col("note"), Col("level", "right", wrap=False)]
    out = render(40, [[NAME, "alpha beta", "99.95 %"]], cols)
    lines = out.splitlines()
    assert NAME in lines  # the name on a line of its own, whole
    assert "  note: alpha beta" in lines
    assert "  level: 99.95 %" in lines


def test_markup_in_cells_and_titles_is_text() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True)
    evil = "[link=http://evil]x[/link] [/bold]"
    print_table(console, [Col("name", name=True)], [[evil]], title=evil)
    text = out.getvalue()
    assert "\x1b]8;" not in text
    assert text.count("http://evil") == 2


def test_wide_means_wide_the_table_overflows_instead_of_turning_into_blocks() -> None:
    cols = [Col("service", name=True), Col("note"), Col("level", "right", wrap=False)]
    rows = [[NAME, "alpha beta gamma delta", "99.95 %"]]
    compact = render(40, rows, cols)  # 37 + 22 + 7 + 4 does not fit 40: blocks
    assert "note: alpha beta gamma delta" in compact
    out = io.StringIO()
    console = Console(file=out, width=40)
    print_table(console, cols, rows, wide=True)
    lines = out.getvalue().splitlines()
    # natural widths 37, 22 and 7, two characters between columns: 70 characters a line
    assert lines[0].split() == ["service", "note", "level"]
    assert lines[2].rstrip() == f"{NAME}  alpha beta gamma delta  99.95 %"
    assert len(lines[2].rstrip()) == 37 + 2 + 22 + 2 + 7
    assert console.width == 40  # the console is left as it was


def test_a_long_note_wraps_under_itself_without_trailing_blanks() -> None:
    # a note below a table is indented two columns; its continuation lines were printed flush
    # left, each ending in the blank it was broken at
    out = io.StringIO()
    note = "api: no data: stale: reading prom failed at 2026-12-03T22:40:30Z [source-unreachable]"
    print_notes(Console(file=out, width=40), [note, "[bold]short[/bold]"])
    assert out.getvalue() == (
        "  api: no data: stale: reading prom\n"
        "  failed at 2026-12-03T22:40:30Z\n"
        "  [source-unreachable]\n"
        "  [bold]short[/bold]\n"
    )
