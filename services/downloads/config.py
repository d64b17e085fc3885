"""Settings of the downloads service (env prefix `DOWNLOADS_`)."""

from shared.config import ServiceSettings, settings_config

# The topic the object store publishes its GET notifications to (MinIO's own JSON, not our
# envelope): the downloads actually made, as opposed to the URLs granted.
ACCESS_TOPIC = "artifacts.accessed"
# The consumer group reading it (apart from the service's group: its own offsets and ACL).
ACCESS_GROUP = "downloads-access"


class Settings(ServiceSettings):
    model_config = settings_config("DOWNLOADS_")

    service_name: str = "downloads"
    # Presigned URLs are signed for the address the customer's browser reaches MinIO at (a CDN
    # or public host in production); empty means the same endpoint the service talks to.
    s3_public_endpoint: str = ""
    s3_public_secure: bool | None = None
    # Signing needs the region; naming it avoids a bucket-location round trip on every grant.
    s3_region: str = "us-east-1"
    presign_expiry_seconds: int = 300
    # A part URL must outlive the part's transfer on a slow line; the uploader asks again after.
    upload_part_expiry_seconds: int = 3600
    access_topic: str = ACCESS_TOPIC

    @property
    def signing_endpoint(self) -> str:
        return self.s3_public_endpoint or self.s3_endpoint

    @property
    def signing_secure(self) -> bool:
        return self.s3_secure if self.s3_public_secure is None else self.s3_public_secure
