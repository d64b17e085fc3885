"""Customer-facing endpoints: one's own mail preferences, one-click unsubscribe, coverage ending.

`/me/...` serves the signed-in account only (the account id comes from the token, never from
the request). `/unsubscribe` needs no sign-in: the signed token in the link is the authority,
and it can only switch off the one topic it names (RFC 8058 one-click).
"""

from datetime import date
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from services.notifier import preferences, reminders
from services.notifier.config import Settings
from services.notifier.preferences import Preferences, Topic
from services.notifier.problems import UNSUBSCRIBE_LINK_DAMAGED, UNSUBSCRIBE_LINK_INVALID
from shared import clock
from shared.auth import CurrentUser
from shared.http.deps import SessionDep, from_app_state
from shared.http.problems import Problem, problem_responses

SettingsDep = Annotated[Settings, from_app_state("settings")]
TokenQuery = Annotated[str, Query(min_length=1, max_length=2048)]

me = APIRouter(prefix="/me", tags=["me"])
unsubscribe = APIRouter(prefix="/unsubscribe", tags=["unsubscribe"])


class MailPreferences(Preferences):
    # Shown so the page can say it: case mails answer the customer's own requests.
    case_mails: bool = True


class PreferencesChange(Preferences):
    pass


class CoverageEnding(BaseModel):
    license_id: UUID
    product: str
    serial: str | None
    coverage_end: date
    days_left: int


class CoverageEndingList(BaseModel):
    items: list[CoverageEnding]
    within_days: int


class Unsubscription(BaseModel):
    topic: Topic
    subscribed: bool


@me.get("/preferences", summary="Which optional mails you receive")
async def get_preferences(session: SessionDep, user: CurrentUser) -> MailPreferences:
    chosen = await preferences.preferences_of(session, user.user_id)
    return MailPreferences(**chosen.model_dump())


@me.put("/preferences", summary="Choose which optional mails you receive")
async def put_preferences(session: SessionDep, user: CurrentUser, body: PreferencesChange) -> MailPreferences:
    saved = await preferences.save_preferences(session, user.user_id, Preferences(**body.model_dump()))
    return MailPreferences(**saved.model_dump())


@me.get("/coverage-ending", summary="Your licenses whose coverage ends soon (for the renewal banner)")
async def coverage_ending(
    session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> CoverageEndingList:
    today = clock.today()
    within = max(settings.renewal_reminder_days)
    rows = await reminders.ending_for(session, user.user_id, today=today, within_days=within)
    return CoverageEndingList(
        items=[
            CoverageEnding(
                license_id=r.license_id,
                product=r.product,
                serial=r.serial,
                coverage_end=r.coverage_end,
                days_left=(r.coverage_end - today).days,
            )
            for r in rows
        ],
        within_days=within,
    )


def _read(settings: Settings, token: str) -> tuple[UUID, Topic]:
    found = preferences.read_unsubscribe_token(settings.secret_key, token)
    if found is None:
        raise Problem(UNSUBSCRIBE_LINK_INVALID, detail=UNSUBSCRIBE_LINK_DAMAGED())
    return found


@unsubscribe.get(
    "",
    summary="Confirmation page of a one-click unsubscribe link (changes nothing)",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "To the portal's confirmation page for this link"}},
)
async def unsubscribe_page(token: TokenQuery, settings: SettingsDep) -> RedirectResponse:
    # A GET never unsubscribes: mail scanners and link previews fetch links on their own. The
    # portal page checks the token itself and explains a bad one in the reader's language.
    page = f"{settings.public_url.rstrip('/')}/unsubscribe?token={quote(token, safe='')}"
    return RedirectResponse(page, status_code=303)


@unsubscribe.get(
    "/topic",
    summary="What an unsubscribe link would switch off, and its state now",
    responses=problem_responses(UNSUBSCRIBE_LINK_INVALID),
)
async def unsubscribe_topic(session: SessionDep, token: TokenQuery, settings: SettingsDep) -> Unsubscription:
    account_id, topic = _read(settings, token)
    chosen = await preferences.preferences_of(session, account_id)
    return Unsubscription(topic=topic, subscribed=getattr(chosen, preferences.COLUMN_OF[topic]))


@unsubscribe.post(
    "",
    summary="One-click unsubscribe (RFC 8058); repeating it is harmless",
    responses=problem_responses(UNSUBSCRIBE_LINK_INVALID),
)
async def unsubscribe_now(session: SessionDep, token: TokenQuery, settings: SettingsDep) -> Unsubscription:
    # The body (`List-Unsubscribe=One-Click` from mail clients) carries nothing we need.
    account_id, topic = _read(settings, token)
    await preferences.switch_off(session, account_id, topic)
    return Unsubscription(topic=topic, subscribed=False)
