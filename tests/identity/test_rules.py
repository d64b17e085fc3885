"""Pure rules: password policy, email/phone normalisation, translated problem titles."""

from datetime import timedelta

import pytest

from services.identity import problems  # noqa: F401 - registers identity's problem types
from services.identity.limits import BackoffPolicy
from services.identity.normalize import email_key, normalize_email, normalize_phone
from services.identity.passwords import Passwords, common_passwords, policy_violations
from shared.http.problems import ProblemType
from shared.i18n import LOCALES


def test_strong_password_passes():
    assert policy_violations("Velvet-Compass-8841", email="mei@example.com", name="Mei Chen") == []


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1!", "at least 10"),
        ("x" * 129, "at most 128"),
        ("password123", "too common"),
        ("Qwertyuiop", "too common"),
        ("mei.chen.rocks.2024", "email"),
        ("Chen-Family-2024", "name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, fragment: str):
    reasons = policy_violations(password, email="mei.chen@example.com", name="Mei Chen")
    assert any(fragment in reason for reason in reasons), reasons


def test_bundled_common_list_is_large():
    assert len(common_passwords()) >= 1000
    assert "123456" in common_passwords()


def test_email_normalised_domain_lowercase_and_compared_case_insensitively():
    assert normalize_email(" Mei.Chen@EXAMPLE.COM ") == "Mei.Chen@example.com"
    assert email_key("Mei.Chen@EXAMPLE.COM") == email_key("mei.chen@example.com")


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b", "two@@example.com", "sp ace@example.com"])
def test_invalid_email_raises(bad: str):
    with pytest.raises(ValueError):
        normalize_email(bad)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0912-345-678", "TW", "+886912345678"),
        ("(02) 2345 6789", "TW", "+886223456789"),
        ("+81 90-1234-5678", "TW", "+819012345678"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+1 (650) 253-0000", "JP", "+16502530000"),
    ],
)
def test_phone_stored_as_e164(raw: str, region: str, e164: str):
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize("bad", ["12", "+886 1", "not a number", "0000000000"])
def test_invalid_phone_raises(bad: str):
    with pytest.raises(ValueError):
        normalize_phone(bad)


def test_every_problem_has_four_titles():
    for problem in ProblemType.registry.values():
        assert all(problem.title(locale) for locale in LOCALES), problem.slug
    assert ProblemType.registry["locked"].title("ja") != ProblemType.registry["locked"].title("en")


async def test_argon2id_hash_verifies_and_flags_old_parameters_for_rehash():
    cheap = Passwords(time_cost=1, memory_cost_kib=8192, parallelism=1, max_concurrent=1)
    current = Passwords(time_cost=2, memory_cost_kib=16384, parallelism=1, max_concurrent=1)
    stored = await cheap.hash("Velvet-Compass-8841")
    assert stored.startswith("$argon2id$")
    assert await current.verify(stored, "Velvet-Compass-8841")
    assert not await current.verify(stored, "Velvet-Compass-8842")
    assert current.needs_rehash(stored) and not cheap.needs_rehash(stored)


def test_account_backoff_starts_at_the_threshold_doubles_and_is_capped():
    policy = BackoffPolicy(
        after_failures=5, base_seconds=0.5, max_seconds=5, failure_window=timedelta(minutes=15)
    )
    assert [policy.delay(n) for n in range(4, 11)] == [0, 0.5, 1, 2, 4, 5, 5]
