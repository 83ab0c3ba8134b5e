"""JSON for machines, written fast: orjson, two-space indented, one trailing newline.

The content is what ``json.dumps`` would write (the same keys, values and order); only the
speed differs: a large ``evaluate --format json`` spent seconds in a pretty-printer before.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import orjson

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def dumps(value: Any) -> str:
    """``value`` as indented JSON text ending in a newline."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:  # integers past 64 bits: orjson refuses what json writes exactly
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_json(value: Any, stream: TextIO | None = None) -> None:
    """Write ``value`` as indented JSON to ``stream`` (default: standard output)."""
    out = sys.stdout if stream is None else stream
    text = dumps(value)
    encoding = getattr(out, "encoding", None) or "utf-8"
    if encoding.lower().replace("-", "").replace("_", "") != "utf8":
        try:
            text.encode(encoding)
        except (UnicodeEncodeError, LookupError):  # an ASCII locale: escapes keep the data
            text = json.dumps(value, indent=2) + "\n"
    out.write(text)
    out.flush()
