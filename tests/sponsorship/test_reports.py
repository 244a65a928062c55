"""Sponsors' reports: what their money bought, their funds over time, CSV, and who reads them.

One small market, made through the real paths (HTTP for sponsors, funds and
offers; the consumer for enrolment's and catalog's events), on fixed days:

==  ============  ============  ============  =======  ========  =====  ====================
    made (WIB)    SME, size     session       team     Kemnaker  Donor  then
==  ============  ============  ============  =======  ========  =====  ====================
E1  10 Mar        1, 32 small   S1 M1 prov-1  4 (2 w)  5.00 M    -      committed, completed
E2  1 Apr 03:00*  2, 33 micro   S2 M2 prov-2  5 (3 w)  6.25 M    2.5 M  committed
E3  5 Apr         1, 32 small   S2            3 (1 w)  3.75 M    1.5 M  reversed on 2 May
E4  15 Apr        3, 32 medium  S1            2 (2 w)  2.50 M    -      pending
E5  20 Apr        2, 33 micro   S1            2 (1 w)  2.50 M    -      released
==  ============  ============  ============  =======  ========  =====  ====================

(*) 31 March in UTC.
Kemnaker pays 50 % of any session; the donor 20 % of M2 sessions; both stack.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest

from services import sponsorship
from services.enrolment import events as enrolment_events
from shared.clock import WIB
from tests.sponsorship.builders import Market, hold, team

D = dt.date
YEAR = {"valid_from": D(2026, 1, 1), "valid_until": D(2026, 12, 31)}


@dataclasses.dataclass
class Story:
    """The market above: sponsors, funds and the reservations' ids."""

    kemnaker: str
    donor: str
    kemnaker_fund: str
    donor_fund: str
    reservations: dict[str, str]


def _at(clock, day: dt.date, hour: int = 12) -> None:
    clock.current = dt.datetime.combine(day, dt.time(hour), WIB).astimezone(dt.UTC)


def _enrol(market, name: str, sme: dict, session: dict, team_mix: dict) -> tuple[dict, dict]:
    reserve = hold(f"{name}-{sme['sme_id'][:8]}")
    made = market.quote(sme["sme_id"], session["session_id"], team_mix, reserve=reserve)
    assert made.status_code == 201, made.get_json()
    return reserve, made.get_json()


def _event(market, kind, reserve: dict, quoted: dict, sme: dict, session: dict, **fields):
    outcome = market.enrolment_event(
        kind, enrolment_id=reserve["enrolment_id"], hold_id=reserve["hold_id"],
        sme_id=sme["sme_id"], session_id=session["session_id"],
        sponsor_share=quoted["sponsor_share"], sme_share=quoted["sme_share"],
        reservation_id=quoted["reservation"]["id"], **fields)
    assert outcome == "applied"


@pytest.fixture
def story(market, clock) -> Story:
    """The market of the table above, on today's app (SQLite)."""
    return build_story(market, clock)


