"""Providers, courses and sessions through HTTP: visibility, snapshots, embedding, lists."""

from __future__ import annotations

from tests.catalog.builders import course_body, days, provider_body, session_body
from tests.catalog.conftest import assert_problem, outbox_types


def test_a_legacy_npwp_is_stored_in_its_sixteen_digit_form(client, auth):
    r = client.post("/providers", json=provider_body(npwp="01.234.567.8-901.234"),
                    headers=auth("provider_staff"))
    assert r.json["npwp"] == "0012345678901234"


def test_staff_already_acting_for_a_provider_cannot_register_another(client, staff):
    assert_problem(client.post("/providers", json=provider_body(), headers=staff("p-1")), 403)


def test_a_pending_provider_is_visible_to_its_staff_and_auditors_only(client, build, staff,
                                                                      auditor, auth):
    pending = build.provider("pending")
    assert client.get(f"/providers/{pending.id}").status_code == 404
    assert client.get(f"/providers/{pending.id}",
                      headers=auth("sme_user", "sme-1")).status_code == 404
    assert client.get(f"/providers/{pending.id}", headers=staff(pending.id)).status_code == 200
    listed = client.get("/providers", query_string={"status": "pending"}, headers=auditor)
    assert [p["id"] for p in listed.json["items"]] == [pending.id]
    assert client.get("/providers").json["items"] == []


def test_the_courses_and_sessions_of_a_pending_provider_are_not_public(client, build, staff):
    pending = build.provider("pending")
    build.course(pending, "draft")
    for path in (f"/providers/{pending.id}/courses", f"/providers/{pending.id}/sessions"):
        assert_problem(client.get(path), 404)
        assert client.get(path, headers=staff(pending.id)).status_code == 200


def test_the_public_provider_list_shows_approved_providers_by_name(client, build):
    build.provider(legal_name="Riwani Globe")
    build.provider(legal_name="BEDO")
    build.provider("suspended", legal_name="Hidden")
    names = [p["legal_name"] for p in client.get("/providers").json["items"]]
    assert names == ["BEDO", "Riwani Globe"]


def test_a_provider_list_refuses_unknown_parameters(client):
    assert_problem(client.get("/providers", query_string={"state": "pending"}), 400, "state")
    assert_problem(client.get("/providers", query_string={"status": "gone"}), 400, "status")


def test_the_public_sees_published_and_archived_courses_not_drafts(client, build, staff):
    provider = build.provider()
    published = build.course(provider)
    archived = build.course(provider, "archived")
    draft = build.course(provider, "draft")
    public = {c["id"] for c in client.get(f"/providers/{provider.id}/courses").json["items"]}
    assert public == {published.id, archived.id}
    own = client.get(f"/providers/{provider.id}/courses", headers=staff(provider.id))
    assert {c["id"] for c in own.json["items"]} == {published.id, archived.id, draft.id}
    assert client.get(f"/courses/{draft.id}").status_code == 404


def test_a_session_keeps_the_price_it_was_published_with(client, db, build, staff):
    provider = build.provider()
    course = build.course(provider, price_per_participant=2_000_000)
    old = build.session(course)
    before = outbox_types(db)
    r = client.patch(f"/courses/{course.id}", json={"price_per_participant": 2_600_000},
                     headers=staff(provider.id))
    assert r.json["price_per_participant"] == 2_600_000
    assert outbox_types(db)[len(before):] == ["score.catalog.course.updated.v1"]
    assert client.get(f"/sessions/{old.id}").json["price_per_participant"] == 2_000_000
    new = build.session(course)
    assert client.get(f"/sessions/{new.id}").json["price_per_participant"] == 2_600_000


def test_a_session_detail_embeds_its_course_provider_and_trainers(client, build):
    provider, course, ts = build.world()
    body = client.get(f"/sessions/{ts.id}").json
    assert body["course"]["id"] == course.id
    assert body["course"]["module"]["name_en"].startswith("Workplace Cooperation")
    assert body["course"]["description_en"] == course.description_en
    assert body["provider"]["id"] == provider.id
    assert body["provider"]["npwp"] == provider.npwp
    assert body["trainers"][0] == {"trainer_id": "trainer-1", "role": "lead"}
    assert (body["seats_taken"], body["seats_free"], body["is_full"]) == (0, 20, False)


def test_an_archived_course_keeps_its_sessions_but_takes_no_new_ones(client, build, staff):
    provider, course, ts = build.world()
    own = staff(provider.id)
    assert client.post(f"/courses/{course.id}/archive", headers=own).status_code == 200
    assert client.get(f"/sessions/{ts.id}").json["status"] == "published"
    r = client.post(f"/providers/{provider.id}/sessions", json=session_body(course.id),
                    headers=own)
    assert_problem(r, 422, "course_id")


