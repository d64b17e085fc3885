"""Mail preferences: which optional mails an account receives, and the one-click unsubscribe.

Optional mails are grouped into *topics*, one switch each. Release mails are one topic per
release kind; renewal reminders are one topic. Account mails (verification, reset, email change)
and case mails have no topic: they answer the customer's own actions and requests.

An unsubscribe link carries a token signed with the notifier's secret (shared.signing) naming
the account and the topic, so it works from the mail without signing in (RFC 8058) and can do
nothing but switch that one topic off.
"""

from typing import Literal, get_args
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier.models import PREFERENCES, MailPreference
from shared.signing import sign, unsign

Topic = Literal["release.product", "release.update", "release.document", "renewal"]
TOPICS: tuple[Topic, ...] = get_args(Topic)
# The preference column of each topic. The SQL function `receives_mail(account, topic)`
# (migration 0003) applies the same mapping inside set-wise queries.
COLUMN_OF: dict[Topic, str] = {
    "release.product": "release_product",
    "release.update": "release_update",
    "release.document": "release_document",
    "renewal": "renewal_reminder",
}
TOKEN_PURPOSE = "mail-unsubscribe"  # noqa: S105 - a label that separates HMAC keys, not a secret


class Preferences(BaseModel):
    """The switches an account can set (all on by default)."""

    release_product: bool = True
    release_update: bool = True
    release_document: bool = True
    renewal_reminder: bool = True


def release_topic(kind: str) -> Topic:
    for topic in TOPICS:
        if topic == f"release.{kind}":
            return topic
    raise ValueError(f"unknown release kind {kind!r}")


async def preferences_of(session: AsyncSession, account_id: UUID) -> Preferences:
    row = await session.get(MailPreference, account_id)
    return Preferences() if row is None else Preferences.model_validate(row, from_attributes=True)


_UPSERT = text(
    """
    INSERT INTO mail_preference
        (account_id, release_product, release_update, release_document, renewal_reminder, updated_at)
    VALUES (:account_id, :release_product, :release_update, :release_document, :renewal_reminder, now())
    ON CONFLICT (account_id) DO UPDATE SET
        release_product = EXCLUDED.release_product, release_update = EXCLUDED.release_update,
        release_document = EXCLUDED.release_document, renewal_reminder = EXCLUDED.renewal_reminder,
        updated_at = now()
    """
)


async def save_preferences(session: AsyncSession, account_id: UUID, chosen: Preferences) -> Preferences:
    await session.execute(_UPSERT, {"account_id": account_id, **chosen.model_dump()})
    return chosen


async def switch_off(session: AsyncSession, account_id: UUID, topic: Topic) -> None:
    """Stop one topic for an account (idempotent: switching off twice changes nothing)."""
    column = COLUMN_OF[topic]
    statement = insert(PREFERENCES).values(account_id=account_id, **{column: False})
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=[PREFERENCES.c.account_id], set_={column: False, "updated_at": func.now()}
        )
    )


def unsubscribe_token(secret: str, account_id: UUID, topic: Topic) -> str:
    return sign(secret, TOKEN_PURPOSE, {"a": str(account_id), "t": topic})


def read_unsubscribe_token(secret: str, token: str) -> tuple[UUID, Topic] | None:
    payload = unsign(secret, TOKEN_PURPOSE, token)
    if payload is None:
        return None
    topic = next((t for t in TOPICS if t == payload.get("t")), None)
    try:
        return (UUID(str(payload.get("a"))), topic) if topic is not None else None
    except ValueError:
        return None
