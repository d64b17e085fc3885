"""People and a case for the support desk's browser tests, made through the API as the portal would."""

from datetime import timedelta
from typing import Any

import httpx

from shared import clock
from tests.browser.test_portal import access_token, create_user, issue_license
from tests.kit import eventually, unique_email


async def answered_case(stack: dict[str, Any], *, product_version: str = "5.2.1") -> dict[str, Any]:
    """A customer with a case on an OMFLOW license that an engineer answered (and noted); the
    admin who issued the license. Emails, ids and the case as the API returned it."""
    async with httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=30) as gateway:
        admin_email, customer_email = unique_email("desk-admin"), unique_email("desk-customer")
        engineer_email = unique_email("desk-engineer")
        await create_user(stack, admin_email, "admin")
        customer_id = await create_user(stack, customer_email, "customer")
        await create_user(stack, engineer_email, "support")
        admin = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
        customer = {"Authorization": f"Bearer {await access_token(gateway, customer_email)}"}
        engineer = {"Authorization": f"Bearer {await access_token(gateway, engineer_email)}"}
        today = clock.today()
        license = await issue_license(gateway, admin, today - timedelta(days=10), today + timedelta(days=300))
        body = {"serial": license["serial"], "registration_number": license["registration_number"]}

        async def bound() -> bool:
            response = await gateway.post("/api/licensing/me/licenses", headers=customer, json=body)
            return response.status_code in (200, 201)

        await eventually(bound, timeout=60, interval=0.5, what="the license to bind")

        async def opened() -> dict[str, Any] | None:
            response = await gateway.post(
                "/api/cases/cases",
                headers=customer,
                json={
                    "license_id": license["license_id"],
                    "category": "bug",
                    "severity": "high",
                    "product_version": product_version,
                    "environment": {"os": "Windows Server 2022"},
                    "subject": "Approval step hangs",
                    "description": f"Since {product_version} the approval step never completes.",
                },
            )
            return response.json() if response.status_code == 201 else None

        case = await eventually(opened, timeout=60, interval=0.5, what="the case to open")
        path = f"/api/cases/cases/{case['id']}/messages"
        for message in (
            {"body": "Internal: known issue", "internal": True},
            {"body": "Please send the log."},
        ):
            assert (await gateway.post(path, headers=engineer, json=message)).status_code == 201
    return {
        "case": case,
        "admin": admin_email,
        "customer": customer_email,
        "customer_id": customer_id,
        "engineer": engineer_email,
        "engineer_headers": engineer,
    }
