"""RFC 9457 problem+json errors with titles in the four languages.

Every error a client can get is a `ProblemType` declared once (slug, status, four titles);
raising `Problem(TYPE, detail=TEXT(…))` anywhere in a request yields the translated answer: the
title from the type, the detail from a `shared.messages.Text`, both in the caller's language
(Accept-Language, else the account's language from the access token, else English). A test
walks `ProblemType.registry` and `Text.registry` to prove no language is missing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.i18n import DEFAULT_LOCALE, LOCALES, Locale, negotiate, normalize_locale
from shared.messages import Message, Text

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    titles: Mapping[str, str]
    registry: ClassVar[dict[str, "ProblemType"]] = {}

    def __post_init__(self) -> None:
        missing = [locale for locale in LOCALES if not self.titles.get(locale)]
        if missing:
            raise ValueError(f"problem {self.slug!r} lacks titles for {missing}")
        ProblemType.registry[self.slug] = self

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"

    def title(self, locale: Locale) -> str:
        return self.titles[locale]


@dataclass
class Problem(Exception):
    """A refusal, raised from the service layer and rendered once at the edge.

    `keep_changes=True` commits what the request wrote before refusing, for refusals that must
    leave a trace (a failed lookup counted by the rate limit); any other exception rolls back.
    """

    type: ProblemType
    detail: Message | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] | None = None
    keep_changes: bool = False


def _t(en: str, zh_tw: str, zh_cn: str, ja: str) -> dict[str, str]:
    return {"en": en, "zh-TW": zh_tw, "zh-CN": zh_cn, "ja": ja}


VALIDATION = ProblemType(
    "validation",
    422,
    _t("Some fields are not valid", "部分欄位格式不正確", "部分字段格式不正确", "入力内容に誤りがあります"),
)
BAD_REQUEST = ProblemType(
    "bad-request",
    400,
    _t("The request is malformed", "請求格式錯誤", "请求格式错误", "リクエストの形式が正しくありません"),
)
UNAUTHORIZED = ProblemType(
    "unauthorized",
    401,
    _t("Please sign in again", "請重新登入", "请重新登录", "もう一度サインインしてください"),
)
FORBIDDEN = ProblemType(
    "forbidden",
    403,
    _t(
        "You are not allowed to do this",
        "您沒有執行此操作的權限",
        "您没有执行此操作的权限",
        "この操作を行う権限がありません",
    ),
)
NOT_FOUND = ProblemType("not-found", 404, _t("Not found", "找不到資料", "找不到数据", "見つかりません"))
METHOD_NOT_ALLOWED = ProblemType(
    "method-not-allowed",
    405,
    _t("Method not allowed", "不支援此操作方法", "不支持此操作方法", "このメソッドは使用できません"),
)
CONFLICT = ProblemType(
    "conflict",
    409,
    _t(
        "This conflicts with existing data",
        "與現有資料衝突",
        "与现有数据冲突",
        "既存のデータと競合しています",
    ),
)
TOO_LARGE = ProblemType(
    "payload-too-large",
    413,
    _t("The request is too large", "請求內容過大", "请求内容过大", "リクエストが大きすぎます"),
)
UNSUPPORTED_MEDIA = ProblemType(
    "unsupported-media-type",
    415,
    _t(
        "Send the request as JSON",
        "請以 JSON 格式送出請求",
        "请以 JSON 格式发送请求",
        "リクエストは JSON で送信してください",
    ),
)
RATE_LIMITED = ProblemType(
    "rate-limited",
    429,
    _t(
        "Too many attempts, please wait and try again",
        "嘗試次數過多，請稍後再試",
        "尝试次数过多，请稍后再试",
        "試行回数が多すぎます。しばらくしてから再度お試しください",
    ),
)
INTERNAL = ProblemType(
    "internal",
    500,
    _t("Something went wrong on our side", "系統發生錯誤", "系统发生错误", "システムでエラーが発生しました"),
)
UNAVAILABLE = ProblemType(
    "unavailable",
    503,
    _t(
        "The service is not ready, try again shortly",
        "服務尚未就緒，請稍後再試",
        "服务尚未就绪，请稍后再试",
        "サービスの準備ができていません。しばらくしてから再度お試しください",
    ),
)

_BY_STATUS = {
    p.status: p
    for p in (
        BAD_REQUEST,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        CONFLICT,
        TOO_LARGE,
        UNSUPPORTED_MEDIA,
        RATE_LIMITED,
        UNAVAILABLE,
    )
}


def request_locale(request: Request) -> Locale:
    """The caller's language: what the request asks for, else what the account chose (the access
    token's `lng`, noted on the request by `shared.auth`), else English."""
    header = request.headers.get("accept-language")
    if header and any(normalize_locale(part.split(";")[0]) for part in header.split(",")):
        return negotiate(header)
    return normalize_locale(getattr(request.state, "account_locale", None)) or DEFAULT_LOCALE


SEND_JSON = Text(
    "problem.send-json",
    en="Send the body as JSON with Content-Type: application/json.",
    zh_tw="請以 JSON 格式送出內容，並設定 Content-Type: application/json。",
    zh_cn="请以 JSON 格式发送内容，并设置 Content-Type: application/json。",
    ja="本文は JSON で、Content-Type: application/json を付けて送信してください。",
)


def problem_response(
    request: Request,
    problem_type: ProblemType,
    *,
    detail: Message | None = None,
    errors: list[dict[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    locale = request_locale(request)
    body: dict[str, Any] = {
        "type": problem_type.uri,
        "title": problem_type.title(locale),
        "status": problem_type.status,
        "instance": request.url.path,
    }
    if detail is not None:
        body["detail"] = detail.render(locale)
        body["detail_id"] = detail.id
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    request_id = request.headers.get("x-request-id")
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(
        body,
        status_code=problem_type.status,
        media_type=MEDIA_TYPE,
        headers={**(headers or {}), "Content-Language": locale},
    )


def _field_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body",)]
        fields.append(
            {
                "field": ".".join(location) or "body",
                "message": item.get("msg", "invalid"),
                "code": item.get("type"),
            }
        )
    return fields


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            request, exc.type, detail=exc.detail, errors=exc.errors, extra=exc.extra, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        if any(e["code"] in ("json_invalid", "model_attributes_type") for e in errors) and "json" not in (
            request.headers.get("content-type") or ""
        ):
            return problem_response(request, UNSUPPORTED_MEDIA, detail=SEND_JSON())
        return problem_response(request, VALIDATION, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own refusals (unknown path, wrong method): the translated title says it all.
        problem_type = _BY_STATUS.get(exc.status_code, BAD_REQUEST if exc.status_code < 500 else INTERNAL)
        return problem_response(request, problem_type, headers=getattr(exc, "headers", None))


def problem_responses(*types: ProblemType) -> dict[int | str, dict[str, Any]]:
    """`responses=` for an endpoint: the problems it can answer, by status, for OpenAPI.

    Statuses every endpoint shares (401, 403, 404, 413, 415, 422, 503) are documented from its
    dependencies by shared.http.openapi; this names the endpoint's own (409, 429, …)."""
    by_status: dict[int, list[ProblemType]] = {}
    for problem_type in types:
        by_status.setdefault(problem_type.status, []).append(problem_type)
    return {
        status: {"description": "; ".join(f"`{t.uri}`: {t.title('en')}" for t in listed)}
        for status, listed in sorted(by_status.items())
    }
