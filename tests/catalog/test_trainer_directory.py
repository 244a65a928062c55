"""``GET /trainers``: who may staff a session, by name, for provider staff and readers."""

from __future__ import annotations

from services.catalog.service import trainers


def _register(app, trainer_id, name, statuses, provider_id=None):
    with app.extensions["score_db"].transaction() as session:
        trainers.record_trainer(session, {"trainer_id": trainer_id, "full_name": name,
                                          "gender": "female", "province_code": "32",
                                          "provider_id": provider_id})
        for code, status in statuses.items():
            trainers.record_module_status(session, {"trainer_id": trainer_id,
                                                    "module_code": code, "status": status})


def test_provider_staff_find_trainers_certified_for_a_module_by_name(app, client, auth):
    _register(app, "t-2", "Sri Wahyuni", {"M1": "certified", "M2": "candidate"})
    _register(app, "t-1", "Bambang Wijaya", {"M1": "in_supervised_delivery"})
    _register(app, "t-3", "Agus Salim", {"M2": "certified"})
    headers = auth("provider_staff", "prov-1", "provider")

    everyone = client.get("/trainers", headers=headers).json["items"]
    certified_m1 = client.get("/trainers?module=M1&status=certified", headers=headers).json

    assert [t["full_name"] for t in everyone] == ["Agus Salim", "Bambang Wijaya", "Sri Wahyuni"]
    assert certified_m1["items"] == [{"id": "t-2", "full_name": "Sri Wahyuni",
                                      "provider_id": None,
                                      "modules": {"M1": "certified", "M2": "candidate"}}]


def test_the_directory_is_not_public_nor_for_smes(client, auth):
    assert client.get("/trainers").status_code == 401
    assert client.get("/trainers", headers=auth("sme_user", "sme-1", "sme")).status_code == 403


def test_unknown_filters_are_refused(client, auth):
    response = client.get("/trainers?module=M9", headers=auth("platform_admin"))

    assert response.status_code == 400
    assert "module" in response.json["errors"]
