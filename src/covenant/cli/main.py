"""The ``covenant`` command: parse, call one service function, render.

Exit codes: 0 ok, 1 error, 2 usage, 3 ``evaluate --check`` found a breached or paging SLO,
4 ``evaluate --check`` had nothing to check (no SLO with data), 130 Ctrl-C (typer's; a read
from Prometheus and an ingest of files end saying what stays: ``cli.interrupt``), 141 the
reader of standard output went away (`covenant evaluate | head -1`: ``main``); a standard output
that cannot be written (closed, a full disk) is the coded error ``output-unwritable`` and 1
(``cli.stdout_guard``). A command line that asks for JSON gets every refusal on standard output
too (``cli.jsonmode``).

Start-up stays fast: the command modules import only typer and light things at module level;
each command imports the services it needs when it runs, and ``main`` registers only the
command module a command line names (``COMMANDS``), so ``covenant evaluate`` neither imports
nor builds the other commands. ``app`` (every command) is what help, completion and tests use.
tests/cli/test_startup.py checks what each command loads.
"""

from __future__ import annotations

import errno
import os
import sys

from covenant.cli.commands import (
    COMMANDS,
    COMPLETE_VARIABLE,
    FAST_COMMAND,
    MODULES,
    asks_for_help,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a help page from
if TYPE_CHECKING:  # cli.help_cache is printed without typing, pathlib or collections
    from collections.abc import Sequence
    from typing import Any, NoReturn

    import typer

__all__ = [
    "COMMANDS",
    "INTERRUPTED",
    "MODULES",
    "READER_GONE",
    "app",
    "build_app",
    "main",
    "modules_for",
]

READER_GONE = 141  # 128 + SIGPIPE: the status a shell reports for `git log | head -1`
INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C

app: typer.Typer  # every command, built on first use (module __getattr__ below)


def build_app(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The ``covenant`` command with the commands of ``modules`` (default: all of them)."""
    from covenant.cli.app import build_app as build

    return build(modules)


def __getattr__(name: str) -> Any:
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def modules_for(args: Sequence[str]) -> tuple[str, ...]:
    """The command modules a command line needs: the one its command names, or all of them
    (no command, an unknown one, or shell completion, which lists every command)."""
    command = next((a for a in args if not a.startswith("-")), None)
    module = COMMANDS.get(command or "")
    if module is None or COMPLETE_VARIABLE in os.environ:
        return MODULES
    return (module,)


class _WithoutPandas:
    """A ``sys.meta_path`` finder that refuses pandas (pyarrow then goes on without it)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(
                f"No module named {name!r} in the covenant command", name=name
            )


def main() -> None:
    """The ``covenant`` command; when the reader of its standard output went away (`covenant
    evaluate | head -1`), it ends quietly with 141, whatever the command.

    Git, cat or grep are killed by SIGPIPE there, which a shell reports as 141 (128 + 13);
    Python ignores the signal, and typer and rich turned the error into 1, the status of a
    failed command (ripgrep's 0 would tell `evaluate --check` passed). Covenant does not
    restore the signal's default action, which would end ``serve`` when a client hangs up:
    the error is caught here, once for every command — typer's, the fast ``evaluate`` and
    the help pages.
    """
    from covenant.cli import jsonmode, stdout_guard

    jsonmode.start(sys.argv[1:])
    output = _output()
    _shown_as_the_locale_can()
    given = sys.stdout
    guarded = stdout_guard.guard(given)
    sys.stdout = guarded  # a text stream that keeps the error of a write that failed
    try:
        _run()
        _flush(output)
    except SystemExit as done:
        if _reader_gone(done, output):
            _reader_went_away()
        failed = stdout_guard.failed_write(done, guarded)
        if failed is not None:
            stdout_guard.unwritable(failed)
        _flush(output)
        raise
    except OSError as error:
        if _reader_gone(error, output):
            _reader_went_away()
        failed = stdout_guard.failed_write(error, guarded)
        if failed is None:
            raise
        stdout_guard.unwritable(failed)
    except UnicodeEncodeError as error:
        if "surrogates not allowed" not in str(error):
            raise
        _unnamable_path()
    except KeyboardInterrupt:  # Ctrl-C before a command runs (while typer is imported):
        jsonmode.interrupted("")  # quietly (but for JSON), as a command interrupted ends
        raise SystemExit(INTERRUPTED) from None
    finally:
        if sys.stdout is guarded:
            sys.stdout = given


def _unnamable_path() -> NoReturn:
    """A file or folder name the locale cannot encode (`wörk` in an ASCII locale): Python keeps
    its bytes as escapes, which pyarrow and SQLite refuse. An error with the fix, not a
    traceback."""
    from covenant.cli.console import fail
    from covenant.errors import InputError

    encoding = sys.getfilesystemencoding()
    fail(
        InputError(
            f"a file or folder name holds characters the locale's encoding ({encoding}) "
            "cannot name, so the files cannot be read or written",
            hint="run Covenant with a UTF-8 locale (set LC_ALL=C.UTF-8), or rename the folder",
        )
    )
    raise SystemExit(1)


def _shown_as_the_locale_can() -> None:
    """In a locale that cannot write Covenant's text (ASCII: `LC_ALL=C` with Python's UTF-8
    coercion turned off), write `?` for what it cannot show, not a UnicodeEncodeError
    traceback at the first `—` of a table (JSON escapes it instead: ``render.jsonout``)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "—…×≤µ€".encode(encoding)
        except UnicodeEncodeError:
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="replace")
        except LookupError:  # an encoding Python does not know: leave the stream as it is
            pass


def _output() -> tuple[int, int] | None:
    """What standard output is (device and inode), to tell later whether it was replaced."""
    try:
        found = os.fstat(1)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _reader_gone(error: BaseException, output: tuple[int, int] | None) -> bool:
    """Whether ``error`` is a write to a pipe whose reader went away, or the exit typer or rich
    make of one (``sys.exit(1)`` while handling that error) — and that pipe is standard
    output, not a socket some command wrote to: its reader is gone, or rich already put
    ``/dev/null`` in its place (``output`` is what it was before the command)."""
    broken = (error, error.__context__)
    if not any(isinstance(seen, OSError) and seen.errno == errno.EPIPE for seen in broken):
        return False
    if _output() != output:
        return True
    try:
        import select

        poll = select.poll()
        poll.register(1, select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows): the error tells
        return True


def _flush(output: tuple[int, int] | None) -> None:
    """Standard output written out before the exit (the interpreter's own flush of a pipe whose
    reader went away printed "Exception ignored" and ended with 120; of a full disk, the same
    and a traceback: ``stdout_guard``)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as error:
        if not _reader_gone(error, output):
            from covenant.cli import stdout_guard

            stdout_guard.unwritable(error)
        _reader_went_away()


def _reader_went_away() -> NoReturn:
    """End with 141 and not a word: what is still buffered for standard output goes nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:  # no standard output to replace
        pass
    raise SystemExit(READER_GONE)


def _run() -> None:
    """The command line, run the fastest way that prints what typer would. The process never
    imports pandas: pyarrow imports it (about a second) on its first conversion whenever it is
    installed, and Covenant never needs it.

    ``covenant evaluate`` runs without typer when ``cli.fast`` reads its command line (it
    returns, and typer runs it, for anything it does not read exactly as typer would); help
    and ``--version`` come from ``cli.help_cache`` when typer printed the same page before,
    help otherwise from ``cli.help_render`` (typer's page without typer) when it can."""
    # Covenant uses no pydantic plugins: do not scan every installed package's metadata for
    # them on start-up (set it yourself to anything else to let pydantic look)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Covenant does no linear algebra: one BLAS thread, not a pool started with numpy on every
    # run (≈ 30 ms of CPU and more of wall time on each command that loads numpy; set it
    # yourself to have more)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    finder = _WithoutPandas()
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, finder)
    try:
        recording = None
        if COMPLETE_VARIABLE not in os.environ and asks_for_help(sys.argv[1:]):
            from covenant.cli import help_cache

            recording = help_cache.serve(sys.argv[1:])  # exits when it printed the help
            from covenant.cli import help_render

            request = help_render.page_for(sys.argv[1:])
            if request is not None:  # typer's page without typer (exits), kept by the cache
                if recording is None:
                    help_render.show(request)
                with recording:
                    help_render.show(request)
        if sys.argv[1:2] == [FAST_COMMAND] and COMPLETE_VARIABLE not in os.environ:
            from covenant.cli import fast

            fast.run(sys.argv[2:])  # exits when it ran the command
        if recording is None:
            build_app(modules_for(sys.argv[1:]))()
        else:
            with recording:
                build_app(modules_for(sys.argv[1:]))()
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)


if __name__ == "__main__":  # python -m covenant.cli.main
    main()
