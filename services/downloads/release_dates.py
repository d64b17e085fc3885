"""The release tool's memory of when each release was published.

A release's `published_on` decides who may download it (released on or before a customer's
coverage end), so it must not move when the product team re-publishes the release to correct a
title, notes or a file: a customer whose coverage lapsed since would lose an installer they
already had. The tool has no database; the date lives next to the files, in the object store,
under `release-records/<release_id>.json`, written by the first publish and changed only by an
explicit `--published-on`.
"""

import io
import json
from datetime import date
from uuid import UUID

from minio import Minio
from minio.error import S3Error

from shared import clock

RECORD_PREFIX = "release-records"


def record_key(release_id: UUID) -> str:
    return f"{RECORD_PREFIX}/{release_id}.json"


def publication_date(requested: date | None, recorded: date | None) -> date:
    """An explicit date wins; else the date of the first publish; else today (business calendar)."""
    return requested or recorded or clock.today()


def recorded_publication(client: Minio, bucket: str, release_id: UUID) -> date | None:
    try:
        response = client.get_object(bucket, record_key(release_id))
    except S3Error as error:
        if error.code == "NoSuchKey":
            return None
        raise
    try:
        return date.fromisoformat(json.loads(response.read())["published_on"])
    finally:
        response.close()
        response.release_conn()


def record_publication(client: Minio, bucket: str, release_id: UUID, published_on: date) -> None:
    body = json.dumps({"release_id": str(release_id), "published_on": published_on.isoformat()}).encode()
    client.put_object(
        bucket, record_key(release_id), io.BytesIO(body), len(body), content_type="application/json"
    )