def build_story(market, clock) -> Story:
    """Make the market of the table above; the clock ends on 10 May 2026."""
    _at(clock, D(2026, 1, 5))
    kemnaker, donor = market.sponsor("Kemnaker"), market.sponsor("Donor", "donor")
    kemnaker_fund = market.fund(kemnaker, 100_000_000, **YEAR)
    donor_fund = market.fund(donor, 50_000_000, valid_from=D(2026, 1, 1),
                             valid_until=D(2026, 6, 30))
    market.offer(kemnaker, kemnaker_fund, {"share_percent": 50}, stackable=True)
    market.offer(donor, donor_fund, {"share_percent": 20, "modules": ["M2"]}, stackable=True)
    s1 = market.session()
    s2 = market.session(module_code="M2", provider_id="prov-2", province_code="33")
    sme1 = market.sme(province_code="32", size_class="small")
    sme2 = market.sme(province_code="33", size_class="micro")
    sme3 = market.sme(province_code="32", size_class="medium")
    confirmed = enrolment_events.ENROLMENT_CONFIRMED
    ids = {}

    _at(clock, D(2026, 3, 10))
    e1 = _enrol(market, "e1", sme1, s1, team(4, women=2))
    _event(market, confirmed, *e1, sme1, s1)
    _at(clock, D(2026, 3, 20))
    outcomes = [{"participant_id": f"p{n}", "full_name": f"Peserta {n}",
                 "gender": "female" if n < 2 else "male", "role": "worker", "days_present": 2,
                 "completed": True} for n in range(4)]
    _event(market, enrolment_events.ENROLMENT_COMPLETED, *e1, sme1, s1, status="completed",
           classroom_days=2, outcomes=outcomes)

    clock.current = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)  # 1 April, 03:00 WIB
    e2 = _enrol(market, "e2", sme2, s2, team(5, women=3))
    _event(market, confirmed, *e2, sme2, s2)

    _at(clock, D(2026, 4, 5))
    e3 = _enrol(market, "e3", sme1, s2, team(3, women=1))
    _event(market, confirmed, *e3, sme1, s2)
    _at(clock, D(2026, 4, 15))
    e4 = _enrol(market, "e4", sme3, s1, team(2, women=2))
    _at(clock, D(2026, 4, 20))
    e5 = _enrol(market, "e5", sme2, s1, team(2, women=1))
    _event(market, enrolment_events.ENROLMENT_EXPIRED, *e5, sme2, s1, status="expired")
    _at(clock, D(2026, 5, 2))
    _event(market, enrolment_events.ENROLMENT_CANCELLED, *e3, sme1, s2, status="cancelled")

    _at(clock, D(2026, 5, 10))
    for name, (_reserve, quoted) in zip(("e1", "e2", "e3", "e4", "e5"), (e1, e2, e3, e4, e5),
                                        strict=True):
        ids[name] = quoted["reservation"]["id"]
    assert [a["amount"] for a in e2[1]["applied"]] == [2_500_000, 6_250_000]
    return Story(kemnaker, donor, kemnaker_fund, donor_fund, ids)


def measures(amount=0, teams=0, smes=0, seats=0, participants=0, women=0, men=0, share=None,
             completed=(0, 0), pending=(0, 0, 0), reversed_=(0, 0)) -> dict:
    """A report row's measures (committed unless named)."""
    return {"committed_amount": amount, "teams": teams, "smes": smes, "seats": seats,
            "participants": participants, "women": women, "men": men,
            "women_share_percent": share, "completed_teams": completed[0],
            "completed_participants": completed[1], "pending_teams": pending[0],
            "pending_seats": pending[1], "pending_amount": pending[2],
            "reversed_teams": reversed_[0], "reversed_amount": reversed_[1]}


E1 = measures(5_000_000, 1, 1, 4, 4, 2, 2, 50.0, completed=(1, 4))
E2_KEMNAKER = measures(6_250_000, 1, 1, 5, 5, 3, 2, 60.0)
E3_KEMNAKER = measures(reversed_=(1, 3_750_000))
E4 = measures(pending=(1, 2, 2_500_000))


