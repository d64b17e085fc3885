"""API models of the cases service."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events.cases import CaseCategory, CaseStatus

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    license_id: UUID = Field(description="A license bound to your account")
    category: CaseCategory
    subject: Subject
    description: Text


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text
    internal: bool = Field(False, description="Staff only: a note customers never see")


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus


class PersonPublic(BaseModel):
    user_id: UUID
    name: str | None = None
    email: str | None = None


class MessagePublic(BaseModel):
    id: UUID
    author_id: UUID
    author_name: str | None = None
    by_staff: bool
    internal: bool
    body: str
    created_at: datetime


class CasePublic(BaseModel):
    id: UUID
    number: str
    status: CaseStatus
    category: CaseCategory
    subject: str
    description: str
    license_id: UUID
    product: str
    account_id: UUID
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    updated_at: datetime


class CaseDetail(CasePublic):
    customer: PersonPublic
    messages: list[MessagePublic]
