"""Access-token verification, done locally by every service against identity's JWKS.

Identity signs short-lived EdDSA (Ed25519) JWTs and publishes its public keys at
`/.well-known/jwks.json`. Services fetch and cache that set; an unknown `kid` (a rotated key)
triggers one refetch, rate-limited so forged kids cannot hammer identity. Only `EdDSA` is
accepted: `alg: none` or an HMAC token signed with the public key are refused by construction.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import httpx
import jwt
from fastapi import Depends, Request

from shared.http.problems import FORBIDDEN, UNAUTHORIZED, UNAVAILABLE, Problem
from shared.i18n import Locale, normalize_locale
from shared.logging import get_logger
from shared.messages import Text

ISSUER = "support-portal-identity"
AUDIENCE = "support-portal"
ALGORITHM = "EdDSA"
ROLES = ("customer", "support", "security", "admin", "release")
STAFF_ROLES = frozenset({"support", "security", "admin"})

log = get_logger(__name__)


TOKEN_INVALID = Text(
    "auth.token-invalid",
    en="The access token is not valid; sign in again.",
    zh_tw="存取權杖無效，請重新登入。",
    zh_cn="访问令牌无效，请重新登录。",
    ja="アクセストークンが無効です。もう一度サインインしてください。",
)
TOKEN_EXPIRED = Text(
    "auth.token-expired",
    en="The access token expired; refresh it or sign in again.",
    zh_tw="存取權杖已過期，請更新權杖或重新登入。",
    zh_cn="访问令牌已过期，请刷新令牌或重新登录。",
    ja="アクセストークンの有効期限が切れました。更新するか、もう一度サインインしてください。",
)
KEYS_RETRY_AFTER = "2"
KEYS_UNAVAILABLE = Text(
    "auth.keys-unavailable",
    en="The signing keys cannot be fetched right now; retry in a few seconds.",
    zh_tw="目前無法取得簽章金鑰，請數秒後再試。",
    zh_cn="目前无法获取签名密钥，请几秒后再试。",
    ja="署名鍵を取得できません。数秒後にもう一度お試しください。",
)
SEND_TOKEN = Text(
    "auth.send-token",
    en="Sign in first, then send the access token as 'Authorization: Bearer …'.",
    zh_tw="請先登入，並以「Authorization: Bearer …」送出存取權杖。",
    zh_cn="请先登录，并以“Authorization: Bearer …”发送访问令牌。",
    ja="先にサインインし、アクセストークンを「Authorization: Bearer …」で送信してください。",
)
SIGNED_OUT = Text(
    "auth.signed-out",
    en="This session was signed out; sign in again.",
    zh_tw="此工作階段已登出，請重新登入。",
    zh_cn="此会话已退出，请重新登录。",
    ja="このセッションはサインアウトされました。もう一度サインインしてください。",
)
NEEDS_ROLE = Text(
    "auth.needs-role",
    en="This needs one of the roles: {roles}. Ask an administrator if you should have it.",
    zh_tw="此操作需要以下角色之一：{roles}。如需權限，請洽系統管理員。",
    zh_cn="此操作需要以下角色之一：{roles}。如需权限，请联系系统管理员。",
    ja="この操作には次のいずれかのロールが必要です：{roles}。必要であれば管理者にお問い合わせください。",
)


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    roles: frozenset[str]
    session_id: str | None = None
    email: str | None = None
    locale: Locale | None = None  # the account's language, for texts when a request names none

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


KeySource = Callable[[], Awaitable[dict[str, Any]]]


def http_key_source(jwks_url: str) -> KeySource:
    """The key set as every service gets it: identity's published JWKS."""

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(jwks_url)
            response.raise_for_status()
            return response.json()

    return fetch


# How many verified tokens a process remembers (LRU): a few MiB at most, more than the users
# one replica serves within a token's lifetime.
VERIFIED_TOKENS_KEPT = 4096


