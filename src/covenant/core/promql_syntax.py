"""Whether a query is PromQL at all: Prometheus's grammar, checked when definitions are loaded
(docs/prometheus.md#query-syntax), so that an unbalanced brace, a bad matcher or a bad duration
is said at the query's own line rather than by the server at read time.

The grammar is GreptimeDB's Rust parser (``promql-parser``, Prometheus 3's functions), imported
on the first query checked: a command that loads no Prometheus SLI never pays for it. It names
no position in the query, so :mod:`covenant.core.promql_position` finds where the mistake is,
and the message quotes the query, the parser's words and that place; the fix says what that
kind of mistake usually is. Before the parser is asked, a query is refused that holds a Grafana
dashboard variable (``$__rate_interval``, ``${job}``: only a dashboard fills them in) or that
nests deeper than :data:`MOST_OPERATORS` allows (the parser's time and stack grow with it).
"""

from __future__ import annotations

import re

from covenant.core.promql import QueryFormError, is_compatible, shown
from covenant.core.promql_position import Place, place

WINDOW = re.compile(r"\{\{-?\s*\.[Ww]indow\s*-?\}\}")
"""Sloth's placeholder as Go templates space it, and opensloctl's ``{{.Window}}``: a range."""
TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
"""A template action still in the query once ``{{.window}}`` is put in place (Helm's, Sloth's
with a typo): the query convention refuses it with its own reason, so no grammar is asked."""

HOLT_WINTERS = re.compile(r"\bholt_winters\s*\(")
"""Prometheus 2's name of the function Prometheus 3 calls ``double_exponential_smoothing``
(which the grammar knows): a Prometheus 2 server, Thanos, Mimir or Cortex runs it."""

STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
OPERATORS = re.compile(r"[-+*/%^<>(]|==|!=|\b(?:and|or|unless|atan2)\b")
QUOTED = 400
"""The longest query a message quotes whole."""
MOST_OPERATORS = 500
"""The most operators and parentheses a checked query may hold: a real SLI's hold a few
dozen; the parser takes seconds past a few thousand and overflows its stack near 10,000."""

VARIABLE = re.compile(r"\$(?:\{[^}\s]*\}|[A-Za-z_]\w*)|\[\[\s*[A-Za-z_]\w*\s*\]\]")
"""A Grafana variable as a dashboard's query writes it: ``$__rate_interval``, ``$job``,
``${job}``, ``${job:regex}``, and the old ``[[job]]``."""

IN_VALUE = re.compile(r"(?:=~|!~|!=|=)\s*(?P<q>[\"'`])(?P<value>(?:\\.|(?!(?P=q)).)*?)(?P=q)", re.S)
"""A label matcher's value: a variable there is PromQL, matching only its own text."""

FUNCTIONS = "https://prometheus.io/docs/prometheus/latest/querying/functions/"

FIXES: tuple[tuple[str, str], ...] = (
    ("unclosed left parenthesis", "close every ( with a )"),
    ("unexpected right parenthesis", "remove the extra ), or open it with a ("),
    ("unexpected right brace", "remove the extra }, or open the label matchers with {"),
    ("unexpected right bracket", "remove the extra ], or open the range with ["),
    ("end of input inside braces", 'close the label matchers with }: x{job="api"}'),
    ("end of input inside brackets", "close the range with ]: x[5m]"),
    ("unterminated quoted string", "end the label value with the quote that starts it"),
    ("must be greater than 0", "give the range a duration above zero, e.g. [5m]"),
    (
        "duration",
        "write a duration as a number and a unit (ms, s, m, h, d, w, y), e.g. 5m or 1h30m",
    ),
    ("inside brackets", "write the range as a duration, e.g. [5m], or [{{.window}}]"),
    ("unknown function", f"check the function's spelling; Prometheus's are listed at {FUNCTIONS}"),
    (
        "expected type matrix",
        "give the function a range after the selector, e.g. increase(x[5m])",
    ),
    ("argument", f"give the function the arguments it takes ({FUNCTIONS})"),
    (
        "label matching",
        'compare a label with =, !=, =~ or !~ and a quoted value: code!~"5.."',
    ),
    (
        "inside braces",
        "write each label matcher as name, operator (=, !=, =~, !~) and a quoted value, "
        'separated by commas: {code!~"5..", job="api"}',
    ),
    ("ranges only allowed", "put a range [5m] only right after a series selector"),
    ("non-empty matcher", 'name a metric or give one matcher with a value: {job="api"}'),
    ("trailing comma", "remove the comma after the last argument"),
    ("escape sequence", r"write a backslash in a label value as \\ (or quote it with `…`)"),
    (
        "unexpected character",
        "remove that character: PromQL has no use for it outside a quoted value",
    ),
    ("no expression", 'write the query, e.g. sum(rate(http_requests_total{job="api"}[5m]))'),
)
GENERIC_FIX = (
    "look for a missing comma between labels or arguments, an operator without its right-hand "
    "side, or two expressions side by side; promtool check rules or Prometheus's query page "
    "names the position"
)


