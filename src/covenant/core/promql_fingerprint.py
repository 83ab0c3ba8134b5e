"""What a stored series' counts were read with: a fingerprint of its queries that a re-wrapped
YAML file does not change (white space outside strings and comments is not the query)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1 << 16)  # the worker compares every series' on every tick
def query_fingerprint(good: str | None, bad: str | None, total: str) -> str:
    """:attr:`SeriesQueries.fingerprint` of these queries (good and bad told apart)."""
    import hashlib  # noqa: PLC0415 - only a read (or a check of one) hashes

    parts = ("good" if good is not None else "bad", spaced(good or bad or ""), spaced(total))
    text = "\x00".join(parts)
    return hashlib.sha256(text.encode()).hexdigest()


def spaced(query: str) -> str:
    """``query`` with every run of white space outside its string literals and comments made
    one space (none at either end; a comment keeps its line's end): a query re-wrapped in its
    YAML file is the same query, one that moved code into or out of a comment is not."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(query):
        char = query[i]
        if quote:
            out.append(char)
            if char == "\\" and quote != "`" and i + 1 < len(query):
                out.append(query[i + 1])
                i += 1
            elif char == quote:
                quote = ""
        elif char == "#":  # a comment, to the end of its line: the line's end stays one
            stop = query.find("\n", i)
            stop = len(query) if stop < 0 else stop
            out.append(query[i:stop].rstrip() + "\n")
            i = stop
        elif char.isspace():
            if out and out[-1][-1] not in " \n":
                out.append(" ")
        else:
            out.append(char)
            if char in "\"'`":
                quote = char
        i += 1
    return "".join(out).strip()
