"""The ingest's fast reading of events gives the CloudEvents SDK's verdict, record by record."""

from __future__ import annotations

import json

import pytest

from services.audit.ingest.parse import read_envelope
from shared.events.envelope import EventEnvelope, MalformedEvent

OURS = json.loads(EventEnvelope.new("/score/catalog", "score.catalog.session.published.v1",
                                    "s-1", {"n": 1}, providerid="p-1").to_bytes())


def variant(**changes) -> bytes:
    attributes = {**OURS, **changes}
    return json.dumps({k: v for k, v in attributes.items() if v is not ...}).encode()


RECORDS = [
    variant(),
    variant(providerid=...),
    variant(dataschema=..., datacontenttype=...),
    *[variant(**{name: value}) for name in ("id", "source", "type", "subject", "providerid",
                                            "dataschema", "datacontenttype")
      for value in ("", " ", 7, None, "x y")],
    *[variant(time=stamp) for stamp in ("2026-03-01T00:00:00Z", "2026-03-01T07:00:00+07:00",
                                        "2026-03-01T00:00:00.1234567Z", "2026-03-01T00:00:00",
                                        "2026-03-01", "2026-13-01T00:00:00Z", "yesterday",
                                        "2026-03-01 00:00:00Z")],
    variant(specversion="0.3"), variant(specversion=...), variant(data=[1]),
    variant(data=...), variant(data="text"), variant(comexampleextension="x"),
    b'{"specversion": "1.0", "id": "a", "id": "b"}', b"[]", b"5", b"null", b'"text"',
    b"not json", b"\xff\xfe",
    variant().replace(b'"n": 1', b'"n": NaN'),
]


@pytest.mark.parametrize("raw", RECORDS)
def test_the_fast_reading_agrees_with_the_sdk(raw):
    try:
        expected = EventEnvelope.from_bytes(raw)
    except MalformedEvent:
        with pytest.raises(MalformedEvent):
            read_envelope(raw)
    else:
        assert read_envelope(raw) == expected
