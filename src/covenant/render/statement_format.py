"""Numbers, money, levels, durations and times on a statement, in the agreement's locale.

Babel formats money (``format_currency``: the currency's own decimals, so JPY has none),
percentages and dates by the locale; times are shown in the agreement's time zone. Levels are
truncated, never rounded (docs/sla.md, "How figures are shown").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_interval, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import NumberPattern, format_currency, format_decimal, format_percent

from covenant.core.agreements import CreditTier
from covenant.core.money import Money, minor_units, quantum

LEVEL_DIGITS = 3
EXACT_DIGITS = 4
"""How many decimals beyond the currency's an exact amount that never ends shows."""
UNITS = {
    "duration_d": "{n} d",
    "duration_h": "{n} h",
    "duration_min": "{n} min",
    "duration_s": "{n} s",
    "duration_join": " ",
}


def duration_words(
    seconds: int,
    words: Mapping[str, str] = UNITS,
    number: Callable[[int], str] = lambda n: f"{n:,}",
) -> str:
    """A duration as people read it: ``29 d 17 h 36 min`` (``17 s`` only when there are
    seconds; ``0 min`` for none; ``−`` before a negative one). The statement's units come from
    its catalogue (German ``29 Tg. 17 Std. 36 Min.``, Japanese ``29日17時間36分``); the terminal
    table uses the English."""
    sign = "−" if seconds < 0 else ""
    rest = abs(seconds)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        words[f"duration_{unit}"].format(n=number(n))
        for n, unit in ((days, "d"), (hours, "h"), (minutes, "min"), (secs, "s"))
        if n
    ]
    return sign + (words["duration_join"].join(parts) or words["duration_min"].format(n=number(0)))


def _period_name(first: date, quarter: bool, locale: str) -> str:
    return str(format_skeleton("yQQQ" if quarter else "yMMMM", first, locale=locale))


@cache
def _currency_pattern(locale: str, digits: int) -> NumberPattern:
    """The locale's standard currency pattern with exactly ``digits`` decimals."""
    pattern: NumberPattern = copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern


@cache
def _date_time_pattern(locale: str) -> str:
    pattern: str = Locale.parse(locale).datetime_formats["medium"]
    return pattern