def _report(market, path: str, headers: dict, **params):
    response = market.client.get(path, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_a_sponsor_sees_what_its_money_bought_in_total_and_by_breakdown(market, story):
    body = _report(market, f"/sponsors/{story.kemnaker}/report",
                   market.staff(story.kemnaker)).get_json()

    # Default window: the fund's validity. E5 was released: it bought nothing, never shows.
    assert (body["from"], body["to"], body["currency"]) == ("2026-01-01", "2026-12-31", "IDR")
    assert body["totals"] == measures(
        11_250_000, teams=2, smes=2, seats=9, participants=9, women=5, men=4, share=55.6,
        completed=(1, 4), pending=(1, 2, 2_500_000), reversed_=(1, 3_750_000))
    assert body["by_province"] == [
        {"key": "32", "name": "Jawa Barat", **measures(
            5_000_000, 1, 1, 4, 4, 2, 2, 50.0, completed=(1, 4), pending=(1, 2, 2_500_000),
            reversed_=(1, 3_750_000))},
        {"key": "33", "name": "Jawa Tengah", **E2_KEMNAKER}]
    combined_m1 = {**E1, **{k: v for k, v in E4.items() if k.startswith("pending")}}
    combined_m2 = {**E2_KEMNAKER, "reversed_teams": 1, "reversed_amount": 3_750_000}
    assert body["by_module"] == [{"key": "M1", "name": None, **combined_m1},
                                 {"key": "M2", "name": None, **combined_m2}]
    assert body["by_provider"] == [{"key": "prov-1", "name": None, **combined_m1},
                                   {"key": "prov-2", "name": None, **combined_m2}]
    assert body["by_size_class"] == [
        {"key": "medium", "name": None, **E4},
        {"key": "micro", "name": None, **E2_KEMNAKER},
        {"key": "small", "name": None, **{**E1, "reversed_teams": 1,
                                          "reversed_amount": 3_750_000}}]


def test_a_shared_team_counts_each_sponsors_own_lines_and_the_market_counts_it_once(
        market, story):
    donor = _report(market, f"/sponsors/{story.donor}/report",
                    market.staff(story.donor)).get_json()
    assert (donor["from"], donor["to"]) == ("2026-01-01", "2026-06-30")
    assert donor["totals"] == measures(2_500_000, 1, 1, 5, 5, 3, 2, 60.0,
                                       reversed_=(1, 1_500_000))
    assert [row["key"] for row in donor["by_module"]] == ["M2"]

    market_wide = _report(market, "/reports/market", market.auth("ilo_auditor")).get_json()
    assert market_wide["sponsor_id"] is None
    # E2 and E3 have two lines each, for the same people: each team and its seats once.
    assert market_wide["totals"] == measures(
        13_750_000, teams=2, smes=2, seats=9, participants=9, women=5, men=4, share=55.6,
        completed=(1, 4), pending=(1, 2, 2_500_000), reversed_=(1, 5_250_000))


def test_the_window_is_of_jakarta_days_and_a_fund_narrows_the_report(market, story):
    path, staff = f"/sponsors/{story.kemnaker}/report", market.staff(story.kemnaker)
    # E2 was made on 31 March in UTC, on 1 April in Jakarta.
    march = _report(market, path, staff, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert march.get_json()["totals"] == E1
    april = _report(market, path, staff, **{"from": "2026-04-01", "to": "2026-04-30"})
    assert april.get_json()["totals"] == measures(
        6_250_000, 1, 1, 5, 5, 3, 2, 60.0, pending=(1, 2, 2_500_000), reversed_=(1, 3_750_000))
    later = _report(market, path, staff, **{"from": "2026-04-16"}).get_json()
    assert (later["from"], later["to"]) == ("2026-04-16", "2026-12-31")
    assert later["totals"] == measures()
    assert later["by_province"] == []

    donor_fund = _report(market, "/reports/market", market.auth("platform_admin"),
                         fund_id=story.donor_fund).get_json()
    assert donor_fund["totals"]["committed_amount"] == 2_500_000
    assert donor_fund["fund_id"] == story.donor_fund


def test_the_timeline_shows_commitments_against_the_balance_month_by_month(market, story):
    body = _report(market, f"/sponsors/{story.kemnaker}/report/timeline",
                   market.staff(story.kemnaker)).get_json()

    # From the day the fund opened to today (10 May), cut to the window.
    assert (body["interval"], body["from"], body["to"]) == ("month", "2026-01-05", "2026-05-10")
    rows = [(r["period"], r["start"], r["end"], r["commitments"], r["reversals"],
             r["committed"], r["available"]) for r in body["items"]]
    assert rows == [
        ("2026-01", "2026-01-05", "2026-01-31", 0, 0, 0, 100_000_000),
        ("2026-02", "2026-02-01", "2026-02-28", 0, 0, 0, 100_000_000),
        ("2026-03", "2026-03-01", "2026-03-31", 5_000_000, 0, 5_000_000, 95_000_000),
        # E2, E3 committed; E4 holds 2.5 M; E5's hold came back.
        ("2026-04", "2026-04-01", "2026-04-30", 10_000_000, 0, 15_000_000, 82_500_000),
        ("2026-05", "2026-05-01", "2026-05-10", 0, 3_750_000, 11_250_000, 86_250_000)]
    assert {(r["fund_id"], r["unit"]) for r in body["items"]} == {(story.kemnaker_fund, "IDR")}


def test_the_weekly_market_timeline_has_a_row_per_fund_and_iso_week(market, story):
    body = _report(market, "/reports/market/timeline", market.auth("ilo_auditor"),
                   interval="week", **{"from": "2026-03-30", "to": "2026-04-12"}).get_json()

    rows = {(r["period"], r["fund_id"]): (r["commitments"], r["available"])
            for r in body["items"]}
    assert rows == {
        ("2026-W14", story.kemnaker_fund): (10_000_000, 85_000_000),
        ("2026-W14", story.donor_fund): (4_000_000, 46_000_000),
        ("2026-W15", story.kemnaker_fund): (0, 85_000_000),
        ("2026-W15", story.donor_fund): (0, 46_000_000)}


def test_csv_exports_have_a_header_stable_columns_and_a_filename(market, story):
    staff = market.staff(story.kemnaker)
    response = _report(market, f"/sponsors/{story.kemnaker}/report", staff, format="csv",
                       **{"from": "2026-03-01", "to": "2026-03-31"})

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="sponsorship-report-{story.kemnaker}-2026-03-01-2026-03-31.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["breakdown", "key", "name", *E1]
    assert [(r["breakdown"], r["key"], r["name"]) for r in rows] == [
        ("total", "", ""), ("by_province", "32", "Jawa Barat"), ("by_module", "M1", ""),
        ("by_provider", "prov-1", ""), ("by_size_class", "small", "")]
    assert {k: rows[0][k] for k in ("committed_amount", "seats", "women_share_percent",
                                    "completed_participants")} == {
        "committed_amount": "5000000", "seats": "4", "women_share_percent": "50.0",
        "completed_participants": "4"}

    timeline = _report(market, f"/sponsors/{story.kemnaker}/report/timeline", staff,
                       format="csv", **{"from": "2026-04-01", "to": "2026-05-31"})
    assert timeline.headers["Content-Disposition"] == (
        'attachment; filename="sponsorship-timeline-'
        f'{story.kemnaker}-month-2026-04-01-2026-05-31.csv"')
    lines = list(csv.reader(io.StringIO(timeline.get_data(as_text=True))))
    assert lines == [
        ["period", "start", "end", "fund_id", "fund_name", "unit", "commitments", "reversals",
         "committed", "available"],
        ["2026-04", "2026-04-01", "2026-04-30", story.kemnaker_fund, lines[1][4], "IDR",
         "10000000", "0", "15000000", "82500000"],
        ["2026-05", "2026-05-01", "2026-05-31", story.kemnaker_fund, lines[1][4], "IDR",
         "0", "3750000", "11250000", "86250000"]]


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_stays_text(market, clock):
    sponsor = market.sponsor()
    made = market.client.post(f"/sponsors/{sponsor}/funds", json={
        "name": "=HYPERLINK(\"http://evil.example\")", "unit": "seats",
        "valid_from": "2026-01-01", "valid_until": "2026-12-31"}, headers=market.staff(sponsor))
    assert made.status_code == 201, made.get_json()

    response = _report(market, f"/sponsors/{sponsor}/report/timeline", market.staff(sponsor),
                       format="csv")
    (row,) = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert row["fund_name"] == "'=HYPERLINK(\"http://evil.example\")"
    assert (row["unit"], row["available"]) == ("seats", "0")


def test_other_tenants_see_no_report_and_auditors_read_every_one(market, story):
    for path in (f"/sponsors/{story.kemnaker}/report",
                 f"/sponsors/{story.kemnaker}/report/timeline"):
        foreign = market.client.get(path, headers=market.staff(story.donor))
        assert foreign.status_code == 404
        assert foreign.mimetype == "application/problem+json"
        assert market.client.get(path, headers=market.auth("sme_user", "sme-1", "sme")
                                 ).status_code == 403
        assert market.client.get(path).status_code == 401
        assert market.client.get(path, headers=market.auth("ilo_auditor")).status_code == 200
    assert market.client.get("/sponsors/no-such-sponsor/report",
                             headers=market.auth("ilo_auditor")).status_code == 404
    assert market.client.get("/reports/market",
                             headers=market.staff(story.kemnaker)).status_code == 403
    # A fund of another sponsor is no fund of this report, exactly like a made-up one.
    for fund_id in (story.donor_fund, "no-such-fund"):
        response = market.client.get(f"/sponsors/{story.kemnaker}/report",
                                     query_string={"fund_id": fund_id},
                                     headers=market.staff(story.kemnaker))
        assert response.status_code == 400
        assert response.get_json()["errors"] == {"fund_id": ["no such fund of this sponsor"]}


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-02-30"}, "from"),
    ({"from": "2026-05-01", "to": "2026-04-30"}, "to"),
    ({"format": "xlsx"}, "format"),
    ({"interval": "day"}, "interval"),
    ({"interval": "week", "from": "2010-01-01", "to": "2026-01-01"}, "from"),
    ({"fund_id": " "}, "fund_id"),
])
def test_bad_query_parameters_are_400_problems_naming_the_field(market, clock, params, field):
    sponsor = market.sponsor()
    response = market.client.get(f"/sponsors/{sponsor}/report/timeline", query_string=params,
                                 headers=market.staff(sponsor))

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_a_sponsor_without_funds_gets_an_empty_report_of_this_year(market, clock):
    _at(clock, D(2026, 8, 17))
    sponsor = market.sponsor()

    body = _report(market, f"/sponsors/{sponsor}/report", market.staff(sponsor)).get_json()
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-31")
    assert body["totals"] == measures()
    timeline = _report(market, f"/sponsors/{sponsor}/report/timeline",
                       market.staff(sponsor)).get_json()
    assert (timeline["from"], timeline["to"], timeline["items"]) == (
        "2026-01-01", "2026-08-17", [])


