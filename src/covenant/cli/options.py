"""Number and duration options parsed by Covenant rather than by Click, so a bad value is a
coded usage error (``invalid-option-value``, exit 2) naming the option, the value and the fix,
as ``cli.when`` does for instants and periods — not Click's uncoded "Invalid value" box."""

from __future__ import annotations

import re

from covenant.cli.common import usage
from covenant.errors import OptionValueError

_WHOLE = re.compile(r"^\+?\d{1,12}$")


def count_option(
    value: str | None, *, option: str, example: str, least: int = 1, most: int | None = None
) -> int | None:
    """A whole number of at least ``least`` (and at most ``most``) from the command line;
    ``None`` stays None (the option was not given and has no default)."""
    if value is None:
        return None
    text = value.strip()
    number = int(text) if _WHOLE.match(text) else None
    if number is None or number < least or (most is not None and number > most):
        bound = f"from {least:,} to {most:,}" if most is not None else f"of at least {least:,}"
        raise usage(
            OptionValueError(
                f"{option} {value!r} is not a whole number {bound}",
                hint=f"write e.g. {option} {example}",
            )
        )
    return number


def option_error(option: str, value: str, problem: str, fix: str) -> OptionValueError:
    """The coded error for another kind of option value (a duration, a margin)."""
    return OptionValueError(f"{option} {value!r} {problem}", hint=fix)
