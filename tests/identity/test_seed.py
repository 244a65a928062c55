"""Identity's demo seed: the ILO's feed reader and the audit's own client, seeded once."""

from __future__ import annotations

from services.identity.seed import FEED_READER, seed_demo
from shared.config import DEV_AUDIT_CLIENT_ID, DEV_AUDIT_CLIENT_SECRET
from shared.seeding import SeedContext


def test_the_feed_reader_is_seeded_once_and_gets_auditor_tokens(app, client, verifier):
    db, settings = app.extensions["score_db"], app.extensions["score_settings"]
    first = seed_demo(db, SeedContext(settings))
    again = seed_demo(db, SeedContext(settings))
    assert (first.created["machine clients"], again.created["machine clients"]) == (2, 0)
    client_id, _, secret = FEED_READER
    assert any(f"client_id={client_id} client_secret={secret}" in note for note in again.notes)

    response = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                                 "client_id": client_id,
                                                 "client_secret": secret})
    assert response.status_code == 200, response.json
    principal = verifier.verify(response.json["access_token"])
    assert (principal.subject, principal.role) == (client_id, "ilo_auditor")


def test_the_audits_own_client_is_seeded_and_gets_service_tokens(app, client, verifier):
    seed_demo(app.extensions["score_db"], SeedContext(app.extensions["score_settings"]))

    response = client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": DEV_AUDIT_CLIENT_ID,
        "client_secret": DEV_AUDIT_CLIENT_SECRET})
    assert response.status_code == 200, response.json
    assert verifier.verify(response.json["access_token"]).role == "service"
