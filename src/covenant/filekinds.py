"""What a file is when its first bytes show it is no text at all: compressed, an archive, a
spreadsheet workbook, a binary; and, for a reader of a binary format (Parquet), what text a
file named for it holds instead (CSV, JSON Lines).

The readers of text files (definitions, request events, tickets and incidents) ask this before
they report bytes that are not UTF-8, so a gzip file whose name lacks ``.gz`` or an Excel
workbook renamed ``.csv`` is named for what it is, with the way to give it to Covenant, rather
than as text in some other encoding ("save it as UTF-8 with iconv", which cannot help).
Pure: bytes in, text out (stdlib only), so every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NotText", "not_text", "text_kind"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NotText:
    """``what`` the file is ("a gzip-compressed file") and ``fix``: how to give its text."""

    what: str
    fix: str


_OTHER_COMPRESSION = (
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
)
_DOCUMENTS = (
    (b"%PDF-", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "an executable program (ELF)"),
)


def not_text(
    head: bytes,
    *,
    name: str,
    text: str,
    tabular: bool = False,
    gzip_ok: bool = False,
    parquet_ok: bool = False,
) -> NotText | None:
    """What the file ``name`` starting with ``head`` is, when its first bytes are those of a
    known binary format, else None (text, perhaps in another encoding, or unknown bytes).

    ``text`` names what the reader wants ("YAML text", "CSV"); ``tabular``: rows a
    spreadsheet can export; ``gzip_ok`` and ``parquet_ok``: whether the reader takes
    ``NAME.gz`` and ``NAME.parquet`` files.
    """
    if head.startswith(b"\x1f\x8b"):
        if gzip_ok and not name.lower().endswith(".gz"):
            fix = f"name it {name}.gz (a file whose name ends in .gz is decompressed as it is read)"
        else:
            fix = f"decompress it first (gzip -dc {name} > plain-{name})"
        return NotText(what="gzip-compressed", fix=fix)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if tabular:
            return NotText(
                what="a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook is one)",
                fix=f"export the sheet as {text} (UTF-8), or unzip the archive and give its files",
            )
        return NotText(what="a ZIP archive", fix=f"unzip it and give the {text} inside")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return NotText(
            what="a Microsoft Office file (an Excel .xls workbook?)",
            fix=f"export the sheet as {text} (UTF-8)",
        )
    if head.startswith(b"PAR1"):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return NotText(
            what="a Parquet file",
            fix=f"name it {stem}.parquet" if parquet_ok else f"write its rows out as {text}",
        )
    for magic, tool in _OTHER_COMPRESSION:
        if head.startswith(magic):
            again = " (Covenant reads gzip: a name ending in .gz)" if gzip_ok else ""
            return NotText(what=f"{tool}-compressed", fix=f"decompress it first{again}")
    for magic, what in _DOCUMENTS:
        if head.startswith(magic):
            return NotText(what=what, fix=f"give the {text} it holds or was made from")
    return None


def text_kind(head: bytes) -> str | None:
    """What text a file starting with ``head`` looks like: ``"JSON Lines"`` (a line that is a
    JSON object), ``"JSON"`` (an array or one object over several lines), ``"CSV"`` (a first
    line with a comma, semicolon or tab) or ``"text"``; None when ``head`` is not text (a
    NUL byte, control characters, bytes that are not UTF-8) or is empty."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not UTF-8 (a character cut at the end of ``head`` is)
            return None
        text = head[: exc.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    body = text.lstrip()
    first = body.split("\n", 1)[0].strip()
    if first.startswith("{") and first.endswith("}"):
        return "JSON Lines"
    if body.startswith(("[", "{")):
        return "JSON"
    if any(mark in first for mark in (",", ";", "\t")):
        return "CSV"
    return "text" if body else None
