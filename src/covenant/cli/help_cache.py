"""``covenant … --help`` and ``covenant --version`` without typer, from what typer printed before.

Typer's help costs about 0.2 s of CPU to import and build (typer, rich, rich.markdown,
markdown-it, every command module) for a page that is the same every time. So ``main`` sends
a command line that only asks for help (``WORD… --help``), for the version, or that typer
answers with help (``covenant`` alone, a group alone: exit 2) here first:

- **hit** — a file in the user's cache (``$XDG_CACHE_HOME/covenant/help``, default
  ``~/.cache/covenant/help``) holds what typer printed for this very command line in this
  very setting: it is written to standard output and the process exits as typer did.
- **miss** — ``cli.help_render`` prints typer's page without typer when it can (plain help
  lines, see there), or else typer runs as always, and what either writes to ``sys.stdout``
  is recorded on the way (the stream it writes to is the same one, so it sees the same
  terminal, width and encoding); when it exits as help exits (0; 2 for help shown for a
  missing command) having written nothing else, the text is kept for next time.

The file is named by everything typer's rendering reads: the command line and program name;
the size and tty-ness of the standard streams and their encoding; every environment variable
rich, typer or gettext read (width, colour, terminal, locale: ``ENVIRONMENT``; tests check the
list against their sources) and every ``COVENANT_…`` one; the Python version. It lives in a
folder named by a fingerprint of the installed code: the size and modification time of every
file of the ``covenant`` package, and the modification time of every ``sys.path`` folder (any
``pip install`` or uninstall — of covenant, typer, rich — changes it). Editing a command,
adding one or upgrading a library therefore starts a new folder (the old ones are removed),
and the next run renders with typer again. ``COVENANT_HELP_CACHE=0`` turns it off.

A page is printed as it is, so only this user may have written it: the cache folder and the
fingerprint's folder must be this user's own and writable by no one else (no group or world
write bit), and the page a regular file of this user's; otherwise nothing is read from or
stored there (typer renders, as without a cache). The folders are created ``0700``; a cache
folder of this user's with a group or world write bit (as ``umask 002`` leaves one) is
closed to ``0700`` and its stored pages dropped before anything is stored again.

A command line with options before ``--help`` (``evaluate -w shop --help``) is kept only when
what typer printed is its help (a ``Usage:`` line at the top): an option that takes a value
takes ``--help`` as its value (``evaluate --slo --help`` evaluates), and that output is not
help.
tests/cli/test_help_cache.py checks that a hit prints byte for byte what typer prints, for
every command, on a pipe and on 80-column terminals with and without colour, and after a
command is added.
"""

from __future__ import annotations

import os
import stat
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see below)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType
    from typing import TextIO

# A stored page is printed by a process that imports os, sys and hashlib only (stat comes with
# os): not typing, pathlib or collections (≈ 40 % of its instructions), hence the os.path
# calls.

SWITCH = "COVENANT_HELP_CACHE"  # "0" turns the cache off
LAYOUT = "3"  # bump when what is stored, or how it is named, changes (3: folders 0700)
MAX_ENTRIES = 1024  # per fingerprint: renderings kept (widths, settings, command lines)
ENVIRONMENT = frozenset(
    {
        # rich's Console: width, height, colour, terminal
        "COLUMNS",
        "LINES",
        "JUPYTER_COLUMNS",
        "JUPYTER_LINES",
        "NO_COLOR",
        "FORCE_COLOR",
        "TERM",
        "COLORTERM",
        "TTY_COMPATIBLE",
        "TTY_INTERACTIVE",
        "UNICODE_VERSION",
        "DATABRICKS_RUNTIME_VERSION",
        # typer's rich help
        "TERMINAL_WIDTH",
        "GITHUB_ACTIONS",
        "PY_COLORS",
        "TYPER_USE_RICH",
        # gettext (typer's and click's messages)
        "LANGUAGE",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        # read by rich or typer, not for help, kept in the key all the same
        "SHELL",
        "XDG_CONFIG_HOME",
        "PYTHONIOENCODING",
    }
)
PREFIXES = ("COVENANT_", "TYPER_", "_TYPER", "RICH_")


def serve(args: Sequence[str]) -> Recording | None:
    """Print the stored output of ``covenant ARGS`` and exit 0 when there is one; otherwise
    a :class:`Recording` to run typer in (None when nothing may be stored)."""
    if os.environ.get(SWITCH) == "0" or sys.stdout is None or sys.stderr is None:
        return None
    try:
        root = _cache_root()
        folder = os.path.join(root, _fingerprint())
        path = os.path.join(folder, _key(args))
        owner = _owner(root)
        if owner == "other":
            return None  # another user's cache: neither read nor written
        if owner != "private" or _owner(folder) != "private":
            raise FileNotFoundError(path)  # nothing to trust in it: typer, then store anew
        with open(path, encoding="utf-8", errors="surrogateescape") as file:
            if not _mine(os.fstat(file.fileno())):
                return None
            text = file.read()
    except FileNotFoundError:
        # help asked for, or the version: 0; nothing or a group alone (typer shows help): 2
        exit_code = 0 if args and args[-1].startswith("-") else 2
        return Recording(path, code=exit_code, help_only=_options_before_help(args))
    except (OSError, ValueError, RuntimeError):  # no home, unreadable …: typer, keep nothing
        return None
    code, _, page = text.partition("\n")
    _write(page)
    raise SystemExit(int(code))


def _options_before_help(args: Sequence[str]) -> bool:
    """An option stands before the final ``--help``: it may have taken ``--help`` as its value."""
    return any(word.startswith("-") for word in args[:-1])


