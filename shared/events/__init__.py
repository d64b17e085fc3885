"""Versioned event schemas shared by every service, and the registry consumers parse with."""

from shared.events.base import Envelope, Event, RawEnvelope
from shared.events.cases import (
    CaseAssigned,
    CaseOpened,
    CaseReplied,
    CaseSeverityChanged,
    CaseSlaBreached,
    CaseStatusChanged,
    MailAutoReplyRequested,
)
from shared.events.downloads import Artifact, DownloadRecorded, ReleasePublished
from shared.events.identity import (
    AccountExistsNotice,
    PasswordResetRequested,
    SessionsRevoked,
    SignInUnlockOffered,
    UserProfileChanged,
    UserRegistered,
    UserVerified,
    VerificationRequested,
)
from shared.events.licensing import (
    BindingMoved,
    ContractBound,
    ContractIssued,
    LicenseBound,
    LicenseIssued,
    LicenseVoided,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    UserRegistered,
    VerificationRequested,
    AccountExistsNotice,
    UserVerified,
    PasswordResetRequested,
    SignInUnlockOffered,
    UserProfileChanged,
    SessionsRevoked,
    LicenseIssued,
    ContractIssued,
    LicenseBound,
    ContractBound,
    LicenseVoided,
    BindingMoved,
    ReleasePublished,
    DownloadRecorded,
    CaseOpened,
    CaseReplied,
    CaseStatusChanged,
    CaseAssigned,
    CaseSeverityChanged,
    CaseSlaBreached,
    MailAutoReplyRequested,
)
EVENT_TYPES: dict[str, type[Event]] = {cls.type: cls for cls in ALL_EVENTS}
TOPICS: tuple[str, ...] = tuple(sorted({cls.topic for cls in ALL_EVENTS}))

__all__ = [
    "ALL_EVENTS",
    "EVENT_TYPES",
    "TOPICS",
    "AccountExistsNotice",
    "Artifact",
    "BindingMoved",
    "CaseAssigned",
    "CaseOpened",
    "CaseReplied",
    "CaseSeverityChanged",
    "CaseSlaBreached",
    "CaseStatusChanged",
    "ContractBound",
    "ContractIssued",
    "DownloadRecorded",
    "Envelope",
    "Event",
    "LicenseBound",
    "LicenseIssued",
    "LicenseVoided",
    "MailAutoReplyRequested",
    "PasswordResetRequested",
    "RawEnvelope",
    "ReleasePublished",
    "SessionsRevoked",
    "SignInUnlockOffered",
    "UserProfileChanged",
    "UserRegistered",
    "UserVerified",
    "VerificationRequested",
]
