"""A description over OpenSLO's 1050 characters says how long it is, in Covenant's words.

oslo's ``test/inputs/v1/service/service-long-description.yaml`` (and OpenSLO's
``schema-test/spec-files/v1/service/service-long-description.yaml``) hold a Service
description of 1431 characters. The error was pydantic's own sentence, "String should have at
most 1050 characters", with the text's first words: not how much to cut. The expected text is
written by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text


def test_a_long_description_says_its_length_and_the_limit() -> None:
    text = (
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: my-rad-service}\nspec:\n"
        f"  description: {'x' * 1431}\n"
    )
    _, problems = analyse_text(text, file="ws.yaml")
    assert [(p.where, p.field, p.code, p.message, p.fix) for p in problems] == [
        (
            "ws.yaml:5",
            "spec.description",
            "invalid-value",
            "description is 1431 characters long; at most 1050 are allowed",
            "shorten it by at least 381 characters",
        )
    ]


def test_unicode_is_counted_in_characters_not_bytes() -> None:
    """1050 characters of 'é' (2100 bytes in UTF-8) are within the limit."""
    text = (
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: a}\nspec:\n"
        f"  description: {'é' * 1050}\n"
    )
    _, problems = analyse_text(text, file="ws.yaml")
    assert problems == []