class VerifiedTokens:
    """Tokens whose signature and claims were checked, each with its principal, until the
    token's own `exp`: the same token (a browser sends it with every call) is then not decoded
    and its Ed25519 signature not checked again on every request. Keyed by the whole token
    string, so a token differing in any byte is verified from scratch. An entry is refused from
    the moment its `exp` passes, exactly as the full check would (PyJWT: expired when
    `exp <= now`). Revocation is not cached: `current_user` asks the deny-list every time."""

    def __init__(self, size: int = VERIFIED_TOKENS_KEPT) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        principal, expires_at = entry
        if expires_at <= time.time():  # noqa: TID251 - the JWT's own clock, as PyJWT checks `exp`
            del self._entries[token]
            return None  # verified again in full, which answers "expired"
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal, expires_at: float) -> None:
        self._entries[token] = (principal, expires_at)
        self._entries.move_to_end(token)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class JwksVerifier:
    """Verifies access tokens against a cached key set taken from `source` (a JWKS URL, or a
    function returning the JWKS document: identity reads its own database that way)."""

    def __init__(
        self, source: str | KeySource, *, ttl_seconds: float = 300, min_refetch_seconds: float = 2
    ) -> None:
        self._fetch = http_key_source(source) if isinstance(source, str) else source
        self.ttl_seconds = ttl_seconds
        self.min_refetch_seconds = min_refetch_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.verified = VerifiedTokens()

    def load(self, jwks: dict[str, Any]) -> None:
        """Install a key set directly (identity verifies its own tokens without HTTP)."""
        keys = {k["kid"]: jwt.PyJWK(k, algorithm=ALGORITHM) for k in jwks.get("keys", []) if k.get("kid")}
        if any(kid not in keys for kid in self._keys):
            # A key was withdrawn: tokens it signed must no longer pass, cached or not.
            self.verified.clear()
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def refresh(self, *, force: bool = True, wanted_kid: str | None = None) -> None:
        """Fetch the key set again: when it is older than its TTL, or (`force`) for a key id it
        lacks. Fetches are at least `min_refetch_seconds` apart, so forged key ids cannot hammer
        identity; a request naming a new key waits out that gap instead of being refused, so a
        key rotated in just after a fetch is still learnt within seconds."""
        async with self._lock:
            if wanted_kid is not None and wanted_kid in self._keys:
                return  # learnt while this request waited for the lock
            age = time.monotonic() - self._fetched_at
            if not force and age < self.ttl_seconds:
                return
            if age < self.min_refetch_seconds:
                if not force:
                    return
                await asyncio.sleep(self.min_refetch_seconds - age)
            self.load(await self._fetch())

    async def verify(self, token: str) -> Principal:
        known = self.verified.get(token)
        if known is not None and time.monotonic() - self._fetched_at <= self.ttl_seconds:
            return known
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Problem(UNAUTHORIZED, detail=TOKEN_INVALID()) from error
        if header.get("alg") != ALGORITHM:
            raise Problem(UNAUTHORIZED, detail=TOKEN_INVALID())
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Problem(UNAUTHORIZED, detail=TOKEN_INVALID())
        if kid not in self._keys or time.monotonic() - self._fetched_at > self.ttl_seconds:
            try:
                await self.refresh(force=kid not in self._keys, wanted_kid=kid)
            except Exception as error:  # keep verifying with the keys we have
                if kid not in self._keys:
                    # Identity is away (a service restarted while it was down has no keys yet):
                    # the token may well be good, so "try again", not 401, which signs people out.
                    log.warning("cannot fetch the signing keys", error=repr(error))
                    raise Problem(
                        UNAVAILABLE, detail=KEYS_UNAVAILABLE(), headers={"Retry-After": KEYS_RETRY_AFTER}
                    ) from error
                log.warning("cannot refresh the signing keys", error=repr(error))
        key = self._keys.get(kid)
        if key is None:
            raise Problem(UNAUTHORIZED, detail=TOKEN_INVALID())
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            principal = Principal(
                user_id=UUID(claims["sub"]),
                roles=frozenset(r for r in claims.get("roles", []) if r in ROLES),
                session_id=claims.get("sid"),
                email=claims.get("email"),
                locale=normalize_locale(claims.get("lng")),
            )
        except jwt.ExpiredSignatureError as error:
            raise Problem(UNAUTHORIZED, detail=TOKEN_EXPIRED()) from error
        except (jwt.PyJWTError, ValueError) as error:
            raise Problem(UNAUTHORIZED, detail=TOKEN_INVALID()) from error
        self.verified.put(token, principal, float(claims["exp"]))
        return principal


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            UNAUTHORIZED,
            detail=SEND_TOKEN(),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


async def current_user(request: Request) -> Principal:
    verifier: JwksVerifier = request.app.state.jwks
    principal = await verifier.verify(bearer_token(request))
    revocations = getattr(request.app.state, "revocations", None)  # absent in bare test apps
    if revocations is not None and revocations.is_revoked(principal.session_id):
        raise Problem(UNAUTHORIZED, detail=SIGNED_OUT())
    request.state.account_locale = principal.locale
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: str):
    """Dependency: the caller must hold one of `roles`."""

    async def dependency(user: CurrentUser) -> Principal:
        if not user.has(*roles):
            raise Problem(FORBIDDEN, detail=NEEDS_ROLE(roles=roles))
        return user

    return Depends(dependency)
