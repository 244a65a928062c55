"""Granting and revoking memberships, through the API and from catalog's events."""

import pytest
from sqlalchemy import select

from services.certification.events import TRAINER_REGISTERED
from services.identity import runtime
from services.identity.models import Membership
from services.sponsorship.events import SPONSOR_REGISTERED
from shared.events import EventEnvelope
from shared.events.bus.base import Message
from shared.events.bus.local import LocalBus
from shared.events.consumer import ConsumerRunner
from shared.events.tables import dead_letters

PROVIDER_REGISTERED = "score.catalog.provider.registered.v1"


def test_an_admin_grants_a_membership(client, register, admin):
    user = register()

    response = client.post(f"/users/{user['id']}/memberships", headers=admin,
                           json={"org_type": "sme", "org_id": "sme-1", "role": "sme_user"})

    assert response.status_code == 201
    assert response.json["active"] is True
    assert response.json["granted_by"] == "admin-1"


def test_revocation_keeps_the_membership_with_its_revocation_time(client, register, grant,
                                                                  admin):
    user = register()
    membership = grant(user["id"])

    response = client.delete(f"/memberships/{membership['id']}", headers=admin)

    assert response.status_code == 204
    listed = client.get(f"/users/{user['id']}/memberships", headers=admin).json
    assert [(m["id"], m["active"], m["revoked_by"]) for m in listed] == [
        (membership["id"], False, "admin-1")]
    assert listed[0]["revoked_at"] is not None


def test_revoking_twice_is_a_conflict(client, register, grant, admin):
    membership = grant(register()["id"])
    client.delete(f"/memberships/{membership['id']}", headers=admin)

    assert client.delete(f"/memberships/{membership['id']}", headers=admin).status_code == 409


def test_a_revoked_membership_may_be_granted_again(client, register, grant, admin):
    user = register()
    client.delete(f"/memberships/{grant(user['id'])['id']}", headers=admin)

    grant(user["id"])

    assert len(client.get(f"/users/{user['id']}/memberships", headers=admin).json) == 2


@pytest.mark.parametrize("body, status", [
    ({"org_type": "sme", "org_id": "sme-1", "role": "sme_user"}, 409),
    ({"org_type": "sponsor", "org_id": "sp-1", "role": "sme_user"}, 422),
    ({"org_type": "sme", "org_id": "sme-2", "role": "service"}, 422),
    ({"org_type": "sme", "org_id": "", "role": "sme_user"}, 422),
], ids=["already-a-member", "role-unfit-for-org-type", "service-role", "empty-org"])
def test_an_unfit_grant_is_refused(client, register, grant, admin, body, status):
    user = register()
    grant(user["id"], "sme", "sme-1", "sme_user")

    response = client.post(f"/users/{user['id']}/memberships", headers=admin, json=body)

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_granting_to_an_unknown_user_is_not_found(client, admin):
    response = client.post("/users/nobody/memberships", headers=admin,
                           json={"org_type": "sme", "org_id": "sme-1", "role": "sme_user"})

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["sme_user", "provider_staff", "service", "ilo_auditor"])
def test_only_platform_admins_grant_and_revoke(client, register, grant, auth, role):
    user = register()
    membership = grant(user["id"])
    headers = auth(role, "sme-1", "sme", subject=user["id"])

    granted = client.post(f"/users/{user['id']}/memberships", headers=headers,
                          json={"org_type": "sme", "org_id": "sme-9", "role": "sme_user"})
    revoked = client.delete(f"/memberships/{membership['id']}", headers=headers)

    assert (granted.status_code, revoked.status_code) == (403, 403)


def test_the_last_platform_admin_cannot_be_revoked(client, register, grant, admin):
    membership = grant(register()["id"], "ilo", "platform", "platform_admin")

    response = client.delete(f"/memberships/{membership['id']}", headers=admin)

    assert response.status_code == 409


def test_users_see_their_own_memberships_but_not_others(client, register, grant, auth):
    siti, dewi = register(), register("dewi@example.id")
    grant(siti["id"])

    own = client.get(f"/users/{siti['id']}/memberships",
                     headers=auth("sme_user", subject=siti["id"]))
    other = client.get(f"/users/{siti['id']}/memberships",
                       headers=auth("sme_user", subject=dewi["id"]))

    assert own.status_code == 200 and len(own.json) == 1
    assert other.status_code == 404


def test_auditors_read_memberships(client, register, grant, auth):
    user = register()
    grant(user["id"])

    response = client.get(f"/users/{user['id']}/memberships", headers=auth("ilo_auditor"))

    assert response.status_code == 200


# --- from catalog's provider.registered events ---------------------------------------------


@pytest.fixture
def runner(app, tmp_path):
    """Identity's consumer runner on the local bus (retries quickly, then dead-letters)."""
    return ConsumerRunner(app.extensions["score_db"], LocalBus(str(tmp_path / "bus.db")),
                          runtime().group, runtime().handlers, max_attempts=2, backoff_ms=1)


def _provider_registered(provider_id: str, user_id: str) -> Message:
    envelope = EventEnvelope.new("/score/catalog", PROVIDER_REGISTERED, provider_id, {
        "provider_id": provider_id, "registered_by": user_id, "name": "Mitra Usaha",
        "future_field": True})
    return Message(topic="score.catalog", partition=0, offset=0, key=provider_id,
                   value=envelope.to_bytes(), headers={}, timestamp_ms=0)


def _memberships(app, user_id):
    with app.extensions["score_db"].reading() as session:
        return list(session.scalars(select(Membership).where(Membership.user_id == user_id)))


