"""``GET /errors`` and ``GET /errors/{code}``, for staff: the error reference, as ``covenant
explain`` prints it — every code an answer's ``code`` (or a validation problem) can carry,
what it means and how to fix it (``services.error_reference``, one reading for both)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from covenant.api.deps import allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS

router = APIRouter(
    responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))], tags=["errors"]
)


@router.get("/errors")
def list_errors() -> dict[str, Any]:
    """Every documented code in the reference's order, with its group and the first line of
    its explanation (as `covenant explain` lists them)."""
    from covenant.services.error_reference import reference

    return {
        "errors": [
            {"code": e.code, "group": e.group, "summary": e.summary} for e in reference().values()
        ]
    }


@router.get("/errors/{code}")
def explain_error(
    code: Annotated[
        str, Path(max_length=100, description="A code as an error answer gives it (not-found).")
    ],
) -> dict[str, Any]:
    """One code's explanation, as `covenant explain CODE` prints it: its ``group`` and its
    ``text`` (plain text, a paragraph a line); ``404 not-found`` naming the codes spelled like
    it for a code the reference does not document."""
    from covenant.services.error_reference import explain

    found = explain(code)
    return {"code": found.code, "group": found.group, "text": found.text}
