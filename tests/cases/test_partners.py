"""The partner directory through the gateway: who may read and change it, the region/product
filter, and the recommendation text in the customer's language."""

import uuid
from typing import Any

import httpx
import pytest

from services.cases.canned import closing
from shared.i18n import LOCALES, Locale
from tests.accounts import Accounts

API = "/api/cases/desk/partners"


def product_code() -> str:
    """A product of this test alone, so partners other tests add never show in its lists."""
    return f"flow-{uuid.uuid4().hex[:10]}"


def partner(product: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Taipei Integrators",
        "region": "TW",
        "contact": "+886 2 2345 6789",
        "products": [product],
    }
    return body | overrides


async def test_support_lists_by_region_and_product_only_admin_edits(
    gateway: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, support, customer = (
        await accounts.user("admin"),
        await accounts.user("support"),
        await accounts.user("customer"),
    )
    product, other = product_code(), product_code()
    made = []
    for body in (
        partner(product),
        partner(product, name="Osaka Systems", region="JP", contact="sales@osaka.example"),
        partner(other, name="Kaohsiung Services"),
    ):
        response = await gateway.post(API, json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        made.append(response.json())
    taipei = made[0]

    listed = await gateway.get(API, params={"region": "TW", "product": product}, headers=support.headers)
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()] == [taipei["id"]]
    by_product = await gateway.get(API, params={"product": product}, headers=support.headers)
    assert {p["name"] for p in by_product.json()} == {"Taipei Integrators", "Osaka Systems"}

    # A customer never sees the directory; support reads it but may not change it.
    for method, url, body in (
        ("GET", API, None),
        ("POST", API, partner(product)),
        ("PUT", f"{API}/{taipei['id']}", partner(product)),
        ("DELETE", f"{API}/{taipei['id']}", None),
    ):
        refused = await gateway.request(method, url, json=body, headers=customer.headers)
        assert refused.status_code == 403, (method, refused.text)
        assert refused.json()["type"].endswith("staff-only" if method == "GET" else "admin-only")
    for method, url, body in (
        ("POST", API, partner(product, name="Support's own")),
        ("PUT", f"{API}/{taipei['id']}", partner(product, name="Renamed by support")),
        ("DELETE", f"{API}/{taipei['id']}", None),
    ):
        refused = await gateway.request(method, url, json=body, headers=support.headers)
        assert refused.status_code == 403, (method, refused.text)
        assert refused.json()["type"].endswith("admin-only")
        assert refused.json()["detail_id"] == "cases.partners-admin-only"
    unchanged = await gateway.get(API, params={"product": product}, headers=support.headers)
    assert {p["name"] for p in unchanged.json()} == {"Taipei Integrators", "Osaka Systems"}

    moved = partner(
        product, name="Taipei Integrators Ltd.", contact="help@tpe.example", products=[product, other]
    )
    updated = await gateway.put(f"{API}/{taipei['id']}", json=moved, headers=admin.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Taipei Integrators Ltd."
    both = await gateway.get(API, params={"region": "TW", "product": other}, headers=support.headers)
    assert {p["name"] for p in both.json()} == {"Taipei Integrators Ltd.", "Kaohsiung Services"}

    gone = await gateway.delete(f"{API}/{taipei['id']}", headers=admin.headers)
    assert gone.status_code == 204
    again = await gateway.delete(f"{API}/{taipei['id']}", headers=admin.headers)
    assert again.status_code == 404
    assert again.json()["type"].endswith("partner-not-found")
    left = await gateway.get(API, params={"product": product}, headers=support.headers)
    assert [p["name"] for p in left.json()] == ["Osaka Systems"]


async def test_bad_partner_input_is_a_problem_and_writes_nothing(
    gateway: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.user("admin")
    product = product_code()
    for bad in (
        partner(product, region="Taiwan"),
        partner(product, products=[]),
        partner(product, name=""),
        partner(product, homepage="https://x.example"),
    ):
        response = await gateway.post(API, json=bad, headers=admin.headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await gateway.put(f"{API}/{uuid.uuid4()}", json=partner(product), headers=admin.headers)
    assert missing.status_code == 404
    listed = await gateway.get(API, params={"product": product}, headers=admin.headers)
    assert listed.json() == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_recommendation_names_the_partners_in_the_customers_language(
    gateway: httpx.AsyncClient, accounts: Accounts, locale: Locale
) -> None:
    admin, support = await accounts.user("admin"), await accounts.user("support")
    product = product_code()
    for body in (
        partner(product),
        partner(product, name="Hsinchu Data", contact="03-555-0100"),
        partner(product, name="Osaka Systems", region="JP"),
    ):
        assert (await gateway.post(API, json=body, headers=admin.headers)).status_code == 201

    params = {"region": "TW", "product": product, "locale": locale}
    response = await gateway.get(f"{API}/recommendation", params=params, headers=support.headers)
    assert response.status_code == 200, response.text
    found = response.json()
    assert [p["name"] for p in found["partners"]] == ["Hsinchu Data", "Taipei Integrators"]
    body = found["body"]
    assert "- Hsinchu Data: 03-555-0100" in body and "- Taipei Integrators: +886 2 2345 6789" in body
    assert "Osaka Systems" not in body and product in body
    assert body.endswith(closing(locale))

    none = await gateway.get(
        f"{API}/recommendation", params=params | {"region": "KR"}, headers=support.headers
    )
    assert none.json() == {"partners": [], "body": ""}
