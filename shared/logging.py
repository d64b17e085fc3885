"""Structured JSON logs with the request id and the W3C trace id bound to every line.

The trace travels as a `traceparent`: from the HTTP request into the outbox envelope, through
Kafka headers, into the consumer that handles it, so one customer action can be followed
across services.
"""

import logging
import os
import random
import sys
from contextvars import ContextVar

import structlog

_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def configure_logging(service: str, level: str | None = None) -> None:
    logging.basicConfig(
        format="%(message)s", stream=sys.stdout, level=level or os.environ.get("LOG_LEVEL", "INFO")
    )
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level or "INFO")),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def new_traceparent() -> str:
    # Unique, not secret (W3C Trace Context asks for random ids, not unpredictable ones): the
    # process's own generator, seeded from the OS and re-seeded in a forked child, instead of
    # two getrandom system calls for every request that arrives without a traceparent.
    trace_id, parent_id = (
        random.getrandbits(128) or 1,
        random.getrandbits(64) or 1,
    )  # all-zero ids are invalid
    return f"00-{trace_id:032x}-{parent_id:016x}-01"


def trace_id_of(traceparent: str | None) -> str | None:
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def bind_trace(traceparent: str | None, request_id: str | None = None) -> None:
    """Make `traceparent` current (a fresh one if missing or malformed) for logs and outbox rows."""
    if trace_id_of(traceparent) is None:
        traceparent = new_traceparent()
    _traceparent.set(traceparent)
    values = {"trace_id": trace_id_of(traceparent)}
    if request_id:
        values["request_id"] = request_id
    structlog.contextvars.bind_contextvars(**values)


def current_traceparent() -> str | None:
    return _traceparent.get()


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
