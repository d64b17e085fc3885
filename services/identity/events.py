"""Identity's events, each built from the model by one function."""

from services.identity.models import User
from shared.events import (
    UserProfileChanged,
)


def profile_event(user: User, previous_email: str | None = None) -> UserProfileChanged:
    return UserProfileChanged(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        previous_email=previous_email,
        disabled=user.disabled_at is not None,
    )
