"""Case attachments on the real stack: presigned POST to MinIO, SHA-256, visibility, cleanup."""

import hashlib
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.attachment_storage import AttachmentStorage
from services.cases.attachments import remove_abandoned_uploads
from services.cases.config import Settings
from shared import clock
from tests.accounts import PortalUser
from tests.cases.conftest import People, opened_case
from tests.conftest import database_url

LOG = b"2026-12-06 10:42:01 ERROR engine timeout after 30000 ms\n" * 200


async def start(
    gateway: httpx.AsyncClient, user: PortalUser, case: dict[str, Any], content: bytes, **extra: Any
) -> httpx.Response:
    body = {
        "filename": "C:\\logs\\..\\engine.log",
        "size": len(content),
        "content_type": "text/plain",
        **extra,
    }
    return await gateway.post(f"/api/cases/cases/{case['id']}/attachments", json=body, headers=user.headers)


async def upload(started: dict[str, Any], content: bytes, content_type: str = "text/plain") -> httpx.Response:
    form = started["upload"]
    async with httpx.AsyncClient(timeout=60) as storage:
        return await storage.post(
            form["url"], data=form["fields"], files={"file": ("engine.log", content, content_type)}
        )


async def attach(
    gateway: httpx.AsyncClient, user: PortalUser, case: dict[str, Any], content: bytes
) -> dict[str, Any]:
    started = await start(gateway, user, case, content)
    assert started.status_code == 201, started.text
    assert (await upload(started.json(), content)).status_code in (200, 201, 204)
    done = await gateway.post(
        f"/api/cases/cases/{case['id']}/attachments/{started.json()['attachment']['id']}/complete",
        headers=user.headers,
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


def storage_settings(stack: dict[str, Any]) -> Settings:
    minio = stack["minio"]
    return Settings(
        s3_endpoint=minio["endpoint"],
        s3_access_key=minio["access_key"],
        s3_secret_key=minio["secret_key"],
        s3_bucket=minio["bucket"],
    )


async def test_upload_download_and_the_hash(gateway: httpx.AsyncClient, people: People) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license, "log_interpretation")
    attachment = await attach(gateway, people.alice, case, LOG)
    assert attachment["filename"] == "engine.log"  # the path is gone
    assert attachment["sha256"] == hashlib.sha256(LOG).hexdigest() and attachment["size"] == len(LOG)

    for reader in (people.alice, people.support, people.admin):
        listed = await gateway.get(f"/api/cases/cases/{case['id']}/attachments", headers=reader.headers)
        [item] = listed.json()
        async with httpx.AsyncClient() as storage:
            downloaded = await storage.get(item["download_url"])
        assert downloaded.status_code == 200 and downloaded.content == LOG
        assert "engine.log" in downloaded.headers["content-disposition"]
    foreign = await gateway.get(f"/api/cases/cases/{case['id']}/attachments", headers=people.bob.headers)
    assert foreign.status_code == 404
    sneaky = await start(gateway, people.bob, case, LOG)
    assert sneaky.status_code == 404


async def test_security_case_attachments_follow_the_case(gateway: httpx.AsyncClient, people: People) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license, "security_issue")
    await attach(gateway, people.alice, case, b"proof of concept")
    path = f"/api/cases/cases/{case['id']}/attachments"
    assert (await gateway.get(path, headers=people.support.headers)).status_code == 404
    assert (await gateway.get(path, headers=people.admin.headers)).status_code == 404
    assert len((await gateway.get(path, headers=people.security.headers)).json()) == 1


async def test_the_policy_holds_size_and_type(gateway: httpx.AsyncClient, people: People) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license)
    too_big = await start(gateway, people.alice, case, LOG, size=101 * 1024 * 1024)
    assert too_big.status_code == 413 and too_big.json()["type"] == "/problems/attachment-too-large"
    assert (
        too_big.json()["detail_id"] == "cases.attachment-size-limit" and "100 MiB" in too_big.json()["detail"]
    )
    script = await start(gateway, people.alice, case, LOG, content_type="application/x-msdownload")
    assert script.status_code == 415

    started = (await start(gateway, people.alice, case, LOG)).json()
    more = await upload(started, LOG + b"one more line")  # not the size that was declared
    assert more.status_code == 400
    tampered = {**started, "upload": {**started["upload"]}}
    tampered["upload"]["fields"] = {**started["upload"]["fields"], "Content-Type": "text/html"}
    assert (await upload(tampered, LOG)).status_code == 403  # the signed policy fixes the type
    complete = f"/api/cases/cases/{case['id']}/attachments/{started['attachment']['id']}/complete"
    early = await gateway.post(complete, headers=people.alice.headers)
    assert early.status_code == 409 and early.json()["type"] == "/problems/upload-incomplete"
    by_someone_else = await gateway.post(complete, headers=people.support.headers)
    assert by_someone_else.status_code == 404
    assert (
        await gateway.get(f"/api/cases/cases/{case['id']}/attachments", headers=people.alice.headers)
    ).json() == []


async def test_abandoned_uploads_are_removed(
    gateway: httpx.AsyncClient, people: People, stack: dict[str, Any]
) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license)
    started = (await start(gateway, people.alice, case, LOG)).json()
    assert (await upload(started, LOG)).status_code in (200, 201, 204)  # uploaded, never completed
    attachment_id = uuid.UUID(started["attachment"]["id"])
    url = database_url(stack, "cases")
    engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    storage = AttachmentStorage(storage_settings(stack))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await remove_abandoned_uploads(session, storage, older_than=timedelta(0), now=clock.now())
            await session.commit()
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(url)
    try:
        assert (
            await connection.fetchval("SELECT count(*) FROM case_attachments WHERE id = $1", attachment_id)
            == 0
        )
    finally:
        await connection.close()
    assert await storage.size_of(f"case-attachments/{case['id']}/{attachment_id}") is None
