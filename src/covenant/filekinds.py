"""What kind a file is by its first bytes: the one place every reader asks.

- :func:`not_text`: what a file read as text is when its first bytes show it is no text at
  all (compressed, an archive, a spreadsheet workbook, a binary);
- :func:`not_parquet`: what a file read as Parquet is when it is no Parquet (CSV or JSON
  text, gzip, empty, any of the above).

The readers of text files (definitions, request events, tickets and incidents) ask
:func:`not_text` before they report bytes that are not UTF-8, so a gzip file whose name lacks
``.gz`` or an Excel workbook renamed ``.csv`` is named for what it is, with the way to give it
to Covenant, rather than as text in some other encoding ("save it as UTF-8 with iconv", which
cannot help); the Parquet reader asks :func:`not_parquet` before it reads a footer. A gzip
file is looked into (its first bytes decompressed), so its fix names what it holds: a gzipped
Parquet file is to be decompressed, a gzipped CSV file named ``.parquet`` renamed ``.csv.gz``.
Each reader words the refusal with :meth:`NotText.sentence`, so one kind of file gets one
message whichever command reads it. Pure: bytes in, text out (stdlib only), so every layer may
use it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

__all__ = [
    "EVENT_TEXT",
    "NotText",
    "by_content",
    "not_parquet",
    "not_text",
    "stem",
    "text_kind",
    "utf16",
    "wide_text",
]

EVENT_TEXT = "CSV or JSON Lines"  # what the events reader takes as text (plain or .gz)

GZ = " (a file whose name ends in .gz is decompressed as it is read)"


@dataclass(frozen=True, slots=True, kw_only=True)
class NotText:
    """``what`` the file is ("gzip-compressed") and ``fix``: how to give what it holds.
    ``seen``: "is", or "looks like" for text judged by its first lines; ``other``: whether
    the sentence says what it is not ("…, not Parquet"; an empty file is just empty)."""

    what: str
    fix: str
    seen: str = "is"
    other: bool = True

    def sentence(self, name: str, *, instead: str) -> str:
        """``NAME: the file is WHAT, not INSTEAD``: the message of every data-file reader."""
        tail = f", not {instead}" if self.other and not self.what.endswith(instead) else ""
        return f"{name}: the file {self.seen} {self.what}{tail}"


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

    ``text`` names what the reader wants ("YAML text", "CSV or JSON Lines"); ``tabular``:
    rows a spreadsheet can export (as CSV, which every such reader takes); ``gzip_ok`` and
    ``parquet_ok``: whether the reader takes ``NAME.gz`` and ``NAME.parquet`` files.
    """
    if head.startswith(b"\x1f\x8b"):
        return _gzipped(head, name=name, text=text, gzip_ok=gzip_ok, parquet_ok=parquet_ok)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if tabular:
            return NotText(
                what="a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook is one)",
                fix="export the sheet as CSV (UTF-8), or unzip the archive and give its files",
            )
        return NotText(what="a ZIP archive", fix=f"unzip it and give the {text} inside")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return NotText(
            what="a Microsoft Office file (an Excel .xls workbook?)",
            fix="export the sheet as CSV (UTF-8)",
        )
    if head.startswith(b"PAR1"):
        if name.lower().endswith(".gz"):  # ``head`` is what the .gz name decompressed
            return _gzipped_parquet(name=name, text=text, parquet_ok=parquet_ok)
        return NotText(
            what="a Parquet file",
            fix=f"name it {stem(name)}.parquet" if parquet_ok else f"write its rows out as {text}",
        )
    for magic, tool in _OTHER_COMPRESSION:
        if head.startswith(magic):
            again = " (Covenant reads gzip: a name ending in .gz)" if gzip_ok else ""
            return NotText(what=f"{tool}-compressed", fix=f"decompress it first{again}")
    for magic, what in _DOCUMENTS:
        if head.startswith(magic):
            return NotText(what=what, fix=f"give the {text} it holds or was made from")
    return None