def test_registering_a_provider_makes_the_registrant_its_staff(app, register, runner):
    user = register(role="provider_staff")

    outcome = runner.process(_provider_registered("prov-1", user["id"]))

    assert outcome == "applied"
    [membership] = _memberships(app, user["id"])
    assert (membership.org_type, membership.org_id, membership.role) == (
        "provider", "prov-1", "provider_staff")


def test_the_same_event_processed_twice_grants_one_membership(app, register, runner):
    user = register(role="provider_staff")
    message = _provider_registered("prov-1", user["id"])

    outcomes = [runner.process(message), runner.process(message)]

    assert outcomes == ["applied", "duplicate"]
    assert len(_memberships(app, user["id"])) == 1


def test_a_second_event_for_the_same_provider_changes_nothing(app, register, runner):
    user = register(role="provider_staff")
    runner.process(_provider_registered("prov-1", user["id"]))

    assert runner.process(_provider_registered("prov-1", user["id"])) == "applied"
    assert len(_memberships(app, user["id"])) == 1


def test_a_registrant_who_does_not_exist_is_retried_then_dead_lettered(app, runner, count_rows):
    outcome = runner.process(_provider_registered("prov-1", "no-such-user"))

    assert outcome == "dead_lettered"
    assert count_rows(dead_letters) == 1
    assert count_rows(Membership) == 0


def test_the_new_staff_member_signs_in_for_the_provider(register, runner, login, verifier):
    user = register(role="provider_staff")
    runner.process(_provider_registered("prov-1", user["id"]))

    principal = verifier.verify(login().json["access_token"])

    assert (principal.role, principal.org, principal.org_type) == (
        "provider_staff", "prov-1", "provider")


def test_registering_an_sme_makes_the_registrant_its_sme_user(app, register, runner, login,
                                                             verifier):
    user = register(role="sme_user")
    envelope = EventEnvelope.new("/score/enrolment", "score.enrolment.sme.registered.v1",
                                 "sme-1", {"sme_id": "sme-1", "registered_by": user["id"],
                                           "legal_name": "PT Maju"})
    message = Message(topic="score.enrolment", partition=0, offset=0, key="sme-1",
                      value=envelope.to_bytes(), headers={}, timestamp_ms=0)

    assert runner.process(message) == "applied"

    principal = verifier.verify(login().json["access_token"])
    assert (principal.role, principal.org, principal.org_type) == ("sme_user", "sme-1", "sme")


def test_registering_a_sponsor_makes_the_registrant_its_sponsor_staff(app, register, runner,
                                                                    login, verifier):
    user = register(role="sponsor_staff")
    # The payload as sponsorship publishes it (validated by the producer's own schema).
    payload = SPONSOR_REGISTERED.validate({
        "sponsor_id": "spon-1", "name": "Kemnaker", "kind": "ministry", "status": "pending",
        "reason": None, "changed_by": user["id"], "registered_by": user["id"]})
    envelope = EventEnvelope.new("/score/sponsorship", SPONSOR_REGISTERED.type, "spon-1",
                                 payload)
    message = Message(topic="score.sponsorship", partition=0, offset=0, key="spon-1",
                      value=envelope.to_bytes(), headers={}, timestamp_ms=0)

    assert runner.process(message) == "applied"

    principal = verifier.verify(login().json["access_token"])
    assert (principal.role, principal.org, principal.org_type) == (
        "sponsor_staff", "spon-1", "sponsor")
    [membership] = _memberships(app, user["id"])
    assert membership.granted_by == "system:sponsorship"


def test_registering_as_a_trainer_makes_the_user_a_member_of_their_own_trainer_record(
        app, register, runner, login, verifier):
    user = register(role="trainer")
    # As certification publishes it: the trainer's id is the user's id.
    payload = TRAINER_REGISTERED.validate({
        "trainer_id": user["id"], "full_name": "Sri Wahyuni", "gender": "female",
        "province_code": "33", "organisation": "Mitra Usaha", "provider_id": None,
        "modules_of_interest": ["M1"], "expert_modules": [], "changed_by": user["id"],
        "registered_by": user["id"]})
    envelope = EventEnvelope.new("/score/certification", TRAINER_REGISTERED.type, user["id"],
                                 payload)
    message = Message(topic="score.certification", partition=0, offset=0, key=user["id"],
                      value=envelope.to_bytes(), headers={}, timestamp_ms=0)

    assert runner.process(message) == "applied"

    principal = verifier.verify(login().json["access_token"])
    assert (principal.role, principal.org, principal.org_type) == (
        "trainer", user["id"], "trainer")
    [membership] = _memberships(app, user["id"])
    assert membership.granted_by == "system:certification"


def test_a_platform_admin_may_be_revoked_while_another_remains(client, register, grant, admin):
    first = grant(register()["id"], "ilo", "platform", "platform_admin")
    grant(register("dewi@example.id")["id"], "ilo", "platform", "platform_admin")

    assert client.delete(f"/memberships/{first['id']}", headers=admin).status_code == 204


def test_a_sign_in_without_an_organisation_takes_up_the_new_one_at_refresh(
        client, register, runner, login, verifier):
    user = register(role="provider_staff")
    refresh_token = login().json["refresh_token"]
    runner.process(_provider_registered("prov-1", user["id"]))

    response = client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                 "refresh_token": refresh_token})

    principal = verifier.verify(response.json["access_token"])
    assert (principal.org, principal.org_type) == ("prov-1", "provider")
