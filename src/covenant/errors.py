"""One error tree for Covenant.

Every error carries a stable ``code``, a message that names the problem and the fix, and a
section in the error reference (``docs/errors.md``, shipped in the package): ``covenant explain
<code>`` prints it wherever Covenant is installed (``explain_command``)::

    CovenantError
    ├── DefinitionError      a workspace file is invalid (carries every Problem found)
    ├── InputError           a bad argument or value given to a function or the CLI
    │   ├── BodyTooLargeError     (serve) a request body over --max-body-bytes (HTTP 413)
    │   ├── NaiveDatetimeError
    │   ├── OutsideCompiledRangeError  an instant or deadline beyond a compiled calendar's range
    │   ├── RangeLimitError       a range or count option asks for too much
    │   ├── InstantOptionError    a bad --at / backtest alerts --from/--to (CLI usage, exit 2)
    │   ├── PeriodOptionError     a bad --period / backtest agreement --from/--to (exit 2)
    │   ├── ConflictError         a change the stored state refuses (an id taken, a paused ticket)
    │   ├── OptionValueError      a bad number or duration option (--windows, --step…; exit 2)
    │   ├── WorkspaceOptionError  a -w / $COVENANT_WORKSPACE that is no folder (exit 2)
    │   ├── CommandUsageError     a command line Click refuses (unknown option…; exit 2)
    │   └── ClockVariableError    a bad COVENANT_NOW (exit 2)
    ├── IngestError          a data file cannot be read at all (bad rows are Problems, not errors)
    │   └── NothingIngestedError  no row of a file would be stored (all rejected, unmatched, none)
    │       └── RowsRejectedError  --strict: a file with any rejected row is refused whole
    ├── SourceError          a metrics source (Prometheus) did not answer usably
    │   ├── SourceUnreachableError  down, refused or too slow, after the retries
    │   ├── SourceRefusedError      it answered with an error (bad query, auth, overload)
    │   ├── SourceAnswerError       partial (warnings), garbage, or counts that are not exact
    │   ├── MinutesUnreadError      the minutes of days stored as sums could not be read
    │   ├── SumsDifferError         minutes read do not add up to a day's (hour's) stored sums
    │   └── SourceCredentialsError  a credential's environment variable is not set (or empty)
    ├── StoreError           the store cannot be opened, migrated or written
    │   ├── NoStoreError          a command that only reads found no store to read
    │   ├── ReadOnlyStoreError    a read-only store needs a write (a schema upgrade)
    │   ├── DaySumsOnlyError      a reader needs the minutes of days stored as sums only
    │   ├── MinutesPendingError   (serve) those minutes are being read from the source now
    │   │   └── MinutesBusyError  (serve) too many are being read: none of these was queued
    │   └── AuditChainError       the audit log's hash chain is broken (a row edited, deleted
    │                             or inserted outside Covenant)
    ├── CommandInterruptedError  the command was interrupted (Ctrl-C; exit 130)
    ├── ServeStartError      ``covenant serve`` could not start serving (its processes fail
    │                        at start)
    ├── NotFoundError        a named thing does not exist
    ├── AuthenticationError  an API request without a valid token (missing, unknown, revoked,
    │                        expired)
    └── ForbiddenError       a valid token whose role may not do this
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

from covenant import error_names

CLI_NAMES = error_names.CLI_NAMES  # how the CLI and HTTP name an input (``naming``)
HTTP_NAMES = error_names.HTTP_NAMES

REFERENCE = "errors.md"
"""The error reference: ``docs/errors.md`` in the repository, ``covenant/_bundled/docs/errors.md``
in the wheel; a code's section has the anchor ``errors.md#<code>`` in both."""


def explain_command(code: str) -> str:
    """The command that prints a code's section wherever Covenant is installed."""
    return f"covenant explain {code}"


