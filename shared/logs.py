"""JSON logs carrying the request id or event id of the work in hand."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None)
event_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "event_id", default=None)

# Attributes every LogRecord has; anything else came from ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, extras."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "service": self.service,
            "message": record.getMessage(),
        }
        for name, var in (("request_id", request_id_var), ("event_id", event_id_var)):
            if var.get():
                body[name] = var.get()
        body.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send the root logger's output to stderr as JSON (idempotent)."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter(service))
        root.addHandler(handler)
    root.setLevel(level)
    # kafka-python logs every failed reconnect of an outage as an ERROR, several a
    # second; the relay and the consumer say it once, with the error (shared.events.link).
    logging.getLogger("kafka").setLevel("WARNING" if level == "DEBUG" else "CRITICAL")


@contextmanager
def event_context(event_id: str) -> Iterator[None]:
    """Tag every log line inside with ``event_id``."""
    token = event_id_var.set(event_id)
    try:
        yield
    finally:
        event_id_var.reset(token)
