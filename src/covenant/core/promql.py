"""How an SLI's PromQL becomes counts per bucket (the query convention), and what a read needs.

Pure: no I/O. The definitions layer builds :class:`PrometheusSource` and :class:`SeriesQueries`
from DataSource and SLI documents; ``covenant.sources.prometheus`` runs them. The convention
(docs/prometheus.md, followed by the importers and the rule generator):

1. A query containing Sloth's placeholder ``{{.window}}`` gives the count per window as it is
   written: the step (``1m``) is put in its place and each ``query_range`` point is the count
   of the bucket that *ends* at that instant.
2. A counter query (``counter: true``, or not written): a selector ``metric{matchers}``, or
   a ``sum`` (optionally ``by``/``without``) of one, becomes
   ``sum(increase(<selector>[{{.window}}]))``, which is read as the counter's samples and
   counted per bucket (resets included). Anything more complex is refused: write it in form 1.
3. A histogram latency SLI (``thresholdMetric`` on a ``<name>_bucket`` selector): good is the
   bucket whose ``le`` is the objective's threshold, total is ``<name>_count``, both as in 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from covenant.core.promql_aggregations import aggregation_over_range
from covenant.core.promql_fingerprint import query_fingerprint
from covenant.core.timeutil import shorthand
from covenant.errors import InputError

WINDOW = "{{.window}}"
Match = tuple[bool, int | None, bool]
"""Whether a read's query matched any series; if not, since when (the first part of its
trailing run of parts that matched none), and whether that run starts the read (then an
earlier run the store holds goes on: ``unmatched_from`` keeps its start)."""

COMPATIBLE = ("prometheus", "victoriametrics", "thanos", "mimir", "cortex")
"""``DataSource`` types read with the Prometheus query API (compared case-insensitively)."""

FORM_FIX = (
    "write the count per window yourself with the {{.window}} placeholder, e.g. "
    'sum(increase(http_requests_total{code!~"5.."}[{{.window}}]))'
)


class QueryFormError(InputError):
    """A query that the convention cannot turn into counts per bucket (never guessed)."""

    code = "prometheus-query-form"
    part = ""  # the metric whose query it is (good, bad, total, threshold), when one is


@dataclass(frozen=True, slots=True, kw_only=True)
class PrometheusSource:
    """How to reach one Prometheus-compatible query API. Secrets are named, never held:
    ``bearer_token_env``, the basic-auth fields and ``headers_env``'s values (header →
    variable) are environment-variable names."""

    name: str
    url: str
    bearer_token_env: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    headers_env: tuple[tuple[str, str], ...] = ()
    tenant: str | None = None
    timeout_s: float = 30.0
    tls_verify: bool = True
    ca_file: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CountQueries:
    """The queries that count one SLI's events: templates with ``{{.window}}``.

    ``good`` or ``bad`` (exactly one) and ``total``; with ``bad`` the good count is
    ``total - bad`` per bucket. Enough to write Prometheus rules (they run where the data is);
    a read also needs the server (:class:`SeriesQueries`).
    """

    series: str
    slos: tuple[str, ...]  # the SLOs whose objectives read this series
    sli: str
    total: str
    good: str | None = None
    bad: str | None = None
    bucket: tuple[str, tuple[str, ...]] | None = None
    """A histogram SLI's (rule 3): its ``_bucket`` selector without ``le``, and the spellings
    of the threshold's ``le`` (to name the bounds there are when none of them matches)."""
    legacy: str | None = None
    """The fingerprint an earlier Covenant gave the same counts (a histogram SLI's, before it
    matched every spelling of ``le``): a series read with it is adopted, not set aside."""

    def __post_init__(self) -> None:
        if (self.good is None) == (self.bad is None):
            raise InputError(f"series {self.series!r}: give exactly one of good and bad queries")

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of what the counts are read with: the good or bad and the total
        query. The store keeps it per series (``source_reads.query_sha256``): counts read
        with another query are set aside, never summed with these."""
        return query_fingerprint(self.good, self.bad, self.total)

    def at_step(self, step: int) -> tuple[str, str, bool]:
        """``(first query, total query, first is bad)`` with the window put in place."""
        first = self.good if self.good is not None else self.bad
        assert first is not None
        return window(first, step), window(self.total, step), self.good is None

    def read_from(self, source: PrometheusSource) -> SeriesQueries:
        """These queries, read from ``source``."""
        kept = {f.name: getattr(self, f.name) for f in fields(CountQueries)}
        return SeriesQueries(source=source, **kept)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesQueries(CountQueries):
    """The queries that fill one stored series, and the server they are read from."""

    source: PrometheusSource


def is_compatible(kind: str | None) -> bool:
    return kind is not None and kind.lower() in COMPATIBLE


def step_text(step: int) -> str:
    """A PromQL duration for ``step`` seconds: 1m for 60, 90s for 90, 1h for 3600."""
    if step <= 0:
        raise InputError(f"step must be positive, got {step}s")
    return shorthand(step)


def window(template: str, step: int) -> str:
    return template.replace(WINDOW, step_text(step))


_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_OPS = ("=~", "!~", "!=", "=")
_SUM = re.compile(
    r"^sum\s*(?:(?:by|without)\s*\(\s*[a-zA-Z0-9_,\s]*\)\s*)?\((?P<inner>.*?)\)"
    r"\s*(?:(?:by|without)\s*\(\s*[a-zA-Z0-9_,\s]*\)\s*)?$",
    re.S,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Selector:
    """An instant-vector selector: a metric name and label matchers, as written."""

    name: str
    matchers: tuple[tuple[str, str, str], ...]  # (label, op, quoted value as written)

    def text(self, *, name: str | None = None, extra: tuple[str, ...] = ()) -> str:
        parts = [*(f"{label}{op}{value}" for label, op, value in self.matchers), *extra]
        braces = f"{{{','.join(parts)}}}" if parts else ""
        return f"{name or self.name}{braces}"


def parse_selector(text: str) -> Selector | None:
    """``metric{a="b", c=~"d"}`` (name, braces or both); None when it is anything else."""
    s = text.strip()
    name = ""
    found = _NAME.match(s)
    if found:
        name, s = found.group(), s[found.end() :].lstrip()
    matchers: list[tuple[str, str, str]] = []
    if s.startswith("{"):
        s = s[1:].lstrip()
        while not s.startswith("}"):
            label = _LABEL.match(s)
            if label is None:
                return None
            s = s[label.end() :].lstrip()
            op = next((o for o in _OPS if s.startswith(o)), None)
            if op is None:
                return None
            s = s[len(op) :].lstrip()
            value, s = _string(s)
            if value is None:
                return None
            matchers.append((label.group(), op, value))
            s = s.lstrip()
            if s.startswith(","):
                s = s[1:].lstrip()
            elif not s.startswith("}"):
                return None
        s = s[1:].lstrip()
    if s or not (name or matchers):
        return None
    return Selector(name=name, matchers=tuple(matchers))


def _string(s: str) -> tuple[str | None, str]:
    """A PromQL string literal at the start of ``s`` (as written) and the rest."""
    if not s or s[0] not in "\"'`":
        return None, s
    quote, i = s[0], 1
    while i < len(s):
        if s[i] == "\\" and quote != "`":
            i += 2
            continue
        if s[i] == quote:
            return s[: i + 1], s[i + 1 :]
        i += 1
    return None, s


def _kinds(query: str) -> str:
    """One letter per character of ``query``: ``c`` PromQL code, ``s`` a string literal
    (its quotes included), ``u`` a string never closed, ``#`` a comment (to the end of its
    line, the line's end included)."""
    kinds: list[str] = []
    quote = ""
    escaped = False
    comment = False
    opened = 0
    for i, ch in enumerate(query):
        if comment:
            kinds.append("#")
            comment = ch != "\n"
        elif quote:
            kinds.append("s")
            if escaped:
                escaped = False
            elif ch == "\\" and quote != "`":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch == "#":
            comment = True
            kinds.append("#")
        else:
            if ch in "\"'`":
                quote, opened = ch, i
            kinds.append("s" if quote else "c")
    if quote:
        kinds[opened:] = "u" * (len(kinds) - opened)
    return "".join(kinds)


