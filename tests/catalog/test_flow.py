"""The happy path through HTTP: register, approve, create, publish, search, read."""

from tests.catalog.builders import course_body, provider_body, session_body
from tests.catalog.conftest import outbox_types


def test_a_provider_goes_from_registration_to_a_searchable_session(
        client, db, build, auth, staff, admin):
    build.trainer("trainer-1", "trainer-2")  # registered and certified by certification
    newcomer = auth("provider_staff", subject="user-new")
    r = client.post("/providers", json=provider_body(legal_name="BEDO"), headers=newcomer)
    assert r.status_code == 201, r.json
    provider_id = r.json["id"]
    assert r.json["status"] == "pending"

    r = client.post(f"/providers/{provider_id}/approve", json={}, headers=admin)
    assert r.status_code == 200, r.json
    own = staff(provider_id)

    r = client.post(f"/providers/{provider_id}/courses", json=course_body(), headers=own)
    assert r.status_code == 201, r.json
    course_id = r.json["id"]
    assert client.post(f"/courses/{course_id}/publish", headers=own).status_code == 200

    r = client.post(f"/providers/{provider_id}/sessions", json=session_body(course_id),
                    headers=own)
    assert r.status_code == 201, r.json
    session_id = r.json["id"]
    assert r.json["price_per_participant"] is None
    r = client.post(f"/sessions/{session_id}/publish", headers=own)
    assert r.status_code == 200, r.json
    assert r.json["price_per_participant"] == 2_500_000

    r = client.get("/sessions")
    assert r.status_code == 200, r.json
    assert [item["id"] for item in r.json["items"]] == [session_id]
    assert r.json["items"][0]["provider"] == {"id": provider_id, "legal_name": "BEDO"}

    detail = client.get(f"/sessions/{session_id}").json
    assert detail["course"]["module"]["code"] == "M1"
    assert detail["provider"]["legal_name"] == "BEDO"
    assert detail["trainers"] == [{"trainer_id": "trainer-1", "role": "lead"},
                                  {"trainer_id": "trainer-2", "role": "co"}]
    assert outbox_types(db) == [
        "score.catalog.provider.registered.v1", "score.catalog.provider.approved.v1",
        "score.catalog.course.published.v1", "score.catalog.session.published.v1"]
