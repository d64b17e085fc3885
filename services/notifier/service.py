"""Use cases of the notifier. Functions only flush; the consumer wrapper or the request owns
the transaction. Mails are queued as `delivery` rows and sent later by the sender loop.
"""

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier.models import HOLDINGS, MEMBERSHIPS, Delivery, Recipient
from services.notifier.preferences import release_topic
from services.notifier.problems import (
    CHECK_DELIVERY_ID,
    DELIVERY_NOT_FOUND,
    DELIVERY_NOT_RETRYABLE,
    RETRY_ONLY_FAILED,
)
from shared.entitlements import receives_release_notice
from shared.holdings import holders_of
from shared.http.deps import Page
from shared.http.problems import Problem

# --- recipients projection -----------------------------------------------------------------

_UPSERT_RECIPIENT = text(
    """
    INSERT INTO recipient (user_id, email, name, locale, disabled, updated_at)
    VALUES (:user_id, :email, :name, :locale, :disabled, now())
    ON CONFLICT (user_id) DO UPDATE SET
        email = EXCLUDED.email, name = EXCLUDED.name, locale = EXCLUDED.locale,
        disabled = CASE WHEN :keep_disabled THEN recipient.disabled ELSE EXCLUDED.disabled END,
        updated_at = now()
    """
)


async def record_recipient(
    session: AsyncSession,
    *,
    user_id: UUID,
    email: str,
    name: str,
    locale: str,
    disabled: bool | None = None,
) -> None:
    """Insert or update what we know of a user. `disabled=None` leaves the flag as it is."""
    await session.execute(
        _UPSERT_RECIPIENT,
        {
            "user_id": user_id,
            "email": email,
            "name": name,
            "locale": locale,
            "disabled": bool(disabled),
            "keep_disabled": disabled is None,
        },
    )


_CLAIM_WELCOME = text(
    "UPDATE recipient SET welcomed_at = now() WHERE user_id = :user_id AND welcomed_at IS NULL RETURNING 1"
)


async def claim_welcome(session: AsyncSession, user_id: UUID) -> bool:
    """True exactly once per account: the row lock makes concurrent claims wait and then see it set."""
    return (await session.execute(_CLAIM_WELCOME, {"user_id": user_id})).first() is not None


# --- queuing mails -------------------------------------------------------------------------

_QUEUE = text(
    """
    INSERT INTO delivery (id, event_id, email, kind, locale, context)
    VALUES (gen_random_uuid(), :event_id, :email, :kind, :locale, CAST(:context AS jsonb))
    ON CONFLICT (event_id, email, kind) DO NOTHING
    """
)


async def queue_mail(
    session: AsyncSession, *, event_id: UUID, email: str, kind: str, locale: str, context: dict[str, Any]
) -> None:
    """Queue one mail; the same (event, address, kind) twice is a no-op, so it is sent once."""
    await session.execute(
        _QUEUE,
        {
            "event_id": event_id,
            "email": email,
            "kind": kind,
            "locale": locale,
            "context": json.dumps(context, default=str),
        },
    )


_FORGET_ADDRESS = text("DELETE FROM delivery WHERE lower(email) = lower(:email)")


async def forget_address(session: AsyncSession, email: str) -> int:
    """Drop every mail for `email`: those still waiting (release notices, reminders, case
    mails) are never sent, and those already sent or given up no longer keep the address.
    A mail being sent right now holds its row lock, so this waits for it and then drops it."""
    result = await session.execute(_FORGET_ADDRESS, {"email": email})
    return getattr(result, "rowcount", 0) or 0  # a CursorResult's, which the stubs do not show


async def recipient_of(session: AsyncSession, account_id: UUID) -> Recipient | None:
    return await session.get(Recipient, account_id)


# --- release fan-out -----------------------------------------------------------------------

# The preference is part of the same query (receives_mail, migration 0003): no per-user lookup.
_QUEUE_RELEASE_CHUNK = text(
    """
    INSERT INTO delivery (id, event_id, email, kind, locale, context)
    SELECT gen_random_uuid(), :event_id, r.email, 'release', r.locale,
           CAST(:context AS jsonb) || jsonb_build_object('name', r.name, 'account_id', r.user_id)
    FROM recipient r
    WHERE r.user_id = ANY(CAST(:user_ids AS uuid[])) AND NOT r.disabled
      AND receives_mail(r.user_id, :topic)
    ON CONFLICT (event_id, email, kind) DO NOTHING
    """
)


async def fan_out_release(
    session: AsyncSession,
    *,
    event_id: UUID,
    product: str,
    release_kind: str,
    today: date,
    context: dict[str, Any],
    chunk_size: int = 1000,
    announce_to: Callable[[UUID], bool] = lambda _account: True,
) -> int:
    """Queue one release mail per entitled, enabled user who wants this kind of release mail,
    set-wise: one INSERT … SELECT per chunk.

    A user with several licenses of the product still gets one mail (grouped by person, and
    the delivery key is per address); members of an organization that holds the product are
    entitled through it, each once, each by their own preferences.
    """
    accounts = [
        account
        async for account, held in holders_of(session, HOLDINGS, MEMBERSHIPS, product)
        if receives_release_notice(held, product, today) and announce_to(account)
    ]
    topic = release_topic(release_kind)
    encoded = json.dumps({**context, "list_topic": topic}, default=str)
    queued = 0
    for start in range(0, len(accounts), chunk_size):
        chunk = [str(a) for a in accounts[start : start + chunk_size]]
        result = await session.execute(
            _QUEUE_RELEASE_CHUNK,
            {"event_id": event_id, "context": encoded, "user_ids": chunk, "topic": topic},
        )
        queued += getattr(result, "rowcount", 0) or 0
    return queued


# --- operations ----------------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession, *, status: str | None, email: str | None, page: Page
) -> Sequence[Delivery]:
    query = select(Delivery).order_by(col(Delivery.created_at).desc()).limit(page.limit).offset(page.offset)
    if status is not None:
        query = query.where(Delivery.status == status)
    if email is not None:
        query = query.where(Delivery.email == email)
    return (await session.exec(query)).all()


async def retry_delivery(session: AsyncSession, delivery_id: UUID, now: datetime) -> Delivery:
    """Put a given-up (failed) delivery back in the queue, due now."""
    delivery = await session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise Problem(DELIVERY_NOT_FOUND, detail=CHECK_DELIVERY_ID())
    if delivery.status != "failed":
        raise Problem(DELIVERY_NOT_RETRYABLE, detail=RETRY_ONLY_FAILED(status=delivery.status))
    delivery.status = "pending"
    delivery.next_attempt_at = now
    delivery.last_error = None
    session.add(delivery)
    await session.flush()
    # The NOTIFY trigger fires on INSERT only; the sender's poll picks the retry up.
    return delivery