def docs_anchor(code: str) -> str:
    """A code's stable anchor in the error reference (``errors.md#<code>``)."""
    return f"{REFERENCE}#{code}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with one input, found during validation or ingestion.

    ``where`` is ``file:line`` (or ``file:line`` of a data row), ``field`` is a dotted path
    into the document (``spec.objectives[0].target``), ``fix`` says what to do.
    """

    code: str
    message: str
    where: str = ""
    field: str = ""
    fix: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.field) if p]
        head = " ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.fix:
            text += f" — {self.fix}"
        return f"{text} [{self.code}]"


def unset_variable(name: str, value: str | None) -> str:
    """Why the environment variable ``name`` gave no value (``value``: what it holds), as a
    message says it: "the environment variable NAME is not set", or "… is set but empty"
    (``NAME= covenant …``, a CI secret that was never defined), so the reader looks for the
    right thing. One wording for every credential Covenant reads from the environment."""
    said = "is not set" if value is None else "is set but empty"
    return f"the environment variable {name} {said}"


class CovenantError(Exception):
    """Base of every error Covenant raises on purpose."""

    code = "covenant-error"
    template: tuple[str, str, Mapping[str, object]] | None = None  # see ``naming``
    field = ""  # the request's field it is about, when the raiser knows (a form shows it there)

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    @classmethod
    def naming(cls, message: str, *, hint: str = "", **values: object) -> Self:
        """An error whose message and hint name an input the caller gave: one check in a
        service, worded for each caller. ``message`` and ``hint`` are ``str.format``
        templates: ``{at}``, ``{expires}``… (:data:`CLI_NAMES`) name an input, the other
        fields are ``values`` (``{text!r}``). ``message`` and ``hint`` are the CLI's wording
        (``--at``); :meth:`worded` is another entry point's (the API's ``at`` parameter)."""
        error = cls(
            message.format_map({**values, **CLI_NAMES}),
            hint=hint.format_map({**values, **CLI_NAMES}),
        )
        error.template = (message, hint, values)
        return error

    def worded(self, names: Mapping[str, str]) -> tuple[str, str]:
        """The message and hint naming the inputs as ``names`` spells them (the CLI's
        spelling for any not in it); as raised when the error names no input."""
        if self.template is None:
            return self.message, self.hint
        message, hint, values = self.template
        fields = {**values, **CLI_NAMES, **names}
        return message.format_map(fields), hint.format_map(fields)

    @property
    def docs(self) -> str:
        return docs_anchor(self.code)

    @property
    def explain(self) -> str:
        return explain_command(self.code)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(CovenantError):
    code = "invalid-input"


class BodyTooLargeError(InputError):
    """A request body of ``covenant serve`` is larger than the server takes
    (``--max-body-bytes``; HTTP 413): refused as soon as that is known, before the rest of it
    is read."""

    code = "body-too-large"


class NaiveDatetimeError(InputError):
    code = "naive-datetime"


class OutsideCompiledRangeError(InputError):
    """Business-time arithmetic was asked about an instant, or reached a deadline, outside the
    range its calendars were compiled for (never answered with a silent 0)."""

    code = "outside-compiled-range"


class NotFoundError(CovenantError):
    code = "not-found"


class ConflictError(InputError):
    """A change that the stored state refuses: a record id that exists already, a ticket that
    is not in the state the change needs (pausing a paused one)."""

    code = "conflict"


class AuthenticationError(CovenantError):
    """An API request carried no token, or one that is unknown, revoked or expired."""

    code = "unauthenticated"


class TooManySignInsError(AuthenticationError):
    """A name or a client address failed to sign in too often lately: it must wait
    ``retry_after_s`` seconds before its next attempt (HTTP 429, ``core.sign_in_limits``)."""

    code = "too-many-sign-ins"

    def __init__(self, message: str, *, retry_after_s: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.retry_after_s = retry_after_s


class ForbiddenError(CovenantError):
    """An API token whose role may not use this route (never raised for another customer's
    objects: those are :class:`NotFoundError`, so their existence does not leak)."""

    code = "forbidden"


class ServeStartError(CovenantError):
    """``covenant serve`` could not start serving: the app's start-up failed (with
    ``--workers N``: the server processes kept failing at start, and the supervisor stopped)."""

    code = "serve-start-failed"


class StoreError(CovenantError):
    code = "store-error"


class NoStoreError(StoreError):
    """A command that only reads (evaluate, report, exposure, backtest…) found no store at the
    configured place: it never creates one."""

    code = "no-store"


class ReadOnlyStoreError(StoreError):
    """The store can only be read (a read-only file system, no write permission) and what was
    asked needs a write: its schema upgraded, or a writing command."""

    code = "store-read-only"


class StoreUnreachableError(StoreError):
    """The store's database does not accept a connection (down, wrong host or port, refused
    credentials, no such database)."""

    code = "store-unreachable"


class DaySumsOnlyError(StoreError):
    """A reader needs the minutes of days a first read by days stored as their two sums only
    (``store.day_sums``); ``needed`` holds every such ``(series id, day start)`` it met."""

    code = "day-sums-only"

    def __init__(
        self, message: str, *, hint: str = "", needed: tuple[tuple[int, int], ...] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.needed = needed


class MinutesPendingError(StoreError):
    """(``covenant serve``) An answer needs the minutes of days stored as sums only, and they
    are being read from the SLI's source now: ask again in a few seconds."""

    code = "minutes-pending"

    def __init__(self, message: str, *, hint: str = "", retry_after_s: int = 5) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_s = retry_after_s


