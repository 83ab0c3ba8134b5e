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
