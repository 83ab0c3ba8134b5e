"""A version's terms in the shape an amendment takes them (staff: admin, editor, viewer).

``GET /agreements/{name}/versions/{n}/terms`` answers version n's definition as the store
recorded it, without what an amendment gives itself (its number, status, signatories,
effectiveFrom and reason): exactly what ``POST .../versions/{n}/amend`` takes as ``terms``,
so a client reads it, changes what it wants and sends it back ("kubectl edit"). Sent back
unchanged, it drafts a version with version n's terms. Money and percentages are decimal text
(``"8000.00"``, ``"99.95"``), as in every answer; a number the contract wrote as an integer
(``credit: 10``) stays one. A customer token is refused (``forbidden``) before anything is
looked up, as on the agreement's history, so the answer tells it nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam

from covenant.api.deps import Ctx, allow
from covenant.api.errors import RESPONSES, ErrorBody
from covenant.core.access import INTERNAL_READERS

router = APIRouter(
    responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))], tags=["agreements"]
)

Number = Annotated[int, PathParam(ge=1, le=1_000_000)]
EXAMPLE: dict[str, Any] = {  # examples/shop/contracts.yaml's globex-enterprise v1, shortened
    "period": {"timeZone": "Europe/Berlin", "unit": "month"},
    "fees": {"checkout": "8000.00", "storefront": "4000.00"},
    "availability": [
        {
            "name": "checkout-uptime",
            "services": ["checkout"],
            "level": "99.95",
            "measurement": {"source": "incidents"},
            "credits": [{"below": "99.95", "atLeast": "99.9", "credit": 10}],
            "minimumCredit": "50.00",
            "claimDeadline": {"periodsAfter": 2},
        }
    ],
    "support": [
        {
            "name": "enterprise-support",
            "targets": {"P1": {"firstResponse": "30m", "resolution": "4h"}},
            "attainment": 95,
            "penalty": {"percent": 5},
        }
    ],
}


@router.get(
    "/agreements/{name}/versions/{version}/terms",
    responses={
        200: {
            "description": "Version n's terms, as `.../versions/{n}/amend` takes `terms`",
            "content": {"application/json": {"example": EXAMPLE}},
        },
        409: {
            "model": ErrorBody,
            "description": "Version n was recorded without its definition, and the "
            "workspace's copy differs (conflict)",
        },
    },
)
def get_version_terms(ctx: Ctx, name: str, version: Number) -> dict[str, Any]:
    """Version `version`'s terms as recorded, in the shape an amendment's `terms` takes them:
    the version's body as an Agreement's YAML writes it (camelCase), without `version`,
    `status`, `signatories`, `effectiveFrom` and `reason` (the amendment's own). Money and
    percentages are decimal text. Change what you want and send it as `terms` to `POST
    .../versions/{version}/amend`; sent unchanged, it drafts version `version`'s terms."""
    from covenant.services.agreement_amendments import version_terms

    return version_terms(ctx.engine(), workspace=ctx.workspace(), name=name, number=version)
