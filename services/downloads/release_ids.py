"""A release's id: the same for every client that names the same product, version and kind.

The id is uuid5(product:version:kind), so creating a release twice (a re-run of
`support-release`, a second click) finds the first one instead of making a twin, and ids
computed by earlier versions of the release tool still name the same releases.
"""

import re
import uuid

# Fixed forever: release ids computed by every past and future client must agree.
RELEASE_NAMESPACE = uuid.UUID("6f1c1f3e-3b7e-5d2a-9a57-1f0b8f6d2c41")
# Product and version are part of the object keys, hence the narrow alphabet.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"
NAME_RULE = "1-64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit"
_NAME = re.compile(NAME_PATTERN)


def is_release_name(value: str) -> bool:
    return bool(_NAME.fullmatch(value))


def release_id_of(product: str, version: str, kind: str) -> uuid.UUID:
    return uuid.uuid5(RELEASE_NAMESPACE, f"{product}:{version}:{kind}")
