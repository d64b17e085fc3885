"""Problem details as message ids with parameters, rendered in the caller's language (pure)."""

import importlib
import pkgutil
from datetime import date

import httpx
import pytest
from fastapi import FastAPI, Request

import services
from shared.http.problems import CONFLICT, Problem, install_problem_handlers
from shared.i18n import LOCALES
from shared.messages import Text

VOIDED = Text(
    "test.voided-on",
    en="The license was voided on {on}.",
    zh_tw="此授權已於 {on} 作廢。",
    zh_cn="此授权已于 {on} 作废。",
    ja="このライセンスは {on} に無効化されました。",
)


def test_a_message_renders_its_parameters_in_each_language() -> None:
    message = VOIDED(on=date(2026, 3, 1))
    assert message.render("en") == "The license was voided on 2026-03-01."
    assert message.render("ja") == "このライセンスは 2026-03-01 に無効化されました。"
    assert {message.render(locale) for locale in LOCALES} == {
        VOIDED.translations[locale].format(on="2026-03-01") for locale in LOCALES
    }


def test_a_message_refuses_missing_or_unknown_parameters() -> None:
    with pytest.raises(TypeError):
        VOIDED()
    with pytest.raises(TypeError):
        VOIDED(on=date(2026, 3, 1), serial="X")


def test_a_text_needs_every_language_and_the_same_placeholders() -> None:
    with pytest.raises(ValueError, match="lacks a language"):
        Text("test.empty", en="Hello", zh_tw="你好", zh_cn="", ja="こんにちは")
    with pytest.raises(ValueError, match="placeholders"):
        Text("test.mismatch", en="Hello {name}", zh_tw="你好", zh_cn="你好 {name}", ja="{name} さん")
    with pytest.raises(ValueError, match="twice"):
        Text("test.voided-on", en="x", zh_tw="x", zh_cn="x", ja="x")


def test_every_declared_text_of_every_service_is_complete() -> None:
    """Importing a module declares its texts (and fails if one is incomplete); then check ids."""
    for module in pkgutil.walk_packages(services.__path__, "services."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    ids = list(Text.registry)
    assert "auth.token-invalid" in ids
    assert all("." in text_id and text_id == text_id.lower() for text_id in ids), ids


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/void")
    async def void(request: Request) -> None:
        request.state.account_locale = request.headers.get("x-account-language")
        raise Problem(CONFLICT, detail=VOIDED(on=date(2026, 3, 1)))

    return app


@pytest.mark.parametrize(
    ("accept_language", "account_language", "expected"),
    [
        ("ja-JP,ja;q=0.9", "zh-TW", "ja"),  # the request's own choice wins
        (None, "zh-TW", "zh-TW"),  # else the account's language
        ("fr-FR", "zh-CN", "zh-CN"),  # a header naming none of ours counts as none
        (None, None, "en"),
    ],
)
async def test_the_detail_follows_the_request_then_the_account_language(
    accept_language: str | None, account_language: str | None, expected: str
) -> None:
    headers = {}
    if accept_language:
        headers["accept-language"] = accept_language
    if account_language:
        headers["x-account-language"] = account_language
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://test") as client:
        response = await client.post("/void", headers=headers)
    body = response.json()
    assert response.status_code == 409
    assert response.headers["content-language"] == expected
    assert body["detail"] == VOIDED.translations[expected].format(on="2026-03-01")
    assert body["detail_id"] == "test.voided-on"
    assert body["title"] == CONFLICT.title(expected)