def code_mask(query: str) -> list[bool]:
    """For each character: True when it is PromQL code, False inside a string literal or a
    ``#`` comment (to the end of its line)."""
    return [kind == "c" for kind in _kinds(query)]


def without_comments(query: str) -> str:
    """``query`` with its ``#`` comments taken out (each line's end kept, string literals
    untouched): the same query, safe to embed in a larger expression, where a comment would
    swallow the rest of its line (the ``)`` around it, the ``or`` after it)."""
    kinds = _kinds(query)
    return "".join(ch for ch, kind in zip(query, kinds, strict=True) if kind != "#" or ch == "\n")


def blanked(query: str, mask: list[bool] | None = None) -> str:
    """``query`` with its string literals and comments as spaces (``mask``: its
    :func:`code_mask`, when known): what is left is code, at the same offsets."""
    mask = code_mask(query) if mask is None else mask
    return "".join(ch if keep else " " for ch, keep in zip(query, mask, strict=True))


def closing(query: str, mask: list[bool], start: int) -> int:
    """Index of the bracket closing the one at ``start`` (-1 when unbalanced)."""
    depth = 0
    for index in range(start, len(query)):
        if not mask[index]:
            continue
        ch = query[index]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return index
    return -1


# spaced or over lines, or not: the same form, its selector as written
_COUNTER_TEMPLATE = re.compile(
    r"^sum\s*\(\s*increase\s*\((?P<sel>.+)\[\s*\{\{\.window\}\}\s*\]\s*\)\s*\)$", re.S
)


