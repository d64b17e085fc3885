"""Ops endpoints: what the mail queue holds, and putting a given-up mail back in it."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.notifier import service
from services.notifier.schemas import DeliveryList, DeliveryPublic, DeliveryStatus
from shared import clock
from shared.auth import require_roles
from shared.http.deps import Page, SessionDep, paging

admin = APIRouter(prefix="/admin", tags=["admin"], dependencies=[require_roles("admin", "support")])


@admin.get("/deliveries", summary="List recent deliveries (newest first)")
async def list_deliveries(
    session: SessionDep,
    page: Annotated[Page, paging(max_limit=500)],
    status: DeliveryStatus | None = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
) -> DeliveryList:
    rows = await service.list_deliveries(session, status=status, email=email, page=page)
    return DeliveryList(items=[DeliveryPublic.model_validate(row) for row in rows])


@admin.post("/deliveries/{delivery_id}/retry", summary="Queue a failed delivery again")
async def retry_delivery(delivery_id: UUID, session: SessionDep) -> DeliveryPublic:
    delivery = await service.retry_delivery(session, delivery_id, clock.now())
    return DeliveryPublic.model_validate(delivery)