def test_a_published_session_can_be_moved_to_later_dates(client, db, build, staff):
    _p, _c, ts = build.world()
    changes = {"start_date": days(60).isoformat(), "end_date": days(61).isoformat(),
               "enrolment_deadline": days(50).isoformat(), "city": "Cirebon"}
    r = client.patch(f"/sessions/{ts.id}", json=changes, headers=staff(ts.provider_id))
    assert r.status_code == 200, r.json
    assert (r.json["start_date"], r.json["city"]) == (changes["start_date"], "Cirebon")
    assert outbox_types(db)[-1] == "score.catalog.session.updated.v1"
    found = client.get("/sessions", query_string={"city": "cirebon"}).json["items"]
    assert [i["id"] for i in found] == [ts.id]


def test_a_published_session_whose_deadline_passed_may_still_be_postponed(
        client, build, staff, clock):
    _p, _c, ts = build.world()  # deadline in 23 days, start in 30
    clock.move_to(days(25))
    r = client.patch(f"/sessions/{ts.id}", json={"start_date": days(40).isoformat(),
                                                 "end_date": days(41).isoformat()},
                     headers=staff(ts.provider_id))
    assert r.status_code == 200, r.json


def test_trainers_can_be_reassigned_but_a_published_session_keeps_a_lead(client, build,
                                                                         staff):
    _p, _c, ts = build.world()
    build.trainer("trainer-9")
    own = staff(ts.provider_id)
    r = client.patch(f"/sessions/{ts.id}", json={"trainers": [
        {"trainer_id": "trainer-9", "role": "lead"}]}, headers=own)
    assert r.json["trainers"] == [{"trainer_id": "trainer-9", "role": "lead"}]
    r = client.patch(f"/sessions/{ts.id}", json={"trainers": [
        {"trainer_id": "trainer-9", "role": "co"}]}, headers=own)
    assert_problem(r, 422, "trainers")


def test_a_provider_lists_its_sessions_and_the_auditor_sees_its_drafts(client, build, staff,
                                                                       auditor):
    provider = build.provider()
    course = build.course(provider)
    published = [build.session(course, start_date=days(20 + i).isoformat(),
                               end_date=days(20 + i).isoformat(),
                               enrolment_deadline=days(10).isoformat()).id for i in range(5)]
    draft = build.session(course, "draft").id
    path = f"/providers/{provider.id}/sessions"
    public = client.get(path, query_string={"limit": 2})
    assert [i["id"] for i in public.json["items"]] == published[:2]
    second = client.get(path, query_string={"limit": 2, "cursor": public.json["next_cursor"]})
    assert [i["id"] for i in second.json["items"]] == published[2:4]
    drafts = client.get(path, query_string={"status": "draft"}, headers=auditor).json["items"]
    assert [i["id"] for i in drafts] == [draft]
    mine = client.get(path, query_string={"limit": 100}, headers=staff(provider.id)).json
    assert draft in [i["id"] for i in mine["items"]]
    assert draft not in [i["id"] for i in client.get(path, query_string={"limit": 100})
                         .json["items"]]
    assert_problem(client.get(path, query_string={"sort": "price"}), 400, "sort")


def test_a_provider_edits_its_profile_and_provinces(client, build, staff):
    provider = build.provider()
    r = client.patch(f"/providers/{provider.id}", headers=staff(provider.id), json={
        "provinces_served": ["ID-PE", "97", "94"], "website": None})
    assert r.status_code == 200, r.json
    assert r.json["provinces_served"] == ["94", "97"]
    assert r.json["website"] is None
    assert_problem(client.patch(f"/providers/{provider.id}", headers=staff(provider.id),
                                json={"npwp": "0000000000000001"}), 422, "npwp")


def test_a_course_body_round_trips(client, build, staff):
    provider = build.provider()
    body = course_body(module_code="M3", language="en")
    r = client.post(f"/providers/{provider.id}/courses", json=body, headers=staff(provider.id))
    assert r.status_code == 201
    for key, value in body.items():
        assert r.json[key] == value
    assert r.json["module"]["prerequisite_code"] == "M1"
    assert r.json["provider"] == {"id": provider.id, "legal_name": provider.legal_name}


def test_a_draft_may_wait_for_its_trainers_but_publishing_needs_a_lead(client, db, build,
                                                                      staff):
    provider = build.provider()
    course = build.course(provider)
    build.trainer("t-1")
    own = staff(provider.id)
    r = client.post(f"/providers/{provider.id}/sessions",
                    json=session_body(course.id, trainers=[]), headers=own)
    assert r.status_code == 201, r.json
    assert r.json["status"] == "draft" and r.json["trainers"] == []
    before = outbox_types(db)
    assert_problem(client.post(f"/sessions/{r.json['id']}/publish", headers=own), 422,
                   "trainers")
    assert outbox_types(db) == before
    client.patch(f"/sessions/{r.json['id']}", headers=own,
                 json={"trainers": [{"trainer_id": "t-1", "role": "lead"}]})
    assert client.post(f"/sessions/{r.json['id']}/publish", headers=own).status_code == 200
