"""A name that is no DNS label gets a suggestion that keeps its letters: accents fall back to
the base letter (``prüfung`` → ``prufung``), not to a dash (``pr-fung``). Imported names are
made the same way."""

from __future__ import annotations

import pytest

from covenant.definitions.fields import dns_label
from tests.definitions.helpers import load_text


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("prüfung-verfügbarkeit", "prufung-verfugbarkeit"),
        ("prom-http-ünï", "prom-http-uni"),
        ("Straße API", "strasse-api"),
        ("Checkout_Latency", "checkout-latency"),
        ("--a--b--", "a-b"),
        ("日本", "unnamed"),
    ],
)
def test_a_label_keeps_the_letters_it_can(name: str, label: str) -> None:
    assert dns_label(name) == label


def test_an_invalid_name_suggests_the_label() -> None:
    text = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: prüfung}\nspec: {}\n"
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.code == "invalid-name"]
    assert problem.fix.endswith("e.g. 'prufung'")


@pytest.mark.parametrize("api", ["openslo/v1alpha1", "openslo/v2alpha", "foo", "covenant/v2"])
def test_the_label_is_suggested_whatever_the_api_version(api: str) -> None:
    """A document of an apiVersion Covenant does not read still has its name checked (the
    conformance hunt: ``oslo-validate/inputs/invalid-apiversion.yaml``'s neighbours): the fix
    gives the lowercase DNS-label spelling there too, not only the rule."""
    text = f"apiVersion: {api}\nkind: Service\nmetadata: {{name: My_Rad Service}}\nspec: {{}}\n"
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.code == "invalid-name"]
    assert problem.fix == (
        "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or "
        "digit, e.g. 'my-rad-service'"
    )
