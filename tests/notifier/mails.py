"""Reading one mail from Mailpit with its headers and raw MIME source."""

import email
from dataclasses import dataclass
from email.message import Message
from typing import Any

from tests.kit import Mailpit


@dataclass
class Mail:
    summary: dict[str, Any]
    detail: dict[str, Any]
    mime: Message

    @property
    def subject(self) -> str:
        return str(self.detail["Subject"])

    @property
    def text(self) -> str:
        return str(self.detail["Text"])

    @property
    def html(self) -> str:
        return str(self.detail["HTML"])

    def header(self, name: str) -> str | None:
        value = self.mime.get(name)
        if value is None:
            return None
        unfolded = value.replace("\r\n", "").replace("\n", "").strip()  # RFC 5322 unfolding
        return str(email.header.make_header(email.header.decode_header(unfolded)))


async def read_mail(mailpit: Mailpit, summary: dict[str, Any]) -> Mail:
    detail = await mailpit.message(summary["ID"])
    raw = await mailpit.client.get(f"/api/v1/message/{summary['ID']}/raw")
    raw.raise_for_status()
    return Mail(summary=summary, detail=detail, mime=email.message_from_bytes(raw.content))


async def only_mail_to(mailpit: Mailpit, address: str, *, subject_contains: str | None = None) -> Mail:
    """Wait for the mail to `address` and return it (the caller asserts there is only one)."""
    found = await mailpit.wait_for(address, subject_contains=subject_contains)
    return await read_mail(mailpit, found[0])
