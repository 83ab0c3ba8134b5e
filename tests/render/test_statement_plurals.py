"""Counts in the statement's languages take the plural form CLDR gives them: the ``_one`` /
``_other`` templates and the plural choices inside a template (``[[size|one:…|other:…]]``),
checked against CLDR's rules written out here (babel.plural, not Babel's locale data)."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from babel import Locale
from babel.plural import PluralRule

from covenant.render.statement_format import Formats
from covenant.render.statement_labels import LANGUAGES, choices, fill, plural
from covenant.render.statement_view import _reason

CLDR = {  # CLDR 44 plural rules (integers), unicode.org/cldr/charts/latest/supplemental
    "en": PluralRule({"one": "i = 1 and v = 0"}),
    "de": PluralRule({"one": "i = 1 and v = 0"}),
    "es": PluralRule({"one": "n = 1"}),
    "fr": PluralRule({"one": "i = 0,1"}),
    "ja": PluralRule({}),
    "zh": PluralRule({}),
}
COUNTS = (0, 1, 2, 5, 21)
EXPECTED = {  # the same, by hand: French counts 0 as singular; Japanese and Chinese have one form
    "en": ("other", "one", "other", "other", "other"),
    "de": ("other", "one", "other", "other", "other"),
    "es": ("other", "one", "other", "other", "other"),
    "fr": ("one", "one", "other", "other", "other"),
    "ja": ("other",) * 5,
    "zh": ("other",) * 5,
}


def labels(language: str) -> dict[str, str]:
    found: dict[str, str] = import_module(f"covenant.render.statement_catalogues.{language}").LABELS
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
def test_a_count_takes_its_cldr_plural_form(language: str, count: int) -> None:
    form = CLDR[language](count)
    assert form == EXPECTED[language][COUNTS.index(count)]
    words = labels(language)
    for key in ("timers", "support_timers", "intervals", "portal_minutes_left"):
        assert plural(words, key, count, f"{language}_ZZ") == words[f"{key}_{form}"], key
    chosen = fill("[[n|one:A|other:B]]", language, n=count)
    assert chosen == ("A" if form == "one" else "B")


MINUTES = {  # the word for n minutes after the number: singular where CLDR says one
    "fr": ("minute", "minutes", 3),  # the interval, its run, the minimumRun
    "es": ("minuto", "minutos", 3),
    "de": ("Minute", "Minuten", 2),  # the interval: "1-Minuten-Intervall", a compound
}


@pytest.mark.parametrize("language", sorted(MINUTES))
@pytest.mark.parametrize("minutes", [count for count in COUNTS if count])  # no 0-minute interval
def test_minutes_of_an_interval_and_a_run_take_the_plural_of_their_number(
    language: str, minutes: int
) -> None:
    one, other, times = MINUTES[language]
    right, wrong = (one, other) if CLDR[language](minutes) == "one" else (other, one)
    words = labels(language)
    fmt = Formats(language, "UTC", words)
    interval = f"{minutes}-minute interval with 100.00 % errors (1/1; threshold 100 %)"
    run = (
        f"part of a {minutes}-minute run of bad intervals, shorter than the "
        f"{minutes}-minute minimumRun: not downtime"
    )
    shown = _reason(f"{interval}; {run}", fmt, words, seconds=minutes * 60)
    assert len(re.findall(rf"\b{minutes} {right}\b", shown)) == times, shown
    assert not re.search(rf"\b{minutes} {wrong}\b", shown), shown
    assert "[[" not in shown
    assert "]]" not in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_choice_is_well_formed(language: str) -> None:
    """A choice names a placeholder of its template, only categories the language has, and
    always ``other`` (the form every language has)."""
    words = labels(language)
    assert words["language"] == language
    categories = Locale.parse(language).plural_form.tags | {"other"}
    for key, text in words.items():
        for name, forms in choices(text):
            assert f"{{{name}}}" in text or f"{{{name}}}" in labels("en")[key], (key, name)
            assert "other" in forms, (key, name)
            assert set(forms) <= categories, (key, set(forms) - categories)
