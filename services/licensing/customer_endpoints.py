"""Customer-facing routes: look up, preview and bind licenses and contracts, my licenses and
their signed files; and the public keys that verify those files."""

import base64
import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from fastapi.responses import PlainTextResponse

from services.licensing import schemas
from services.licensing.dependencies import Customer, SettingsDep
from services.licensing.problems import (
    ACCOUNT_NOT_VERIFIED,
    COVERAGE_GAP,
    LICENSE_ALREADY_BOUND,
    LICENSE_NOT_BOUND_TO_YOU,
)
from services.licensing.service import (
    customer_contracts,
    customer_licenses,
    my_licenses,
    repository,
)
from services.licensing.signing_keys import PublicKey, key_store, public_keys
from services.licensing.texts import (
    SIGNING_KEY_NOT_READY,
)
from shared.db import read_only
from shared.filenames import attachment_disposition
from shared.http.deps import ClientAddress, DatabaseDep, SessionDep
from shared.http.problems import (
    RATE_LIMITED,
    UNAVAILABLE,
    Problem,
    problem_responses,
)

NOT_FOUND_RESPONSE: dict[int | str, dict[str, Any]] = {
    404: {"description": "Wrong serial or registration number (the same answer for either)"}
}
# Looking up or binding by serial and registration number: counted, and limited per address.
LOOKUP_RESPONSES = {
    **problem_responses(ACCOUNT_NOT_VERIFIED, LICENSE_ALREADY_BOUND, RATE_LIMITED),
    **NOT_FOUND_RESPONSE,
}
CONTRACT_LOOKUP_RESPONSES = {
    **problem_responses(ACCOUNT_NOT_VERIFIED, LICENSE_NOT_BOUND_TO_YOU, COVERAGE_GAP, RATE_LIMITED),
    **NOT_FOUND_RESPONSE,
}


me = APIRouter(prefix="/me", tags=["customers"])


@me.post("/licenses/search", summary="Preview a license before binding it", responses=LOOKUP_RESPONSES)
async def search_license(
    body: schemas.LookupRequest,
    database: DatabaseDep,
    settings: SettingsDep,
    user: Customer,
    address: ClientAddress,
) -> schemas.LicensePreview:
    # Every statement of a lookup is atomic on its own (a failed one is counted in a short
    # transaction of its own): an autocommit connection, no BEGIN and COMMIT around them.
    async with read_only(database) as connection:
        return await customer_licenses.preview_license(connection, settings, user, address, body)


@me.post(
    "/licenses",
    status_code=201,
    summary="Bind a license to my account (again: 200, idempotent)",
    responses={200: {"model": schemas.CustomerLicense}, **LOOKUP_RESPONSES},
)
async def bind_license(
    body: schemas.LookupRequest,
    database: DatabaseDep,
    settings: SettingsDep,
    user: Customer,
    address: ClientAddress,
    response: Response,
) -> schemas.CustomerLicense:
    # The bind writes the owner and its event in one statement: no transaction around it.
    async with read_only(database) as connection:
        license, created = await customer_licenses.bind_license(connection, settings, user, address, body)
    response.status_code = 201 if created else 200
    return license


@me.get("/licenses", summary="My licenses with coverage, status and timeline")
async def list_my_licenses(
    database: DatabaseDep, settings: SettingsDep, user: Customer
) -> list[schemas.CustomerLicense]:
    async with read_only(database) as connection:
        return await my_licenses.my_licenses(connection, settings, user)


@me.get("/licenses/{license_id}", summary="One of my licenses")
async def get_my_license(
    license_id: UUID, database: DatabaseDep, settings: SettingsDep, user: Customer
) -> schemas.CustomerLicense:
    async with read_only(database) as connection:
        return await my_licenses.my_license(connection, settings, user, license_id)


@me.get(
    "/licenses/{license_id}/file",
    summary="Download the signed license file (<serial>.lic)",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
async def download_license_file(
    license_id: UUID, session: SessionDep, settings: SettingsDep, user: Customer
) -> Response:
    filename, document = await customer_licenses.license_file(session, settings, user, license_id)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={"Content-Disposition": attachment_disposition(filename), "Cache-Control": "no-store"},
    )


@me.post(
    "/contracts/search",
    summary="Preview a maintenance contract before binding it",
    responses=CONTRACT_LOOKUP_RESPONSES,
)
async def search_contract(
    body: schemas.LookupRequest,
    session: SessionDep,
    settings: SettingsDep,
    user: Customer,
    address: ClientAddress,
) -> schemas.ContractPreview:
    return await customer_contracts.preview_contract(session, settings, user, address, body)


@me.post(
    "/contracts",
    status_code=201,
    summary="Bind a maintenance contract to my license (again: 200, idempotent)",
    responses={200: {"model": schemas.CustomerContract}, **CONTRACT_LOOKUP_RESPONSES},
)
async def bind_contract(
    body: schemas.LookupRequest,
    session: SessionDep,
    settings: SettingsDep,
    user: Customer,
    address: ClientAddress,
    response: Response,
) -> schemas.CustomerContract:
    contract, created = await customer_contracts.bind_contract(session, settings, user, address, body)
    response.status_code = 201 if created else 200
    return contract


@me.get("/contracts", summary="My bound maintenance contracts")
async def list_my_contracts(session: SessionDep, user: Customer) -> list[schemas.CustomerContract]:
    return await customer_contracts.list_my_contracts(session, user)


# --- public keys -------------------------------------------------------------------------------

keys = APIRouter(tags=["license files"])


async def _published(session: SessionDep, settings: SettingsDep) -> list[PublicKey]:
    """The keys that verify license files, the signing one first."""
    return public_keys(await key_store(settings.secret_key).published(session, repository.utcnow()))


Published = Annotated[list[PublicKey], Depends(_published)]


@keys.get("/license-keys", summary="Public keys that sign license files")
async def license_keys(published: Published) -> schemas.PublicKeySet:
    return schemas.PublicKeySet(
        keys=[
            schemas.PublicKeyView(key_id=k.key_id, public_key=base64.b64encode(k.raw).decode(), pem=k.pem)
            for k in published
        ]
    )


@keys.get(
    "/license-key.pub",
    summary="The current license-file public key (PEM)",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/x-pem-file": {"schema": {"type": "string"}}}}},
)
async def license_key_pem(published: Published) -> PlainTextResponse:
    current = published[:1]
    if not current:
        raise Problem(UNAVAILABLE, detail=SIGNING_KEY_NOT_READY())
    return PlainTextResponse(current[0].pem, media_type="application/x-pem-file")