@pytest.mark.integration
def test_postgresql_gives_the_same_figures(request, app_config, auth, clock):
    """The report's SQL is portable: no date functions, CASE buckets grouped once."""
    url = request.getfixturevalue("pg_database")
    app = sponsorship.create_app(app_config(database_url=url, auto_migrate=True))
    try:
        market = Market(app, auth)
        story = build_story(market, clock)
        auditor = market.auth("ilo_auditor")
        body = _report(market, f"/sponsors/{story.kemnaker}/report", auditor).get_json()
        assert body["totals"] == measures(
            11_250_000, teams=2, smes=2, seats=9, participants=9, women=5, men=4, share=55.6,
            completed=(1, 4), pending=(1, 2, 2_500_000), reversed_=(1, 3_750_000))
        assert [row["key"] for row in body["by_province"]] == ["32", "33"]
        april = _report(market, "/reports/market", auditor,
                        **{"from": "2026-04-01", "to": "2026-04-30"}).get_json()
        assert april["totals"]["committed_amount"] == 8_750_000
        timeline = _report(market, f"/sponsors/{story.kemnaker}/report/timeline",
                           auditor).get_json()
        assert [(r["period"], r["committed"], r["available"]) for r in timeline["items"]] == [
            ("2026-01", 0, 100_000_000), ("2026-02", 0, 100_000_000),
            ("2026-03", 5_000_000, 95_000_000), ("2026-04", 15_000_000, 82_500_000),
            ("2026-05", 11_250_000, 86_250_000)]
    finally:
        app.extensions["score_db"].dispose()
