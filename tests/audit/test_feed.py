"""The feed: pages, exports and the live tail of the log, as each reader may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from services import audit
from services.audit.feed.settings import TailSettings, load_tail_settings
from services.audit.feed.tail import tail
from services.audit.ingest import append
from shared.auth import Principal
from shared.config import ConfigError, load_settings
from shared.events.bus import Message
from shared.events.envelope import EventEnvelope
from tests.support.apps import migrated_sqlite

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
AUDITOR = ("ilo_auditor", "ilo", "ilo")


@pytest.fixture
def app(tmp_path, app_config):
    """The audit app with short-lived tails (a fraction of a second) and one tail at a time."""
    url = migrated_sqlite(audit.runtime(), tmp_path)
    application = audit.create_app(app_config(database_url=url, tail_lifetime_s="0.3",
                                              tail_heartbeat_s="0.1", tail_max="1"))
    yield application
    application.extensions["score_db"].dispose()


def envelope(kind: str, subject: str, providerid: str | None, hours: int,
             service: str = "catalog") -> EventEnvelope:
    return dataclass_replace(EventEnvelope.new(
        f"/score/{service}", f"score.{service}.{kind}.v1", subject, {"subject": subject},
        providerid=providerid), time=T0 + dt.timedelta(hours=hours))


def dataclass_replace(event: EventEnvelope, **changes) -> EventEnvelope:
    import dataclasses

    return dataclasses.replace(event, **changes)


@pytest.fixture
def events(audit_db) -> list[EventEnvelope]:
    """Six events of two providers, two services and none, an hour apart."""
    made = [envelope("session.published", "s-1", "p-1", 0),
            envelope("session.cancelled", "s-1", "p-1", 1),
            envelope("course.created", "c-1", "p-2", 2),
            envelope("sme.registered", "sme-1", None, 3, service="enrolment"),
            envelope("session.published", "s-2", "p-2", 4),
            envelope("enrolment.held", "e-1", "p-1", 5, service="enrolment")]
    records = [Message(f"score.{e.source.rsplit('/', 1)[1]}", 0, i, e.subject, e.to_bytes(),
                       {}, 0) for i, e in enumerate(made)]
    with audit_db.transaction() as session:
        append(session, records)
    return made


def ids(response) -> list[str]:
    return [item["event_id"] for item in response.json["items"]]


def test_pages_follow_the_log_and_resume_by_cursor_or_seq(client, auth, events):
    headers = auth(*AUDITOR)
    first = client.get("/entries?limit=4", headers=headers)
    assert first.status_code == 200
    assert ids(first) == [e.id for e in events[:4]]
    assert [item["seq"] for item in first.json["items"]] == [0, 1, 2, 3]
    assert first.json["items"][0]["event"] == events[0].to_bytes().decode()
    assert first.json["tree_head"] is None  # no signed head yet
    second = client.get(f"/entries?limit=4&cursor={first.json['next_cursor']}", headers=headers)
    assert ids(second) == [e.id for e in events[4:]] and second.json["next_cursor"] is None
    assert ids(client.get("/entries?after=3", headers=headers)) == [e.id for e in events[4:]]


@pytest.mark.parametrize(("query", "expected"), [
    ("type=score.catalog.session.", [0, 1, 4]),
    ("type=score.enrolment.sme.registered.v1", [3]),
    ("source=/score/enrolment", [3, 5]),
    ("provider=p-2", [2, 4]),
    ("subject=s-1", [0, 1]),
    ("from=2026-03-01T02:00:00Z&to=2026-03-01T04:00:00%2B00:00", [2, 3]),
    ("provider=p-1&type=score.catalog.", [0, 1]),
])
def test_filters_narrow_the_feed(client, auth, events, query, expected):
    response = client.get(f"/entries?{query}", headers=auth(*AUDITOR))
    assert ids(response) == [events[i].id for i in expected]


def test_provider_staff_read_only_their_providers_entries(client, auth, events):
    staff = auth("provider_staff", "p-1", "provider")
    assert ids(client.get("/entries", headers=staff)) == [events[i].id for i in (0, 1, 5)]
    assert ids(client.get("/entries?provider=p-2", headers=staff)) == []
    export = client.get("/entries/export", headers=staff)
    assert export.data.splitlines() == [events[i].to_bytes() for i in (0, 1, 5)]
    homeless = auth("provider_staff")
    assert ids(client.get("/entries", headers=homeless)) == []


ENDPOINTS = ["/entries", "/entries/export", "/entries/tail", "/ingest/status"]


@pytest.mark.parametrize(("role", "org", "org_type", "allowed"), [
    ("ilo_auditor", "ilo", "ilo", set(ENDPOINTS)),
    ("platform_admin", "platform", "ilo", set(ENDPOINTS)),
    ("service", None, None, set(ENDPOINTS)),
    ("provider_staff", "p-1", "provider", set(ENDPOINTS) - {"/ingest/status"}),
    ("sme_user", "sme-1", "sme", set()),
    ("sponsor_staff", "sp-1", "sponsor", set()),
    ("trainer", "t-1", "trainer", set()),
])
def test_who_may_read_which_endpoint(client, auth, events, role, org, org_type, allowed):
    for path in ENDPOINTS:
        with client.get(path, headers=auth(role, org, org_type)) as response:
            assert response.status_code == (200 if path in allowed else 403), (role, path)
        assert client.get(path).status_code == 401


@pytest.mark.parametrize(("path", "field"), [
    ("/entries?after=1&cursor=WzFd", "cursor"),
    ("/entries?cursor=not-ours", "cursor"),
    ("/entries?cursor=WyJ4Il0", "cursor"),
    ("/entries?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "to"),
    ("/entries?from=2026-03-01T00:00:00", "from"),
    ("/entries?limit=0", "limit"),
    ("/entries?after=-1", "after"),
    ("/entries/export?format=xml", "format"),
])
def test_bad_parameters_are_400_problems_naming_the_field(client, auth, path, field):
    response = client.get(path, headers=auth(*AUDITOR))
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert field in str(response.json["errors"])


def test_a_bad_last_event_id_is_a_400(client, auth):
    response = client.get("/entries/tail", headers={**auth(*AUDITOR), "Last-Event-ID": "x"})
    assert response.status_code == 400
    assert "Last-Event-ID" in str(response.json["errors"])


def test_the_ndjson_export_is_the_verbatim_events_one_per_line(client, auth, events):
    response = client.get("/entries/export?after=1&type=score.catalog.", headers=auth(*AUDITOR))
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.data == b"".join(events[i].to_bytes() + b"\n" for i in (2, 4))
    assert "attachment" in response.headers["Content-Disposition"]


def test_the_csv_export_has_a_header_and_a_row_per_entry(client, auth, events):
    response = client.get("/entries/export?format=csv&source=/score/enrolment",
                          headers=auth(*AUDITOR))
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert [(r["seq"], r["event_id"], r["providerid"]) for r in rows] == [
        ("3", events[3].id, ""), ("5", events[5].id, "p-1")]
    assert rows[1]["event"] == events[5].to_bytes().decode()


def frames(text: str) -> list[dict[str, str]]:
    """The SSE events of a stream (comments left out)."""
    found = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line and not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                fields[name] = (fields[name] + "\n" if name in fields else "") + value[1:]
        if "id" in fields:
            found.append(fields)
    return found


def test_the_tail_sends_entries_with_their_seq_as_id_and_resumes(client, auth, events):
    response = client.get("/entries/tail?provider=p-1", headers=auth(*AUDITOR))
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    sent = frames(response.data.decode())
    assert [(f["id"], f["event"]) for f in sent] == [("0", "entry"), ("1", "entry"),
                                                     ("5", "entry")]
    assert sent[0]["data"] == events[0].to_bytes().decode()
    response.close()  # the server frees the tail's slot when the connection closes
    resumed = client.get("/entries/tail?after=0", headers={**auth(*AUDITOR),
                                                           "Last-Event-ID": "3"})
    assert [f["id"] for f in frames(resumed.data.decode())] == ["4", "5"]


def test_a_tail_beyond_the_servers_limit_is_told_when_to_retry(client, auth, events):
    first = client.get("/entries/tail", headers=auth(*AUDITOR), buffered=False)
    refused = client.get("/entries/tail", headers=auth(*AUDITOR))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    first.close()
    assert client.get("/entries/tail", headers=auth(*AUDITOR)).status_code == 200


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_quiet_tail_beats_and_ends_with_its_lifetime(audit_db, events):
    fake = FakeTime()
    stream = tail(audit_db, {"after": 5}, Principal("u", "ilo_auditor"),
                  TailSettings(lifetime_s=60, heartbeat_s=15, max_tails=1),
                  now=lambda: fake.now, sleep=fake.sleep)
    text = "".join(stream)
    assert frames(text) == []
    assert text.count(": heartbeat") == 4  # at 15, 30, 45 and 60 s
    assert text.startswith("retry: ") and "lifetime over" in text
    assert fake.now == 60


def test_a_tail_sends_entries_logged_while_it_is_open(audit_db, events):
    fake = FakeTime()
    later = envelope("session.completed", "s-9", None, 9)

    def sleep(seconds: float) -> None:
        if fake.now == 0:
            with audit_db.transaction() as session:
                append(session, [Message("score.catalog", 0, 99, "s-9", later.to_bytes(),
                                         {}, 0)])
        fake.sleep(seconds)

    text = "".join(tail(audit_db, {"after": 5}, Principal("u", "ilo_auditor"),
                        TailSettings(lifetime_s=2, heartbeat_s=15, max_tails=1),
                        now=lambda: fake.now, sleep=sleep))
    assert [(f["id"], f["data"]) for f in frames(text)] == [("6", later.to_bytes().decode())]


def test_the_ingest_status_counts_and_shows_each_topics_newest_entry(client, auth, events,
                                                                     audit_db):
    with audit_db.transaction() as session:
        append(session, [Message("score.catalog", 0, 0, "s-1", events[0].to_bytes(), {}, 0),
                         Message("score.catalog", 0, 7, "k", b"not json", {}, 0)])
    status = client.get("/ingest/status", headers=auth(*AUDITOR)).json
    assert (status["entries"], status["duplicates"], status["rejected"]) == (6, 1, 1)
    assert [(t["topic"], t["last_seq"], t["offset"]) for t in status["topics"]] == [
        ("score.catalog", 4, 4), ("score.enrolment", 5, 5)]


@pytest.mark.parametrize("setting", [{"tail_lifetime_s": "0"}, {"tail_max": "many"},
                                     {"tail_heartbeat_s": "301"}])
def test_tail_limits_out_of_range_stop_the_service(setting):
    with pytest.raises(ConfigError):
        load_tail_settings(load_settings("audit", overrides=setting))
