"""Hostile input: every answer is a 4xx problem+json, translated, with field errors."""

import httpx
import pytest

from tests.identity.helpers import API, registration

PROBLEM = "application/problem+json"


def fields_of(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "+886 1"}, "phone"),
        ({"phone_region": "XYZ"}, "phone_region"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@" + "b" * 400 + ".com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "y" * 129}, "password"),
        ({"locale": "fr"}, "locale"),
        ({"name": ""}, "name"),
        ({"name": "Bad\x00Name"}, "name"),
        ({"unexpected": "field"}, "unexpected"),
    ],
)
async def test_invalid_registration_fields_give_field_errors(gateway, overrides, field):
    response = await gateway.post(f"{API}/auth/register", json=registration(**overrides))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in fields_of(response), response.json()


async def test_password_containing_email_or_name_is_refused(gateway):
    body = registration(name="Kenji Watanabe", email="kenji.tanaka@example.com")
    for password in ["kenji.tanaka-secret", "Watanabe-is-my-name"]:
        response = await gateway.post(f"{API}/auth/register", json={**body, "password": password})
        assert response.status_code == 422 and "password" in fields_of(response)


async def test_missing_fields_listed_and_title_in_request_language(gateway):
    response = await gateway.post(
        f"{API}/auth/register", json={}, headers={"Accept-Language": "zh-TW,zh;q=0.8"}
    )
    assert response.status_code == 422
    assert response.json()["title"] == "部分欄位格式不正確"
    assert response.headers["content-language"] == "zh-TW"
    assert {"name", "phone", "email", "password", "locale"} <= fields_of(response)
    ja = await gateway.post(
        f"{API}/auth/login", json={"email": "x@example.com"}, headers={"Accept-Language": "ja-JP"}
    )
    assert ja.json()["title"] == "入力内容に誤りがあります" and "password" in fields_of(ja)


async def test_oversize_body_is_413_problem(gateway):
    body = registration(name="n" * 200_000)
    response = await gateway.post(f"{API}/auth/register", json=body)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"] == "/problems/payload-too-large"


async def test_wrong_content_type_is_415_problem(gateway):
    response = await gateway.post(
        f"{API}/auth/login",
        content="email=a@example.com&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_malformed_json_is_a_4xx_problem(gateway):
    response = await gateway.post(
        f"{API}/auth/login",
        content='{"email": "a@example.com", ',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_customer_urls_carry_no_user_id(gateway):
    schema = (await gateway.get(f"{API}/openapi.json")).json()
    customer_paths = [p for p in schema["paths"] if not p.startswith("/admin")]
    # Ids a customer URL may carry, each checked against the caller: one of their own sessions
    # (another account's answers 404: tests/identity/test_console_sessions.py), and their own
    # organization with its members and invitations (an outsider's answers 404, a plain member
    # is refused an administrator's action: tests/identity/test_organizations.py). Staff's
    # customer lookup names a user and answers only staff (same file).
    own_objects = {
        "/me/sessions/{session_id}",
        "/organizations/{organization_id}",
        "/organizations/{organization_id}/members/{user_id}",
        "/organizations/{organization_id}/members/{user_id}/role",
        "/organizations/{organization_id}/invitations",
        "/organizations/{organization_id}/invitations/{invitation_id}",
    }
    staff_only = {"/organizations/of-user/{user_id}"}
    templated = {p for p in customer_paths if "{" in p}
    assert customer_paths and templated <= own_objects | staff_only, sorted(
        templated - own_objects - staff_only
    )
