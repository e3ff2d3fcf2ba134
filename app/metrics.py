"""Prometheus metrics: what operators watch, in the text format `/metrics` answers with.

Each app process serves its own (replicas are scraped one by one); what lives in the
database (the notification backlog, delivery failures, when each job last succeeded) is
read when scraped, so every replica reports the same and a separate worker process is
seen too. Labels are route templates (`/youth/{youth_id}`), never URLs, and nothing
names or counts a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.services.operations.gauges import DatabaseGauges

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_DURATION = Histogram(
    "trinvis_http_request_duration_seconds",
    "Time from request to the end of the response, by route template.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
OPEN_STREAMS = Gauge(
    "trinvis_open_streams",
    "Server-sent event streams (live messages) open in this process.",
    registry=REGISTRY,
)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in _METHODS else "other"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class DatabaseCollector(Collector):
    """Reports the gauges the /metrics request has just read from the database."""

    def __init__(self) -> None:
        self.latest = DatabaseGauges()
        self.pool: dict[str, int] = {}
        self.job_intervals: dict[str, float] = {}

    def collect(self) -> Iterator[Metric]:
        notifications = GaugeMetricFamily(
            "trinvis_notifications",
            "Notifications in the outbox by state and channel.",
            labels=["state", "channel"],
        )
        for (state, channel), count in sorted(self.latest.notifications.items()):
            notifications.add_metric([state, channel], count)
        yield notifications
        yield GaugeMetricFamily(
            "trinvis_notification_oldest_pending_age_seconds",
            "Age of the oldest notification due and still waiting (0 when none waits).",
            value=self.latest.oldest_due_pending_seconds,
        )
        failures = CounterMetricFamily(
            "trinvis_notification_delivery_failures",
            "Delivery attempts that did not deliver, by channel and outcome.",
            labels=["channel", "outcome"],
        )
        for (channel, outcome), count in sorted(self.latest.delivery_failures.items()):
            failures.add_metric([channel, outcome], count)
        yield failures
        last = GaugeMetricFamily(
            "trinvis_job_last_success_timestamp_seconds",
            "When each background job last finished without error (Unix time).",
            labels=["background_job"],
        )
        for name, at in sorted(self.latest.job_last_success.items()):
            last.add_metric([name], at)
        yield last
        every = GaugeMetricFamily(
            "trinvis_job_interval_seconds",
            "How often each background job is meant to run.",
            labels=["background_job"],
        )
        for name, seconds in sorted(self.job_intervals.items()):
            every.add_metric([name], seconds)
        yield every
        pool = GaugeMetricFamily(
            "trinvis_db_pool_connections",
            "This process's database connections by state (size: the pool's fixed size).",
            labels=["state"],
        )
        for state, count in sorted(self.pool.items()):
            pool.add_metric([state], count)
        yield pool


DATABASE = DatabaseCollector()
REGISTRY.register(DATABASE)


def pool_usage(pool: Any) -> dict[str, int]:
    """Checked-out, idle and overflow connections of a SQLAlchemy queue pool."""
    usage: dict[str, int] = {}
    for state, method in (
        ("size", "size"),
        ("checked_out", "checkedout"),
        ("idle", "checkedin"),
        ("overflow", "overflow"),
    ):
        if callable(getattr(pool, method, None)):
            usage[state] = max(0, int(getattr(pool, method)()))
    return usage


def render(latest: DatabaseGauges, *, pool: dict[str, int], jobs: dict[str, float]) -> bytes:
    """The scrape: this process's counters plus what was just read from the database."""
    DATABASE.latest = latest
    DATABASE.pool = pool
    DATABASE.job_intervals = jobs
    return generate_latest(REGISTRY)
