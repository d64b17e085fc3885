"""Prometheus metrics shared by every service (exposed at /metrics)."""

from prometheus_client import Counter, Histogram

REQUESTS = Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route", "status"])
CONSUMED = Counter("events_consumed_total", "Events handled by a consumer", ["consumer", "type"])
DEAD_LETTERED = Counter(
    "events_dead_lettered_total", "Messages sent to a dead-letter topic", ["consumer", "topic"]
)
