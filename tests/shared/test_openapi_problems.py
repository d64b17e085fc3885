"""Every service's OpenAPI document describes its errors as they are (pure: apps are built,
not run)."""

import importlib
from typing import Any

import pytest

from shared.http.problems import MEDIA_TYPE

SERVICES = ("identity", "licensing", "downloads", "cases", "notifier")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _document(service: str) -> dict[str, Any]:
    app = importlib.import_module(f"services.{service}.app").create_app()
    return app.openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op) for path, ops in document["paths"].items() for method, op in ops.items()
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_response_is_problem_json(service: str) -> None:
    document = _document(service)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
    for method, path, operation in _operations(document):
        for code, response in operation["responses"].items():
            if code[0] in "45":
                assert response["content"] == {MEDIA_TYPE: {"schema": PROBLEM_REF}}, (method, path, code)
                assert response["description"], (method, path, code)


@pytest.mark.parametrize("service", SERVICES)
def test_operations_name_the_errors_they_can_give(service: str) -> None:
    for method, path, operation in _operations(_document(service)):
        codes = set(operation["responses"])
        if "{" in path:
            assert {"404", "422"} <= codes, (method, path, codes)
        if "requestBody" in operation and "application/json" in operation["requestBody"]["content"]:
            assert {"413", "415", "422"} <= codes, (method, path, codes)
        if path.startswith("/admin"):
            assert {"401", "403", "503"} <= codes, (method, path, codes)


@pytest.mark.parametrize(
    ("service", "method", "path", "expected"),
    [
        ("identity", "GET", "/me", {"401", "503"}),
        ("licensing", "POST", "/me/licenses", {"401", "403", "404", "409", "422", "429"}),
        ("cases", "POST", "/cases", {"401", "404", "422"}),
        ("downloads", "GET", "/releases", {"401", "422"}),
        ("notifier", "POST", "/admin/deliveries/{delivery_id}/retry", {"401", "403", "404"}),
    ],
)
def test_known_operations_document_their_errors(
    service: str, method: str, path: str, expected: set[str]
) -> None:
    operation = _document(service)["paths"][path][method.lower()]
    assert expected <= set(operation["responses"]), sorted(operation["responses"])
