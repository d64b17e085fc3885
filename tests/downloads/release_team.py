"""The release role's API as the tests call it (through the gateway, parts straight to MinIO)."""

import hashlib
from typing import Any

import httpx

from tests.accounts import PortalUser

API = "/api/downloads/admin/releases"


class Team:
    """A release-role user calling the API through the gateway."""

    def __init__(self, gateway: httpx.AsyncClient, user: PortalUser) -> None:
        self.gateway, self.user, self.headers = gateway, user, user.headers

    async def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = await self.gateway.request(method, f"{API}{path}", headers=self.headers, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()

    async def put_parts(
        self, release_id: str, upload: dict[str, Any], data: bytes, numbers: list[int]
    ) -> None:
        signed = await self.call(
            "POST", f"/{release_id}/uploads/{upload['upload_id']}/part-urls", 200, json={"parts": numbers}
        )
        size = upload["part_size"]
        async with httpx.AsyncClient(timeout=60) as store:  # straight to MinIO, not the gateway
            for part in signed["parts"]:
                start = (part["number"] - 1) * size
                response = await store.put(part["url"], content=data[start : start + size])
                assert response.status_code == 200, response.text

    async def upload(self, release_id: str, filename: str, data: bytes) -> dict[str, Any]:
        body = {"filename": filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        upload = await self.call("POST", f"/{release_id}/uploads", 201, json=body)
        await self.put_parts(release_id, upload, data, list(range(1, upload["part_count"] + 1)))
        return await self.call("POST", f"/{release_id}/uploads/{upload['upload_id']}/complete", 200)


def draft(product: str, version: str, **fields: Any) -> dict[str, Any]:
    return {
        "product": product,
        "version": version,
        "kind": "update",
        "title": f"{product} {version}",
        **fields,
    }