def by_content(head: bytes, *, name: str, text: str, json: str) -> tuple[str, str] | None:
    """``(message, fix)`` for a data file whose name says no format, from what its first bytes
    ``head`` hold (None: nothing recognisable). ``text`` names what the reader takes ("CSV or
    JSON Lines"), ``json`` the name a JSON document (not JSON Lines) is given (``.jsonl`` for
    events, which want one object per line; ``.json`` for records)."""
    if head.startswith(b"\x1f\x8b"):  # the name to give says what the gzip file holds
        found: NotText | None = _gzipped(
            head, name=name, text=text, gzip_ok=True, parquet_ok=False, unnamed=True
        )
    else:
        found = not_text(head, name=name, text=text, tabular=True, gzip_ok=True)
    if found is not None:
        return found.sentence(name, instead=text), found.fix
    kind = text_kind(head)
    base = stem(name)
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    if kind == "CSV" and b"\t" in first and b"," not in first:
        fix = f"it looks like tab-separated text: save it as comma-separated CSV named {base}.csv"
    elif kind == "CSV":
        fix = f"it looks like CSV text: name it {base}.csv"
    elif kind == "JSON Lines":
        fix = f"it looks like JSON Lines text (one object per line): name it {base}.jsonl"
    elif kind == "JSON" and json == ".jsonl":
        fix = f"it looks like JSON text: write one object per line and name it {base}.jsonl"
    elif kind == "JSON":
        fix = f"it looks like JSON text: name it {base}{json}"
    else:
        return None
    return f"{name}: cannot tell the file format from its name", fix


def stem(name: str) -> str:
    """``name`` without ``.gz`` and its last suffix: ``events.csv.gz`` → ``events``."""
    base = name[:-3] if name.lower().endswith(".gz") else name
    return base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base


