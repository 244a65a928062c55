"""Each state change publishes its event in the same transaction, and nothing else does."""

import pytest

from services.identity import events, service
from services.identity.models import Membership, User
from shared.events.tables import outbox
from tests.identity.conftest import PASSWORD


def _only(published, event_type):
    [event] = [e for e in published() if e.type == event_type.type]
    event_type.validate(event.data)  # raises if the payload breaks its schema
    return event


def test_registration_publishes_user_registered_without_password_data(app, register,
                                                                       published):
    user = register()

    event = _only(published, events.USER_REGISTERED)

    assert event.subject == user["id"]
    assert event.data == {"user_id": user["id"], "email": "siti@example.id", "name": "Siti",
                          "intended_role": "sme_user", "registered_at": event.data["registered_at"]}
    with app.extensions["score_db"].reading() as session:
        password_hash = session.get(User, user["id"]).password_hash
    raw = str(event.data)
    assert PASSWORD not in raw and password_hash not in raw


def test_a_grant_publishes_membership_granted(register, grant, published):
    user = register()
    membership = grant(user["id"], "provider", "prov-1", "provider_staff")

    event = _only(published, events.MEMBERSHIP_GRANTED)

    assert event.subject == membership["id"]
    assert event.providerid == "prov-1"
    assert {k: event.data[k] for k in ("user_id", "org_type", "org_id", "role", "granted_by")} == {
        "user_id": user["id"], "org_type": "provider", "org_id": "prov-1",
        "role": "provider_staff", "granted_by": "admin-1"}


def test_a_revocation_publishes_membership_revoked(client, register, grant, admin, published):
    membership = grant(register()["id"])
    client.delete(f"/memberships/{membership['id']}", headers=admin)

    event = _only(published, events.MEMBERSHIP_REVOKED)

    assert event.subject == membership["id"]
    assert event.data["revoked_by"] == "admin-1"
    assert event.data["membership_id"] == membership["id"]


def test_signing_in_and_refreshing_publish_nothing(client, register, login, count_rows):
    register()
    before = count_rows(outbox)

    refresh_token = login().json["refresh_token"]
    client.post("/oauth/token", data={"grant_type": "refresh_token",
                                      "refresh_token": refresh_token})

    assert count_rows(outbox) == before


def test_a_refused_use_case_publishes_nothing(client, register, grant, admin, count_rows):
    membership = grant(register()["id"])
    client.delete(f"/memberships/{membership['id']}", headers=admin)
    before = count_rows(outbox)

    client.delete(f"/memberships/{membership['id']}", headers=admin)
    client.post("/users/nobody/memberships", headers=admin,
                json={"org_type": "sme", "org_id": "sme-1", "role": "sme_user"})
    client.post("/users", json={"email": "siti@example.id", "name": "S", "password": PASSWORD,
                                "intended_role": "sme_user"})

    assert count_rows(outbox) == before


@pytest.fixture
def crash_after_publish(monkeypatch):
    """``crash_after_publish()``: from now on, use cases crash right after writing an event."""
    real_publish = service.publish

    def publish_then_crash(*args, **kwargs):
        real_publish(*args, **kwargs)
        raise RuntimeError("crash after the event was written")

    return lambda: monkeypatch.setattr(service, "publish", publish_then_crash)


def test_a_registration_that_fails_after_publishing_leaves_neither_user_nor_event(
        client, count_rows, crash_after_publish):
    crash_after_publish()

    response = client.post("/users", json={"email": "siti@example.id", "name": "Siti",
                                           "password": PASSWORD, "intended_role": "sme_user"})

    assert response.status_code == 500
    assert count_rows(User) == 0 and count_rows(outbox) == 0


def test_a_grant_that_fails_after_publishing_leaves_neither_membership_nor_event(
        client, register, admin, count_rows, crash_after_publish):
    user = register()
    before = count_rows(outbox)
    crash_after_publish()

    response = client.post(f"/users/{user['id']}/memberships", headers=admin,
                           json={"org_type": "sme", "org_id": "sme-1", "role": "sme_user"})

    assert response.status_code == 500
    assert count_rows(Membership) == 0 and count_rows(outbox) == before
