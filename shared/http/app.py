"""`create_service_app`: the one way a service becomes a FastAPI app.

It wires what every service shares — problem+json errors, request ids and trace ids, JSON
logs, /healthz, /readyz, /metrics, the database, the JWKS verifier — and runs the service's
background work for the app's lifetime: the outbox relay, its event consumer, and any extra
loops (e.g. the notifier's mail sender). A service supplies only its routers and handlers.
"""

import asyncio
import gc
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth import JwksVerifier
from shared.clock import use_business_timezone
from shared.config import ServiceSettings
from shared.consumer import EventConsumer, Handlers
from shared.db import make_engine, make_sessionmaker
from shared.http.body_limit import DEFAULT_MAX_BODY_BYTES, LimitRequestBody
from shared.http.context import RequestContext
from shared.http.docs import install_docs
from shared.http.openapi import document_problems
from shared.http.problems import UNAVAILABLE, install_problem_handlers, problem_response
from shared.http.text_rules import RefuseNulCharacters
from shared.kafka_security import KafkaSecurity
from shared.logging import configure_logging, get_logger
from shared.relay import OutboxRelay
from shared.revocations import RevokedSessions
from shared.startup import retry_while_database_not_ready
from shared.topics import ensure_topics

log = get_logger(__name__)

BackgroundTask = Callable[[FastAPI], Coroutine[Any, Any, None]]

# FastAPI's own OpenTelemetry bridge, off: the services configure no OpenTelemetry provider
# (traces are our traceparent, carried into logs and events by shared.logging), yet with it on
# every request asked the global tracer, meter and logger providers whether one had appeared.
NO_NATIVE_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


async def _kafka_reachable(bootstrap: str) -> bool:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout=1.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def _ensure_topics_until_done(bootstrap: str, replication: int, security: KafkaSecurity) -> None:
    delay = 0.5
    while True:
        try:
            await ensure_topics(bootstrap, replication=replication, security=security)
            return
        except Exception as error:
            log.warning("cannot create topics yet", error=repr(error), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


class ForwardedPrefix:
    """Behind the gateway a service lives under /api/<name> (nginx strips it and says so in
    X-Forwarded-Prefix). Setting the ASGI root_path from it makes /docs load the OpenAPI document
    from the right place; direct calls, without the header, are untouched."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (b"x-forwarded-prefix", self.prefix) in scope["headers"]:
            scope = {**scope, "root_path": self.prefix.decode()}
        await self.app(scope, receive, send)


def install_request_pipeline(
    app: FastAPI, name: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> None:
    """What stands between the network and a service's routes: problem+json for every error the
    routes raise, NUL characters refused, bodies over `max_body_bytes` refused (before the NUL
    check buffers one), the docs' prefix behind the gateway, and the request context outermost
    so that an unexpected error is answered without costing the connection (see
    shared.http.context)."""
    install_problem_handlers(app)
    app.add_middleware(RefuseNulCharacters)
    app.add_middleware(LimitRequestBody, max_bytes=max_body_bytes)
    app.add_middleware(ForwardedPrefix, prefix=f"/api/{name}")
    app.add_middleware(RequestContext)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    handlers: Handlers | None = None,
    background: Sequence[BackgroundTask] = (),
    on_startup: Callable[[FastAPI], Awaitable[None]] | None = None,
    version: str = "1.0.0",
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    name = settings.service_name
    use_business_timezone(settings.business_timezone)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(name)
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        if not hasattr(app.state, "jwks"):
            app.state.jwks = JwksVerifier(settings.jwks_url)
        security = settings.kafka_security
        app.state.relay = OutboxRelay(name, settings.asyncpg_dsn, settings.kafka_bootstrap, security=security)
        app.state.revocations = RevokedSessions(
            settings.kafka_bootstrap,
            lookback_seconds=settings.revocation_lookback_seconds,
            security=security,
        )
        if on_startup is not None:
            await retry_while_database_not_ready(lambda: on_startup(app), what=f"{name} start-up")

        async def consume_after_topics() -> None:
            await _ensure_topics_until_done(
                settings.kafka_bootstrap, settings.kafka_topic_replication, security
            )
            if handlers:
                await EventConsumer(
                    name,
                    bootstrap=settings.kafka_bootstrap,
                    sessions=app.state.sessions,
                    handlers=handlers,
                    max_attempts=settings.consumer_max_attempts,
                    retry_base_seconds=settings.consumer_retry_base_seconds,
                    security=security,
                ).run()

        loops: list[Coroutine[Any, Any, None]] = [
            app.state.relay.run(),
            consume_after_topics(),
            app.state.revocations.run(),
        ]
        loops += [task(app) for task in background]
        tasks = [asyncio.create_task(loop) for loop in loops]
        # What start-up imported and built (modules, models, compiled schemas) lives as long as
        # the process: frozen out of the collector's sight, the cyclic GC's older generations no
        # longer walk those hundreds of thousands of objects again and again under load.
        gc.collect()
        gc.freeze()
        log.info("service started", title=title)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=NO_NATIVE_TELEMETRY,
    )
    install_docs(app)
    document_problems(app)
    install_request_pipeline(app, name, max_body_bytes=max_body_bytes)
    app.state.settings = settings

    @app.get("/healthz", tags=["ops"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Database and Kafka are reachable")
    async def readyz(request: Request, kafka: Literal["required", "optional"] = "required") -> Response:
        """`?kafka=optional` is for load balancers: while Kafka is away the service still takes
        writes (events wait in the outbox), so it stays in rotation and reports `degraded`."""
        checks: dict[str, str] = {}
        try:
            async with app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"unreachable: {type(error).__name__}"
        checks["kafka"] = "ok" if await _kafka_reachable(settings.kafka_bootstrap) else "unreachable"
        # Not ready to judge tokens until the recent revocations have been read.
        checks["revocations"] = "ok" if app.state.revocations.caught_up.is_set() else "catching up"
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        if checks["database"] == "ok" and kafka == "optional":  # revocations: short token lifetime
            return JSONResponse({"status": "degraded", "checks": checks})
        return problem_response(request, UNAVAILABLE, extra={"checks": checks})

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    return app
