"""Routes of the downloads service: thin, each calls one use case."""

import base64
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import RedirectResponse

from services.downloads import service
from services.downloads.channels import choose_preview, preview_opted_in
from services.downloads.schemas import ArtifactPublic, ChannelChoicePublic, DownloadGrant, ReleasePublic
from services.downloads.service import ReleaseView
from services.downloads.storage import Presigner
from shared.auth import CurrentUser
from shared.entitlements import ReleaseKind
from shared.http.deps import ClientAddress, LocaleDep, Page, SessionDep, from_app_state, paging
from shared.i18n import Locale

router = APIRouter(prefix="/releases", tags=["releases"])
channels_router = APIRouter(prefix="/me/channels", tags=["releases"])


@channels_router.get("", summary="Whether you see preview releases besides stable ones")
async def get_channels(session: SessionDep, user: CurrentUser) -> ChannelChoicePublic:
    return ChannelChoicePublic(preview=await preview_opted_in(session, user.user_id))


@channels_router.put("", summary="Opt in to (or out of) preview releases")
async def set_channels(
    session: SessionDep, user: CurrentUser, body: ChannelChoicePublic
) -> ChannelChoicePublic:
    return ChannelChoicePublic(preview=await choose_preview(session, user.user_id, body.preview))


def _public(view: ReleaseView, locale: Locale) -> ReleasePublic:
    release = view.release
    return ReleasePublic(
        release_id=release.release_id,
        product=release.product,
        version=release.version,
        kind=release.kind,
        channel=release.channel,
        title=view.text.title,
        notes=view.text.notes,
        published_on=view.published_on,
        entitled=view.entitled,
        reason=view.reason.render(locale) if view.reason else None,
        artifacts=[
            ArtifactPublic(filename=a.filename, size=a.size, sha256=a.sha256, content_type=a.content_type)
            for a in view.artifacts
        ],
    )


@router.get("", summary="Releases of the products you hold, newest first")
async def list_releases(
    session: SessionDep,
    page: Annotated[Page, paging(default_limit=100, max_limit=500)],
    user: CurrentUser,
    locale: LocaleDep,
    product: Annotated[str | None, Query(max_length=64)] = None,
    kind: ReleaseKind | None = None,
) -> list[ReleasePublic]:
    views = await service.list_releases(
        session, user, locale, product=product, kind=kind, limit=page.limit, offset=page.offset
    )
    return [_public(view, locale) for view in views]


@router.get("/{release_id}", summary="One release of a product you hold")
async def get_release(
    session: SessionDep, user: CurrentUser, locale: LocaleDep, release_id: UUID
) -> ReleasePublic:
    return _public(await service.get_release(session, user, locale, release_id), locale)


@router.get(
    "/{release_id}/artifacts/{filename}",
    summary="Download a file: a short-lived presigned URL (307, or JSON with `Prefer: no-redirect`)",
    status_code=307,
    response_model=DownloadGrant,
    responses={200: {"model": DownloadGrant, "description": "With `Prefer: no-redirect`"}},
)
async def download_artifact(
    session: SessionDep,
    presigner: Annotated[Presigner, from_app_state("presigner")],
    user: CurrentUser,
    locale: LocaleDep,
    client: ClientAddress,
    release_id: UUID,
    filename: str,
    prefer: Annotated[str | None, Header()] = None,
) -> Response:
    grant = await service.grant_download(session, presigner, user, locale, release_id, filename, client)
    sha256 = grant.sha256
    headers = {
        "X-Checksum-SHA256": sha256,
        "Digest": f"sha-256={_base64_digest(sha256)}",
        "Cache-Control": "no-store",
    }
    if prefer and "no-redirect" in prefer.lower():
        body = DownloadGrant(
            url=grant.url.url, sha256=sha256, size=grant.size, expires_at=grant.url.expires_at
        )
        return Response(body.model_dump_json(), media_type="application/json", headers=headers)
    return RedirectResponse(grant.url.url, status_code=307, headers=headers)


def _base64_digest(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()
