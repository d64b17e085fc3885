"""Use cases of the downloads service. Functions only flush: the caller owns the transaction."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from pydantic import TypeAdapter
from sqlalchemy import BindParameter, Select, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads.channels import preview_opted_in
from services.downloads.models import (
    ARTIFACTS,
    CHANNEL_CHOICES,
    DOWNLOAD_AUDIT,
    HOLDINGS,
    MEMBERSHIPS,
    RELEASES,
    Release,
    ReleaseArtifact,
)
from services.downloads.problems import ARTIFACT_NOT_FOUND, NOT_ENTITLED, RELEASE_NOT_FOUND
from services.downloads.storage import PresignedUrl, Presigner
from services.downloads.texts import (
    CHECK_RELEASE_ID,
    NO_LICENSE_OF_PRODUCT,
    PICK_LISTED_FILE,
    RELEASED_AFTER_COVERAGE,
)
from shared import clock, entitlements
from shared.auth import Principal
from shared.driver_sql import Compiled, driver_connection
from shared.events import DownloadRecorded, ReleasePublished
from shared.events.downloads import ReleaseText, release_text_in
from shared.holdings import holdings_of, owned_by_member
from shared.http.problems import Problem
from shared.i18n import Locale
from shared.memberships import organization_of
from shared.messages import Message
from shared.outbox_rows import outbox_insert, outbox_values

SERVICE = "downloads"


# --- catalog -----------------------------------------------------------------------------------


async def record_release(session: AsyncSession, event: ReleasePublished) -> None:
    """Upsert a release announced by an earlier release tool (it published straight to Kafka),
    making its artifact list exactly the event's. Releases this service publishes itself are
    written in the publishing transaction, so their own events are skipped by the handler; a
    withdrawn release is never brought back by a late or replayed event."""
    fields = event.model_dump(
        include={"product", "version", "kind", "channel", "title", "notes", "translations", "published_on"}
    )
    statement = insert(Release).values(
        release_id=event.release_id, updated_at=func.now(), state="published", **fields
    )
    written = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(Release.release_id)],
            set_={**{name: statement.excluded[name] for name in fields}, "updated_at": func.now()},
            where=col(Release.state) != "withdrawn",
        ).returning(col(Release.release_id))
    )
    if written.first() is None:
        return
    filenames = [artifact.filename for artifact in event.artifacts]
    await session.execute(
        delete(ReleaseArtifact).where(
            col(ReleaseArtifact.release_id) == event.release_id,
            col(ReleaseArtifact.filename).not_in(filenames),
        )
    )
    if event.artifacts:
        rows = [{"release_id": event.release_id, **artifact.model_dump()} for artifact in event.artifacts]
        artifacts = insert(ReleaseArtifact).values(rows)
        await session.execute(
            artifacts.on_conflict_do_update(
                index_elements=[col(ReleaseArtifact.release_id), col(ReleaseArtifact.filename)],
                set_={
                    name: artifacts.excluded[name]
                    for name in ("object_key", "size", "sha256", "content_type")
                },
            )
        )
    await session.flush()


# --- entitlement projection --------------------------------------------------------------------


# --- customer queries --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseView:
    release: Release
    text: ReleaseText  # title and notes in the caller's language
    artifacts: list[ReleaseArtifact]
    entitled: bool
    reason: Message | None

    @property
    def published_on(self) -> date:
        # Only published releases reach a view, and publishing always sets the date.
        assert self.release.published_on is not None
        return self.release.published_on


@dataclass(frozen=True)
class ReleaseFacts:
    """What a grant decides on: the release's row without its texts (see `_grant_query`)."""

    product: str
    kind: entitlements.ReleaseKind
    channel: entitlements.ReleaseChannel
    state: str
    published_on: date | None