class MinutesBusyError(MinutesPendingError):
    """(``covenant serve``) An answer needs the minutes of days stored as sums only, and the
    server is reading as many series-days as it queues already: nothing was queued; ask again
    after ``Retry-After``."""

    code = "minutes-busy"


class StoreNewerError(StoreError):
    """The store's schema was migrated by a newer Covenant than this one."""

    code = "store-newer"


class IngestError(CovenantError):
    code = "ingest-error"


class NothingIngestedError(IngestError):
    """No row of a file would be stored: every row was rejected or matched no SLI, or the file
    holds none. The file is not recorded as ingested, so it is read again when run again. The
    message is a summary line and the first reasons, one per line; the fix follows them."""

    code = "nothing-ingested"

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        rows_read: int = 0,
        refused: Sequence[Problem] = (),
        rows_rejected: int = 0,
        unmatched: Sequence[tuple[str, int]] = (),
        rows_unmatched: int = 0,
    ) -> None:
        super().__init__(message, hint=hint)
        self.rows_read = rows_read
        self.refused = tuple(refused)  # each refused row's problem (its line: row + 1)
        self.rows_rejected = rows_rejected
        self.unmatched = tuple(unmatched)  # (label, rows) matching no SLI
        self.rows_unmatched = rows_unmatched

    def __str__(self) -> str:
        return f"{self.message}\n  — {self.hint}" if "\n" in self.message else super().__str__()


class RowsRejectedError(NothingIngestedError):
    """With ``--strict`` (``strict=true``), a file of which any row was rejected is refused
    whole: nothing of it is stored or recorded, as for ``nothing-ingested``, though its other
    rows were good. The message lists the rejected rows; ``refused`` holds them."""

    code = "rows-rejected"


class FutureEventsError(IngestError):
    """A file holds events dated after now (past the clock skew Covenant allows) and the
    ingest was asked to refuse such files (``--refuse-future``): nothing of it is stored."""

    code = "future-events"


class SourceError(CovenantError):
    """A metrics source did not give usable counts; nothing of the failed part is written,
    and the series it feeds show "no data (stale)" with this reason until a read succeeds."""

    code = "source-error"


class SourceUnreachableError(SourceError):
    code = "source-unreachable"


class SourceRefusedError(SourceError):
    code = "source-refused"


class SourceBusyError(SourceRefusedError):
    """The last attempt was answered with a status worth asking again (429, 502, 503, 504: an
    overloaded or restarting server or proxy; an earlier one may have timed out): a source not
    answering, as one unreachable (``services.source_silence``), under a refusal's code."""

    status: int | None = None  # that last answer's HTTP status (set where it is raised)


class SourceAnswerError(SourceError):
    code = "source-bad-answer"


class MinutesUnreadError(SourceError):
    """The minutes of days stored as sums only could not be read from the SLI's source (it is
    down, or refused): names the SLOs, the days and the fix."""

    code = "minutes-unread"


class SumsDifferError(SourceError):
    """A read of the minutes of a day (or hour) stored as its exact sums got minutes that add
    up to other counts (none, fewer, more): the sums were kept, the read failed."""

    code = "source-sums-differ"


