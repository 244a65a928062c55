"""Settlement statements over HTTP: figures from the rows, CSV, issue, paid, who may do what."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import func, select

from services.enrolment.ledger import Month
from services.enrolment.models import Statement
from services.enrolment.service import statements
from shared import clock as shared_clock
from shared.auth import Principal
from tests.enrolment import payments_world as w
from tests.enrolment import statements_world as sw

URL = "/providers/{}/statements/{}"


@pytest.fixture
def ids(db):
    return sw.seed(db)


@pytest.fixture
def staff(auth):
    return lambda provider=sw.PROVIDER: auth("provider_staff", provider, "provider")


@pytest.fixture
def admin(auth):
    return auth("platform_admin", subject="admin-1")


@pytest.fixture
def auditor(auth):
    return auth("ilo_auditor")


def figures(body: dict) -> dict:
    return {name: body[name] for name in sw.MARCH}


def test_a_past_month_is_computed_from_its_lines_at_the_jakarta_edges(client, ids, staff):
    r = client.get(URL.format(sw.PROVIDER, sw.MONTH), headers=staff())

    assert r.status_code == 200, r.json
    body = r.json
    assert (body["status"], body["id"], body["month"]) == ("open", None, "2026-03")
    assert body["provider_name"] == "Lembaga Satu" and body["fee_percent"] == "5"
    assert figures(body) == sw.MARCH
    assert [(line["kind"], line["source_id"], line["amount"], line["fee"])
            for line in body["lines"]] == [
        ("bank_payment", ids["bank_march"], 2_000_000, 100_000),
        ("sponsor_commitment", ids["e2"], 2_000_000, 100_000),
        ("card_refund", ids["card_refunded"], -1_500_000, -75_000),
        ("sponsor_reversal", ids["e3"], -1_000_000, -50_000),
        ("card_payment", ids["card_march"], 3_000_000, 150_000),
    ]
    april = client.get(URL.format(sw.PROVIDER, "2026-04"), headers=staff()).json
    assert [line["source_id"] for line in april["lines"]] == [ids["card_april"]]


def test_destination_charges_settle_only_the_remainder(client, ids, admin):
    body = client.get(URL.format(sw.OTHER, sw.MONTH), headers=admin).json

    assert body["card_collected"] == body["card_collected_direct"] == 3_000_000
    assert body["fee"] == body["fee_withheld"] == 150_000
    assert body["platform_cash"] == 0 and body["net_payable"] == 0
    assert body["lines"][0]["platform_cash"] is False


def test_the_csv_has_a_row_per_line_then_the_totals(client, ids, staff):
    r = client.get(URL.format(sw.PROVIDER, sw.MONTH) + "?format=csv", headers=staff())

    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    lines = [row for row in rows if row["record"] == "line"]
    totals = {row["kind"]: int(row["amount"]) for row in rows if row["record"] == "total"}
    assert len(lines) == 5 and totals == sw.MARCH
    assert sum(int(row["amount"]) for row in lines) == 4_500_000
    assert sum(int(row["fee"]) for row in lines) == totals["fee"]
    bank = next(row for row in lines if row["kind"] == "bank_payment")
    assert bank["booked_at"] == "2026-03-01T00:00:00+07:00"  # Jakarta time
    assert bank["reference"] == "'=1+1"  # a spreadsheet shows it, never runs it
    assert bank["platform_cash"] == "false"


def test_issue_freezes_the_month_once_and_paid_settles_it(client, db, ids, admin):
    issue = URL.format(sw.PROVIDER, sw.MONTH) + "/issue"

    first = client.post(issue, headers=admin)
    assert first.status_code == 201, first.json
    assert first.json["status"] == "issued" and figures(first.json) == sw.MARCH
    assert first.json["issued_by"] == "admin-1" and len(first.json["lines"]) == 5
    assert first.json["provider_name"] == "Lembaga Satu"
    again = client.post(issue, headers=admin)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert first.headers["Location"].endswith(f"/statements/{first.json['id']}")
    assert w.event_types(db).count("statement.issued") == 1

    # Frozen: the month now answers with the issued statement, not a computation.
    read = client.get(URL.format(sw.PROVIDER, sw.MONTH), headers=admin).json
    assert read["id"] == first.json["id"] and read["status"] == "issued"

    paid_url = f"/statements/{first.json['id']}/paid"
    paid = client.post(paid_url, json={"paid_on": "2026-04-05", "bank_reference": "BCA 77"},
                       headers=admin)
    assert paid.status_code == 200, paid.json
    assert (paid.json["status"], paid.json["paid_on"]) == ("paid", "2026-04-05")
    same = client.post(paid_url, json={"paid_on": "2026-04-05", "bank_reference": "BCA 77"},
                       headers=admin)
    assert same.status_code == 200
    other = client.post(paid_url, json={"paid_on": "2026-04-06", "bank_reference": "BCA 78"},
                        headers=admin)
    assert other.status_code == 409
    assert w.event_types(db).count("statement.paid") == 1


def test_issue_honours_the_idempotency_key(client, ids, admin):
    issue = URL.format(sw.PROVIDER, "2026-02") + "/issue"
    headers = {**admin, "Idempotency-Key": "issue-feb"}

    first = client.post(issue, headers=headers)
    replay = client.post(issue, headers=headers)

    assert first.status_code == 201 and replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json["id"] == first.json["id"]


def test_the_current_month_is_not_issued_before_it_ends(client, ids, admin):
    current = str(Month.of(shared_clock.now()))
    r = client.post(URL.format(sw.PROVIDER, current) + "/issue", headers=admin)
    assert r.status_code == 409 and "month" in r.json["errors"]
    assert client.get(URL.format(sw.PROVIDER, current), headers=admin).status_code == 200


def test_a_zero_statement_is_paid_without_a_transfer(client, ids, admin):
    issued = client.post(URL.format(sw.OTHER, sw.MONTH) + "/issue", headers=admin).json
    url = f"/statements/{issued['id']}/paid"

    with_ref = client.post(url, json={"paid_on": "2026-04-02", "bank_reference": "X"},
                           headers=admin)
    assert with_ref.status_code == 422 and "bank_reference" in with_ref.json["errors"]
    assert client.post(url, json={"paid_on": "2026-04-02"}, headers=admin).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"bank_reference": "BCA 1"}, "paid_on"),
    ({"paid_on": "2099-01-01", "bank_reference": "BCA 1"}, "paid_on"),
    ({"paid_on": "2026-03-30", "bank_reference": "BCA 1"}, "paid_on"),  # inside the month
    ({"paid_on": "2026-04-02"}, "bank_reference"),  # 2.275M moved: which transfer?
    ({"paid_on": "2026-04-02", "bank_reference": ""}, "bank_reference"),
    ({"paid_on": "not a date", "bank_reference": "BCA 1"}, "paid_on"),
])
def test_a_payment_that_does_not_settle_is_a_422_naming_the_field(client, ids, admin, body,
                                                                  field):
    issued = client.post(URL.format(sw.PROVIDER, sw.MONTH) + "/issue", headers=admin).json

    r = client.post(f"/statements/{issued['id']}/paid", json=body, headers=admin)

    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert field in r.json["errors"]


@pytest.mark.parametrize(("month", "query"), [
    ("2026-13", ""), ("2026-00", ""), ("2026-3", ""), ("1999-12", ""), ("2999-01", ""),
    ("march", ""), (sw.MONTH, "?format=xml"), (sw.MONTH, "?colour=blue")])
def test_bad_months_and_formats_are_a_400_naming_the_parameter(client, ids, admin, month,
                                                               query):
    r = client.get(URL.format(sw.PROVIDER, month) + query, headers=admin)

    assert r.status_code == 400, r.json
    assert r.mimetype == "application/problem+json" and r.json["errors"]


def test_who_reads_and_who_settles(client, ids, staff, admin, auditor, auth):
    mine, theirs = URL.format(sw.PROVIDER, sw.MONTH), URL.format(sw.OTHER, sw.MONTH)
    assert client.get(mine, headers=staff()).status_code == 200
    assert client.get(theirs, headers=staff()).status_code == 404  # foreign: absent
    assert client.get(theirs, headers=auditor).status_code == 200
    for role, org, org_type in (("sme_user", "sme1", "sme"), ("sponsor_staff", "sp1", "sponsor"),
                                ("trainer", None, None)):
        assert client.get(mine, headers=auth(role, org, org_type)).status_code == 403
    assert client.get(mine).status_code == 401
    assert client.get(URL.format("no-such-provider", sw.MONTH),
                      headers=admin).status_code == 404

    # Only platform admins issue and mark paid; the auditor never writes.
    for headers in (auditor, staff()):
        assert client.post(mine + "/issue", headers=headers).status_code == 403
    issued = client.post(theirs + "/issue", headers=admin).json
    client.post(mine + "/issue", headers=admin)
    paid = {"paid_on": "2026-04-02"}
    for headers in (auditor, staff(sw.OTHER)):
        assert client.post(f"/statements/{issued['id']}/paid", json=paid,
                           headers=headers).status_code == 403

    # Lists and items: staff see their own provider's only.
    listed = client.get("/statements", headers=staff()).json
    assert [s["provider_id"] for s in listed["items"]] == [sw.PROVIDER]
    assert len(client.get("/statements", headers=auditor).json["items"]) == 2
    assert client.get(f"/statements/{issued['id']}", headers=staff()).status_code == 404
    assert client.get(f"/statements/{issued['id']}", headers=staff(sw.OTHER)).status_code == 200
    assert client.get("/statements", headers=auth("sme_user", "sme1", "sme")).status_code == 403


def test_issued_statements_are_listed_newest_first_in_keyset_pages(client, ids, admin, clock):
    for month in ("2026-01", "2026-02", "2026-03"):
        clock.advance(seconds=1)
        client.post(URL.format(sw.PROVIDER, month) + "/issue", headers=admin)

    first = client.get("/statements?limit=2", headers=admin).json
    second = client.get(f"/statements?limit=2&cursor={first['next_cursor']}",
                        headers=admin).json

    assert [s["month"] for s in first["items"]] == ["2026-03", "2026-02"]
    assert [s["month"] for s in second["items"]] == ["2026-01"]
    assert second["next_cursor"] is None
    only = client.get("/statements?month=2026-02", headers=admin).json["items"]
    assert [s["month"] for s in only] == ["2026-02"]
    assert client.get("/statements?cursor=nope", headers=admin).status_code == 400
    assert client.get("/statements?month=2026-13", headers=admin).status_code == 400


def test_concurrent_issues_create_one_statement(db, ids):
    admin = Principal("admin-1", "platform_admin")
    results, errors = [], []

    def issue() -> None:
        try:
            results.append(statements.issue_statement(db, admin, sw.PROVIDER,
                                                      Month.parse(sw.MONTH), w.POLICY
                                                      .platform_fee_percent))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({statement.id for statement, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Statement)) == 1
