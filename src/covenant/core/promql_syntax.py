"""Whether a query is PromQL at all: Prometheus's grammar, checked when definitions are loaded
(docs/prometheus.md#query-syntax), so that an unbalanced brace, a bad matcher or a bad duration
is said at the query's own line rather than by the server at read time.

The grammar is GreptimeDB's Rust parser (``promql-parser``, Prometheus 3's functions), imported
on the first query checked: a command that loads no Prometheus SLI never pays for it. It names
no position in the query, so the message quotes the query and the parser's words, and the fix
says what that kind of mistake usually is.
"""

from __future__ import annotations

import re

from covenant.core.promql import QueryFormError, is_compatible, shown

WINDOW = re.compile(r"\{\{-?\s*\.[Ww]indow\s*-?\}\}")
"""Sloth's placeholder as Go templates space it, and opensloctl's ``{{.Window}}``: a range."""
TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
"""A template action still in the query once ``{{.window}}`` is put in place (Helm's, Sloth's
with a typo): the query convention refuses it with its own reason, so no grammar is asked."""

HOLT_WINTERS = re.compile(r"\bholt_winters\s*\(")
"""Prometheus 2's name of the function Prometheus 3 calls ``double_exponential_smoothing``
(which the grammar knows): a Prometheus 2 server, Thanos, Mimir or Cortex runs it."""

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
)
GENERIC_FIX = (
    "look for a missing comma between labels or arguments, an operator without its right-hand "
    "side, or two expressions side by side; promtool check rules or Prometheus's query page "
    "names the position"
)


class QuerySyntaxError(QueryFormError):
    """A query that is not PromQL: an error, not a warning, as no server would run it."""

    code = "promql-syntax"


def syntax_error(query: str) -> QuerySyntaxError | None:
    """Why ``query`` (a template: ``{{.window}}`` stands for the step) is not PromQL, or None.
    None too for a query holding another template action, which the convention refuses."""
    filled = HOLT_WINTERS.sub("double_exponential_smoothing(", WINDOW.sub("1m", query))
    if TEMPLATE.search(filled):
        return None
    import promql_parser  # noqa: PLC0415 - lazily: only a command that checks queries loads it

    try:
        promql_parser.parse(filled)
    except ValueError as exc:
        said = str(exc).strip() or "invalid promql query"
        return QuerySyntaxError(f"{shown(query)} is not PromQL: {_readable(said)}", hint=fix(said))
    return None


def checked(kind: str | None) -> bool:
    """Whether a query read from a source of type ``kind`` is checked: Prometheus-compatible,
    but not VictoriaMetrics, whose MetricsQL is a language of its own (``histogram_share``,
    ``rate(x)`` without a range)."""
    return is_compatible(kind) and (kind or "").lower() != "victoriametrics"


def fix(said: str) -> str:
    """What usually fixes the mistake the parser ``said``."""
    lowered = said.lower()
    return next((f for key, f in FIXES if key in lowered), GENERIC_FIX)


def _readable(said: str) -> str:
    if said.lower() == "invalid promql query":
        return "the parser could not read it (it names no cause)"
    return said.replace("promql", "PromQL")
