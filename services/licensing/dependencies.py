"""What every licensing route depends on: the settings, and who may call (staff or customers)."""

from typing import Annotated

from fastapi import Depends, Request

from services.licensing.config import Settings
from shared.auth import Principal, require_roles


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
Staff = Annotated[Principal, require_roles("admin", "support")]
Customer = Annotated[Principal, require_roles("customer")]
