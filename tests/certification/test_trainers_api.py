"""Trainers over HTTP: registration, profile, experts, reads scoped to who may see."""

from __future__ import annotations

from tests.certification.builders import profile
from tests.certification.conftest import published


def test_a_trainer_registers_and_is_a_candidate_in_each_module_of_interest(client, auth, db):
    response = client.post("/trainers", json=profile(modules_of_interest=["M2", "M1", "M2"]),
                           headers=auth("trainer", subject="user-sri"))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] == "user-sri"
    assert response.headers["Location"].endswith("/trainers/user-sri")
    assert body["modules_of_interest"] == ["M1", "M2"]
    assert [(m["module_code"], m["status"]) for m in body["modules"]] == [
        ("M1", "candidate"), ("M2", "candidate")]
    kinds = [name for name, _ in published(db)]
    assert kinds == ["module_status.changed", "module_status.changed", "trainer.registered"]
    registered = published(db)[-1][1]
    assert registered["registered_by"] == registered["trainer_id"] == "user-sri"


def test_an_account_registers_one_trainer(client, auth):
    headers = auth("trainer", subject="user-once")
    assert client.post("/trainers", json=profile(), headers=headers).status_code == 201

    again = client.post("/trainers", json=profile(), headers=headers)

    assert again.status_code == 409
    assert "already registered" in again.json["detail"]


def test_a_trainer_account_already_acting_for_a_record_cannot_register_another(client, auth):
    response = client.post("/trainers", json=profile(),
                           headers=auth("trainer", "user-x", "trainer", subject="user-x"))

    assert response.status_code == 403


def test_the_trainer_edits_the_profile_and_a_new_module_starts_as_candidate(programme, db):
    trainer = programme.trainer()
    before = len(published(db))

    response = programme.client.patch(f"/trainers/{trainer}", json={
        "organisation": "Lembaga Pelatihan Jateng", "modules_of_interest": ["M1", "M3"]},
        headers=programme.as_trainer(trainer))

    assert response.status_code == 200, response.json
    assert response.json["organisation"] == "Lembaga Pelatihan Jateng"
    assert [m["module_code"] for m in response.json["modules"]] == ["M1", "M3"]
    assert [name for name, _ in published(db, before)] == ["module_status.changed",
                                                           "trainer.updated"]


def test_a_module_with_a_record_cannot_be_dropped(programme):
    trainer = programme.trainer(modules_of_interest=["M1", "M2"])

    response = programme.client.patch(f"/trainers/{trainer}", json={
        "modules_of_interest": ["M2"]}, headers=programme.as_trainer(trainer))

    assert response.status_code == 409
    assert "M1" in response.json["detail"]
    assert programme.status(trainer, "M1") == "candidate"


def test_an_admin_names_expert_modules_and_the_expert_then_sees_mentees(programme):
    mentee = programme.trainer(modules_of_interest=["M2"])
    other = programme.trainer(modules_of_interest=["M3"])
    expert = programme.expert(("M2",))

    listed = programme.client.get("/trainers", headers=programme.as_trainer(expert)).json

    assert {t["id"] for t in listed["items"]} == {expert, mentee}
    assert programme.client.get(f"/trainers/{mentee}",
                                headers=programme.as_trainer(expert)).status_code == 200
    assert programme.client.get(f"/trainers/{other}",
                                headers=programme.as_trainer(expert)).status_code == 404


def test_provider_staff_see_their_trainers_only(programme, auth):
    ours = programme.trainer(provider_id="prov-A")
    programme.trainer(provider_id="prov-B")

    listed = programme.client.get("/trainers", headers=auth("provider_staff", "prov-A",
                                                            "provider")).json

    assert [t["id"] for t in listed["items"]] == [ours]


def test_the_list_filters_by_module_status_province_and_provider(programme):
    jateng = programme.trainer(province_code="33", modules_of_interest=["M4"])
    bali = programme.trainer(province_code="51", provider_id="prov-9",
                             modules_of_interest=["M4"])
    assert programme.tot(bali, "M4").status_code == 201

    def ids(query: str) -> set[str]:
        response = programme.client.get(f"/trainers?{query}", headers=programme.admin())
        assert response.status_code == 200, response.json
        return {t["id"] for t in response.json["items"]} & {jateng, bali}

    assert ids("module=M4") == {jateng, bali}
    assert ids("module=M4&status=tot_completed") == {bali}
    assert ids("province=33") == {jateng}
    assert ids("provider_id=prov-9") == {bali}


def test_trainers_page_by_cursor_without_repeats(programme):
    made = {programme.trainer() for _ in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = programme.client.get(f"/trainers?{query}", headers=programme.admin()).json
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 5 and set(seen) == made
