"""The matrix decoder (sources.prometheus.decode) gives what a JSON parser gives, whatever the
spacing and the labels, and refuses what is not a list of [time, "value"]."""

from __future__ import annotations

import json
import warnings

import orjson
import pytest

from covenant.sources.prometheus import decode


def _reference(body: bytes) -> list[tuple[dict[str, str], list[float], list[float]]]:
    parsed = orjson.loads(body)
    return [
        (s["metric"], [float(t) for t, _ in s["values"]], [float(v) for _, v in s["values"]])
        for s in parsed["data"]["result"]
    ]


def _decoded(body: bytes) -> list[tuple[dict[str, str], list[float], list[float]]]:
    skeleton, arrays = decode.loads(body)
    out = []
    for item, text in zip(skeleton["data"]["result"], arrays, strict=True):
        times, values = decode.points(text)
        out.append((item["metric"], times.tolist(), values.tolist()))
    return out


RESULT = [
    {"metric": {"a": 'x"values":[1,2]]', "values": "[["}, "values": [[1.5, "2"], [3, "+Inf"]]},
    {"metric": {}, "values": []},
    {"metric": {"b": "]]"}, "values": [[1790000000.123, "1e+06"], [1790000060, "NaN"]]},
]


@pytest.mark.parametrize("spacing", [(",", ":"), (", ", ": "), (" , ", " : ")])
def test_the_decoder_reads_what_a_json_parser_reads(spacing: tuple[str, str]) -> None:
    body = json.dumps(
        {"status": "success", "data": {"resultType": "matrix", "result": RESULT}},
        separators=spacing,
    ).encode()
    got, want = _decoded(body), _reference(body)
    assert [(m, t) for m, t, _ in got] == [(m, t) for m, t, _ in want]
    assert [str(v) for _, _, v in got] == [str(v) for _, _, v in want]  # NaN == NaN as text


@pytest.mark.parametrize(
    "values",
    ["[[1]]", '[[1, "2", 3]]', '[[1, "x"]]', '[["a", "1"]]', "[1, 2]", '[[1, "2"]'],
)
def test_a_values_array_that_is_not_pairs_of_numbers_is_refused(values: str) -> None:
    body = f'{{"data": {{"result": [{{"metric": {{}}, "values": {values}}}]}}}}'.encode()
    with pytest.raises(decode.UndecodableError):
        _decoded(body)


def test_decoding_leaves_the_process_warning_filters_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The read's worker threads decode at once: ``warnings.catch_warnings`` swaps the filters
    of the whole process, so one thread leaving it could leave "error" installed for every
    warning of every thread (an unclosed connection's ResourceWarning at exit printed a
    traceback). Refusing garbage and reading numbers must not touch the filters."""

    def swapped(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoding swapped the process's warning filters")

    monkeypatch.setattr(warnings, "catch_warnings", swapped)
    monkeypatch.setattr(warnings, "simplefilter", swapped)
    with pytest.raises(decode.UndecodableError):
        decode.points(b'[1, "x"]')
    times, values = decode.points(b'[1, "2"], [61, "3.5"]')
    assert (times.tolist(), values.tolist()) == ([1.0, 61.0], [2.0, 3.5])
