"""An unknown apiVersion is answered with the known version it most likely means.

The conformance hunt on real OpenSLO files found ``apiVersion: openslo/v1alpha1`` answered "did
you mean 'openslo/v1'?": difflib's ratio preferred the shorter string, though ``v1alpha1`` is
the common mistake for ``openslo/v1alpha`` (Kubernetes versions end in a number, OpenSLO's
alpha does not). The versions Covenant reads are openslo/v1, covenant/v1 and the two it
converts, openslo/v1alpha and openslo.com/v2alpha (docs/definitions.md): the group written
(``openslo``, ``openslo.com``, ``covenant``) is kept, and of its versions the one the written
version starts with (longest first) is meant.
"""

from __future__ import annotations

import pytest

from covenant.definitions.kinds import nearest_api_version
from tests.definitions.helpers import load_text


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("openslo/v1alpha1", "openslo/v1alpha"),  # the Kubernetes-style number added
        ("openslo/v1alpha2", "openslo/v1alpha"),
        ("openslo/v1beta1", "openslo/v1"),  # no beta: the stable version it would precede
        ("openslo/v1.0", "openslo/v1"),
        ("openslo.com/v1", "openslo/v1"),  # v1 has no .com group
        ("openslo.com/v2alpha1", "openslo.com/v2alpha"),
        ("openslo/v1alpa", "openslo/v1alpha"),  # misspelt
        ("OpenSLO/v1", "openslo/v1"),
        ("opensol/v1", "openslo/v1"),  # the group misspelt
        ("covenant/v1alpha1", "covenant/v1"),  # covenant has only v1
        ("covenant/v2", "covenant/v1"),
        ("covenent/v1", "covenant/v1"),
        ("openslo.com/v1alpha", "openslo/v1alpha"),
        ("openslo/1", "openslo/v1"),
        ("openslo/V1", "openslo/v1"),
    ],
)
def test_the_nearest_known_version_is_suggested(written: str, meant: str) -> None:
    assert nearest_api_version(written) == meant


@pytest.mark.parametrize("written", ["foo", "apps/v1", "monitoring.coreos.com/v1", "v1", ""])
def test_a_version_of_no_known_group_gets_no_guess(written: str) -> None:
    assert nearest_api_version(written) == ""


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("openslo/v1alpha1", "openslo/v1alpha"),
        ("openslo/v1beta1", "openslo/v1"),
        ("openslo/v1alpha2", "openslo/v1alpha"),
        ("openslo.com/v2alpha1", "openslo.com/v2alpha"),
        ("openslo/v1.0", "openslo/v1"),
        ("covenant/v1alpha1", "covenant/v1"),
    ],
)
def test_the_error_suggests_it(written: str, meant: str) -> None:
    text = f"apiVersion: {written}\nkind: Service\nmetadata: {{name: shop}}\nspec: {{}}\n"
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.code == "unknown-api-version"]
    assert problem.fix == f"did you mean {meant!r}?"


def test_openslo_com_v1_is_still_the_operator_format() -> None:
    """``openslo.com/v1`` is the OpenSLO Kubernetes operators' (osko) format: its own error
    (``other-tool-format``) says how to write it as openslo/v1."""
    text = "apiVersion: openslo.com/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"
    _, problems = load_text(text)
    (problem,) = problems
    assert problem.code == "other-tool-format"
    assert "apiVersion: openslo/v1," in problem.fix


def test_no_guess_names_the_versions_read() -> None:
    text = "apiVersion: foo\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.code == "unknown-api-version"]
    assert problem.fix == "use openslo/v1 or covenant/v1"


def test_openslo_v2alpha1_is_still_the_draft_not_read() -> None:
    text = "apiVersion: openslo/v2alpha1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.field == "apiVersion"]
    assert problem.code == "unsupported-api-version"
    assert "openslo.com/v2alpha" in problem.fix
