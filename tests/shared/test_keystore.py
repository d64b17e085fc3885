"""The sealed key store's own logic (pure): sealing needs the secret and binds the kid.
Creation, rotation and publication against PostgreSQL are covered by identity's key tests."""

from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from services.licensing.signing_keys import key_store as licensing_store
from shared.keystore import KeyStore, SigningKeyRecord, thumbprint


class _Base(SQLModel, registry=registry()):
    pass


class Key(_Base, SigningKeyRecord, table=True):
    __tablename__ = "signing_keys"


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def store(secret: str, purpose: bytes = b"tests") -> KeyStore[Key]:
    return KeyStore(Key, secret_key=secret, purpose=purpose)


def test_a_sealed_key_opens_with_its_secret_only() -> None:
    key = store("secret-a").new_key(NOW)
    private = store("secret-a").private_key(key)
    assert private.public_key() == key.public
    assert key.kid == thumbprint(key.public_key)
    assert private.private_bytes_raw() not in key.sealed_private_key
    with pytest.raises(InvalidTag):
        store("secret-b").private_key(key)
    with pytest.raises(InvalidTag):
        store("secret-a", purpose=b"another use").private_key(key)


def test_a_sealed_key_moved_onto_another_kid_does_not_open() -> None:
    one, other = store("s").new_key(NOW), store("s").new_key(NOW)
    other.sealed_private_key = one.sealed_private_key
    with pytest.raises(InvalidTag):
        store("s").private_key(other)


def test_license_keys_are_named_as_license_files_name_them() -> None:
    from services.licensing.license_file import key_id

    key = licensing_store("secret").new_key(NOW)
    assert key.kid == key_id(key.public)
