"""The indefinite article of a kind's name, as the name is said: "an SLI", "an SLO", "an
AlertPolicy", but "a DataSource", "a Service".

A name in capitals only (``SLI``, ``SLO``, ``URL``) is an initialism, read letter by letter:
its article follows the sound of its first letter's name ("es", "el", "aitch" take "an"). Any
other name is read as a word: "an" before a vowel letter. Kind names, delivery kinds, roles
and the like need no more (no "a user", "an hour" among them).
"""

from __future__ import annotations

_VOWEL_LETTERS = frozenset("aeiou")
_VOWEL_SOUNDING_LETTER_NAMES = frozenset("AEFHILMNORSX")  # "ay", "ef", "aitch", "es", ...


def article(name: str) -> str:
    """``"an"`` or ``"a"``, whichever English puts before ``name``."""
    if not name:
        return "a"
    if len(name) > 1 and name.isupper():
        return "an" if name[0] in _VOWEL_SOUNDING_LETTER_NAMES else "a"
    return "an" if name[0].lower() in _VOWEL_LETTERS else "a"


def with_article(name: str) -> str:
    """``name`` after its article: ``an SLI``, ``a Service``, ``an editor``."""
    return f"{article(name)} {name}"