def raw_selector(template: str) -> str | None:
    """The selector of a counter template ``sum(increase(S[{{.window}}]))`` (what the query
    convention writes for counters and histograms), or None: another form (a sum of two, a
    function, a subquery, an offset), read with ``query_range`` and recorded as written;
    ``#`` comments aside."""
    text = without_comments(template).strip()
    found = _COUNTER_TEMPLATE.match(text)
    if found is None:
        return None
    selector = found.group("sel").strip()
    return selector if parse_selector(selector) is not None else None


def counter_selector(query: str) -> Selector | None:
    """The selector of a counter query: the selector itself or the one a ``sum`` wraps
    (``#`` comments aside)."""
    text = without_comments(query).strip()
    wrapped = _SUM.match(text)
    return parse_selector(wrapped.group("inner") if wrapped else text)


def count_query(query: str, *, counter: bool | None) -> str:
    """The ``{{.window}}`` template that counts ``query``'s events per bucket (rules 1 and 2).

    ``counter`` is the SLI's flag as written; None (not written) is read as true, and a
    refusal then says so rather than call the query "a counter query" the SLI never said."""
    query = _placeholders(query)
    _brackets(query)
    if WINDOW in query:
        _window_form(query)
        return query.strip()
    if counter is False:
        raise QueryFormError(
            "a query without {{.window}} must be a counter (counter: true) to be counted",
            hint=FORM_FIX,
        )
    selector = counter_selector(query)
    if selector is None:
        why = (
            "with counter: true, a query without {{.window}} must be a selector or a sum of one"
            if counter
            else "counter is not written, so a query without {{.window}} is read as a counter, "
            "which must be a selector or a sum of one"
        )
        raise QueryFormError(f"cannot count {shown(query)}: {why}", hint=FORM_FIX)
    return f"sum(increase({selector.text()}[{WINDOW}]))"


def shown(query: str) -> str:
    """``query`` quoted for a message as its file has it: backslashes and quotes kept (``repr``
    doubled a regular expression's ``\\d``), only characters that do not print escaped."""
    return f"'{_printable(query.strip())}'"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _at(query: str, i: int) -> int:
    """The 1-based position in :func:`shown`'s text of ``query[i]`` (a line break shows as
    two characters, ``\\n``)."""
    return len(_printable(query[: i + 1].lstrip()))


_PAIRS = {")": "(", "]": "[", "}": "{"}


def _brackets(query: str) -> None:
    """Refuse a query whose brackets do not pair up, or with a string left open: it is not
    PromQL, and every later check would misread it."""
    left = _kinds(query).find("u")
    if left >= 0:
        raise QueryFormError(
            f"{shown(query)} is not PromQL: the string at character {_at(query, left)} is never "
            "closed",
            hint="close every quoted label value with its quote",
        )
    mask = code_mask(query)
    opened: list[int] = []
    for i, ch in enumerate(query):
        if not mask[i]:
            continue
        if ch in "([{":
            opened.append(i)
        elif ch in _PAIRS:
            if not opened or query[opened[-1]] != _PAIRS[ch]:
                what = "closes nothing"
                if opened:
                    at = _at(query, opened[-1])
                    what = f"does not close the {query[opened[-1]]!r} at character {at}"
                raise QueryFormError(
                    f"{shown(query)} is not PromQL: the {ch!r} at character {_at(query, i)} {what}",
                    hint="pair every (, [ and { with its closing bracket",
                )
            opened.pop()
    if opened:
        raise QueryFormError(
            f"{shown(query)} is not PromQL: the {query[opened[-1]]!r} at character "
            f"{_at(query, opened[-1])} is never closed",
            hint="pair every (, [ and { with its closing bracket",
        )


_ACTION = re.compile(r"\{\{-?\s*(?P<body>[^{}]*?)\s*-?\}\}")
_PER_SECOND = re.compile(r"(?<![A-Za-z0-9_:])(?P<name>rate|irate)\s*\(")
_PER_MINUTE = re.compile(r"\*\s*60(?:\.0*)?(?![0-9.eE])|(?<![0-9.])60(?:\.0*)?\s*\*")


