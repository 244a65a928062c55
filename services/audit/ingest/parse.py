"""Reading a record's CloudEvent attributes fast, with the same verdict as the envelope.

:meth:`EventEnvelope.from_bytes` (the CloudEvents SDK) is the authority on what is
an event, but at ~40 µs a record it alone would hold the ingest well below the
bus's pace. Records as SCORE's producers write them – the attributes of
:meth:`EventEnvelope.to_bytes`, non-empty strings, an RFC 3339 time, a JSON object
as data – are read here directly: the same JSON decoding the SDK does, and checks
those attributes pass there too. Anything else (a foreign extension, an unusual
time format, a malformed record) goes to the SDK, which accepts or refuses it.

orjson decodes here: what it accepts the SDK's ``json.loads`` reads the same way
(duplicate keys: the last wins in both); what it refuses and the standard library
might accept (NaN, lone surrogates, huge integers) goes to the SDK.
"""

from __future__ import annotations

import datetime as dt
import re

import orjson

from shared.events.envelope import EventEnvelope

# The attributes our producers write (providerid is the one extension).
_REQUIRED = frozenset({"specversion", "id", "source", "type", "subject", "time", "data"})
_KNOWN = _REQUIRED | {"datacontenttype", "dataschema", "providerid"}
_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                      r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")


def read_envelope(raw: bytes) -> EventEnvelope:
    """The record's event; :class:`MalformedEvent` if it is none (as ``from_bytes``)."""
    found = _plain(raw)
    return found if found is not None else EventEnvelope.from_bytes(raw)


def _plain(raw: bytes) -> EventEnvelope | None:
    """The event if it is written exactly as ours are; None to let the SDK judge."""
    try:
        attributes = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(attributes, dict) or not _REQUIRED <= attributes.keys() <= _KNOWN:
        return None
    data = attributes["data"]
    if attributes["specversion"] != "1.0" or not isinstance(data, dict):
        return None
    for name, value in attributes.items():
        if name != "data" and (not isinstance(value, str) or not value):
            return None
    if attributes.get("datacontenttype", "application/json") != "application/json":
        return None
    stamp = attributes["time"]
    if not _RFC3339.fullmatch(stamp):
        return None
    try:
        time = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return EventEnvelope(id=attributes["id"], source=attributes["source"],
                         type=attributes["type"], subject=attributes["subject"], time=time,
                         data=data, providerid=attributes.get("providerid"))
