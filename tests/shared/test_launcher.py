"""``score run``: fails first and clearly when a port is taken; services find each other."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from shared.launcher import development_environment, take_ports
from tests.infra.ports import LOOPBACK
from tests.support.runtimes import bare_runtime


@pytest.fixture
def busy_port():
    """A port some other program listens on."""
    with socket.socket() as other:
        other.bind((LOOPBACK, 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_taken_port_is_refused_naming_the_port_and_the_setting_that_moves_it(
        busy_port, monkeypatch):
    monkeypatch.setenv("SCORE_AUDIT_PORT", str(busy_port))

    with pytest.raises(SystemExit) as refused:
        take_ports([bare_runtime("audit", 5005)])

    assert f"port {busy_port}" in str(refused.value.code)
    assert "SCORE_AUDIT_PORT=<port>" in str(refused.value.code)


def test_the_ports_taken_before_a_refusal_are_given_back(busy_port, monkeypatch):
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        free = probe.getsockname()[1]
    monkeypatch.setenv("SCORE_FIRST_PORT", str(free))
    monkeypatch.setenv("SCORE_SECOND_PORT", str(busy_port))

    with pytest.raises(SystemExit):
        take_ports([bare_runtime("first", 1), bare_runtime("second", 2)])

    take_ports([bare_runtime("first", 1)])["first"].close()


def test_a_second_run_fails_before_seeding_or_claiming_to_run(busy_port, tmp_path):
    env = dict(os.environ, SCORE_DATA_DIR=str(tmp_path), SCORE_CATALOG_PORT=str(busy_port))
    run = subprocess.run([sys.executable, "-m", "shared.cli", "run"], env=env, timeout=60,
                         capture_output=True, text=True)

    assert run.returncode != 0
    assert f"port {busy_port}" in run.stderr and "SCORE_CATALOG_PORT" in run.stderr
    assert "is running" not in run.stdout and "Seeding" not in run.stdout
    assert list(tmp_path.iterdir()) == []


def test_services_are_pointed_at_the_published_token_keys_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("SCORE_KEYS_PORT", raising=False)
    runtimes = [bare_runtime("keys", 5999, jwks_path="/jwks"), bare_runtime("shop", 5998)]

    assert development_environment(runtimes, {})["SCORE_JWKS_URL"] == (
        "http://127.0.0.1:5999/jwks")
    assert development_environment(runtimes, {"SCORE_JWKS_URL": "https://idp/jwks"})[
        "SCORE_JWKS_URL"] == "https://idp/jwks"


def test_a_service_is_pointed_at_the_services_it_calls(monkeypatch):
    monkeypatch.delenv("SCORE_SHOP_PORT", raising=False)
    monkeypatch.setenv("SCORE_PRICES_PORT", "6100")
    runtimes = [bare_runtime("shop", 5998, calls=("prices", "absent")),
                bare_runtime("prices", 5997)]

    env = development_environment(runtimes, {})

    assert env["SCORE_SHOP_PRICES_URL"] == "http://127.0.0.1:6100"
    assert "SCORE_SHOP_ABSENT_URL" not in env
    assert development_environment(runtimes, {"SCORE_SHOP_PRICES_URL": "http://x"})[
        "SCORE_SHOP_PRICES_URL"] == "http://x"


def test_card_checkouts_return_to_the_portals_enrolment_page(monkeypatch):
    monkeypatch.setenv("SCORE_PORTAL_PORT", "6106")
    runtimes = [bare_runtime("enrolment", 5002), bare_runtime("portal", 5000)]

    env = development_environment(runtimes, {"SCORE_ENROLMENT_CHECKOUT_CANCEL_URL": "http://x"})

    assert env["SCORE_ENROLMENT_CHECKOUT_SUCCESS_URL"] == (
        "http://127.0.0.1:6106/sme/enrolments/{enrolment_id}?returned=done")
    assert env["SCORE_ENROLMENT_CHECKOUT_CANCEL_URL"] == "http://x"
    assert "SCORE_ENROLMENT_CHECKOUT_SUCCESS_URL" not in development_environment(
        [bare_runtime("enrolment", 5002)], {})
