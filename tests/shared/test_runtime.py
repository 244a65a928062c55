"""Services describe themselves; shared code finds them and orders them by dependency."""

from __future__ import annotations

import pytest

from shared.config import ConfigError
from shared.runtime import ServiceRuntime, discover_runtimes, start_order
from tests.support.runtimes import bare_runtime as runtime


def names(runtimes: list[ServiceRuntime]) -> list[str]:
    return [r.name for r in runtimes]


def test_every_service_starts_after_the_ones_it_depends_on():
    ordered = start_order([runtime("audit", depends_on=("enrolment", "catalog")),
                           runtime("enrolment", depends_on=("catalog",)),
                           runtime("catalog", depends_on=("identity",)),
                           runtime("identity")])

    assert names(ordered) == ["identity", "catalog", "enrolment", "audit"]


def test_services_without_dependencies_between_them_start_by_name():
    assert names(start_order([runtime("b"), runtime("c"), runtime("a")])) == ["a", "b", "c"]


@pytest.mark.parametrize(("runtimes", "message"), [
    ([runtime("catalog", depends_on=("identity",))], "catalog depends on identity"),
    ([runtime("a", depends_on=("b",)), runtime("b", depends_on=("a",))],
     "depend on each other: a -> b -> a"),
    ([runtime("a", 5001), runtime("b", 5001)], "a and b both use port 5001"),
    ([runtime("a"), runtime("a")], "two services are called a"),
])
def test_an_impossible_set_of_services_is_refused_with_the_reason(runtimes, message):
    with pytest.raises(ConfigError, match=message):
        start_order(runtimes)


def test_the_services_of_this_checkout_are_found_with_their_ports_in_start_order():
    found = {r.name: r for r in discover_runtimes()}

    assert {"identity", "catalog"} <= set(found)
    order = list(found)
    assert order.index("identity") < order.index("catalog")
    assert all(r.port and r.seed for r in found.values())
    assert [r.name for r in found.values() if r.jwks_path] == ["identity"]


def test_outside_production_tokens_are_checked_against_the_services_key_publisher(
        tmp_path, monkeypatch):
    from services import catalog

    monkeypatch.delenv("SCORE_JWKS_URL", raising=False)
    monkeypatch.setenv("SCORE_IDENTITY_PORT", "6010")
    app = catalog.create_app({"env": "test", "data_dir": str(tmp_path)})

    assert app.extensions["score_settings"].jwks_url == (
        "http://127.0.0.1:6010/.well-known/jwks.json")
    app.extensions["score_db"].dispose()


def test_production_without_a_jwks_url_refuses_to_start(monkeypatch):
    from shared.web import create_service_app
    from tests.support import pingpong

    monkeypatch.delenv("SCORE_JWKS_URL", raising=False)
    with pytest.raises(ConfigError, match="SCORE_JWKS_URL"):
        create_service_app(pingpong.runtime(), {
            "env": "production", "secret_key": "s3cret-from-the-vault", "auto_migrate": False,
            "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
