"""The portal calls only what the services offer, and reads only fields they answer with.

Every `api(...)` call in web/js (tests/portal_calls.py) must name an operation of that service's
OpenAPI document as the running stack serves it (/api/<service>/openapi.json); for the pages
below, every field read from an answer must be a property of the answer's schema. A renamed
field or endpoint then fails here instead of showing an empty cell in the portal.
"""

from typing import Any

import httpx
import pytest

from tests.portal_calls import ANY, SERVICES, WEB_JS, PortalCall, fields_read, portal_calls

Document = dict[str, Any]

# (script, variable, the call that answered it, where in the answer): the page reads
# `variable.<field>`; "[]" steps into a list's items, a name into that property.
READS: list[tuple[str, str, str, str, str, tuple[str, ...]]] = [
    ("pages/licenses.js", "license", "GET", "licensing", "/me/licenses", ("[]",)),
    ("pages/licenses.js", "coverage", "GET", "licensing", "/me/licenses", ("[]", "coverage")),
    ("pages/licenses.js", "period", "GET", "licensing", "/me/licenses", ("[]", "timeline", "[]")),
    ("pages/licenses.js", "found", "POST", "licensing", "/me/licenses/search", ()),
    ("pages/licenses.js", "bound", "POST", "licensing", "/me/licenses", ()),
    ("pages/contracts.js", "contract", "GET", "licensing", "/me/contracts", ("[]",)),
    ("pages/contracts.js", "found", "POST", "licensing", "/me/contracts/search", ()),
    ("pages/contracts.js", "coverage", "POST", "licensing", "/me/contracts/search", ("coverage_after",)),
    ("pages/case-open.js", "license", "GET", "licensing", "/me/licenses", ("[]",)),
    ("pages/case-open.js", "coverage", "GET", "licensing", "/me/licenses", ("[]", "coverage")),
    ("pages/case-open.js", "r", "GET", "downloads", "/releases", ("[]",)),
    ("pages/case-open.js", "created", "POST", "cases", "/cases", ()),
    ("pages/cases.js", "item", "GET", "cases", "/cases", ("[]",)),
    ("pages/case-detail.js", "item", "GET", "cases", "/cases/{case_id}", ()),
    ("pages/case-detail.js", "m", "GET", "cases", "/cases/{case_id}", ("messages", "[]")),
    ("pages/case-detail.js", "env", "GET", "cases", "/cases/{case_id}", ("environment",)),
    ("pages/case-detail.js", "license", "GET", "licensing", "/me/licenses", ("[]",)),
    ("pages/organization.js", "mine", "GET", "identity", "/organizations/mine", ()),
    ("pages/organization.js", "company", "GET", "identity", "/organizations/mine", ("organization",)),
    (
        "pages/organization.js",
        "member",
        "GET",
        "identity",
        "/organizations/mine",
        ("organization", "members", "[]"),
    ),
    (
        "pages/organization.js",
        "invitation",
        "GET",
        "identity",
        "/organizations/mine",
        ("organization", "invitations", "[]"),
    ),
    ("pages/organization-join.js", "preview", "POST", "identity", "/organizations/invitations/preview", ()),
    ("pages/downloads.js", "release", "GET", "downloads", "/releases", ("[]",)),
    ("pages/downloads.js", "artifact", "GET", "downloads", "/releases", ("[]", "artifacts", "[]")),
    ("pages/downloads.js", "grant", "GET", "downloads", "/releases/{release_id}/artifacts/{filename}", ()),
    ("pages/desk-case.js", "item", "GET", "cases", "/desk/cases/{case_id}", ()),
    ("pages/desk-case.js", "m", "GET", "cases", "/desk/cases/{case_id}", ("messages", "[]")),
    ("pages/desk-queue.js", "page", "GET", "cases", "/desk/queue", ()),
    ("pages/attachments.js", "started", "POST", "cases", "/cases/{case_id}/attachments", ()),
    ("pages/unsubscribe.js", "state", "GET", "notifier", "/unsubscribe/topic", ()),
    ("pages/office-licenses.js", "license", "GET", "licensing", "/admin/licenses", ("[]",)),
    ("pages/office-accounts.js", "found", "GET", "identity", "/admin/users", ()),
    ("pages/office-accounts.js", "row", "GET", "identity", "/admin/users", ("items", "[]")),
    ("pages/office-accounts.js", "account", "GET", "identity", "/admin/users/{user_id}", ()),
    ("pages/office-accounts.js", "lock", "GET", "identity", "/admin/users/{user_id}", ("lock",)),
    ("pages/office-accounts.js", "current", "POST", "identity", "/admin/users/{user_id}/unlock", ()),
    ("pages/office-accounts.js", "entries", "GET", "identity", "/admin/audit", ()),
    ("pages/office-accounts.js", "entry", "GET", "identity", "/admin/audit", ("items", "[]")),
    ("renewal-banner.js", "found", "GET", "notifier", "/me/coverage-ending", ()),
    ("renewal-banner.js", "item", "GET", "notifier", "/me/coverage-ending", ("items", "[]")),
    ("pages/signin.js", "answer", "POST", "identity", "/auth/login", ()),
    ("pages/signin-two-step.js", "answer", "POST", "identity", "/auth/login", ()),
    ("pages/signin-two-step.js", "tokens", "POST", "identity", "/auth/two-step/enrol/confirm", ()),
    ("pages/account-sessions.js", "item", "GET", "identity", "/me/sessions", ("[]",)),
    ("pages/account-two-step.js", "status", "GET", "identity", "/me/two-step", ()),
    ("pages/account-two-step.js", "enrolment", "POST", "identity", "/me/two-step", ()),
]


