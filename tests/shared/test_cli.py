"""The ``score`` command: status and replay on the local bus; serve stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from shared.cli import main
from shared.db import Database
from shared.events import publish
from shared.events.bus.local import LocalBus
from shared.events.relay import Relay
from tests.infra.ports import free_ports
from tests.support import pingpong
from tests.support.apps import migrated_sqlite
from tests.support.pingpong.events import PING_SENT

PONGS = "tests.support.pingpong:pongs_runtime"
PINGS = "tests.support.pingpong:runtime"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Two pings relayed to a local bus; settings for both sides in the environment."""
    pings_url = migrated_sqlite(pingpong.runtime(), tmp_path)
    (tmp_path / "pongs").mkdir()
    pongs_url = migrated_sqlite(pingpong.pongs_runtime(), tmp_path / "pongs")
    bus_path = str(tmp_path / "bus.db")
    for name, value in {"SCORE_PINGPONG_DATABASE_URL": pings_url,
                        "SCORE_PONGS_DATABASE_URL": pongs_url, "SCORE_BUS": "local",
                        "SCORE_LOCAL_BUS_PATH": bus_path, "SCORE_ENV": "test",
                        "SCORE_LOG_LEVEL": "WARNING"}.items():
        monkeypatch.setenv(name, value)
    db = Database(pings_url)
    for seq in range(2):
        with db.transaction() as session:
            publish(session, PING_SENT, "k", {"ping_id": seq, "org_id": "o", "key": "k",
                                              "seq": seq})
    with db.transaction() as session:
        publish(session, PING_SENT, "k", {"ping_id": 9, "org_id": "o", "key": "k", "seq": 9})
    Relay(db, LocalBus(bus_path), "pingpong", batch_size=2).relay_once()
    return db


def run(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_status_reports_outbox_backlog_consumer_lag_and_dead_letters(world, capsys):
    assert run(capsys, "status", PINGS) == {"service": "pingpong", "outbox_backlog": 1,
                                            "dead_letters": 0}
    assert run(capsys, "status", PONGS)["consumer_lag"] == {"score.pingpong": 2}


def test_replay_applies_a_topic_from_an_offset_once_even_when_run_twice(world, capsys):
    assert run(capsys, "replay", PONGS, "--topic", "score.pingpong", "--offset", "0")[
        "applied"] == 2
    again = run(capsys, "replay", PONGS, "--topic", "score.pingpong", "--offset", "1")
    assert (again["applied"], again["duplicate"]) == (0, 1)


def test_replay_from_a_time_after_everything_applies_nothing(world, capsys):
    stats = run(capsys, "replay", PONGS, "--topic", "score.pingpong",
                "--since", "2999-01-01T00:00:00Z")
    assert stats["applied"] == 0


def test_serve_stops_its_relay_and_consumer_on_sigterm_and_exits_0(tmp_path):
    port = free_ports(1)[0]
    env = dict(os.environ, SCORE_PONGS_DATABASE_URL=f"sqlite:///{tmp_path}/pongs.db",
               SCORE_LOCAL_BUS_PATH=str(tmp_path / "bus.db"), SCORE_BUS="local",
               SCORE_ENV="test", SCORE_RUN_WORKERS="true", SCORE_LOG_LEVEL="INFO")
    process = subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", PONGS,
                                "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            assert process.poll() is None and time.monotonic() < deadline, "never served"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    logged = [json.loads(line)["message"] for line in process.stderr.read().splitlines()
              if line.startswith("{")]
    assert "relay stopped" in logged and "consumer stopped" in logged


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False