@dataclass(frozen=True, slots=True)
class Formats:
    """Formatting for one statement: ``locale`` (Babel's name), ``zone`` (IANA), ``words``
    (the catalogue's labels, for duration units)."""

    locale: str
    zone: str
    words: Mapping[str, str]

    def money(self, m: Money | None) -> str:
        """An amount in the locale's currency format with its currency's ISO 4217 decimals,
        rounded half up as Covenant rounds every credit and penalty (``quantum``): never
        Babel's half-even, nor CLDR's display decimals (none for HUF, IDR, COP, where ISO 4217
        and the computed amounts have two), so every line adds up to the total shown."""
        if m is None:
            return "—"
        amount = m.amount.quantize(quantum(m.currency), rounding=ROUND_HALF_UP)
        digits = minor_units(m.currency)
        return str(
            format_currency(
                amount,
                m.currency,
                format=_currency_pattern(self.locale, digits),
                locale=self.locale,
                currency_digits=False,
            )
        )

    def exact_money(self, amount: Decimal, currency: str) -> str:
        """An amount as computed, before any rounding (a pro-rated fee, ``166.665 €``): every
        digit it has, at least the currency's ISO 4217 decimals, in the locale's currency
        format. One that never ends (1,500.00 × 15/31) shows its first ``EXACT_DIGITS``
        decimals beyond the currency's, cut (never rounded) and followed by ``…``."""
        digits = minor_units(currency)
        shown = amount.normalize()
        decimals = max(-shown.as_tuple().exponent, digits)  # type: ignore[operator]
        limit = digits + EXACT_DIGITS
        cut = decimals > limit
        if cut:
            shown = amount.quantize(Decimal(1).scaleb(-limit), rounding=ROUND_DOWN)
            decimals = limit
        text = str(
            format_currency(
                shown,
                currency,
                format=_currency_pattern(self.locale, decimals),
                locale=self.locale,
                currency_digits=False,
            )
        )
        if not cut:
            return text
        last = max(i for i, c in enumerate(text) if c.isdigit())
        return text[: last + 1] + "…" + text[last + 1 :]

    def _percent_pattern(self, decimals: str) -> str:
        pattern: str = Locale.parse(self.locale).percent_formats[None].pattern
        return pattern.split(";", 1)[0].replace("#,##0", "#,##0" + decimals, 1)

    def level(self, value: Fraction | None) -> str:
        """A measured level, truncated to three decimals of a percent (never rounded up)."""
        if value is None:
            return "—"
        return self.truncated_percent(value, LEVEL_DIGITS)

    def truncated_percent(self, value: Fraction, digits: int) -> str:
        scale = 10**digits
        truncated = Decimal(math.floor(value * 100 * scale)) / scale / 100
        pattern = self._percent_pattern("." + "0" * digits)
        return str(format_percent(truncated, format=pattern, locale=self.locale))

    def exact_percent(self, value: Fraction | Decimal, *, of_one: bool = True) -> str:
        """A percentage as the contract writes it (99.95 %, 25 %): exact, no trailing zeros.
        ``of_one``: ``value`` is a ratio (0.9995); otherwise already in percent (25)."""
        if isinstance(value, Fraction):
            number = Decimal(value.numerator) / Decimal(value.denominator)
        else:
            number = value
        ratio = number if of_one else number / 100
        pattern = self._percent_pattern(".######")
        return str(format_percent(ratio, format=pattern, locale=self.locale))

    def number(self, value: Decimal | int) -> str:
        return str(format_decimal(value, locale=self.locale))

    def duration(self, seconds: int) -> str:
        """``29 d 17 h 36 min`` (seconds only when there are some); units from the catalogue."""
        return duration_words(seconds, self.words, self.number)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone))

    def date(self, moment: datetime) -> str:
        return str(format_skeleton("yMMMd", self.local(moment), locale=self.locale))

    def when(self, moment: datetime | None, *, end: bool = False) -> str:
        """Date and time in the agreement's zone: ``14 Nov 2026, 02:00`` (de: ``14. Nov. 2026,
        02:00``; ja: ``2026年11月14日 02:00``). ``end``: the instant ends something (a period,
        an interval, a deadline), so local midnight is shown as 24:00 of the day before
        (``30 Nov 2026, 24:00``): the day a customer reads as the last one."""
        if moment is None:
            return "—"
        local = self.local(moment)
        if end and local.time() == time(0):
            day = format_skeleton("yMMMd", local - timedelta(days=1), locale=self.locale)
            return self._date_time(day, "24:00")
        clock = format_time(local, "HH:mm", locale=self.locale)
        return self._date_time(self.date(moment), clock)

    def _date_time(self, day: str, clock: str) -> str:
        """A date and a time joined as the locale joins them (Babel's medium date-time
        pattern: ``14 Nov 2026, 02:00``; Japanese and Chinese ``2026年11月14日 02:00``)."""
        pattern = _date_time_pattern(self.locale)
        return pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")

    def days(self, start: datetime, end: datetime) -> str:
        """The days of ``[start, end)`` as a customer reads them, the last one included:
        ``1–30 Nov 2026`` (de ``1.–30. Nov. 2026``), in the agreement's zone."""
        first = self.local(start).date()
        last = (self.local(end) - timedelta(microseconds=1)).date()
        if first == last:
            return str(format_skeleton("yMMMd", first, locale=self.locale))
        return str(format_interval(first, last, "yMMMd", locale=self.locale))

    def utc(self, moment: datetime | None) -> str:
        """The UTC instant beside a local time: ``2026-11-14 01:00 UTC``."""
        if moment is None:
            return ""
        return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M UTC")

    def period(self, start: datetime, quarter: bool) -> str:
        """A period as the locale names it: ``November 2026``, ``Q4 2026`` (French ``T4
        2026``, Chinese ``2026年第4季度``: CLDR's skeletons put the year where the language
        does)."""
        return _period_name(self.local(start).date(), quarter, self.locale)

    def period_names(self, ids: Sequence[str]) -> str:
        """Period ids (``2026-10``, ``2026-Q4``) named as :meth:`period` names them and joined
        as the locale joins a list (``October 2026, November 2026 and December 2026``;
        Japanese ``2026年10月、2026年11月``)."""
        names = []
        for text in ids:
            year, part = text.split("-")
            quarter = part.startswith("Q")
            month = (int(part[1:]) - 1) * 3 + 1 if quarter else int(part)
            names.append(_period_name(date(int(year), month, 1), quarter, self.locale))
        return str(format_list(names, locale=self.locale))

    def tier(self, tier: CreditTier) -> str:
        """A credit tier in the locale's numbers: ``< 99 % and ≥ 95 % → 25 %``."""
        parts = []
        if tier.below is not None:
            parts.append(f"{'≤' if tier.below_inclusive else '<'} {self.exact_percent(tier.below)}")
        if tier.at_least is not None:
            sign = "≥" if tier.at_least_inclusive else ">"
            parts.append(f"{sign} {self.exact_percent(tier.at_least)}")
        joined = " & ".join(parts)
        return f"{joined} → {self.exact_percent(tier.credit, of_one=False)}"