GENERIC_FIX_AT = (
    "look at {token!r} and just before it: a missing comma between labels or arguments, an "
    "operator without its right-hand side, or two expressions side by side"
)


class QuerySyntaxError(QueryFormError):
    """A query that is not PromQL: an error, not a warning, as no server would run it."""

    code = "promql-syntax"


SLO_GENERATOR_WINDOW = re.compile(r"(?<=\[)window\b")
"""slo-generator's placeholder: a filter's ``[window`` is the range its backend puts in."""


def syntax_error(query: str, *, placeholder: re.Pattern[str] = WINDOW) -> QuerySyntaxError | None:
    """Why ``query`` (a template: ``placeholder``, Sloth's ``{{.window}}`` unless another is
    given, stands for the step) is not PromQL, or None. None too for a query holding another
    template action, which the convention refuses."""
    filled = _filled(query, placeholder)
    if TEMPLATE.search(filled):
        return None
    refused = dashboard_variable(query) or _unchecked(query)
    if refused is not None:
        return refused
    said = _said(filled)
    if said is None:
        return None
    at = place(query, said, lambda text: _said(_filled(text, placeholder)))
    readable = _readable(said, at, query)
    return QuerySyntaxError(f"{_quoted(query)} is not PromQL: {readable}", hint=fix(said, at))


def _quoted(query: str) -> str:
    """``query`` quoted, its first :data:`QUOTED` characters when it is longer."""
    text = shown(query)
    return text if len(text) <= QUOTED else f"{text[: QUOTED - 1]}…'"


def _filled(query: str, placeholder: re.Pattern[str]) -> str:
    return HOLT_WINTERS.sub("double_exponential_smoothing(", placeholder.sub("1m", query))


def _said(text: str) -> str | None:
    """The parser's complaint about ``text``, None if it is PromQL."""
    import promql_parser  # noqa: PLC0415 - lazily: only a command that checks queries loads it

    try:
        promql_parser.parse(text)
    except ValueError as exc:  # UnicodeEncodeError too: a lone surrogate
        return str(exc).strip() or "invalid promql query"
    return None


def dashboard_variable(query: str) -> QuerySyntaxError | None:
    """A Grafana variable outside any string, where PromQL has no ``$``. (In a label value,
    ``job=~"$job"``, it is PromQL, matching only its own text: not refused here.)"""
    bare = STRINGS.sub(lambda m: " " * len(m.group()), query)
    found = VARIABLE.search(bare)
    if found is None:
        return None
    in_range = bare[: found.start()].rstrip().endswith(("[", ":"))
    hint = (
        "write a fixed duration instead, e.g. [5m], or [{{.window}}] for the count per window"
        if in_range or found.group().startswith(("$__", "${__"))
        else "write what the variable stands for instead: a number, a metric or label name"
    )
    return QuerySyntaxError(
        f"{_quoted(query)} holds the variable {found.group()!r}, which a Grafana dashboard "
        "or a templating tool fills in and Prometheus does not: Covenant sends the query as "
        "it is written",
        hint=hint,
    )


def value_variable(query: str) -> str | None:
    """The first Grafana variable in a label matcher's value of ``query`` (``job=~"$job"``),
    which Prometheus matches as its own text: a query that reads no data."""
    values = (VARIABLE.search(m.group("value")) for m in IN_VALUE.finditer(query))
    return next((v.group() for v in values if v is not None), None)


def _unchecked(query: str) -> QuerySyntaxError | None:
    """A query too deep for the parser to be asked."""
    operators = len(OPERATORS.findall(STRINGS.sub('""', query)))
    if operators <= MOST_OPERATORS:
        return None
    return QuerySyntaxError(
        f"{_quoted(query)} holds {operators} operators and parentheses; Covenant checks "
        f"queries of at most {MOST_OPERATORS}",
        hint="record parts of it as Prometheus recording rules and query the recorded series",
    )


def checked(kind: str | None) -> bool:
    """Whether a query read from a source of type ``kind`` is checked: Prometheus-compatible,
    but not VictoriaMetrics, whose MetricsQL is a language of its own (``histogram_share``,
    ``rate(x)`` without a range)."""
    return is_compatible(kind) and (kind or "").lower() != "victoriametrics"


def fix(said: str, at: Place | None = None) -> str:
    """What usually fixes the mistake the parser ``said`` (found ``at``)."""
    lowered = said.lower()
    if lowered == "invalid promql query" and at is not None:
        return GENERIC_FIX_AT.format(token=at.token)
    if "surrogates not allowed" in lowered:
        return "save the file as UTF-8 text"
    return next((f for key, f in FIXES if key in lowered), GENERIC_FIX)


def _readable(said: str, at: Place | None, query: str) -> str:
    lines = query.count("\n") + 1
    if said.lower() == "invalid promql query":
        if at is None:
            return "the parser could not read it (it names no cause)"
        return f"it cannot be read on from {at.said(lines)[3:]}"
    if "surrogates not allowed" in said:
        said = "it holds a byte that is not UTF-8 text"
    readable = said.replace("promql", "PromQL")
    return readable if at is None else f"{readable}, {at.said(lines)}"
