"""Routes of the download analytics (release and admin roles): each calls one query."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.downloads import analytics
from services.downloads.analytics import DailyDownloads, LicenseVersion
from services.downloads.problems import BAD_PERIOD
from services.downloads.releases import RELEASE_ROLE
from services.downloads.texts import PERIOD_TOO_LONG
from shared import clock
from shared.auth import Principal, require_roles
from shared.http.deps import SessionDep
from shared.http.problems import Problem

router = APIRouter(prefix="/admin/downloads", tags=["download analytics"])
ProductTeam = Annotated[Principal, require_roles(RELEASE_ROLE, "admin")]
Product = Annotated[str | None, Query(max_length=64)]
MAX_DAYS = 366
EARLIEST, LATEST = date(1970, 1, 1), date(9000, 1, 1)


def _period(since: date | None, until: date | None) -> tuple[date, date]:
    until = until or clock.today()
    if until < EARLIEST or until >= LATEST:  # no download lies outside, and the arithmetic stays in range
        raise Problem(BAD_PERIOD, detail=PERIOD_TOO_LONG(days=MAX_DAYS))
    since = since or until - timedelta(days=29)
    if since > until or (until - since).days >= MAX_DAYS:
        raise Problem(BAD_PERIOD, detail=PERIOD_TOO_LONG(days=MAX_DAYS))
    return since, until


@router.get("/daily", summary="Downloads and grants per release and business day")
async def daily(
    session: SessionDep,
    _: ProductTeam,
    product: Product = None,
    since: date | None = None,
    until: date | None = None,
) -> list[DailyDownloads]:
    first, last = _period(since, until)
    return await analytics.daily(session, since=first, until=last, product=product)


@router.get(
    "/daily.csv",
    summary="The same as CSV (UTF-8, one row per release and day)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def daily_csv(
    session: SessionDep,
    _: ProductTeam,
    product: Product = None,
    since: date | None = None,
    until: date | None = None,
) -> Response:
    first, last = _period(since, until)
    rows = await analytics.daily(session, since=first, until=last, product=product)
    return Response(
        analytics.daily_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="downloads-{first}-{last}.csv"'},
    )


@router.get("/licenses", summary="The version each license last downloaded, against the newest")
async def licenses(
    session: SessionDep, _: ProductTeam, product: Product = None, outdated_only: bool = False
) -> list[LicenseVersion]:
    return await analytics.license_versions(session, product=product, outdated_only=outdated_only)
