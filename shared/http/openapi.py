"""The OpenAPI document says how errors really look: problem+json, and which ones can come.

FastAPI documents a 422 as `application/json` HTTPValidationError and nothing else, while every
error our services give is `application/problem+json` (shared.http.problems). This rewrites the
generated document once, from what each route depends on:

- every error response an endpoint declares is problem+json with the `Problem` schema;
- a bearer token (shared.auth.current_user) → 401; a role check (require_roles) → 403;
- a path parameter or an id in the body → 404 (no such object, or not yours: the same answer);
- parameters or a body → 422 with field errors; a JSON body → 413 (the gateway's size limit)
  and 415 (not JSON);
- the database (shared.http.deps.SessionDep) → 503 while it is unreachable.
Responses a service declares itself (409, 429, a specific 404 text) are kept and only given
the problem+json content.
"""

from collections.abc import Callable, Iterator
from typing import Any, get_args
from uuid import UUID

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from shared.http.problems import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `title` is in the request's language.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/validation"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "examples": ["subject", "query.offset"]},
                    "message": {"type": "string"},
                    "code": {"type": ["string", "null"]},
                },
            },
        },
    },
    "additionalProperties": True,
}
_PROBLEM_CONTENT = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_DESCRIPTIONS = {
    "401": "Not signed in, or the access token expired",
    "403": "Signed in without the role this needs",
    "404": "No such object, or not yours (the same answer)",
    "413": "The request body is too large",
    "415": "The body is not JSON",
    "422": "Some fields are not valid (`errors` names each)",
    "503": "The service cannot reach its database; retry shortly",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _named(calls: list[Callable[..., Any]], *qualnames: str) -> bool:
    return any(getattr(call, "__qualname__", "") in qualnames for call in calls)


def _refers_by_id(route: APIRoute) -> bool:
    """A JSON body naming another object by id (`license_id`): that object may not exist."""
    model = route.body_field.field_info.annotation if route.body_field is not None else None
    fields = getattr(model, "model_fields", {})
    return any(UUID in (field.annotation, *get_args(field.annotation)) for field in fields.values())


def _possible_errors(route: APIRoute) -> set[str]:
    calls = list(_calls(route.dependant))
    codes: set[str] = set()
    if _named(calls, "current_user"):
        codes.add("401")
    if _named(calls, "require_roles.<locals>.dependency"):
        codes.add("403")
    if route.dependant.path_params or _refers_by_id(route):
        codes.add("404")
    if route.dependant.query_params or route.dependant.path_params or route.body_field is not None:
        codes.add("422")
    if route.body_field is not None:
        codes |= {"413", "415"}
    if _named(calls, "_session"):
        codes.add("503")
    return codes


def _document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,  # FastAPI adds the gateway's prefix here before asking
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    document["components"]["schemas"].pop("HTTPValidationError", None)
    document["components"]["schemas"].pop("ValidationError", None)
    # Included routers are resolved lazily: their routes, with full paths, come from here.
    for context in routing.iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = document["paths"].get(route.path_format, {})
        for method in route.methods or ():
            operation = path.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in _possible_errors(route):
                responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = _PROBLEM_CONTENT
                    if response.get("description") in (None, "", "Validation Error"):
                        response["description"] = _DESCRIPTIONS.get(code, "Problem")
    return document


def document_problems(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) describe errors as problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise
