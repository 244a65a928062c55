"""Smoke: the shared web layer, auth and outbox through the pingpong test service."""

from sqlalchemy import func, select

from shared.events.tables import outbox
from tests.support import pingpong
from tests.support.apps import migrated_sqlite


def make_app(tmp_path, app_config):
    url = migrated_sqlite(pingpong.runtime(), tmp_path)
    return pingpong.create_app(app_config(database_url=url))


def test_smoke(tmp_path, app_config, auth):
    app = make_app(tmp_path, app_config)
    client = app.test_client()
    r = client.post("/pings", json={"note": "hi"}, headers=auth("sme_user", "org-a", "sme"))
    assert r.status_code == 201, r.json
    r2 = client.post("/pings", json={"note": 5, "bogus": 1}, headers=auth("sme_user", "org-a"))
    print(r2.status_code, r2.mimetype, r2.json)
    r3 = client.get(f"/pings/{r.json['id']}", headers=auth("sme_user", "org-b"))
    print(r3.status_code, r3.json)
    r4 = client.post("/pings", data="{bad", content_type="application/json",
                     headers=auth("sme_user", "org-a"))
    print(r4.status_code, r4.json)
    print(client.get("/readyz").json, client.get("/metrics").data[-300:])
    print(client.get("/openapi.json").status_code)
    with app.extensions["score_db"].reading() as s:
        assert s.scalar(select(func.count()).select_from(outbox)) == 1
