"""The feed's text formats: NDJSON, CSV and Server-Sent Events frames.

- NDJSON (``application/x-ndjson``): one line per entry, the event's verbatim
  bytes – the very bytes whose hash is the entry's Merkle leaf. An event whose
  JSON holds a line break (whitespace; no SCORE producer writes one) has it
  written as a space, the one case where a line is not byte-identical.
- CSV (``text/csv``, RFC 4180): a header row, then one row per entry with the
  attribute columns and the verbatim event as the last column.
- SSE (``text/event-stream``): an ``entry`` event per entry, ``id`` its ``seq``,
  ``data`` the verbatim event (one ``data:`` line per line of it, which the
  client joins back with line feeds).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from services.audit.models import Entry

NDJSON = "application/x-ndjson"
CSV = "text/csv"
EVENT_STREAM = "text/event-stream"
COLUMNS = ("seq", "event_id", "type", "source", "subject", "providerid", "time", "topic",
           "partition", "offset", "received_at", "event")


def ndjson_line(entry: Entry) -> bytes:
    """The event's bytes as one NDJSON line."""
    return entry.event.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"


def csv_header() -> str:
    return _row(COLUMNS)


def csv_row(entry: Entry) -> str:
    cells = [entry.seq, entry.event_id, entry.type, entry.source, entry.subject,
             entry.providerid, entry.time.isoformat(), entry.topic, entry.partition,
             entry.offset, entry.received_at.isoformat()]
    return _row([*(_defused(cell) for cell in cells), event_text(entry)])


def sse_frame(entry: Entry) -> str:
    """One SSE event: ``id`` the entry's seq, ``data`` the verbatim event."""
    lines = event_text(entry).split("\n")
    data = "".join(f"data: {line}\n" for line in lines)
    return f"id: {entry.seq}\nevent: entry\n{data}\n"


def event_text(entry: Entry) -> str:
    """The event's bytes as text (CloudEvents JSON is UTF-8)."""
    return entry.event.decode("utf-8", "replace")


def _row(cells) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _defused(value: Any) -> Any:
    """A cell spreadsheets will not run as a formula (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
