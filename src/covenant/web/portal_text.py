"""The portal's language: the customer's statements' (the agreement's ``locale``), or the one
the customer chose with ``?lang=``; its words, numbers, money and times as statements write
them.

Which language (docs/ui.md, "The portal's language"):

1. ``?lang=TAG`` (``de``, ``ja``, ``de-AT``: a language with a catalogue, or a locale of one)
   is an explicit choice: the page is written in it and a cookie (``covenant_lang``, a year)
   keeps it for the customer's next pages; ``?lang=`` (empty) forgets it. A tag with no
   catalogue is a ``400`` naming ``?lang=`` and the languages there are. The page's language
   links (``hreflang``, each language named in itself) set it.
2. Otherwise the statements' language: the locale of the statement of the period in progress
   (``services.sla.presentation``: the first of the customer's agreements that states one),
   else the first of the customer's agreements that states one, else ``en_GB``.

The browser's ``Accept-Language`` is not read: it says how the browser was installed, not what
the customer agreed to read (W3C, "Accept-Language used for locale setting"), and a German
customer reading on an English laptop expects the portal in the German of its statements.

Words come from the statements' catalogue (``render.statement_catalogues``: the ``portal_*``
entries, and the statement's own where they say the same: ``support_timers_*``,
``with_utc``, ``zone``, ``issued_short``, the timer kinds); counts take the locale's plural
form (CLDR), numbers, money, percentages and times are ``render.statement_format.Formats``'
(Babel), times in the agreement's zone as the statement shows them. A language chosen that is
the statements' keeps their full locale (``de_AT``'s formats); another is formatted in the
locale chosen (``de`` alone: Babel's German).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from fastapi import Request
from fastapi.responses import Response

from covenant.core.money import Money
from covenant.errors import InputError
from covenant.render.statement_format import Formats
from covenant.render.statement_labels import (
    LANGUAGES,
    catalogue,
    fill,
    html_lang,
    language_of,
    plural,
)
from covenant.web.core import set_cookie

E = TypeVar("E", bound=Exception)
LANG_COOKIE = "covenant_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
DEFAULT_LOCALE = "en_GB"  # as services.sla's: a statement with no locale stated


WORDS = "portal_words"  # the attribute of an error worded for the customer's error page


def worded(error: E, key: str, **values: str) -> E:
    """``error``, with the words of its page in the portal (``web.portal_errors``): the
    catalogue's ``portal_error_{key}`` and ``portal_error_{key}_hint``, with ``values``."""
    setattr(error, WORDS, (key, values))
    return error


def words_of(error: Exception) -> tuple[str, dict[str, str]] | None:
    """The portal's words of ``error`` (:func:`worded`), None when it has none."""
    found: tuple[str, dict[str, str]] | None = getattr(error, WORDS, None)
    return found


