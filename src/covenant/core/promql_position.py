"""Where in a query the PromQL parser's complaint is (docs/prometheus.md#query-syntax).

The parser (``promql-parser``) says what is wrong but not where, so the place is found here,
by the kind of complaint: the bracket or quote left open, by scanning the query as PromQL's
lexer does (strings, ``#`` comments); the function it names, by its name; a character or
token the lexer refuses, as the shortest start of the query that the parser refuses with the
same words; and a query the parser "could not read", as the token after the longest start of
it that some ending makes PromQL (an LR parser refuses at the first token no ending can
follow). None when no place is found: the message then quotes only the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Parse = Callable[[str], str | None]
"""The parser's complaint about a text, None if it is PromQL."""

SCANNED = 2000
"""The longest query whose unreadable token is searched for (each start is parsed a few
times): a longer one is named without a place."""

LOOKAHEAD = 8
"""How many token ends past a boundary found are tried before it is believed."""

OPENERS = {"(": ")", "{": "}", "[": "]"}
CLOSERS = {v: k for k, v in OPENERS.items()}
QUOTES = "\"'`"
BEFORE = ("", " x", ' =""', ' ""', " 1m", " 1, x", " 1")
AFTER = ("", " (x)", " (a) (x)", " x")
WORD = re.compile(r"[\w:.]")


@dataclass(frozen=True, slots=True)
class Place:
    """A position in a query: its line (1-based), column (1-based, in characters) and the
    token that starts there, as written."""

    line: int
    column: int
    token: str

    def said(self, lines: int) -> str:
        where = f"line {self.line}, column {self.column}" if lines > 1 else f"column {self.column}"
        return f"at {where} of the query ({self.token!r})"


def place(query: str, said: str, parse: Parse) -> Place | None:
    """Where in ``query`` the complaint ``said`` (``parse``'s words for it) is."""
    index = _index(query, said, parse)
    if index is None or not 0 <= index < len(query):
        return None
    line = query.count("\n", 0, index) + 1
    column = index - (query.rfind("\n", 0, index) + 1) + 1
    return Place(line=line, column=column, token=_token(query, index))


def _index(query: str, said: str, parse: Parse) -> int | None:
    lowered = said.lower()
    opened, quote = _scan(query)
    if "unterminated quoted string" in lowered:
        return quote
    for key, opener in (
        ("unclosed left parenthesis", "("),
        ("end of input inside braces", "{"),
        ("end of input inside brackets", "["),
    ):
        if key in lowered:
            return next((i for c, i in reversed(opened) if c == opener), None)
    named = re.search(r"function (?:with name )?'(\w+)'", said)
    if named:
        call = re.search(rf"\b{re.escape(named.group(1))}\s*\(", query)
        return None if call is None else call.start()
    if lowered == "invalid promql query":
        return _unreadable(query, parse) if len(query) <= SCANNED else None
    return _first_refused(query, said, parse)


def _scan(text: str) -> tuple[list[tuple[str, int]], int | None]:
    """The brackets ``text`` leaves open (character, index), and where a string it leaves
    open starts."""
    opened: list[tuple[str, int]] = []
    quote: int | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if quote is not None:
            if c == "\\" and text[quote] != "`":
                i += 1
            elif c == text[quote]:
                quote = None
        elif c in QUOTES:
            quote = i
        elif c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif c in OPENERS:
            opened.append((c, i))
        elif c in CLOSERS and opened and opened[-1][0] == CLOSERS[c]:
            opened.pop()
        i += 1
    return opened, quote


def _closed(text: str) -> str:
    opened, quote = _scan(text)
    tail = "" if quote is None else text[quote]
    return text + tail + "".join(OPENERS[c] for c, _ in reversed(opened))


def _first_refused(query: str, said: str, parse: Parse) -> int | None:
    """The end of the shortest start of ``query`` that, its brackets closed, the parser
    refuses with ``said``: the lexer's complaints hold for every longer start."""
    low, high = 0, len(query)  # parse(query[:high]) says it; parse(query[:low]) does not
    if parse(_closed(query[:low])) == said:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if parse(_closed(query[:middle])) == said:
            high = middle
        else:
            low = middle
    return _start_of_token(query, high - 1)


def _unreadable(query: str, parse: Parse) -> int | None:
    """The start of the token after the longest start of ``query`` that some ending makes
    PromQL: the token from which no ending can. Every start of a start that can go on can go
    on, so the boundary is searched by halving; as the endings tried are few, a start they do
    not complete may be taken for one no ending completes, so the :data:`LOOKAHEAD` token
    ends after the boundary found are tried before it is believed."""
    ends = [k for k in range(1, len(query)) if _token_end(query, k)]
    low, high = -1, len(ends)  # ends[low] goes on (-1: the empty start), ends[high] does not
    while True:
        while high - low > 1:
            middle = (low + high) // 2
            if _viable(query[: ends[middle]], parse):
                low = middle
            else:
                high = middle
        ahead = range(high + 1, min(high + 1 + LOOKAHEAD, len(ends)))
        later = next((j for j in ahead if _viable(query[: ends[j]], parse)), None)
        if later is None:
            break
        low, high = later, len(ends)
    k = ends[low] if low >= 0 else 0
    token = k + len(query[k:]) - len(query[k:].lstrip())
    return token if token < len(query) else None


def _token_end(text: str, k: int) -> bool:
    if text[k - 1].isspace():
        return False
    return not (WORD.match(text[k - 1]) and WORD.match(text[k]))


def _viable(start: str, parse: Parse) -> bool:
    """Whether some ending makes ``start`` PromQL's grammar (a function given the wrong
    type of argument is the grammar's: ``rate(x{a="b"`` goes on as ``rate(x{a="b"}[5m])``)."""
    for before in BEFORE:
        for after in AFTER:
            said = parse(_closed(start + before) + after)
            if said is None or "function" in said:
                return True
    return False


def _start_of_token(text: str, i: int) -> int:
    while i > 0 and WORD.match(text[i]) and WORD.match(text[i - 1]):
        i -= 1
    return i


def _token(text: str, i: int) -> str:
    if not WORD.match(text[i]):
        return text[i]
    end = i
    while end < len(text) and WORD.match(text[end]):
        end += 1
    return text[i:end]
