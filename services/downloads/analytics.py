"""Download analytics for the product team: downloads that happened (the object store's GET
notifications, see object_access.py) beside the grants that were handed out, per release and
per day, and which licenses are still on an older version."""

from datetime import date, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Date, cast, exists, func, select
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads.models import ArtifactAccess, DownloadAudit, Holding, Release
from shared import clock


class DailyDownloads(BaseModel):
    release_id: UUID
    product: str
    version: str
    day: date  # in the business calendar
    downloads: int  # whole files served
    grants: int  # URLs handed out that day
    unused_grants: int  # of those: no whole file served with it (yet, until it expires)


class LicenseVersion(BaseModel):
    license_id: UUID
    serial: str | None
    account_id: UUID
    product: str
    last_version: str
    last_downloaded_at: datetime
    latest_version: str
    outdated: bool


def _business_day(moment: Mapped[datetime]) -> ColumnElement[date]:
    zone = str(clock.business_timezone())
    return cast(func.timezone(zone, moment), Date)


async def daily(
    session: AsyncSession, *, since: date, until: date, product: str | None = None
) -> list[DailyDownloads]:
    """Per release and business day from `since` to `until` (inclusive), oldest day first."""
    zone = clock.business_timezone()
    start = datetime.combine(since, datetime.min.time(), zone)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), zone)
    rows: dict[tuple[UUID, date], dict[str, int]] = {}

    accessed_day = _business_day(col(ArtifactAccess.accessed_at))
    downloads = (
        select(col(DownloadAudit.release_id), accessed_day, func.count())
        .join(DownloadAudit, col(DownloadAudit.id) == col(ArtifactAccess.grant_id))
        .where(
            col(ArtifactAccess.complete),
            col(ArtifactAccess.accessed_at) >= start,
            col(ArtifactAccess.accessed_at) < end,
        )
        .group_by(col(DownloadAudit.release_id), accessed_day)
    )
    for release_id, day, count in await session.execute(downloads):
        rows.setdefault((release_id, day), {"downloads": 0, "grants": 0, "unused_grants": 0})["downloads"] = (
            count
        )

    used = exists().where(col(ArtifactAccess.grant_id) == col(DownloadAudit.id), col(ArtifactAccess.complete))
    granted_day = _business_day(col(DownloadAudit.at))
    grants = (
        select(
            col(DownloadAudit.release_id),
            granted_day,
            func.count(),
            func.count().filter(~used),
        )
        .where(col(DownloadAudit.at) >= start, col(DownloadAudit.at) < end)
        .group_by(col(DownloadAudit.release_id), granted_day)
    )
    for release_id, day, granted, unused in await session.execute(grants):
        row = rows.setdefault((release_id, day), {"downloads": 0, "grants": 0, "unused_grants": 0})
        row["grants"], row["unused_grants"] = granted, unused

    releases = await _releases(session, {release_id for release_id, _ in rows}, product)
    return [
        DailyDownloads(
            release_id=release_id,
            product=releases[release_id].product,
            version=releases[release_id].version,
            day=day,
            **counts,
        )
        for (release_id, day), counts in sorted(rows.items(), key=lambda item: (item[0][1], str(item[0][0])))
        if release_id in releases
    ]


async def _releases(session: AsyncSession, ids: set[UUID], product: str | None) -> dict[UUID, Release]:
    if not ids:
        return {}
    query = select(Release).where(col(Release.release_id).in_(ids))
    if product is not None:
        query = query.where(col(Release.product) == product)
    return {release.release_id: release for release in (await session.execute(query)).scalars()}


async def license_versions(
    session: AsyncSession, *, product: str | None = None, outdated_only: bool = False
) -> list[LicenseVersion]:
    """The version each bound license last downloaded (whole files only), against the newest
    published update or product of its product. Licenses that never downloaded are absent."""
    last = (
        select(
            col(Holding.license_id),
            col(Holding.serial),
            col(Holding.account_id),
            col(Holding.product),
            col(Release.version),
            col(ArtifactAccess.accessed_at),
        )
        .select_from(ArtifactAccess)
        .join(DownloadAudit, col(DownloadAudit.id) == col(ArtifactAccess.grant_id))
        .join(Release, col(Release.release_id) == col(DownloadAudit.release_id))
        .join(
            Holding,
            (col(Holding.account_id) == col(DownloadAudit.account_id))
            & (col(Holding.product) == col(Release.product)),
        )
        .where(col(ArtifactAccess.complete), ~col(Holding.void), col(Release.kind) != "document")
        .distinct(col(Holding.license_id))
        .order_by(col(Holding.license_id), col(ArtifactAccess.accessed_at).desc())
    )
    if product is not None:
        last = last.where(col(Holding.product) == product)
    newest = (
        select(col(Release.product), col(Release.version))
        .where(col(Release.state) == "published", col(Release.kind) != "document")
        .distinct(col(Release.product))
        .order_by(col(Release.product), col(Release.published_on).desc(), col(Release.version).desc())
    )
    latest = dict((await session.execute(newest)).tuples().all())
    found = []
    for license_id, serial, account_id, holding_product, version, at in await session.execute(last):
        current = latest.get(holding_product, version)
        view = LicenseVersion(
            license_id=license_id,
            serial=serial,
            account_id=account_id,
            product=holding_product,
            last_version=version,
            last_downloaded_at=at,
            latest_version=current,
            outdated=version != current,
        )
        if view.outdated or not outdated_only:
            found.append(view)
    return sorted(found, key=lambda view: (view.product, view.last_downloaded_at))


CSV_COLUMNS = ("day", "product", "version", "release_id", "downloads", "grants", "unused_grants")


def daily_csv(rows: list[DailyDownloads]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, name) for name in CSV_COLUMNS])
    return out.getvalue()
