"""One check in a service, its message worded for each caller: ``--at`` on the command line,
the ``at`` parameter over HTTP (``CovenantError.naming``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from covenant.api.errors import error_response
from covenant.cli.jsonmode import error_json
from covenant.errors import (
    HTTP_NAMES,
    CommandInterruptedError,
    CommandUsageError,
    CovenantError,
    InputError,
)
from covenant.render.statement_doc import PdfUnavailableError
from covenant.services.tokens import parse_expiry

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_the_cli_wording_is_the_message_and_http_the_worded_one() -> None:
    with pytest.raises(InputError) as raised:
        parse_expiry("2020-01-01", at=AT)
    assert raised.value.message == "--expires '2020-01-01' is not in the future"
    message, hint = raised.value.worded(HTTP_NAMES)
    assert message == "the expires field '2020-01-01' is not in the future"
    assert hint == raised.value.hint  # names no input: the same


def test_a_value_that_looks_like_a_placeholder_is_kept_as_given() -> None:
    with pytest.raises(InputError) as raised:
        parse_expiry("{at}", at=AT)
    assert raised.value.message == "--expires '{at}' is not a duration, a date or an instant"
    assert raised.value.worded(HTTP_NAMES)[0] == (
        "the expires field '{at}' is not a duration, a date or an instant"
    )


def test_an_error_that_names_no_input_is_worded_as_raised() -> None:
    error = InputError("--window {5m} is odd", hint="a {hint}")
    assert error.worded(HTTP_NAMES) == ("--window {5m} is odd", "a {hint}")


@pytest.mark.parametrize(
    "error",
    [
        CommandUsageError("No such option: --bogus", hint="run: covenant evaluate --help"),
        CommandInterruptedError("interrupted: a.csv is ingested and kept"),
        InputError("--at 'x' is not an instant", hint="write an instant"),
        PdfUnavailableError("cannot write a PDF on this machine", hint="install Pango"),
    ],
)
def test_the_cli_json_refusal_is_the_api_error_body(error: CovenantError) -> None:
    """`covenant … -f json` prints a refusal as the API answers one: the same keys and words
    (an error without a hint names the command that explains it, in both)."""
    answered = json.loads(bytes(error_response(error).body))
    assert error_json(error) == answered
    assert answered["code"] in {"invalid-usage", "interrupted", "invalid-input", "pdf-unavailable"}
    assert (
        answered["hint"] == error.hint or answered["hint"] == f"run: covenant explain {error.code}"
    )


def test_the_latency_bound_warning_names_the_query_not_an_input() -> None:
    """implausible-latency-bound (a definition warning) says the metric and the bound as the
    file writes them, not a command-line option or HTTP field: the same for every caller."""
    from covenant.core.promql_bounds import bound_doubt, bounds  # noqa: PLC0415

    (bound,) = bounds('x_nanoseconds_bucket{le="1"}')
    doubt = bound_doubt(bound)
    assert doubt is not None
    message, fix = doubt
    assert message.startswith('x_nanoseconds_bucket: le="1" on a _nanoseconds metric is 1 ns')
    assert InputError(message, hint=fix).worded(HTTP_NAMES) == (message, fix)
