"""The lookup limit under concurrency: guesses sent all at once get no more answers than the
limit allows (a failed lookup is counted under the keys' locks; a successful bind takes none),
for licenses and contracts alike."""

import asyncio
from collections import Counter
from typing import Any

import httpx

from tests.accounts import PortalUser
from tests.kit import client_ip
from tests.licensing.helpers import issue_contract, issue_license, lookup

WRONG = "00000-00000-00000-00000"
ACCOUNT_LIMIT = 10  # lookup_failures_per_account
ADDRESS_LIMIT = 100  # lookup_failures_per_address


async def _all_at_once(
    direct: httpx.AsyncClient, customer: PortalUser, guesses: list[tuple[str, dict[str, str]]]
) -> Counter[int]:
    """Every (path, body) guess sent at once: how many got each status. Every 429 is the
    rate-limited problem with a Retry-After of at least a second."""
    answers = await asyncio.gather(
        *(direct.post(path, json=body, headers=customer.headers) for path, body in guesses)
    )
    assert all(
        answer.json()["type"] == "/problems/rate-limited" and int(answer.headers["Retry-After"]) >= 1
        for answer in answers
        if answer.status_code == 429
    )
    return Counter(answer.status_code for answer in answers)


async def test_parallel_wrong_guesses_of_one_account_get_at_most_the_limits_answers(
    gateway: httpx.AsyncClient, licensing_url: str, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    customer.ip = client_ip()
    # Straight to the service: the gateway's per-address burst would refuse some first.
    async with httpx.AsyncClient(base_url=licensing_url, timeout=60) as direct:
        guesses = [("/me/licenses/search", lookup(license, WRONG))] * (3 * ACCOUNT_LIMIT)
        statuses = await _all_at_once(direct, customer, guesses)
        assert statuses == {404: ACCOUNT_LIMIT, 429: 2 * ACCOUNT_LIMIT}, statuses
        # The right numbers wait out the window too: the limit is spent.
        right = await direct.post("/me/licenses", json=lookup(license), headers=customer.headers)
        assert right.status_code == 429, right.text


async def test_parallel_wrong_contract_guesses_get_at_most_the_limits_answers(
    gateway: httpx.AsyncClient, licensing_url: str, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    contract = (await issue_contract(gateway, staff, license["serial"], "2025-01-02", "2026-01-01")).json()
    customer.ip = client_ip()
    async with httpx.AsyncClient(base_url=licensing_url, timeout=60) as direct:
        bound = await direct.post("/me/licenses", json=lookup(license), headers=customer.headers)
        assert bound.status_code == 201, bound.text
        # Previews and binds of the license's contract, all with a wrong registration number.
        guesses = [
            ("/me/contracts/search", lookup(license, WRONG)),
            ("/me/contracts", lookup(license, WRONG)),
        ]
        statuses = await _all_at_once(direct, customer, guesses * (3 * ACCOUNT_LIMIT // 2))
        assert statuses == {404: ACCOUNT_LIMIT, 429: 2 * ACCOUNT_LIMIT}, statuses
        # The right numbers wait out the window too, for a contract and for a license.
        right = lookup(license, contract["registration_number"])
        for path, body in (("/me/contracts", right), ("/me/licenses/search", lookup(license))):
            refused = await direct.post(path, json=body, headers=customer.headers)
            assert refused.status_code == 429, (path, refused.text)
        assert (await direct.get("/me/contracts", headers=customer.headers)).json() == []


async def test_the_right_numbers_among_parallel_guesses_reveal_nothing_beyond_the_limit(
    gateway: httpx.AsyncClient, licensing_url: str, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    customer.ip = client_ip()
    async with httpx.AsyncClient(base_url=licensing_url, timeout=60) as direct:
        for _ in range(ACCOUNT_LIMIT - 1):
            missed = await direct.post(
                "/me/licenses/search", json=lookup(license, WRONG), headers=customer.headers
            )
            assert missed.status_code == 404, missed.text
        # One guess left: 19 wrong ones and the right one at once.
        guesses = [lookup(license, WRONG)] * 19 + [lookup(license)]
        answers = await asyncio.gather(
            *(direct.post("/me/licenses", json=body, headers=customer.headers) for body in guesses)
        )
        wrong = Counter(answer.status_code for answer in answers[:-1])
        right = answers[-1].status_code
        # Either the right one came first (bound; one wrong guess still gets the last answer) or
        # a wrong one took the last slot and the right one waits like every other guess.
        assert (right, wrong) in ((201, {404: 1, 429: 18}), (429, {404: 1, 429: 18})), (right, wrong)
        after = await direct.post(
            "/me/licenses/search", json=lookup(license, WRONG), headers=customer.headers
        )
        assert after.status_code == 429, after.text


async def test_parallel_wrong_guesses_from_one_address_get_at_most_the_limits_answers(
    gateway: httpx.AsyncClient, licensing_url: str, staff: PortalUser, new_customer: Any
) -> None:
    per_account = ACCOUNT_LIMIT - 1  # no account reaches its own limit
    customers = await asyncio.gather(*(new_customer() for _ in range(ADDRESS_LIMIT // per_account + 2)))
    license = await issue_license(gateway, staff)
    shared_address = client_ip()
    for customer in customers:
        customer.ip = shared_address
    async with httpx.AsyncClient(
        base_url=licensing_url, timeout=120, limits=httpx.Limits(max_connections=200)
    ) as direct:
        answers = await asyncio.gather(
            *(
                direct.post("/me/licenses/search", json=lookup(license, WRONG), headers=customer.headers)
                for customer in customers
                for _ in range(per_account)
            )
        )
        statuses = Counter(answer.status_code for answer in answers)
        assert statuses == {404: ADDRESS_LIMIT, 429: len(answers) - ADDRESS_LIMIT}, statuses
        # Another address is not affected.
        elsewhere = customers[0]
        elsewhere.ip = client_ip()
        bound = await direct.post("/me/licenses", json=lookup(license), headers=elsewhere.headers)
        assert bound.status_code == 201, bound.text
