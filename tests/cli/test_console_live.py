"""The lazy console works where rich needs a real one: a progress bar on a terminal.

``covenant ingest prometheus`` (and ``ingest events``) on a terminal gave a bar on the lazy
``err_console``; rich's ``Live`` enters its console (``with console:``), which Python looks up
on the type, so the command died with "'_LazyConsole' object does not support the context
manager protocol" (and "lost sys.stderr") before reading anything.
"""

from __future__ import annotations

import io

from rich.progress import Progress

from covenant.cli.console import _LazyConsole


def test_a_progress_bar_on_the_lazy_console_draws_on_a_terminal() -> None:
    lazy = _LazyConsole(stderr=True)
    written = io.StringIO()
    lazy.file = written  # forwarded to the real console
    lazy._force_terminal = True
    lazy.width = 80
    with Progress(console=lazy, auto_refresh=False) as bar:  # type: ignore[arg-type]
        task = bar.add_task("checkout-availability", total=120)
        bar.update(task, completed=60)
        bar.refresh()
    assert "checkout-availability" in written.getvalue()


def test_with_the_lazy_console_enters_the_real_one() -> None:
    lazy = _LazyConsole(stderr=False)
    written = io.StringIO()
    lazy.file = written
    with lazy as entered:  # type: ignore[attr-defined]
        entered.print("inside")
        assert written.getvalue() == ""  # buffered until the outermost exit, as rich does
    assert written.getvalue() == "inside\n"