def chosen_locale(text: str) -> str:
    """``?lang=``'s tag as Babel's locale (``de-AT`` → ``de_AT``, ``ja`` → ``ja``); refused
    unless its language has a catalogue (Traditional Chinese has none)."""
    try:
        found: Locale | None = Locale.parse(text.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        found = None
    if found is None or language_of(str(found)) != found.language:
        raise worded(
            InputError(
                f"?lang={text[:20]!r} is not a language the portal is written in",
                hint="lang= one of " + ", ".join(LANGUAGES) + " (or a locale of one: de-AT, "
                "fr-CA), or lang= with nothing for the language of your statements",
            ),
            "lang",
            languages=", ".join(LANGUAGES),
        )
    return str(found)


def asked_language(request: Request, *, refuse: bool = True) -> str | None:
    """The language chosen (``?lang=``, else the cookie), or None: the statements'. A cookie
    no longer valid is ignored; ``?lang=`` not valid is refused (``chosen_locale``), or with
    ``refuse`` False passed over for the cookie (an error page: the page that failed may be
    the one refusing ``?lang=``)."""
    asked = request.query_params.get("lang")
    if asked is not None:
        if not asked.strip():
            return None
        try:
            return chosen_locale(asked)
        except InputError:
            if refuse:
                raise
    kept = request.cookies.get(LANG_COOKIE)
    if not kept:
        return None
    try:
        return chosen_locale(kept)
    except InputError:
        return None


def stated_language(labels: Iterable[Any], agreements: Iterable[Any]) -> tuple[str, str]:
    """The locale and zone of a customer's statements with no statement at hand: the first of
    its ``agreements`` whose presentation (``labels``) states a locale, the zone of the first
    in force; else ``en_GB`` in UTC."""
    agreements = list(agreements)
    names = {a.name for a in agreements}
    stated = [x.locale for x in labels if x.name in names and x.locale]
    zones = [a.in_force.zone for a in agreements if a.in_force is not None]
    return (stated or [DEFAULT_LOCALE])[0], (zones or ["UTC"])[0]


def keep_language(request: Request, response: Response) -> Response:
    """After ``?lang=``: the choice kept in the cookie (forgotten with ``?lang=``)."""
    asked = request.query_params.get("lang")
    if asked is not None:
        kept = chosen_locale(asked) if asked.strip() else ""
        set_cookie(response, request, LANG_COOKIE, kept, LANG_COOKIE_AGE if kept else 0)
    return response


def page_locale(statements: str, asked: str | None) -> str:
    """The locale of the page: the statements' (``statements``), unless another language was
    asked; a bare language asked that is the statements' keeps their locale."""
    if asked is None:
        return statements
    if "_" not in asked and language_of(asked) == language_of(statements):
        return statements
    return asked


@dataclass(frozen=True, slots=True)
class PortalText:
    """One portal page's words and formats: ``locale`` (Babel's), ``zone`` (IANA, the
    agreement's). Called in a template: ``t("portal_agreements")``, ``t("portal_as_of",
    at=…)`` (a missing key fails, never an empty cell)."""

    locale: str
    zone: str
    words: Mapping[str, str] = field(init=False)
    fmt: Formats = field(init=False)

    def __post_init__(self) -> None:
        words = catalogue(self.locale)
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "fmt", Formats(self.locale, self.zone, words))

    def __call__(self, key: str, **values: object) -> str:
        return fill(self.words[key], self.locale, **values)

    @property
    def lang(self) -> str:
        return html_lang(self.locale)

    def count(self, key: str, count: int) -> str:
        """``key_one`` or ``key_other`` as the locale's plural rules choose, with its number."""
        template = plural(self.words, key, count, self.locale)
        return fill(template, self.locale, count=self.fmt.number(count))

    def timers(self, count: int) -> str:
        """``1 support timer``, ``2 Support-Fristen``, ``サポート期限 2 件``."""
        return self.count("support_timers", count)

    def level(self, value: Fraction | None) -> str:
        """A measured level, truncated to three decimals (``99,987 %``), as statements."""
        return self.fmt.level(value)

    def committed(self, value: Fraction) -> str:
        """A committed level as the contract writes it (``99,95 %``), as statements."""
        return self.fmt.exact_percent(value)

    def money(self, m: Money | None) -> str:
        return self.fmt.money(m)

    def amounts(self, found: Sequence[Money]) -> str:
        """Amounts joined as the locale joins a list; ``none`` when there are none."""
        if not found:
            return self.words["none"]
        return str(format_list([self.fmt.money(m) for m in found], locale=self.locale))

    def when(self, moment: datetime) -> str:
        """A time in the agreement's zone (``10.12.2026, 10:00``), as statements show one."""
        return self.fmt.when(moment)

    def with_utc(self, moment: datetime) -> str:
        """A time in the agreement's zone with its UTC instant in brackets."""
        return self.words["with_utc"].format(local=self.fmt.when(moment), utc=self.fmt.utc(moment))

    def period(self, period: str) -> str:
        """A period id (``2026-11``, ``2026-Q4``) as the locale names it (``November 2026``)."""
        return self.fmt.period_names([period])

    def languages(self) -> list[tuple[str, str, bool]]:
        """The languages a customer may choose: tag, name in itself, whether it is the page's."""
        shown = language_of(self.locale)
        return [(code, _autonym(code), code == shown) for code in LANGUAGES]


def _autonym(code: str) -> str:
    """A language named in itself (CLDR): ``Deutsch``, ``日本語``, ``中文（简体）``."""
    tag = "zh_Hans" if code == "zh" else code
    name: str = Locale.parse(tag).get_display_name(tag) or code
    return name
