"""Back-office routes for the licensing screens: the back-pay preview and restoring a void.
Administrators only: support engineers work cases, the back office sells and corrects."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.licensing import schemas
from services.licensing.dependencies import SettingsDep
from services.licensing.problems import COVERAGE_OVERLAP, LICENSE_VOID, NOT_VOID
from services.licensing.service import staff_corrections, staff_issuance
from shared.auth import Principal, require_roles
from shared.dates import EARLIEST, LATEST
from shared.http.deps import SessionDep
from shared.http.problems import problem_responses

Admin = Annotated[Principal, require_roles("admin")]

office = APIRouter(prefix="/admin", tags=["back office"])


@office.get(
    "/licenses/{serial}/contract-terms",
    summary="The back-pay rule for proposed contract dates: required start, gap or overlap",
)
async def contract_terms(
    serial: str,
    session: SessionDep,
    settings: SettingsDep,
    _: Admin,
    starts_on: Annotated[date | None, Query(ge=EARLIEST, le=LATEST)] = None,
    ends_on: Annotated[date | None, Query(ge=EARLIEST, le=LATEST)] = None,
) -> schemas.ContractTerms:
    return await staff_issuance.contract_terms(session, settings, serial, starts_on, ends_on)


@office.post(
    "/licenses/{serial}/restore",
    summary="Restore a void license (audited; its holder is entitled again)",
    responses=problem_responses(NOT_VOID),
)
async def restore_license(
    serial: str, body: schemas.RestoreRequest, session: SessionDep, settings: SettingsDep, actor: Admin
) -> schemas.LicenseAdminView:
    return await staff_corrections.restore_license(session, settings, actor, serial, body.reason)


@office.post(
    "/contracts/{contract_id}/restore",
    summary="Restore a void maintenance contract (audited)",
    responses=problem_responses(NOT_VOID, LICENSE_VOID, COVERAGE_OVERLAP),
)
async def restore_contract(
    contract_id: UUID, body: schemas.RestoreRequest, session: SessionDep, actor: Admin
) -> schemas.LicenseAdminView:
    return await staff_corrections.restore_contract(session, actor, contract_id, body.reason)
