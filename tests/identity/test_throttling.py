"""Login throttling per email and per client IP, kept in the database."""

from tests.identity.conftest import PASSWORD


def _fail(login, times, email="siti@example.id"):
    for _ in range(times):
        assert login(email, "wrong password!").status_code == 400


def test_the_sixth_attempt_is_throttled_even_with_the_right_password(register, login):
    register()
    _fail(login, 5)

    response = login()

    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert 0 < int(response.headers["Retry-After"]) <= 900


def test_after_the_window_the_right_password_works_again(register, login, clock):
    register()
    _fail(login, 5)
    clock.advance(seconds=int(login().headers["Retry-After"]))

    assert login().status_code == 200


def test_retry_after_counts_down_with_the_window(register, login, clock):
    register()
    _fail(login, 5)
    clock.advance(minutes=10)

    assert int(login().headers["Retry-After"]) == 300


def test_a_successful_login_resets_the_count_for_the_email(register, login):
    register()
    _fail(login, 4)
    assert login().status_code == 200

    _fail(login, 4)

    assert login().status_code == 200


def test_unknown_emails_are_throttled_too(login):
    _fail(login, 5, "ghost@example.id")

    assert login("ghost@example.id").status_code == 429


def test_one_email_being_throttled_does_not_lock_out_another(register, login):
    register()
    register("dewi@example.id")
    _fail(login, 5)

    assert login("dewi@example.id").status_code == 200


def test_too_many_failures_from_one_address_throttle_every_email(make_app):
    client = make_app(login_max_failures_per_ip="3").test_client()
    client.post("/users", json={"email": "a@example.id", "name": "A", "password": PASSWORD,
                                "intended_role": "trainer"})
    for n in range(3):
        client.post("/oauth/token", data={"grant_type": "password",
                                          "username": f"guess{n}@example.id", "password": "x"})

    response = client.post("/oauth/token", data={"grant_type": "password",
                                                 "username": "a@example.id", "password": PASSWORD})

    assert response.status_code == 429


def test_the_count_is_shared_by_every_worker_process(make_app, register, login):
    register()
    _fail(login, 5)
    other_worker = make_app().test_client()

    response = other_worker.post("/oauth/token", data={
        "grant_type": "password", "username": "siti@example.id", "password": PASSWORD})

    assert response.status_code == 429


def test_the_limit_follows_the_setting(make_app):
    client = make_app(login_max_failures_per_email="2").test_client()
    params = {"grant_type": "password", "username": "a@example.id", "password": "x"}
    client.post("/oauth/token", data=params)
    client.post("/oauth/token", data=params)

    assert client.post("/oauth/token", data=params).status_code == 429


def test_failures_that_left_the_window_are_deleted(register, login, clock, app):
    from sqlalchemy import func, select

    from services.identity.models import LoginFailure

    register()
    _fail(login, 3)
    clock.advance(seconds=901)
    _fail(login, 1)

    with app.extensions["score_db"].reading() as session:
        # One attempt's two rows (email and address); the three older ones are gone.
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2