@pytest.fixture(scope="module")
async def documents(gateway: httpx.AsyncClient) -> dict[str, Document]:
    found = {}
    for service in SERVICES:
        response = await gateway.get(f"/api/{service}/openapi.json")
        assert response.status_code == 200, (service, response.status_code)
        found[service] = response.json()
    return found


def operations_matching(document: Document, call: PortalCall) -> list[str]:
    """The document's path templates a call's path fits (a `{param}` segment only fits an
    expression; an expression fits any segment)."""

    def fits(template: str) -> bool:
        segments = template.strip("/").split("/")
        return len(segments) == len(call.segments) and all(
            ANY in ours or (ours == theirs and not theirs.startswith("{"))
            for ours, theirs in zip(call.segments, segments, strict=True)
        )

    return [template for template in document["paths"] if fits(template)]


def test_the_portal_calls_are_read_from_the_scripts() -> None:
    calls = portal_calls()
    shown = {call.shown for call in calls}
    # The reader finds direct calls, calls through a variable and calls through a parameter.
    assert "GET /licensing/me/licenses" in shown
    assert "POST /cases/cases/{…}/attachments/{…}/complete" in shown
    assert {"POST /licensing/me/licenses/search", "POST /licensing/me/contracts/search"} <= shown
    assert "POST /identity/auth/refresh" in shown
    assert {"POST /identity/admin/users/{…}/unlock", "PUT /identity/admin/users/{…}/roles"} <= shown
    assert {call.service for call in calls} == set(SERVICES)


async def test_every_portal_call_is_an_operation_of_its_service(documents: dict[str, Document]) -> None:
    unknown = []
    for call in portal_calls():
        document = documents[call.service]
        templates = operations_matching(document, call)
        if not any(call.method.lower() in document["paths"][template] for template in templates):
            unknown.append(f"{call.where}: {call.shown}")
    assert unknown == [], "the portal calls operations its services do not offer"


def _resolve(document: Document, schema: dict[str, Any]) -> dict[str, Any]:
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in schema:
            options = [option for option in schema["anyOf"] if option.get("type") != "null"]
            if len(options) > 1:  # one of several answers (sign-in: tokens, or a second step)
                merged = [_resolve(document, option).get("properties", {}) for option in options]
                return {"properties": {name: value for found in merged for name, value in found.items()}}
            [schema] = options
        else:
            return schema


def answer_schema(document: Document, method: str, path: str, steps: tuple[str, ...]) -> dict[str, Any]:
    responses = document["paths"][path][method.lower()]["responses"]
    # One schema, whatever the success code (a bind answers 201, or 200 when already bound).
    [schema, *_] = [
        body["content"]["application/json"]["schema"]
        for code, body in responses.items()
        if code.startswith("2") and "application/json" in body.get("content", {})
    ]
    schema = _resolve(document, schema)
    for step in steps:
        schema = _resolve(document, schema["items"] if step == "[]" else schema["properties"][step])
    return schema


@pytest.mark.parametrize(("script", "variable", "method", "service", "path", "steps"), READS)
async def test_the_fields_a_page_reads_are_in_the_answer(
    documents: dict[str, Document],
    script: str,
    variable: str,
    method: str,
    service: str,
    path: str,
    steps: tuple[str, ...],
) -> None:
    read = fields_read(WEB_JS / script, variable)
    assert read, f"{script} reads nothing from {variable}: the table above is out of date"
    schema = answer_schema(documents[service], method, path, steps)
    properties = set(schema.get("properties", {})) | ({"length"} if schema.get("type") == "array" else set())
    assert read - properties == set(), f"{script}: {variable} is {method} /{service}{path} {'.'.join(steps)}"
