"""Secrets taken out of a text before it is shown, stored or served."""

from __future__ import annotations

from collections.abc import Iterable

_ESCAPED = {0x5C: "\\\\", 0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def hide_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty string of ``secrets`` replaced by ``***`` (the longest
    first): what a server answered may repeat a credential it was sent (a proxy that refuses
    a token), and a message is shown, stored and served. A secret is hidden as written and as
    a repr writes it (an error of h11's repeats bytes escaped: a backslash doubled, a quote
    after a backslash), so its escaped forms are hidden too."""
    forms = {form for secret in filter(None, secrets) for form in _forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _forms(secret: str) -> set[str]:
    """``secret`` as written, as a str's repr and as its UTF-8 bytes' repr writes it (without
    the quotes), each with its quotes escaped or not (repr chooses by the whole text)."""
    as_bytes = "".join(
        _ESCAPED.get(b, chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in secret.encode()
    )
    as_str = secret.encode("unicode_escape").decode("ascii")
    return {
        quoted
        for form in (secret, as_str, as_bytes)
        for quoted in (
            form,
            form.replace("'", "\\'"),
            form.replace('"', '\\"'),
            form.replace("'", "\\'").replace('"', '\\"'),
        )
    }
