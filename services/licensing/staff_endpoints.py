"""Staff-facing routes (back office): issue, import, void, move, search, and the audit listing."""

from collections.abc import AsyncGenerator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.formparsers import MultiPartException, MultiPartParser

from services.licensing import schemas
from services.licensing.csv_import import issued_csv
from services.licensing.dependencies import SettingsDep, Staff
from services.licensing.problems import (
    ALREADY_VOID,
    COVERAGE_GAP,
    COVERAGE_OVERLAP,
    IMPORT_INVALID,
    IMPORT_TOO_LARGE,
    LICENSE_VOID,
    MOVE_TARGET_NOT_VERIFIED,
    NOT_BOUND,
)
from services.licensing.service import (
    staff_corrections,
    staff_issuance,
    staff_search,
)
from services.licensing.texts import (
    SEND_CSV,
    SEND_CSV_AS_FILE_FIELD,
    SPLIT_IMPORT,
    UPLOAD_NOT_MULTIPART,
)
from shared.http.deps import Page, SessionDep, paging
from shared.http.problems import (
    UNSUPPORTED_MEDIA,
    Problem,
    problem_responses,
)

admin = APIRouter(prefix="/admin", tags=["back office"])


@admin.post("/licenses", status_code=201, summary="Issue a license (the registration number is shown once)")
async def issue_license(
    body: schemas.LicenseIssue, session: SessionDep, settings: SettingsDep, actor: Staff, response: Response
) -> schemas.LicenseIssued:
    response.headers["Cache-Control"] = "no-store"
    return await staff_issuance.issue_license(session, settings, actor, body)


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Problem(IMPORT_TOO_LARGE, detail=SPLIT_IMPORT(megabytes=limit // (1024 * 1024)))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(IMPORT_TOO_LARGE, detail=SPLIT_IMPORT(megabytes=limit // (1024 * 1024)))
    return bytes(body)


async def _csv_from_multipart(request: Request, body: bytes) -> bytes:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=5).parse()
    except MultiPartException as error:
        raise Problem(
            IMPORT_INVALID,
            detail=UPLOAD_NOT_MULTIPART(),
            errors=[{"field": "file", "message": error.message}],
        ) from error
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Problem(IMPORT_INVALID, detail=SEND_CSV_AS_FILE_FIELD())
    return await upload.read()


@admin.post(
    "/licenses/import",
    status_code=201,
    summary="Import licenses from CSV (all rows or none); answers the issued serials once, as CSV",
    response_class=Response,  # CSV when importing, JSON for a dry run
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    },
    responses={
        200: {
            "model": schemas.ImportCheck,
            "description": "Dry run (`dry_run=true`): the check as JSON, nothing imported",
        },
        201: {"content": {"text/csv": {}}},
        **problem_responses(IMPORT_TOO_LARGE, UNSUPPORTED_MEDIA, IMPORT_INVALID),
    },
)
async def import_licenses(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Staff,
    dry_run: Annotated[bool, Query(description="Only check the file: 200 with every bad row")] = False,
) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("text/csv", "application/csv", "text/plain", "multipart/form-data"):
        raise Problem(UNSUPPORTED_MEDIA, detail=SEND_CSV())
    body = await _read_limited(request, settings.import_max_bytes)
    if content_type == "multipart/form-data":
        body = await _csv_from_multipart(request, body)
    if dry_run:
        return JSONResponse(staff_issuance.check_import(settings, body).model_dump(mode="json"))
    issued = await staff_issuance.import_licenses(session, settings, actor, body)
    return PlainTextResponse(
        issued_csv(issued),
        status_code=201,
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="issued-licenses.csv"',
            "Cache-Control": "no-store",
            "X-Imported-Count": str(len(issued)),
        },
    )


@admin.post(
    "/licenses/{serial}/contracts",
    status_code=201,
    summary="Issue a maintenance contract",
    responses=problem_responses(LICENSE_VOID, COVERAGE_GAP, COVERAGE_OVERLAP),
)
async def issue_contract(
    serial: str,
    body: schemas.ContractIssue,
    session: SessionDep,
    settings: SettingsDep,
    actor: Staff,
    response: Response,
) -> schemas.ContractIssued:
    response.headers["Cache-Control"] = "no-store"
    return await staff_issuance.issue_contract(session, settings, actor, serial, body)


@admin.post(
    "/licenses/{serial}/void", summary="Void a license (audited)", responses=problem_responses(ALREADY_VOID)
)
async def void_license(
    serial: str, body: schemas.VoidRequest, session: SessionDep, settings: SettingsDep, actor: Staff
) -> schemas.LicenseAdminView:
    return await staff_corrections.void_license(session, settings, actor, serial, body.reason)


@admin.post(
    "/contracts/{contract_id}/void",
    summary="Void a maintenance contract (audited)",
    responses=problem_responses(ALREADY_VOID),
)
async def void_contract(
    contract_id: UUID, body: schemas.VoidRequest, session: SessionDep, actor: Staff
) -> schemas.LicenseAdminView:
    return await staff_corrections.void_contract(session, actor, contract_id, body.reason)


@admin.post(
    "/licenses/{serial}/move",
    summary="Move a binding to another verified account (audited)",
    responses=problem_responses(LICENSE_VOID, NOT_BOUND, MOVE_TARGET_NOT_VERIFIED),
)
async def move_binding(
    serial: str, body: schemas.MoveRequest, session: SessionDep, settings: SettingsDep, actor: Staff
) -> schemas.LicenseAdminView:
    return await staff_corrections.move_binding(session, settings, actor, serial, body)


@admin.get("/licenses", summary="Search licenses by serial, product, customer ref, account id or email")
async def search_licenses(
    narrow: Annotated[schemas.LicenseFilter, Query()],
    session: SessionDep,
    page: Annotated[Page, paging()],
    _: Staff,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[schemas.LicenseAdminView]:
    return await staff_search.search_licenses(session, q, page.limit, page.offset, narrow)


@admin.get("/audit", summary="Back-office actions: who, when, why")
async def list_audit(
    filters: Annotated[schemas.AuditFilter, Query()],
    session: SessionDep,
    page: Annotated[Page, paging(default_limit=100, max_limit=500)],
    _: Staff,
    target: Annotated[str | None, Query(max_length=200)] = None,
) -> list[schemas.AuditView]:
    return await staff_search.list_audit(session, target, page.limit, page.offset, filters)