class _Entitlements:
    """The caller's holdings, and the one rule applied to them.

    Support staff see every product's catalog and open its documents: a case is judged against
    the documentation of the version the customer runs (the desk links it), whatever staff hold."""

    def __init__(
        self, holdings: list[entitlements.Holding], locale: Locale, preview: bool, *, staff: bool = False
    ) -> None:
        self.holdings = holdings
        self.locale = locale
        self.preview = preview  # opted in to preview releases
        self.staff = staff

    def sees(self, release: Release | ReleaseFacts) -> bool:
        """Whether the release exists for this caller at all (else it answers as missing)."""
        return (
            release.state == "published"
            and (self.staff or release.product in self.products)
            and entitlements.sees_channel(release.channel, self.preview)
        )

    @property
    def products(self) -> set[str]:
        return {holding.product for holding in self.holdings}

    def entitled(self, release: Release | ReleaseFacts) -> bool:
        assert release.published_on is not None  # only published releases are seen
        return (self.staff and release.kind == "document") or entitlements.may_download(
            self.holdings, release.product, release.kind, release.published_on
        )

    def view(self, release: Release, artifacts: list[ReleaseArtifact]) -> ReleaseView:
        entitled = self.entitled(release)
        reason = None if entitled else self.reason(release.product)
        return ReleaseView(release, text_of(release, self.locale), artifacts, entitled, reason)

    def reason(self, product: str) -> Message:
        """Why a holder may not download (the decision itself is `may_download`)."""
        ends = [holding.coverage.end for holding in self.holdings if holding.product == product]
        if not ends:
            return NO_LICENSE_OF_PRODUCT(product=product)
        return RELEASED_AFTER_COVERAGE(end=max(ends))


# The stored JSON read back as the event carried it.
TRANSLATIONS = TypeAdapter(dict[Locale, ReleaseText])


def text_of(release: Release, locale: Locale) -> ReleaseText:
    """The release's title and notes for a reader of `locale`, by the events' fallback rule."""
    translations = TRANSLATIONS.validate_python(release.translations)
    return release_text_in(locale, ReleaseText(title=release.title, notes=release.notes), translations)


async def _entitlements_of(session: AsyncSession, user: Principal, locale: Locale) -> _Entitlements:
    # Their own licenses and their organization's, as this service last heard of the membership:
    # a removed member loses the organization's the moment the removal event is applied.
    organization_id = await organization_of(session, MEMBERSHIPS, user.user_id)
    holdings = await holdings_of(session, HOLDINGS, user.user_id, organization_id)
    return _Entitlements(holdings, locale, await preview_opted_in(session, user.user_id), staff=user.is_staff)


async def artifacts_of(
    session: AsyncSession, release_ids: Sequence[UUID]
) -> dict[UUID, list[ReleaseArtifact]]:
    found: dict[UUID, list[ReleaseArtifact]] = {release_id: [] for release_id in release_ids}
    if not release_ids:
        return found
    rows = await session.execute(
        select(ReleaseArtifact)
        .where(col(ReleaseArtifact.release_id).in_(release_ids))
        .order_by(col(ReleaseArtifact.filename))
    )
    for artifact in rows.scalars():
        found[artifact.release_id].append(artifact)
    return found


async def list_releases(
    session: AsyncSession,
    user: Principal,
    locale: Locale,
    *,
    product: str | None = None,
    kind: entitlements.ReleaseKind | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ReleaseView]:
    """Releases of the products the caller holds (staff: of every product), newest first, each
    marked entitled or not."""
    rights = await _entitlements_of(session, user, locale)
    query = select(Release).where(
        col(Release.state) == "published",
        col(Release.channel).in_(entitlements.visible_channels(rights.preview)),
    )
    if product is not None:
        query = query.where(col(Release.product) == product)
    if not rights.staff:
        if not rights.products:
            return []
        query = query.where(col(Release.product).in_(sorted(rights.products)))
    if kind is not None:
        query = query.where(col(Release.kind) == kind)
    query = query.order_by(
        col(Release.published_on).desc(),
        col(Release.version).desc(),
    )
    releases = list((await session.execute(query.limit(limit).offset(offset))).scalars())
    artifacts = await artifacts_of(session, [r.release_id for r in releases])
    return [rights.view(release, artifacts[release.release_id]) for release in releases]


async def get_release(
    session: AsyncSession, user: Principal, locale: Locale, release_id: UUID
) -> ReleaseView:
    """One release of a product the caller holds; others are as invisible as missing ones."""
    rights = await _entitlements_of(session, user, locale)
    release = await session.get(Release, release_id)
    if release is None or not rights.sees(release):
        raise Problem(RELEASE_NOT_FOUND, detail=CHECK_RELEASE_ID())
    artifacts = await artifacts_of(session, [release_id])
    return rights.view(release, artifacts[release_id])


@dataclass(frozen=True)
class Grant:
    url: PresignedUrl
    sha256: str
    size: int


