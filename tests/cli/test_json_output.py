"""The fast JSON writer writes what ``json`` would, including what orjson cannot encode."""

from __future__ import annotations

import io
import json

from covenant.render.jsonout import dumps, write_json


def test_same_content_and_layout_as_json_dumps() -> None:
    value = {
        "slo": "checkout — p99 ≤ 300 ms",
        "good": 9_999_123,
        "sli_value": {"value": 0.9995, "exact": "19990/20000"},
        "nested": [{"a": None, "b": True}, [], {}],
        "firing": ["page-fast"],
    }
    text = dumps(value)
    assert text.endswith("}\n")
    assert json.loads(text) == value
    assert text == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def test_integers_past_64_bits_fall_back_to_exact_json() -> None:
    value = {"total": 2**70, "tiny": 1e-05}
    text = dumps(value)
    assert json.loads(text) == value
    assert "1180591620717411303424" in text


def test_write_json_goes_to_the_stream() -> None:
    out = io.StringIO()
    write_json({"a": [1, 2]}, out)
    assert json.loads(out.getvalue()) == {"a": [1, 2]}


def test_a_stream_that_cannot_encode_the_text_gets_json_escapes_not_question_marks() -> None:
    """An ASCII locale writes `?` for what it cannot show (``cli.main``): JSON escapes it
    instead, so the data stays exact."""
    value = {"slo": "checkout — p99 ≤ 300 ms", "customer": "Müller 😀"}
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="replace")
    write_json(value, stream)
    assert json.loads(raw.getvalue().decode("ascii")) == value
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    write_json(value, utf8)
    utf8.seek(0)
    assert utf8.read() == json.dumps(value, indent=2, ensure_ascii=False) + "\n"
