"""The "Edit all terms (YAML)" prefill writes money and percentages as plain YAML numbers
(``level: 99.95``, ``checkout: 8000.00``) only where the project's YAML reader, which reads
the form's answer, gives back the same decimal text; anything else stays quoted text, and
no text elsewhere becomes a number. Each expected line is written here by hand."""

from __future__ import annotations

from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from covenant.definitions.agreements import VersionSpec
from covenant.definitions.yamlsource import read_text
from covenant.web.amendment_yaml import DECIMAL_FIELDS, reads_back_exactly, terms_text


def read_back(text: str) -> Any:
    (document,), problems = read_text(text, file="terms")
    assert not problems
    return document.data


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("99.95", True),
        ("8000.00", True),
        ("99.0", True),  # Decimal("99.0"), its text 99.0
        ("0.10", True),
        ("99.950", True),
        ("999999999999.99", True),
        ("8000", False),  # an integer, 8000, not the text "8000"
        ("100", False),
        (".5", False),  # Decimal 0.5: its text is 0.5
        ("5.", False),  # Decimal 5
        ("+5", False),  # an integer
        ("+5.5", False),  # Decimal 5.5
        ("1_200.00", False),  # Decimal 1200.00
        ("99.99%", False),  # text
        ("", False),  # null
    ],
)
def test_what_reads_back_exactly(text: str, exact: bool) -> None:
    assert reads_back_exactly(text) is exact


def test_money_and_percentages_are_plain_numbers_where_exact() -> None:
    terms = {
        "fees": {"checkout": "8000.00", "storefront": "4000", "search": ".50"},
        "cap": {"amount": "3000.00", "percent": "7.5"},
        "availability": [
            {
                "name": "1.5",  # a name is text, even one that looks like a number
                "displayName": "99.95",
                "services": ["2.0", "1e3"],
                "level": "99.95",
                "credits": [
                    {"below": "99.95", "atLeast": "99.0", "credit": 10},
                    {"atMost": "99.0", "above": "95.5", "credit": "25.0"},
                ],
                "cap": {"percent": 50, "amount": "100"},
                "minimumCredit": {"above": "25.00", "atLeast": "1_000.00"},
                "measurement": {"source": "bad-intervals", "errorRateAtLeast": "5.0"},
                "terms": "at least 99.95 %",
            }
        ],
        "support": [
            {
                "name": "desk",
                "targets": {"P1": {"firstResponse": "30m"}},
                "attainment": "95.5",
                "penalty": {"percent": "99.99%", "amount": "250.00"},
            }
        ],
    }
    text = terms_text(terms)
    assert text == (
        "fees:\n"
        "  checkout: 8000.00\n"
        "  storefront: '4000'\n"  # unquoted, an integer
        "  search: '.50'\n"  # unquoted, 0.50
        "cap:\n"
        "  amount: 3000.00\n"
        "  percent: 7.5\n"
        "availability:\n"
        "- name: '1.5'\n"
        "  displayName: '99.95'\n"
        "  services:\n"
        "  - '2.0'\n"
        "  - '1e3'\n"  # YAML 1.2 (the reader's) reads 1e3 unquoted as a number
        "  level: 99.95\n"
        "  credits:\n"
        "  - below: 99.95\n"
        "    atLeast: 99.0\n"
        "    credit: 10\n"
        "  - atMost: 99.0\n"
        "    above: 95.5\n"
        "    credit: 25.0\n"
        "  cap:\n"
        "    percent: 50\n"
        "    amount: '100'\n"
        "  minimumCredit:\n"
        "    above: 25.00\n"
        "    atLeast: '1_000.00'\n"
        "  measurement:\n"
        "    source: bad-intervals\n"
        "    errorRateAtLeast: 5.0\n"
        "  terms: at least 99.95 %\n"
        "support:\n"
        "- name: desk\n"
        "  targets:\n"
        "    P1:\n"
        "      firstResponse: 30m\n"
        "  attainment: 95.5\n"
        "  penalty:\n"
        "    percent: 99.99%\n"
        "    amount: 250.00\n"
    )
    found = read_back(text)
    assert found["fees"] == {
        "checkout": Decimal("8000.00"),
        "storefront": "4000",
        "search": ".50",
    }
    (uptime,) = found["availability"]
    assert (uptime["name"], uptime["displayName"], uptime["services"]) == (
        "1.5",
        "99.95",
        ["2.0", "1e3"],
    )
    assert str(uptime["level"]) == "99.95"
    assert [str(t["below"]) for t in uptime["credits"][:1]] == ["99.95"]
    assert uptime["minimumCredit"] == {"above": Decimal("25.00"), "atLeast": "1_000.00"}
    assert found["support"][0]["penalty"] == {"percent": "99.99%", "amount": Decimal("250.00")}


def test_a_minimum_credit_as_one_amount_is_a_plain_number() -> None:
    text = terms_text({"availability": [{"name": "up", "minimumCredit": "50.00"}]})
    assert text == "availability:\n- name: up\n  minimumCredit: 50.00\n"
    assert read_back(text)["availability"][0]["minimumCredit"] == Decimal("50.00")


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="0123456789._+-eE%", min_size=1, max_size=12),
    key=st.sampled_from(["level", "displayName"]),
)
def test_any_text_reads_back_as_itself(text: str, key: str) -> None:
    """Whatever decimal-looking text a money or percent field (or a name) holds, the prefill
    reads back as that text: a Decimal of the same text, or the text itself."""
    found = read_back(terms_text({"availability": [{key: text}]}))["availability"][0][key]
    if isinstance(found, Decimal):
        assert key == "level"
        assert str(found) == text
    else:
        assert found == text


def decimal_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """The paths of a version's money and percentages, read from the definition's model (its
    ``Decimal`` fields), written as ``DECIMAL_FIELDS`` writes them."""
    found: set[str] = set()

    def walk(annotation: Any, path: str) -> None:
        origin = get_origin(annotation)
        if origin is Annotated:
            walk(get_args(annotation)[0], path)
        elif origin in (Union, UnionType):
            for arg in get_args(annotation):
                walk(arg, path)
        elif origin is list:
            walk(get_args(annotation)[0], f"{path}[]")
        elif origin is dict:
            walk(get_args(annotation)[1], f"{path}.*")
        elif annotation is Decimal:
            found.add(path)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for name, info in annotation.model_fields.items():
                key = info.alias or name
                walk(info.rebuild_annotation(), f"{path}.{key}" if path else key)

    walk(model, prefix)
    return found


def test_the_decimal_fields_are_the_models() -> None:
    assert decimal_fields(VersionSpec) == DECIMAL_FIELDS
