"""Identity's facts as licensing keeps them: who is verified, with the name and email printed in
license files.
"""

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.models import VerifiedAccount


async def record_verified_account(
    session: AsyncSession, account_id: UUID, email: str, name: str, locale: str
) -> None:
    account = await session.get(VerifiedAccount, account_id)
    if account is None:
        account = VerifiedAccount(account_id=account_id, email=email, name=name, locale=locale)
    else:
        account.email, account.name, account.locale = email, name, locale
    session.add(account)
    await session.flush()


async def record_profile_change(
    session: AsyncSession, account_id: UUID, email: str, name: str, locale: str, disabled: bool
) -> None:
    """Only accounts already verified are kept: an unverified profile grants nothing."""
    account = await session.get(VerifiedAccount, account_id)
    if account is None:
        return
    account.email, account.name, account.locale, account.disabled = email, name, locale, disabled
    session.add(account)
    await session.flush()
