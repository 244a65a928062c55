"""Reading accounts: /me, the user list and single users."""

import pytest


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_me_shows_the_account_the_acting_organisation_and_memberships(client, register, grant,
                                                                      login):
    user = register()
    grant(user["id"], "sme", "sme-1", "sme_user")

    response = client.get("/me", headers=_bearer(login().json["access_token"]))

    assert response.status_code == 200
    body = response.json
    assert (body["id"], body["email"], body["role"], body["org"]) == (
        user["id"], "siti@example.id", "sme_user", "sme-1")
    assert [m["org_id"] for m in body["memberships"]] == ["sme-1"]


def test_me_for_a_machine_client_is_not_found(client, auth):
    assert client.get("/me", headers=auth("service", subject="client-abc")).status_code == 404


@pytest.fixture
def five_users(register, clock):
    """Five users' JSON, registered a second apart, oldest first."""
    users = []
    for n in range(5):
        users.append(register(f"user{n}@example.id"))
        clock.advance(seconds=1)
    return users


def test_admins_list_users_a_page_at_a_time(client, admin, five_users):
    response = client.get("/users?page=2&per_page=2", headers=admin)

    assert response.status_code == 200
    assert response.json["total"] == 5
    assert (response.json["page"], response.json["per_page"]) == (2, 2)
    assert [u["id"] for u in response.json["items"]] == [u["id"] for u in five_users[2:4]]


def test_a_page_past_the_end_is_empty(client, admin, five_users):
    assert client.get("/users?page=9", headers=admin).json["items"] == []


def test_the_list_can_be_filtered_by_email(client, admin, five_users):
    response = client.get("/users?email=USER3@example.id", headers=admin)

    assert [u["id"] for u in response.json["items"]] == [five_users[3]["id"]]


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=x"])
def test_paging_out_of_range_is_a_bad_request(client, admin, query):
    response = client.get(f"/users?{query}", headers=admin)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_auditors_cannot_create_accounts(client, auth):
    response = client.post("/users", headers=auth("ilo_auditor"), json={
        "email": "a@example.id", "name": "A", "password": "a long password",
        "intended_role": "trainer"})

    assert response.status_code == 403


def test_auditors_list_users(client, auth, five_users):
    assert client.get("/users", headers=auth("ilo_auditor")).status_code == 200


@pytest.mark.parametrize("role", ["sme_user", "provider_staff", "sponsor_staff", "trainer",
                                  "service"])
def test_other_roles_may_not_list_users(client, auth, role):
    assert client.get("/users", headers=auth(role, "org-1", "sme")).status_code == 403


def test_a_user_reads_their_own_account(client, register, auth):
    user = register()

    response = client.get(f"/users/{user['id']}", headers=auth("sme_user", subject=user["id"]))

    assert response.status_code == 200 and response.json["email"] == "siti@example.id"


def test_another_users_account_looks_absent(client, register, auth):
    user = register()

    response = client.get(f"/users/{user['id']}", headers=auth("sme_user", subject="someone"))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["platform_admin", "ilo_auditor"])
def test_admins_and_auditors_read_any_account(client, register, auth, role):
    user = register()

    assert client.get(f"/users/{user['id']}", headers=auth(role)).status_code == 200


def test_an_unknown_user_is_not_found(client, admin):
    assert client.get("/users/nobody", headers=admin).status_code == 404