class QueryChangedError(SourceError):
    """A read's series was claimed for another query while it read (another process, with
    another definition of the SLI): what it read is not written, the series is the other
    query's now (``store.source_queries``)."""

    code = "source-query-changed"

    @classmethod
    def of(cls, series: str) -> QueryChangedError:
        return cls(
            f"{series}: its query changed while it was read (another process reads it with "
            "another query now): what this read fetched is not kept",
            hint="read it again with the definition you mean (`covenant evaluate`); two "
            "processes with different definitions of one SLI take turns with its series",
        )


class SourceCredentialsError(SourceError):
    code = "source-credentials"


class SourceTLSError(SourceError):
    """The source's TLS certificate is not trusted, or the handshake failed: settings on this
    side (caFile, tlsVerify, the url's scheme), so it is not asked again."""

    code = "source-tls"


@dataclass(eq=False)
class DefinitionError(CovenantError):
    """The workspace is invalid; ``problems`` lists every problem found (errors and warnings).

    ``applying``: raised where a change would have been applied (a sync, an import, an ingest,
    a write over the API): its hint then says that nothing was. A command that only reads
    (validate, evaluate, rules, dashboards, export…) applies nothing either way, and says
    only to fix the problems."""

    problems: list[Problem] = field(default_factory=list)
    applying: bool = False
    code = "invalid-definition"

    def __post_init__(self) -> None:
        errors = [p for p in self.problems if p.severity == "error"]
        CovenantError.__init__(
            self,
            f"{len(errors)} problem(s) in the workspace",
            hint="fix each problem listed" + ("; nothing was applied" if self.applying else ""),
        )

    def listed(self) -> str:
        """One line naming every error (file:line, field, problem, fix, code): for a log."""
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        named = "; ".join(str(p) for p in errors)
        return f"the workspace's definitions do not validate ({len(errors)} problem(s)): {named}"


class TamperedError(StoreError):
    """A stored agreement disagrees with its own hash-chained history: it was altered outside
    Covenant (a version's terms, hash or status, or an event of the history)."""

    code = "agreement-tampered"


class AuditChainError(StoreError):
    """The audit log's hash chain is broken: a row was edited, deleted or inserted outside
    Covenant (or the log no longer holds the anchor it was checked against)."""

    code = "audit-chain-broken"


class RangeLimitError(InputError):
    """A range or count option asks for more than can be computed in bounded time and memory;
    the message names the option, the limit and what the stored data covers."""

    code = "range-too-large"


class InstantOptionError(InputError):
    """An instant option of the CLI (``--at``, ``backtest alerts --from/--to``) is not one of
    the accepted forms or is out of range; the message names the option and the value."""

    code = "invalid-instant-option"


class PeriodOptionError(InputError):
    """A period option of the CLI (``report sla --period``, ``backtest agreement --from/--to``)
    is not one of the accepted forms or is out of range."""

    code = "invalid-period-option"


class OptionValueError(InputError):
    """A number or duration option of the CLI (``--windows``, ``--hold``, ``--version``,
    ``--step``, ``--margin``) is not one of its accepted forms or is out of range; the message
    names the option and the value, the hint the accepted form."""

    code = "invalid-option-value"


class WorkspaceOptionError(InputError):
    """The workspace the CLI was given (``-w``, ``--workspace``, ``$COVENANT_WORKSPACE``) is
    not a folder: it does not exist, or it is a file (its folder is the fix)."""

    code = "invalid-workspace-option"


class CommandUsageError(InputError):
    """A command line Click refuses (unknown option, missing argument or value; exit 2)."""

    code = "invalid-usage"


class OutputUnwritableError(CovenantError):
    """Standard output is closed (``>&-``) or a write to it failed (a full disk; exit 1)."""

    code = "output-unwritable"


class CommandInterruptedError(CovenantError):
    """The command was interrupted (Ctrl-C, SIGINT) before it finished (exit 130)."""

    code = "interrupted"


class ClockVariableError(InputError):
    """``COVENANT_NOW`` (the CLI's clock, a testing aid) is set to something that is not an
    instant."""

    code = "invalid-covenant-now"