def _placeholders(query: str) -> str:
    """``query`` with Sloth's placeholder as it may be spaced (``{{ .window }}``, a Go
    template's) written ``{{.window}}``; any other template action is refused."""

    def one(match: re.Match[str]) -> str:
        body = match.group("body")
        if body == ".window":
            return WINDOW
        if body.lower().replace(" ", "") == ".window":
            raise QueryFormError(
                f"cannot count {shown(query)}: {match.group(0)} is not the placeholder "
                "(it is written in lower case, as Sloth's templates are case-sensitive)",
                hint=f"write {WINDOW} where it says {match.group(0)}",
            )
        raise QueryFormError(
            f"cannot count {shown(query)}: {match.group(0)} is a template action, and the "
            f"only one Covenant fills in is {WINDOW}",
            hint="render the template (Helm, Go, Jinja) first, or write the query out",
        )

    # a comment's text is not the query's (an action in a label value is: unrendered Helm)
    kinds = _kinds(query)
    return _ACTION.sub(lambda m: m.group(0) if kinds[m.start()] == "#" else one(m), query)


_NUMBER = re.compile(r"(?:0x[0-9a-fA-F]+|[0-9.]+(?:[eE][+-]?[0-9]+)?|Inf|NaN)", re.I)
_NAME_CHAR = re.compile(r"[A-Za-z0-9_:]")
_MODIFIER_BEFORE = re.compile(r"(?i)(?:(?<![A-Za-z0-9_:])offset\s*-?|@)\s*$")


def _window_form(query: str) -> None:
    """Refuse a window-form query Prometheus would reject, or that counts no events."""
    mask = code_mask(query)
    code = blanked(query, mask)
    _ranges_on_selectors(query, code)
    aggregation = aggregation_over_range(code, f"[{WINDOW}]")
    if aggregation is not None:
        raise QueryFormError(
            f"cannot count {shown(query)}: {aggregation}() is applied to a range "
            f"[{WINDOW}], and Prometheus aggregates only instant vectors (it refuses the query)",
            hint=f"aggregate outside the function that takes the range: "
            f"{aggregation}(increase(metric{{…}}[{WINDOW}])) (slo-generator's operators, "
            "innermost first: [increase, sum])",
        )
    _no_rates(query, code, mask)


def _ranges_on_selectors(query: str, code: str) -> None:
    """Refuse ``[{{.window}}]`` after anything but a series selector (``metric``,
    ``metric{…}``, ``{…}``): Prometheus rejects the query ("ranges only allowed for vector
    selectors"), so the rules written from it would not load. ``code``: :func:`blanked`."""
    for match in re.finditer(re.escape(f"[{WINDOW}]"), code):
        before = code[: match.start()].rstrip()
        end = len(before)
        start = end
        while start > 0 and _NAME_CHAR.match(before[start - 1]):
            start -= 1
        token = before[start:end]
        modifier = _MODIFIER_BEFORE.search(before[:start])
        if token and modifier:
            shift = f"{modifier.group(0).strip()} {token}".replace("- ", "-")
            raise QueryFormError(
                f"cannot count {shown(query)}: the range [{WINDOW}] follows the modifier "
                f"{shift!r}, and Prometheus takes a range before its modifiers",
                hint=f"write the range first, e.g. metric{{…}}[{WINDOW}] {shift}",
            )
        if before.endswith("}") or (token and not _NUMBER.fullmatch(token)):
            continue
        after = repr(token or before[-1:] or "nothing")
        raise QueryFormError(
            f"cannot count {shown(query)}: the range [{WINDOW}] follows {after}, and "
            "Prometheus allows a range only after a series selector (metric{…})",
            hint=f"put the range on the series selector, e.g. increase(metric{{…}}[{WINDOW}]); "
            f"a range over an expression is a subquery, written [{WINDOW}:1m]",
        )


def _no_rates(query: str, code: str, mask: list[bool]) -> None:
    """Refuse ``rate``/``irate`` over ``[{{.window}}]``: events per second, not a count.
    ``code``: :func:`blanked` with ``mask``."""
    if _PER_MINUTE.search(code):  # rate × 60: a count per one-minute bucket, as written
        return
    for match in _PER_SECOND.finditer(code):
        close = closing(query, mask, match.end() - 1)
        if WINDOW in code[match.end() : close if close > 0 else len(code)]:
            name = match.group("name")
            raise QueryFormError(
                f"cannot count {shown(query)}: {name}() over [{WINDOW}] gives events per "
                "second, not a count of events per window",
                hint=f"write increase(…[{WINDOW}]) where it says {name}(…[{WINDOW}]), or "
                "multiply the rate by 60 (the window is one minute); a ratio of two rates is "
                "Sloth's form: Covenant sums counts",
            )
