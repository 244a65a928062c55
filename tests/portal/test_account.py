"""Signing in and out: tokens stay server-side, the cookie is hardened, forms are guarded."""

from __future__ import annotations

from tests.portal.conftest import PASSWORD, csrf_of


def test_signing_in_lands_on_the_roles_start_page_with_only_an_opaque_cookie(
        client, sign_in, services):
    response = sign_in("sme_user", "sme-1", "sme")

    assert response.headers["Location"].endswith("/sme/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("score_portal=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    # The token identity issued is nowhere in what the browser holds.
    token = services.sent("identity", "POST", "/oauth/token")
    assert token and "eyJ" not in value and len(value) < 60
    services.answer("enrolment", "GET", "/smes/sme-1", {
        "id": "sme-1", "legal_name": "CV Tenun", "province_code": "32", "size_class": "small"})
    services.answer("enrolment", "GET", "/enrolments", {"items": [], "next_cursor": None})
    services.answer("catalog", "GET", "/provinces", {"items": []})
    page = client.get("/sme/")
    assert page.status_code == 200
    assert "Siti Rahma" in page.get_data(as_text=True)


def test_pages_call_the_services_with_the_users_token(client, sign_in, services):
    sign_in("sme_user", "sme-1", "sme")
    services.answer("catalog", "GET", "/modules", {"items": []})
    services.answer("catalog", "GET", "/provinces", {"items": []})
    services.answer("catalog", "GET", "/sessions", {"items": [], "next_cursor": None, "limit": 20})

    client.get("/sessions")

    (search,) = services.sent("catalog", "GET", "/sessions")
    assert search.headers["Authorization"].startswith("Bearer eyJ")


def test_a_wrong_password_is_said_on_the_form_and_the_email_kept(client, services):
    services.refuse("identity", "POST", "/oauth/token", 400, "Bad request",
                    "the email or password is wrong")
    page = client.get("/login")
    response = client.post("/login", data={"email": "siti@example.id", "password": "nope",
                                           "csrf_token": csrf_of(page.data)})

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Email atau kata sandi salah" in text
    assert 'value="siti@example.id"' in text
    assert "nope" not in text


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_sent(client, services):
    response = client.post("/login", data={"email": "siti@example.id", "password": PASSWORD})

    assert response.status_code == 400
    assert not services.sent("identity")


def test_the_session_id_changes_at_sign_in(client, sign_in):
    client.get("/login")
    before = client.get_cookie("score_portal")
    sign_in("sponsor_staff", "sp-1", "sponsor")
    after = client.get_cookie("score_portal")

    assert before is not None and after is not None
    assert before.value != after.value
    # The id seen before signing in opens nothing now.
    client.set_cookie("score_portal", before.value)
    assert client.get("/sponsor/").status_code == 303


def test_signing_out_ends_the_sign_in_at_identity(client, sign_in, services):
    sign_in("trainer", None)
    page = client.get("/trainer/")
    services.answer("identity", "POST", "/auth/logout", None, 204)

    response = client.post("/logout", data={"csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    (logout,) = services.sent("identity", "POST", "/auth/logout")
    assert logout.body == {"refresh_token": "refresh-1"}
    assert client.get("/trainer/").status_code == 303


def test_a_visitor_is_sent_to_sign_in_and_back(client):
    response = client.get("/provider/sessions")

    assert response.status_code == 303
    assert "/login?next=/provider/sessions" in response.headers["Location"]


def test_another_roles_page_is_forbidden(client, sign_in):
    sign_in("sme_user", "sme-1", "sme")

    assert client.get("/ilo/dashboard").status_code == 403


def test_an_expired_access_token_is_refreshed_before_the_call(client, sign_in, services, auth,
                                                              app):
    sign_in("sme_user", "sme-1", "sme")
    fresh = auth("sme_user", "sme-1", "sme")["Authorization"].split()[1]
    with client.session_transaction() as session:
        session["tokens"] = {**session["tokens"], "expires_at": 0}
    services.answer("identity", "POST", "/oauth/token", {
        "access_token": fresh, "token_type": "Bearer", "expires_in": 300,
        "refresh_token": "refresh-2"})
    services.answer("catalog", "GET", "/modules", {"items": []})
    services.answer("catalog", "GET", "/provinces", {"items": []})
    services.answer("catalog", "GET", "/sessions", {"items": [], "next_cursor": None})

    assert client.get("/sessions").status_code == 200

    refresh = services.sent("identity", "POST", "/oauth/token")[-1]
    assert refresh.body == {"grant_type": "refresh_token", "refresh_token": "refresh-1"}
    (search,) = services.sent("catalog", "GET", "/sessions")
    assert search.headers["Authorization"] == f"Bearer {fresh}"


def test_only_paths_on_this_site_are_followed_after_sign_in(client, sign_in, services, auth):
    token = auth("sme_user", "sme-1", "sme")["Authorization"].split()[1]
    services.answer("identity", "POST", "/oauth/token", {
        "access_token": token, "expires_in": 300, "refresh_token": "r"})
    services.answer("identity", "GET", "/me", {"name": "S", "email": "s@example.id"})
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        page = client.get("/login")
        response = client.post("/login", data={"email": "s@example.id", "password": PASSWORD,
                                               "next": target, "csrf_token": csrf_of(page.data)})
        assert response.headers["Location"] == "/sme/", target


def test_a_session_left_idle_past_its_lifetime_is_signed_out(client, sign_in, clock):
    sign_in("sme_user", "sme-1", "sme")

    def signed_in() -> bool:  # the header names the user on every page
        return "Siti Rahma" in client.get("/verify").get_data(as_text=True)

    clock.advance(hours=7)
    assert signed_in()  # in use: the idle expiry (8 hours) moves on
    clock.advance(hours=7)
    assert signed_in()
    clock.advance(hours=8, minutes=1)
    assert not signed_in()