def _grant_query() -> Select[Any]:
    """Everything a grant decides on, in one round trip: the release, the file (if the release
    has it), the caller's preview choice, and the live holdings of the release's product that
    the caller may use (their own and their organization's): one row per holding, one row with
    no holding if there is none. Only the product's holdings matter: the rule looks at no other."""
    releases, files = RELEASES, ARTIFACTS
    account_id: BindParameter[UUID] = bindparam("account_id", type_=HOLDINGS.c.account_id.type)
    preview = select(CHANNEL_CHOICES.c.preview).where(CHANNEL_CHOICES.c.account_id == account_id)
    return (
        select(
            releases.c.product,
            releases.c.kind,
            releases.c.channel,
            releases.c.state,
            releases.c.published_on,
            files.c.object_key,
            files.c.size,
            files.c.sha256,
            files.c.content_type,
            func.coalesce(preview.scalar_subquery(), False).label("preview"),
            HOLDINGS.c.coverage_start,
            HOLDINGS.c.coverage_end,
        )
        .select_from(releases)
        .outerjoin(
            files,
            (files.c.release_id == releases.c.release_id) & (files.c.filename == bindparam("filename")),
        )
        .outerjoin(
            HOLDINGS,
            owned_by_member(HOLDINGS, account_id, MEMBERSHIPS)
            & (HOLDINGS.c.product == releases.c.product)
            & HOLDINGS.c.void.is_(False),
        )
        .where(releases.c.release_id == bindparam("release_id"))
    )


def _grant_insert() -> Insert:
    """The audit row and the `DownloadRecorded` outbox row, written by one statement: atomic on
    its own, so the grant needs no transaction around its read and this write."""
    audit = insert(DOWNLOAD_AUDIT).values(
        {column: bindparam(column, type_=DOWNLOAD_AUDIT.c[column].type) for column in _AUDIT_COLUMNS}
    )
    return outbox_insert().add_cte(audit.cte("download_audit_row"))


_AUDIT_COLUMNS = (
    "id",
    "account_id",
    "release_id",
    "filename",
    "client_address",
    "object_key",
    "at",
    "expires_at",
)
# Rendered once at import: a grant sends only its arguments (shared.driver_sql).
GRANT_QUERY = Compiled(_grant_query())
GRANT_INSERT = Compiled(_grant_insert())


async def grant_download(
    session: AsyncSession,
    presigner: Presigner,
    user: Principal,
    locale: Locale,
    release_id: UUID,
    filename: str,
    client_address: str,
) -> Grant:
    """Check the entitlement, audit the grant, and sign a short-lived URL for the bytes.

    The hot path of the service (bench/downloads.py): one SELECT for every fact, one INSERT for
    the audit row and the outbox event together, both pre-compiled and sent straight to asyncpg
    on the session's connection, outside a transaction (see `_grant_insert`): no BEGIN, no
    COMMIT, no SQLAlchemy per-statement work."""
    connection = await driver_connection(session)
    rows = await GRANT_QUERY.fetch(
        connection, release_id=release_id, filename=filename, account_id=user.user_id
    )
    if not rows:
        raise Problem(RELEASE_NOT_FOUND, detail=CHECK_RELEASE_ID())
    first = rows[0]
    product = first["product"]
    holdings = [
        entitlements.Holding(product, entitlements.Period(row["coverage_start"], row["coverage_end"]))
        for row in rows
        if row["coverage_start"] is not None
    ]
    rights = _Entitlements(holdings, locale, first["preview"], staff=user.is_staff)
    release = ReleaseFacts(product, first["kind"], first["channel"], first["state"], first["published_on"])
    # A release of a product the caller does not hold answers exactly like a missing one: ids
    # are predictable (uuid5 of product:version:kind), so a 403 would confirm that it exists.
    # Drafts, withdrawn releases and previews the caller did not opt in to are as invisible as
    # missing ones: never granted.
    if not rights.sees(release):
        raise Problem(RELEASE_NOT_FOUND, detail=CHECK_RELEASE_ID())
    # Entitlement before the file: someone who may not download learns nothing about file names.
    # A holder whose coverage ended sees the release in the list, so the reason tells nothing new.
    if not rights.entitled(release):
        raise Problem(NOT_ENTITLED, detail=rights.reason(release.product))
    object_key = first["object_key"]
    if object_key is None:
        raise Problem(ARTIFACT_NOT_FOUND, detail=PICK_LISTED_FILE())
    url = presigner.download_url(object_key, filename, first["content_type"])
    event = DownloadRecorded(release_id=release_id, account_id=user.user_id, filename=filename)
    await GRANT_INSERT.execute(
        connection,
        id=uuid4(),
        account_id=user.user_id,
        release_id=release_id,
        filename=filename,
        client_address=client_address,
        object_key=object_key,
        at=clock.now(),
        expires_at=url.expires_at,
        **outbox_values(event, source=SERVICE),
    )
    return Grant(url=url, sha256=first["sha256"], size=first["size"])
