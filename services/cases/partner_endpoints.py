"""Routes of the partner directory: support reads it (and asks for a reply that recommends
partners), administrators keep it."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from services.cases import partners
from services.cases.models import Partner
from services.cases.problems import ADMIN_ONLY, PARTNER_NOT_FOUND, STAFF_ONLY
from services.cases.schemas import PartnerIn, PartnerPublic, PartnerRecommendation, ProductCode, Region
from shared.auth import CurrentUser
from shared.http.deps import SessionDep
from shared.http.problems import problem_responses
from shared.i18n import Locale

router = APIRouter(prefix="/desk/partners", tags=["support desk"], responses=problem_responses(STAFF_ONLY))

RegionFilter = Annotated[Region | None, Query(description="ISO 3166 alpha-2, e.g. TW")]
ProductFilter = Annotated[ProductCode | None, Query(description="Only partners serving this product")]


def _public(partner: Partner) -> PartnerPublic:
    return PartnerPublic.model_validate(partner, from_attributes=True)


@router.get("", summary="Partners, optionally of one region and product")
async def list_partners(
    session: SessionDep, user: CurrentUser, region: RegionFilter = None, product: ProductFilter = None
) -> list[PartnerPublic]:
    return [_public(p) for p in await partners.list_partners(session, user, region, product)]


@router.get("/recommendation", summary="A reply recommending the partners of a region and product")
async def recommend(
    session: SessionDep,
    user: CurrentUser,
    region: Annotated[Region, Query()],
    product: Annotated[ProductCode, Query()],
    locale: Locale = "en",
) -> PartnerRecommendation:
    found = await partners.list_partners(session, user, region, product)
    return PartnerRecommendation(
        partners=[_public(p) for p in found], body=partners.recommendation(found, product, locale)
    )


@router.post("", status_code=201, summary="Add a partner (admin)", responses=problem_responses(ADMIN_ONLY))
async def create_partner(session: SessionDep, user: CurrentUser, body: PartnerIn) -> PartnerPublic:
    return _public(await partners.create_partner(session, user, body))


@router.put(
    "/{partner_id}",
    summary="Change a partner (admin)",
    responses=problem_responses(ADMIN_ONLY, PARTNER_NOT_FOUND),
)
async def update_partner(
    session: SessionDep, user: CurrentUser, partner_id: UUID, body: PartnerIn
) -> PartnerPublic:
    return _public(await partners.update_partner(session, user, partner_id, body))


@router.delete(
    "/{partner_id}",
    status_code=204,
    summary="Remove a partner (admin)",
    responses=problem_responses(ADMIN_ONLY, PARTNER_NOT_FOUND),
)
async def delete_partner(session: SessionDep, user: CurrentUser, partner_id: UUID) -> Response:
    await partners.delete_partner(session, user, partner_id)
    return Response(status_code=204)
