"""Request ids, Prometheus metrics, ``/healthz`` and ``/readyz``."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from shared.errors import problem
from shared.events.tables import dead_letters, outbox
from shared.logs import request_id_var
from shared.problems import problem_response

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Label values come from a fixed set: a caller must not mint series (memory, scrape
# size) with made-up methods or URLs. Unmatched URLs share the endpoint label "-".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def init_observability(app: Flask) -> None:
    """Wire request ids, metrics and health endpoints into ``app``."""
    registry = CollectorRegistry()
    latency = Histogram("http_request_duration_seconds", "HTTP request latency",
                        ["method", "endpoint", "status"], registry=registry)
    registry.register(_BacklogCollector(app))
    app.extensions["score_metrics"] = registry

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_token = request_id_var.set(g.request_id)
        g.request_started = time.perf_counter()

    # One histogram child per label set, looked up without prometheus_client's lock and
    # label checks on every request; the label values are bounded (see _METHODS).
    children: dict[tuple[str, str, int], Any] = {}

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if "request_started" in g:
            method = request.method if request.method in _METHODS else "other"
            labels = (method, request.url_rule.rule if request.url_rule else "-",
                      response.status_code)
            child = children.get(labels)
            if child is None:
                child = children[labels] = latency.labels(labels[0], labels[1],
                                                          str(labels[2]))
            child.observe(time.perf_counter() - g.request_started)
        return response

    @app.teardown_request
    def _clear(_exc) -> None:
        if "request_token" in g:
            request_id_var.reset(g.pop("request_token"))

    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    app.add_url_rule("/readyz", "readyz", lambda: _readyz(app))
    # The text format's own content type, charset included (``mimetype=`` would add another).
    app.add_url_rule("/metrics", "metrics", lambda: Response(
        generate_latest(registry), content_type=CONTENT_TYPE_PLAIN_0_0_4))


def _readyz(app: Flask):
    checks = {}
    for name, ping in (("database", app.extensions["score_db"].ping),
                       ("bus", app.extensions["score_bus"].ping)):
        try:
            ping()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "checks": checks}
    return problem_response(problem(503, "Not ready", "a dependency is unavailable",
                                    "not-ready", checks=checks), 503)


class _BacklogCollector:
    """Outbox backlog, dead letters and consumer lag, read when scraped."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        db = self.app.extensions["score_db"]
        with db.reading() as session:
            unsent = session.scalar(select(func.count()).select_from(outbox)
                                    .where(outbox.c.sent_at.is_(None)))
            dead = session.scalar(select(func.count()).select_from(dead_letters))
        yield GaugeMetricFamily("score_outbox_backlog", "Outbox rows not yet relayed", unsent)
        yield GaugeMetricFamily("score_dead_letters", "Events dead-lettered by this service",
                                dead)
        lag = GaugeMetricFamily("score_consumer_lag", "Records not yet consumed", labels=["topic"])
        runtime = self.app.extensions["score_runtime"]
        if runtime.handlers is not None and len(runtime.handlers):
            try:
                bus = self.app.extensions["score_bus"]
                group = runtime.group_for(self.app.extensions["score_settings"])
                for topic, value in bus.lag(group, runtime.handlers.topics).items():
                    lag.add_metric([topic], value)
            except Exception:
                pass
        yield lag
