"""What every fuzz target checks: a result, or a coded error documented in docs/errors.md;
never another exception, and never longer than a hard per-input limit."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from types import FrameType
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from covenant.errors import CovenantError, DefinitionError, Problem
from tests.conftest import ROOT

T = TypeVar("T")

HANG_S = 20
"""An input that takes longer than this is a hang (the runs themselves take a few seconds)."""

FUZZ = settings(
    derandomize=True,  # a fixed seed: the same inputs on every run and every machine
    deadline=None,
    max_examples=150,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class HangError(Exception):
    pass


@contextmanager
def no_hang(seconds: int = HANG_S) -> Iterator[None]:
    def alarm(signum: int, frame: FrameType | None) -> None:
        raise HangError(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@cache
def documented() -> frozenset[str]:
    text = (ROOT / "docs" / "errors.md").read_text()
    return frozenset(re.findall(r"^### ([a-z0-9-]+)$", text, re.M))


def check_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        assert p.code in documented(), f"undocumented code {p.code!r}: {p}"
        assert p.message, p


def coded(call: Callable[[], T]) -> T | CovenantError:
    """Run ``call``: its result, or the CovenantError it raised (checked: documented code,
    a message; a DefinitionError's problems too). Anything else fails the test."""
    try:
        with no_hang():
            return call()
    except CovenantError as error:
        raised = error
    check_error(raised)
    return raised


def check_error(error: CovenantError) -> None:
    assert error.code in documented(), f"undocumented code {error.code!r}: {error}"
    assert error.message, repr(error)
    if isinstance(error, DefinitionError):
        assert error.problems
        check_problems(error.problems)


# --- inputs -----------------------------------------------------------------------------------

TOKENS = [
    "",
    " ",
    "\n",
    "\t",
    "\r\n",
    ",",
    ";",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "\\",
    "#",
    "&a ",
    "*a",
    "!!python/object ",
    "!!binary ",
    "<<: ",
    "~",
    "null",
    "true",
    "no",
    "0",
    "-1",
    "1e308",
    "1e400",
    "-0",
    "nan",
    ".inf",
    "-.inf",
    "0x1F",
    "99999999999999",
    "18446744073709551615",
    "9223372036854775808",
    "0.3333333333333",
    "1/0",
    "%",
    "100%",
    "0001-01-01",
    "9999-12-31T23:59:59Z",
    "2026-02-30",
    "2026-10-31T25:00:00Z",
    "1970-01-01T00:00:00",
    "2026-10-31T00:00:00+14:00",
    "-7d",
    "0d",
    "99999999999999d",
    "1M",
    "1Q",
    "1Y",
    "5m",
    "this-month",
    "\x00",
    "\ufeff",
    "é",
    "\u202e",
    "𝔘",
    "[/bold]",
    "[link=http://evil]x[/link]",
    "FREQ=SECONDLY",
    "INTERVAL=0",
    "P1",
    "sev1",
    "[" * 200,
    "{a: " * 50,
]


@st.composite
def mutated(draw: st.DrawFn, seed: str, *, edits: int = 6) -> str:
    """``seed`` with up to ``edits`` edits: deletions, insertions of tricky tokens, replaced
    spans and duplicated spans, at positions the strategy shrinks towards the start."""
    text = seed
    for _ in range(draw(st.integers(0, edits))):
        if not text:
            text = draw(st.sampled_from(TOKENS))
            continue
        at = draw(st.integers(0, len(text) - 1))
        span = draw(st.integers(0, 40))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "text"]))
        if kind == "delete":
            text = text[:at] + text[at + span :]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif kind == "replace":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at + span :]
        elif kind == "duplicate":
            text = text[:at] + text[at : at + span] * draw(st.integers(2, 50)) + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=20)) + text[at + span :]
    return text


PLAUSIBLE = [
    "0", "1", "2", "0.5", "5", "50", "95", "99.9", "99.99", "99.9999999", "100", "100.0001",
    "0.0001", "1e-9", "1e6", "1000000", "1m", "5m", "1h", "6h", "7d", "28d", "1w", "30d",
    "2026-01-01", "2026-11-27T09:30:00Z", "2026-11-01T02:30:00", "1971-01-01", "8999-12-31",
    "true", "false", "[]", "{}", "[checkout]", "FREQ=HOURLY", "FREQ=DAILY;INTERVAL=100000",
    "FREQ=MONTHLY;BYMONTHDAY=31", "Europe/Berlin", "America/Havana", "Pacific/Kiritimati",
    '"1e30"', '"0.001"', "sev1", "[sev1, sev2]", "Occurrences", "Timeslices",
]  # fmt: skip
"""Values close to valid ones: they pass validation more often, so evaluation gets fuzzed."""


def scalar_replacements(seed: str, tokens: list[str] | None = None) -> st.SearchStrategy[str]:
    """``seed`` with the value after one to three ``key:`` replaced by a tricky token."""
    pool = TOKENS if tokens is None else tokens
    values = [m.end() for m in re.finditer(r": ", seed)]

    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = seed
        for _ in range(draw(st.integers(1, 3))):
            ends = [m.end() for m in re.finditer(r": ", text)] or values
            at = draw(st.sampled_from(ends))
            stop = text.find("\n", at)
            stop = len(text) if stop < 0 else stop
            token = draw(st.sampled_from(pool).filter(lambda t: "\n" not in t))
            text = text[:at] + token + text[stop:]
        return text

    return build()
