"""How many cases and replies one account, and one address, may post.

Every post queues a mail and lands in the support staff's queue, so a script must not flood
either. Customers are limited per account and per address (an office shares one address, so
that limit is higher); staff answering cases are not. The hits share the request's transaction:
a post refused for another reason (no coverage, not found) is not counted. The gateway adds a
per-second brake on case POSTs in front of this.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Literal

from services.cases.config import Settings
from services.cases.texts import TOO_MANY_CASES, TOO_MANY_REPLIES
from shared import clock
from shared.auth import CurrentUser
from shared.http.deps import ClientAddress, SessionDep, from_app_state
from shared.http.problems import RATE_LIMITED, Problem
from shared.ratelimit import allow

Action = Literal["case", "reply"]


def posting_limit(action: Action) -> Callable[..., Awaitable[None]]:
    """A route dependency: `dependencies=[Depends(posting_limit("case"))]`."""

    async def check(
        session: SessionDep,
        settings: Annotated[Settings, from_app_state("settings")],
        user: CurrentUser,
        client: ClientAddress,
    ) -> None:
        if user.is_staff:
            return
        account_limit, address_limit = (
            (settings.cases_per_account_per_hour, settings.cases_per_address_per_window)
            if action == "case"
            else (settings.replies_per_account_per_hour, settings.replies_per_address_per_window)
        )
        now = clock.now()
        for key, limit, window in (
            (f"{action}:account:{user.user_id}", account_limit, timedelta(hours=1)),
            (f"{action}:address:{client}", address_limit, timedelta(minutes=settings.address_window_minutes)),
        ):
            wait = await allow(session, key, limit=limit, window=window, now=now)
            if wait:
                too_many = TOO_MANY_CASES if action == "case" else TOO_MANY_REPLIES
                raise Problem(
                    RATE_LIMITED,
                    detail=too_many(minutes=wait // 60 + 1),
                    headers={"Retry-After": str(wait)},
                )

    return check
