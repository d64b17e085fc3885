"""The caller's own licensing data for "Download my data": the licenses bound to the account
and the contracts bound to them, exactly as the account's own pages show them."""

from fastapi import APIRouter
from pydantic import BaseModel

from services.licensing import schemas
from services.licensing.dependencies import SettingsDep
from services.licensing.service import customer_contracts, my_licenses
from shared.auth import CurrentUser
from shared.driver_sql import driver_connection
from shared.http.deps import SessionDep

my_data = APIRouter(prefix="/me", tags=["customers"])


class LicensingExport(BaseModel):
    licenses: list[schemas.CustomerLicense]
    contracts: list[schemas.CustomerContract]


@my_data.get("/export", summary="Everything licensing keeps about the signed-in account (JSON)")
async def export_my_data(session: SessionDep, settings: SettingsDep, user: CurrentUser) -> LicensingExport:
    return LicensingExport(
        licenses=await my_licenses.my_licenses(await driver_connection(session), settings, user),
        contracts=await customer_contracts.list_my_contracts(session, user),
    )