def _gunzipped(head: bytes) -> bytes:
    """The first bytes ``head`` (the start of a gzip stream) decompresses to, as far as it
    goes (``b""`` when it cannot be read)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(head, 4096)
    except zlib.error:
        return b""


def _gzipped(
    head: bytes, *, name: str, text: str, gzip_ok: bool, parquet_ok: bool, unnamed: bool = False
) -> NotText:
    """A gzip file ``name`` where plain text or Parquet is read, with the fix for what it holds
    (``unnamed``: the name says no format, so the fix gives the whole name)."""
    inner = _gunzipped(head)
    if inner.startswith(b"PAR1"):
        return _gzipped_parquet(name=name, text=text, parquet_ok=parquet_ok)
    named = name.lower()
    if unnamed or named.endswith((".parquet", ".pq")):  # say which text name to give
        held = {"CSV": ".csv.gz", "JSON Lines": ".jsonl.gz"}.get(text_kind(inner) or "")
        if held is not None:
            fix = f"it holds {text_kind(inner)} text: name it {stem(name)}{held}"
        else:
            base = stem(name)
            fix = f"if it holds CSV or JSON Lines, name it {base}.csv.gz or {base}.jsonl.gz"
        return NotText(what="gzip-compressed", fix=fix + GZ)
    if gzip_ok and not named.endswith(".gz"):
        return NotText(what="gzip-compressed", fix=f"name it {name}.gz{GZ}")
    return NotText(
        what="gzip-compressed", fix=f"decompress it first (gzip -dc {name} > plain-{name})"
    )


def _gzipped_parquet(*, name: str, text: str, parquet_ok: bool) -> NotText:
    """A gzip file holding Parquet (which compresses inside and is read as it is)."""
    if not parquet_ok:
        return NotText(
            what="gzip-compressed Parquet",
            fix=f"decompress it and write its rows out as {text}",
        )
    target = f"{stem(name)}.parquet"
    how = (
        f"gzip -dc {name} > {target}"
        if target != name
        else f"mv {name} {name}.gz && gzip -d {name}.gz"  # never ``gzip -dc X > X``
    )
    return NotText(
        what="gzip-compressed Parquet",
        fix=f"decompress it ({how}): a Parquet file is read as it is, not gzipped",
    )


def not_parquet(head: bytes, *, name: str) -> NotText | None:
    """What the file ``name`` (read as Parquet) starting with ``head`` is when it is no Parquet
    (every Parquet file starts with ``PAR1``), else None. CSV or JSON text is named for what it
    holds, not reported as a Parquet file without its footer."""
    if head.startswith(b"PAR1"):
        return None
    base = stem(name)
    if not head:
        return NotText(
            what="empty",
            fix="write the events into it (Parquet), or give them as CSV or JSON Lines",
            other=False,
        )
    said = {
        "CSV": ("CSV text", f"name it {base}.csv"),
        "JSON Lines": ("JSON Lines text (one object per line)", f"name it {base}.jsonl"),
        "JSON": ("JSON text", f"write one event object per line and name it {base}.jsonl"),
        "text": ("text", f"name it {base}.csv or {base}.jsonl, whichever it holds"),
    }
    kind = text_kind(head)
    if kind is not None:
        what, fix = said[kind]
        seen = "is" if kind == "text" else "looks like"
        return NotText(
            what=what, fix=f"{fix} (a name ending in .parquet is read as Parquet)", seen=seen
        )
    found = not_text(head, name=name, text=EVENT_TEXT, tabular=True, gzip_ok=True, parquet_ok=True)
    if found is not None:
        return found
    codec = utf16(head)
    if codec is not None:  # the CSV and JSON Lines readers' advice, with the name to give
        wide = text_kind(_as_utf8(head, codec))
        held = {"CSV": ".csv", "JSON Lines": ".jsonl", "JSON": ".jsonl"}.get(wide or "")
        convert = f"iconv -f {codec} -t UTF-8 {name} > {base}{held or '.csv'}"
        if wide == "JSON":
            fix = (
                f"it holds JSON text: write one event object per line, as UTF-8, named {base}.jsonl"
            )
        elif held is not None:
            fix = f"it holds {wide} text: save it as UTF-8 named {base}{held}"
        else:
            fix = f"save it as UTF-8 named {base}.csv or {base}.jsonl, whichever it holds"
        return NotText(what="UTF-16 text", fix=f"{fix} (e.g. {convert})")
    return NotText(
        what="not Parquet (a Parquet file starts with the bytes PAR1)",
        fix="give the events as a Parquet, CSV or JSON Lines file",
        other=False,
    )


def utf16(head: bytes) -> str | None:
    """The name iconv gives the UTF-16 that ``head`` is written in (``UTF-16`` after a
    byte-order mark, else ``UTF-16LE`` or ``UTF-16BE``), or None when it is no UTF-16 text:
    without a mark, most characters must be ASCII (a NUL byte beside each) and all of it text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and not head.startswith(b"\xff\xfe\x00\x00"):
        return "UTF-16"
    units = head[: len(head) // 2 * 2]
    for codec, high in (("UTF-16LE", 1), ("UTF-16BE", 0)):
        if units[high::2].count(0) * 2 >= len(units) // 2 > 0 and text_kind(_as_utf8(units, codec)):
            return codec
    return None


def wide_text(head: bytes) -> str | None:
    """The name iconv gives the UTF-16 or UTF-32 that ``head`` is written in (``UTF-32`` or
    ``UTF-16`` after a byte-order mark, else ``UTF-32LE``, ``UTF-16BE`` …), or None when it is
    neither: random bytes with a NUL among them are no text in any encoding."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    codec = utf16(head)
    if codec is not None:
        return codec
    units = head[: len(head) // 4 * 4]
    for wide in ("UTF-32LE", "UTF-32BE"):
        try:  # strict: a unit above U+10FFFF (most four bytes that are not text) fails
            decoded = units.decode(wide.lower())
        except UnicodeDecodeError:
            continue
        if decoded and text_kind(decoded.encode()):
            return wide
    return None


def _as_utf8(head: bytes, codec: str) -> bytes:
    """``head`` (UTF-16 text, perhaps cut mid-character) as UTF-8."""
    return head[: len(head) // 2 * 2].decode(codec.lower(), errors="ignore").encode()


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
