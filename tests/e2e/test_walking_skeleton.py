"""One customer's journey through all five services, through the gateway, on the real stack:
register → verification mail → verified → license issued, previewed and bound → a release
published with the release tool → the catalog lists it → presigned download whose bytes match
the SHA-256 → the release mail reaches the entitled customer only.
"""

import hashlib
from typing import Any

import asyncpg
import httpx

from deploy.portal_client import Portal, publish_release
from tests.conftest import database_url
from tests.e2e.conftest import issue_license, new_version, register_and_verify
from tests.kit import eventually


async def test_customer_journey_across_all_services(stack: dict[str, Any], mailpit, admin_token, tmp_path):
    gateway = stack["gateway"]["url"]
    entitled_email, entitled_token = await register_and_verify(stack, mailpit, locale="en")
    other_email, other_token = await register_and_verify(stack, mailpit, locale="ja")

    license_ = await issue_license(stack, admin_token)
    async with Portal(gateway, entitled_token) as customer:
        # Search previews without binding; licensing learns "verified" from UserVerified.
        preview = await eventually(
            lambda: _ok(customer.search_license(license_["serial"], license_["registration_number"])),
            what="licensing to accept the verified customer",
        )
        assert preview["product"] == "OMFLOW" and preview["seats"] == 25
        bound = await customer.bind_license(license_["serial"], license_["registration_number"])
        assert bound.status_code == 201, bound.text

        # The product team publishes an update; the downloads catalog and projection know it.
        artifact = tmp_path / "omflow-update.bin"
        artifact.write_bytes(b"OMFLOW update payload " * 5000)
        version = new_version()
        publish_release(
            stack,
            product="OMFLOW",
            version=version,
            kind="update",
            title=f"OMFLOW {version}",
            files=[artifact],
            notes="Fixes and improvements",
        )

        async def listed() -> dict[str, Any] | None:
            for release in await customer.releases(kind="update"):
                if release["version"] == version and release["entitled"]:
                    return release
            return None

        release = await eventually(listed, what="the entitled release in the catalog")
        grant = await customer.artifact_grant(release["release_id"], artifact.name)
        assert grant.status_code == 200, grant.text
        expected = hashlib.sha256(artifact.read_bytes()).hexdigest()
        assert grant.json()["sha256"] == expected
        assert grant.headers["X-Checksum-SHA256"] == expected
        async with httpx.AsyncClient() as plain:
            downloaded = await plain.get(grant.json()["url"])
        assert downloaded.status_code == 200
        assert hashlib.sha256(downloaded.content).hexdigest() == expected

    async with Portal(gateway, other_token) as other:  # verified, but holds no license
        refused = await other.artifact_grant(release["release_id"], artifact.name)
        assert refused.status_code in (403, 404)
        assert refused.headers["content-type"].startswith("application/problem+json")

    # The notifier announces the release to the entitled customer, in one mail, not to the other.
    [announcement] = await mailpit.wait_for(entitled_email, subject_contains=version)
    assert version in announcement["Subject"]
    notifier_db = await asyncpg.connect(database_url(stack, "notifier"))
    try:
        release_deliveries = await notifier_db.fetch(
            "SELECT email FROM delivery WHERE event_id = $1", release["release_id"]
        )
    finally:
        await notifier_db.close()
    recipients = [row["email"] for row in release_deliveries]
    assert recipients.count(entitled_email) == 1
    assert other_email not in recipients


async def _ok(request) -> Any:
    response = await request
    return response.json() if response.status_code == 200 else None
