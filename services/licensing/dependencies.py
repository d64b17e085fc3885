"""What every licensing route depends on: the settings, who may call (staff or customers)."""

from typing import Annotated

from services.licensing.config import Settings
from shared.auth import Principal, require_roles
from shared.http.deps import from_app_state

SettingsDep = Annotated[Settings, from_app_state("settings")]
Staff = Annotated[Principal, require_roles("admin", "support")]
Customer = Annotated[Principal, require_roles("customer")]
