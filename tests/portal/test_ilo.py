"""The ILO auditor's read-only pages: the Phase III dashboard, the feed explorer with its
export, and the log's verification status – against faked services."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

Q = "2026-Q3"


def row(code: str, value, unit: str = "count", target=None) -> dict:
    progress = None if target is None or value is None else str(
        round(float(value) * 100 / float(target), 1))
    return {"code": code, "unit": unit, "value": None if value is None else str(value),
            "target": None if target is None else str(target), "progress_percent": progress}


def indicators(paid: int = 30_000_000, as_of: int = 41) -> dict:
    return {"as_of": as_of, "period": None, "province": None, "provider_id": None, "items": [
        row("providers_independent", 3, target=4),
        row("sessions_delivered_direct", 1), row("sessions_delivered_independent", 3),
        row("smes_trained_direct", 2, target=50), row("smes_trained_indirect", 5, target=200),
        row("participants", 20), row("participants_managers", 8),
        row("participants_workers", 12), row("participants_women_share", "45", "percent"),
        row("delivered_sme_payments", paid, "IDR"),
        row("delivered_sponsor_commitments", 10_000_000, "IDR"),
        row("delivered_cost_estimates", 80_000_000, "IDR"),
        row("cost_recovery_percent", str(round((paid + 10_000_000) * 100 / 80_000_000, 1)),
            "percent", target=100),
        row("trainers_certified", 12, target=30),
        row("trainers_certified_women_share", "41.7", "percent"),
        row("sponsor_money_donor", 10_000_000, "IDR")]}


def breakdown(by: str, keys: list[str]) -> dict:
    return {"as_of": 41, "by": by, "period": None, "province": None, "provider_id": None,
            "groups": [{"key": key, "items": [row("sessions_delivered_independent", i + 1),
                                              row("participants", 5 * (i + 1))]}
                       for i, key in enumerate(keys)]}


@pytest.fixture
def as_auditor(client, sign_in, services):
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "name": "Jawa Barat"}, {"bps_code": "33", "name": "Jawa Tengah"}]})
    sign_in("ilo_auditor", None)
    client.set_cookie("score_lang", "en")
    return services


def _dashboard_answers(services, paid: int = 30_000_000, as_of: int = 41) -> None:
    services.answer("audit", "GET", "/indicators", indicators(paid, as_of))
    services.answer("audit", "GET", "/indicators/breakdown", breakdown("province", ["32", "33"]))


def _writing_forms(text: str) -> list[str]:
    """POST forms on the page other than signing out."""
    return [f for f in re.findall(r'<form[^>]*method="post"[^>]*>', text)
            if 'action="/logout"' not in f]


def test_the_dashboard_shows_progress_to_targets_by_province_and_over_time(client, as_auditor):
    _dashboard_answers(as_auditor)

    page = client.get("/ilo/dashboard")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'aria-label="Independent providers delivering"' in text
    assert 'aria-valuetext="3 of 4"' in text and 'aria-valuetext="12 of 30"' in text
    assert "Jawa Barat" in text and "Jawa Tengah" in text
    assert "Sessions delivered by province" in text and "Delivery per quarter" in text
    assert text.count('role="img"') >= 4
    assert "#41" in text and "50 %" in text and "45 %" in text
    assert "IDR30,000,000" in text
    sent = {tuple(sorted((k, v[0]) for k, v in r.query.items()))
            for r in as_auditor.sent("audit", "GET", "/indicators/breakdown")}
    assert sent == {(("by", "province"),), (("by", "period"),)}
    assert _writing_forms(text) == []


def test_the_dashboard_reads_the_live_indicators_every_time(client, as_auditor):
    _dashboard_answers(as_auditor)
    before = client.get("/ilo/dashboard").get_data(as_text=True)
    _dashboard_answers(as_auditor, paid=50_000_000, as_of=44)  # a payment was logged

    after = client.get("/ilo/dashboard").get_data(as_text=True)

    assert "#41" in before and "IDR30,000,000" in before
    assert "#44" in after and "IDR50,000,000" in after and "75 %" in after
    assert len(as_auditor.sent("audit", "GET", "/indicators")) == 2


def test_the_period_and_province_filter_reach_audit(client, as_auditor):
    _dashboard_answers(as_auditor)

    client.get(f"/ilo/dashboard?period={Q}&province=32")

    (overall,) = as_auditor.sent("audit", "GET", "/indicators")
    assert overall.query == {"period": [Q], "province": ["32"]}
    by = {r.query["by"][0]: r.query for r in as_auditor.sent("audit", "GET",
                                                              "/indicators/breakdown")}
    assert by["province"]["period"] == [Q] and "province" not in by["province"]
    assert by["period"]["province"] == ["32"] and "period" not in by["period"]
    bad = client.get("/ilo/dashboard?period=last-year&province=x")
    assert "Choose a year or a quarter." in bad.get_data(as_text=True)
    assert as_auditor.sent("audit", "GET", "/indicators")[-1].query == {}


ENTRY = {"seq": 7, "event_id": "ev-7", "type": "score.enrolment.payment.succeeded.v1",
         "source": "/score/enrolment", "subject": "pay-1", "providerid": "p-1",
         "time": "2026-11-30T03:00:00+00:00", "topic": "score.enrolment", "partition": 0,
         "offset": 3, "received_at": "2026-11-30T03:00:01+00:00",
         "event": '{"id":"ev-7","data":{"amount":1500000}}'}
HEAD = {"size": 40, "root": "cm9vdA==", "signed_at": "2026-11-30T03:01:00+00:00",
        "timestamp": 1, "key_id": "audit-2026", "signature": "c2ln"}


def test_the_feed_passes_filters_and_cursor_and_shows_the_tree_head(client, as_auditor):
    as_auditor.answer("audit", "GET", "/entries", {"items": [ENTRY], "next_cursor": "Wzdd",
                                                   "limit": 50, "tree_head": HEAD})

    page = client.get("/ilo/feed?type=score.enrolment.payment.&source=/score/enrolment"
                      "&provider=p-1&subject=pay-1&from=2026-11-01T00:00&to=2026-12-01T00:00"
                      "&cursor=WzZd")

    assert page.status_code == 200
    (sent,) = as_auditor.sent("audit", "GET", "/entries")
    assert sent.query == {"type": ["score.enrolment.payment."], "source": ["/score/enrolment"],
                          "provider": ["p-1"], "subject": ["pay-1"],
                          "from": ["2026-11-01T00:00:00+07:00"],
                          "to": ["2026-12-01T00:00:00+07:00"], "cursor": ["WzZd"],
                          "limit": ["50"]}
    text = page.get_data(as_text=True)
    assert "score.enrolment.payment.succeeded.v1" in text and "cm9vdA==" in text
    next_link = re.search(r'href="([^"]+)" rel="next"', text).group(1).replace("&amp;", "&")
    assert "cursor=Wzdd" in next_link and "provider=p-1" in next_link
    assert "/ilo/feed/export?format=ndjson" in text and "/ilo/feed/export?format=csv" in text
    assert "/ilo/log?event_id=ev-7" in text
    assert _writing_forms(text) == []


def test_a_refused_feed_filter_is_said_next_to_its_field(client, as_auditor):
    as_auditor.refuse("audit", "GET", "/entries", 400, "Invalid request parameters",
                      errors={"to": ["must be after from"]})

    page = client.get("/ilo/feed?from=2026-12-01T00:00&to=2026-11-01T00:00")

    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="to-error"' in text and 'value="2026-11-01T00:00"' in text


def test_the_export_is_proxied_with_its_content_type_and_file_name(client, as_auditor):
    as_auditor.answer("audit", "GET", "/entries/export", None)
    send = as_auditor.send

    def exporting(request, **kwargs):
        response = send(request, **kwargs)
        if request.url.split("?")[0].endswith("/entries/export"):
            response.headers["Content-Type"] = "text/csv; charset=utf-8"
            response.headers["Content-Disposition"] = \
                'attachment; filename="audit-entries-to-40.csv"'
            response._content = b"seq,event_id\r\n7,ev-7\r\n"
        return response

    as_auditor.send = exporting

    response = client.get("/ilo/feed/export?format=csv&type=score.enrolment.&cursor=ignored")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="audit-entries-to-40.csv"'
    assert response.data == b"seq,event_id\r\n7,ev-7\r\n"
    (sent,) = as_auditor.sent("audit", "GET", "/entries/export")
    assert sent.query == {"type": ["score.enrolment."], "format": ["csv"]}
    assert sent.headers["Authorization"].startswith("Bearer ")
    assert client.get("/ilo/feed/export?format=xml").status_code == 404


def _leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _log_answers(services, proof: dict | None = None) -> None:
    services.answer("audit", "GET", "/log/head", HEAD)
    services.answer("audit", "GET", "/ingest/status", {
        "entries": 41, "duplicates": 2, "rejected": 0, "topics": [
            {"topic": "score.enrolment", "last_seq": 40, "partition": 0, "offset": 9,
             "time": "2026-11-30T03:00:00+00:00",
             "received_at": "2026-11-30T03:00:01+00:00"}]})
    services.answer("audit", "GET", "/reconciliations", {"items": [
        {"id": "run-1", "trigger": "schedule", "requested_by": None,
         "started_at": "2026-11-30T02:00:00+00:00",
         "completed_at": "2026-11-30T02:00:03+00:00", "log_size": 40, "entities": 120,
         "differences": 1, "unread": {"enrolment": "timeout"}}], "next_cursor": None})
    services.answer("audit", "GET", "/reconciliations/run-1/differences", {"items": [
        {"service": "catalog", "endpoint": "/providers", "entity": "provider",
         "entity_id": "p-9", "field": "status", "log_value": "approved",
         "service_value": "suspended", "last_seq": 12, "last_event_id": "ev-12"}],
        "next_cursor": None, "limit": 50})
    if proof is not None:
        services.answer("audit", "GET", "/log/events/ev-2/inclusion", proof)


def test_the_log_page_shows_the_head_ingest_and_reconciliation(client, as_auditor):
    _log_answers(as_auditor)

    page = client.get("/ilo/log")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for shown in ("cm9vdA==", "c2ln", "audit-2026", "score.enrolment", "enrolment (timeout)",
                  "suspended", "/ilo/log?event_id=ev-12"):
        assert shown in text
    (differences,) = as_auditor.sent("audit", "GET", "/reconciliations/run-1/differences")
    assert differences.query == {"limit": ["50"]}
    assert _writing_forms(text) == []


def test_an_events_inclusion_proof_is_checked_against_the_signed_root(client, as_auditor):
    entries = [b'{"id":"ev-0"}', b'{"id":"ev-1"}', b'{"id":"ev-2"}']
    leaves = [_leaf(e) for e in entries]
    root = _node(_node(leaves[0], leaves[1]), leaves[2])
    proof = {"seq": 2, "event_id": "ev-2", "entry": _b64(entries[2]),
             "proof": [_b64(_node(leaves[0], leaves[1]))],
             "head": {**HEAD, "size": 3, "root": _b64(root)}}
    _log_answers(as_auditor, proof)

    good = client.get("/ilo/log?event_id=ev-2").get_data(as_text=True)

    assert "Verified" in good and "it is in the log" in good
    _log_answers(as_auditor, {**proof, "entry": _b64(b'{"id":"ev-2","forged":1}')})
    assert "Does not verify" in client.get("/ilo/log?event_id=ev-2").get_data(as_text=True)
    missing = client.get("/ilo/log?event_id=ev-404")
    assert missing.status_code == 400
    assert "No logged event with this id" in missing.get_data(as_text=True)


def test_only_the_auditor_opens_these_pages(client, sign_in):
    sign_in("platform_admin", None)
    for path in ("/ilo/dashboard", "/ilo/feed", "/ilo/log", "/ilo/feed/export"):
        assert client.get(path).status_code == 403
