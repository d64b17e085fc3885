"""The partner directory: local professional-services partners, and the reply text that
recommends them to a customer in the customer's language.

Installation, migration and custom work are not product support (see canned.py); engineers send
the customer to a partner of their region for their product. Support reads the directory,
only admins change it.
"""

from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import texts
from services.cases.canned import closing
from services.cases.desk import require_staff
from services.cases.models import Partner, utcnow
from services.cases.problems import ADMIN_ONLY, PARTNER_NOT_FOUND
from services.cases.schemas import PartnerIn
from shared.auth import Principal
from shared.http.problems import Problem
from shared.i18n import Locale
from shared.messages import Text

PARTNERS_INTRO = Text(
    "cases.partners.intro",
    en="Installation, migration and custom development are offered by our local professional-services "
    "partners. For {product} in your region, you can contact:",
    zh_tw="安裝、移轉與客製開發由我們在各地的專業服務合作夥伴提供。您所在地區的 {product} 合作夥伴如下：",
    zh_cn="安装、迁移与定制开发由我们在各地的专业服务合作伙伴提供。您所在地区的 {product} 合作伙伴如下：",
    ja="インストール、移行、カスタム開発は各地域のプロフェッショナルサービスパートナーが提供しています。"
    "お客様の地域の {product} のパートナーは次のとおりです：",
)


def require_admin(user: Principal) -> None:
    if not user.has("admin"):
        raise Problem(ADMIN_ONLY, detail=texts.PARTNERS_ADMIN_ONLY())


async def list_partners(
    session: AsyncSession, user: Principal, region: str | None, product: str | None
) -> list[Partner]:
    require_staff(user)
    query = select(Partner).order_by(col(Partner.region), col(Partner.name), col(Partner.id))
    if region is not None:
        query = query.where(col(Partner.region) == region)
    if product is not None:
        query = query.where(col(Partner.products).contains([product]))
    return list((await session.execute(query)).scalars())


async def create_partner(session: AsyncSession, user: Principal, data: PartnerIn) -> Partner:
    require_admin(user)
    partner = Partner(**data.model_dump())
    session.add(partner)
    await session.flush()
    return partner


async def _partner(session: AsyncSession, partner_id: UUID) -> Partner:
    partner = await session.get(Partner, partner_id, with_for_update=True)
    if partner is None:
        raise Problem(PARTNER_NOT_FOUND, detail=texts.PARTNER_GONE())
    return partner


async def update_partner(
    session: AsyncSession, user: Principal, partner_id: UUID, data: PartnerIn
) -> Partner:
    require_admin(user)
    partner = await _partner(session, partner_id)
    for name, value in data.model_dump().items():
        setattr(partner, name, value)
    partner.updated_at = utcnow()
    session.add(partner)
    await session.flush()
    return partner


async def delete_partner(session: AsyncSession, user: Principal, partner_id: UUID) -> None:
    require_admin(user)
    await session.delete(await _partner(session, partner_id))
    await session.flush()


def recommendation(partners: list[Partner], product: str, locale: Locale) -> str:
    """A reply naming `partners` (one line each, with how to reach them), in `locale`."""
    if not partners:
        return ""
    lines = "\n".join(f"- {p.name}: {p.contact}" for p in partners)
    return f"{PARTNERS_INTRO(product=product).render(locale)}\n\n{lines}\n\n{closing(locale)}"
