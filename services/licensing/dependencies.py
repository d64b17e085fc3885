"""What every licensing route depends on: the settings, who may call (staff or customers), and the
autocommit connection of the routes that need no transaction."""

from typing import Annotated

from services.licensing.config import Settings
from shared.auth import Principal, require_roles
from shared.http.deps import ReadOnlyDep, from_app_state

SettingsDep = Annotated[Settings, from_app_state("settings")]
Staff = Annotated[Principal, require_roles("admin", "support")]
Customer = Annotated[Principal, require_roles("customer")]
# For routes whose every statement is atomic on its own (the bind writes the owner and its event
# in one; a failed lookup is counted in a short transaction of its own): the read-only routes'
# autocommit connection, no BEGIN and COMMIT round trips around them.
AutocommitDep = ReadOnlyDep