def _mine(found: os.stat_result) -> bool:
    """This user's, and no one else may write it."""
    return found.st_uid == os.geteuid() and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _owner(folder: str) -> str:
    """``private`` (a folder of this user's that no one else may write), ``open`` (this
    user's, but others may write it), ``missing``, or ``other`` (another user's, or no folder)."""
    try:
        found = os.stat(folder)
    except FileNotFoundError:
        return "missing"
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid():
        return "other"
    return "private" if _mine(found) else "open"


def _write(text: str) -> None:
    """Print ``text`` (a reader that went away, `covenant --help | head -1`: ``cli.main``)."""
    sys.stdout.write(text)
    sys.stdout.flush()


class _Tee:
    """Standard output as it is, but remembering the text written through it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.parts: list[str] = []
        self.other = False  # bytes, or anything but text, went through

    def write(self, text: object) -> int:
        if isinstance(text, str):
            self.parts.append(text)
        elif text:
            self.other = True
        return self._stream.write(text)  # type: ignore[arg-type]

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class _Watch(_Tee):
    """Standard error as it is, noting whether anything was written to it."""

    def write(self, text: object) -> int:
        if text:
            self.other = True
        return self._stream.write(text)  # type: ignore[arg-type]


class Recording:
    """Run typer inside it: when it exits with ``code`` (0 for help and the version, 2 for
    the help typer shows when a command is missing) having written only to standard output,
    that output is stored."""

    def __init__(self, path: str, *, code: int, help_only: bool = False) -> None:
        self.path = path
        self.code = code
        self.help_only = help_only  # keep the output only when it is a help page
        self._streams: tuple[TextIO, TextIO] | None = None

    def __enter__(self) -> Recording:
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout)
        sys.stderr = _Watch(sys.stderr)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        out, err = sys.stdout, sys.stderr
        assert self._streams is not None
        sys.stdout, sys.stderr = self._streams
        if not (isinstance(out, _Tee) and isinstance(err, _Watch)):
            return  # something replaced the streams: keep nothing
        if kind is None:
            code: object = 0
        elif isinstance(error, SystemExit):
            code = error.code or 0
        else:
            return
        if code != self.code or not out.parts or out.other or err.other:
            return
        page = "".join(out.parts)
        if self.help_only and "Usage:" not in page[:_USAGE_WITHIN]:
            return  # an option took --help as its value: typer ran the command, not its help
        _store(self.path, f"{self.code}\n" + page)


_USAGE_WITHIN = 400  # typer's help shows its Usage line first (after a blank, styled line)


def _store(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically; drop other fingerprints' folders. Best effort;
    nothing is written in a folder another user owns or may write (see the module's notes)."""
    import shutil
    from pathlib import Path

    from covenant.files_left import held_temporary, remove_left

    folder = os.path.dirname(path)
    root = os.path.dirname(folder)
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
        owner = _owner(root)
        if owner == "other":
            return  # another user's: leave it alone
        if owner == "open":  # this user's, but others could write it: close it, drop its pages
            os.chmod(root, 0o700)
            for name in os.listdir(root):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        for name in os.listdir(root):
            other = os.path.join(root, name)
            if (other != folder or _owner(other) != "private") and os.path.isdir(other):
                shutil.rmtree(other, ignore_errors=True)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if _owner(root) != "private" or _owner(folder) != "private":
            return
        if len(os.listdir(folder)) >= MAX_ENTRIES:
            return
        page = Path(path)
        remove_left([page])  # the temporary files a killed process left (covenant.files_left)
        handle, temporary = held_temporary(page, page)  # private (0600), held until renamed
        try:
            with os.fdopen(
                handle, "w", encoding="utf-8", errors="surrogateescape", closefd=False
            ) as file:
                file.write(text)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            raise
        finally:
            os.close(handle)
    except OSError:
        return


def _cache_root() -> str:
    """``$XDG_CACHE_HOME/covenant/help``, else ``~/.cache/covenant/help``."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise RuntimeError("no home folder")
        base = os.path.join(home, ".cache")
    return os.path.join(base, "covenant", "help")


def _digest(parts: Sequence[str]) -> str:
    import hashlib

    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _fingerprint() -> str:
    """Changes whenever a file of the package or an entry of a ``sys.path`` folder changes."""
    import covenant

    package = os.path.dirname(os.path.abspath(covenant.__file__))
    parts = [LAYOUT, sys.version, sys.executable, package]
    folders = [package]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                    continue
                found = entry.stat()
                parts.append(f"{entry.path}:{found.st_size}:{found.st_mtime_ns}")
    for place in sys.path:
        try:
            parts.append(f"{place}:{os.stat(place or '.').st_mtime_ns}")
        except OSError:
            parts.append(f"{place}:-")
    return _digest(parts)


def _key(args: Sequence[str]) -> str:
    """Names everything typer's rendering of ``covenant ARGS`` reads."""
    main = sys.modules.get("__main__")
    spec = getattr(getattr(main, "__spec__", None), "name", None)
    parts = [sys.argv[0], str(spec), *args, "\1"]
    parts.extend(
        f"{name}={value}"
        for name, value in sorted(os.environ.items())
        if name in ENVIRONMENT or name.startswith(PREFIXES)
    )
    for descriptor in (0, 1, 2):
        try:
            parts.append(f"{descriptor}:{tuple(os.get_terminal_size(descriptor))}")
        except (OSError, ValueError):
            parts.append(f"{descriptor}:-")
    for stream in (sys.stdout, sys.stderr):
        try:
            tty = stream.isatty()
        except ValueError:
            tty = False
        parts.append(f"{getattr(stream, 'encoding', None)}:{getattr(stream, 'errors', None)}:{tty}")
    return _digest(parts)
