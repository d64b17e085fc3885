"""Email and phone normalisation (pure functions, used by schemas and lookups)."""

import phonenumbers
from email_validator import EmailNotValidError, validate_email


def normalize_email(raw: str) -> str:
    """Validated address with its domain lowercased (IDNA); raises ValueError with a reason."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error


def email_key(address: str) -> str:
    """What accounts are looked up by: addresses compare case-insensitively."""
    try:
        return normalize_email(address).lower()
    except ValueError:
        return address.strip().lower()


def normalize_phone(raw: str, region: str = "TW") -> str:
    """E.164 form of an international (`+…`) or national number of `region`; ValueError if invalid."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region.upper())
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"Not a phone number: {error}") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("This phone number does not exist; include the country code, e.g. +886 912 345 678")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
