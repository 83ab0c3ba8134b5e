"""The statement's words: which language a locale gets, its message catalogue, and the
evaluation's reasons written again in that language.

A statement takes its language from the agreement's ``locale``; numbers, money and dates follow
the full locale through Babel, whatever the language. The catalogues
(``covenant.render.statement_catalogues``, one module per language, each imported only when a
statement needs it) are English, German, French, Spanish, Japanese and Simplified Chinese:

- the language subtag picks one: ``de_AT`` → German, ``fr_CA`` → French, ``es_MX`` → Spanish,
  ``ja_JP`` → Japanese;
- Chinese by script: ``zh_CN``, ``zh_SG``, ``zh_Hans_*`` and a bare ``zh`` → Simplified Chinese;
  a Traditional-script locale (``zh_TW``, ``zh_HK``, ``zh_MO``, ``zh_Hant_*``) → English, never
  Simplified characters for a reader of Traditional ones;
- any other language → English (with that locale's numbers and dates).

Each entry is a ``str.format`` template; every catalogue has exactly the English keys with the
same placeholders per key. A text about a number of things has a ``_one`` and an ``_other``
key, chosen by the locale's plural rules (:func:`plural`), rather than ``timer(s)``. A
second number in one text (the minutes of an interval, of a run) takes its words from a plural
choice in the template, ``[[size|one:minute|other:minutes]]``: the word of the CLDR plural
category of that number in the language (``one``, ``two``, ``few``, ``many``, ``other``:
``other`` when the choice has none for it), resolved by :func:`fill` before ``str.format``.
Each catalogue names its language (``language``) for the reasons' choices.

The evaluation writes its reasons (an incident, a maintenance window, missing records) in
English; :func:`translate_reason` reads each with the English ``reason_*`` templates and writes
it with the statement language's, so a language can put the parts in its own order instead of
translating phrase by phrase.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import import_module

from babel import Locale

from covenant.render.statement_catalogues.en import LABELS as EN

LANGUAGES = ("en", "de", "fr", "es", "ja", "zh")
"""The languages with a catalogue (a module of ``covenant.render.statement_catalogues``)."""

TRADITIONAL_CHINESE = frozenset({"TW", "HK", "MO"})
"""Regions whose Chinese is written in Traditional characters (Babel's likely script, Hant)."""


def language_of(locale: str) -> str:
    """The catalogue's language for ``locale`` (``fr_CA`` → ``fr``; ``zh_TW`` → ``en``)."""
    parts = locale.replace("-", "_").split("_")
    language = parts[0].lower()
    if language == "zh":
        script = next((p.title() for p in parts[1:] if len(p) == 4), None)
        region = next((p.upper() for p in parts[1:] if len(p) in (2, 3)), None)
        if script == "Hant" or (script is None and region in TRADITIONAL_CHINESE):
            return "en"
    return language if language in LANGUAGES else "en"


def html_lang(locale: str) -> str:
    """A document's ``lang`` for ``locale``: its language, Chinese with its script
    (``zh-Hans``, ``zh-Hant``: the page's fonts follow it)."""
    language = locale.replace("-", "_").split("_", 1)[0]
    if language != "zh":
        return language
    return "zh-Hans" if language_of(locale) == "zh" else "zh-Hant"


@cache
def _labels(language: str) -> Mapping[str, str]:
    if language == "en":
        return EN
    labels: Mapping[str, str] = import_module(
        f"covenant.render.statement_catalogues.{language}"
    ).LABELS
    return labels


def catalogue(locale: str) -> Mapping[str, str]:
    """The labels for ``locale``'s language (English when there is no catalogue for it)."""
    return _labels(language_of(locale))


CHOICE = re.compile(r"\[\[(\w+)((?:\|[a-z]+:[^|\[\]]*)+)\]\]")
"""A plural choice in a template: ``[[name|one:minute|other:minutes]]``."""


def choices(template: str) -> list[tuple[str, dict[str, str]]]:
    """The plural choices of ``template``: each one's placeholder and its word per category."""
    return [
        (match[1], dict(part.split(":", 1) for part in match[2][1:].split("|")))
        for match in CHOICE.finditer(template)
    ]


def count_of(value: object) -> int:
    """The whole number a placeholder's value is: an ``int``, or its digits as a locale writes
    it (``1 234``, ``1.234``: a count has no decimals)."""
    if isinstance(value, int):
        return value
    digits = "".join(c for c in str(value) if c.isdigit())
    if not digits:
        raise ValueError(f"a plural choice needs a number, not {value!r}")
    return int(digits)


def fill(template: str, locale: str, **values: object) -> str:
    """``template`` written with ``values``: each plural choice first replaced by its word for
    the CLDR plural category (through Babel) of its number in ``locale`` (a language or a
    locale: ``fr``, ``fr_CA``), then ``str.format``."""
    rule = Locale.parse(locale).plural_form

    def word(match: re.Match[str]) -> str:
        forms = dict(part.split(":", 1) for part in match[2][1:].split("|"))
        category = rule(count_of(values[match[1]]))
        return forms.get(category, forms["other"])

    return CHOICE.sub(word, template).format(**values)


def plural(words: Mapping[str, str], key: str, count: int, locale: str) -> str:
    """The template of ``key`` for ``count`` things: ``key_one`` where the locale's plural
    rules (CLDR, through Babel) call the count singular (English and Spanish 1; French 0 and
    1), ``key_other`` otherwise (Japanese and Chinese have one form: both keys hold it)."""
    form = Locale.parse(locale).plural_form(count)
    return words[f"{key}_one" if form == "one" else f"{key}_other"]


_UNIT = r"(?:d|h|min|s)"
_SPAN_TEXT = rf"\d+ {_UNIT}(?: \d+ {_UNIT})*"
_SPAN_PART = re.compile(r"(\d+) (d|h|min|s)")
_FIELD = re.compile(r"{(\w+)}")
_GROUP = {  # what each placeholder of a reason template matches in the English text
    "ahead": _SPAN_TEXT,
    "notice": _SPAN_TEXT,
    "id": r"\S+",
    "k": r"\d+",
    "n": r"\d+",
    "run": r"\d+",
    "minimum": r"\d+",
    "at": r"\S+",
    "window": r"planned maintenance|maintenance “[^”]*”",
    "name": r"[^”]*",
    "detail": r"[^()]*",
}
_SPANS = frozenset({"ahead", "notice"})  # durations: written with the language's units
_NESTED = frozenset({"window", "why", "incidents"})  # reasons in a reason


@cache
def _shapes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each English ``reason_*`` template as a pattern, the most specific (longest fixed
    text) first, so ``incident X: force majeure`` is not read as ``incident {id}``."""
    shapes = []
    for key, template in EN.items():
        if not key.startswith("reason_") or key == "reason_join":
            continue
        pieces = _FIELD.split(template)  # even: fixed text; odd: a placeholder's name
        pattern = "".join(
            f"(?P<{piece}>{_GROUP.get(piece, '.+')})" if i % 2 else re.escape(piece)
            for i, piece in enumerate(pieces)
        )
        fixed = sum(len(piece) for piece in pieces[::2])
        shapes.append((fixed, key, re.compile(pattern)))
    shapes.sort(key=lambda shape: -shape[0])
    return tuple((key, pattern) for _, key, pattern in shapes)


def span_words(text: str, words: Mapping[str, str]) -> str:
    """An English span (``11 d 16 h``) in the catalogue's units (``11 Tg. 16 Std.``)."""
    return words["duration_join"].join(
        words[f"duration_{unit}"].format(n=number) for number, unit in _SPAN_PART.findall(text)
    )


def translate_reason(reason: str, words: Mapping[str, str]) -> str:
    """A reason the evaluation wrote in English, in the language of ``words``: each part read
    with the English ``reason_*`` templates and written with the catalogue's (its spans in
    the catalogue's units). A maintenance window's display name is kept as written. Reasons
    joined by ``; `` are translated one by one; a text of no known shape is kept as written.
    English is written again too: its spans take the catalogue's no-break space
    (``13\u00a0d``)."""
    found = _translated(reason, words)
    if found is not None:
        return found
    parts = reason.split(EN["reason_join"])
    if len(parts) == 1:
        return reason
    return words["reason_join"].join(_translated(part, words) or part for part in parts)


def _translated(text: str, words: Mapping[str, str]) -> str | None:
    for key, pattern in _shapes():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = {}
        for name, value in match.groupdict().items():
            if name in _SPANS:
                values[name] = span_words(value, words)
            elif name in _NESTED:
                values[name] = translate_reason(value, words)
            else:
                values[name] = value
        return fill(words[key], words["language"], **values)
    return None
