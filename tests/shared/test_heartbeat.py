"""The liveness signal of relay and consumer processes: a heartbeat file and its probe."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from shared.cli import main
from shared.heartbeat import Heartbeat


def age_file(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_beat_creates_and_refreshes_the_file(tmp_path):
    path = tmp_path / "heartbeat"
    Heartbeat(path).beat()
    age_file(path, 120)
    Heartbeat(path).beat()
    assert time.time() - path.stat().st_mtime < 5


def test_alive_passes_on_a_fresh_heartbeat_and_fails_on_a_stale_or_missing_one(tmp_path, capsys):
    path = tmp_path / "heartbeat"
    assert main(["alive", str(path)]) == 1
    assert "no heartbeat yet" in capsys.readouterr().err
    Heartbeat(path).beat()
    assert main(["alive", str(path), "--max-age", "30"]) == 0
    age_file(path, 45)
    assert main(["alive", str(path), "--max-age", "30"]) == 1
    assert "last heartbeat 45 s ago" in capsys.readouterr().err
    assert main(["alive", str(path), "--max-age", "60"]) == 0


def test_the_probe_form_answers_without_loading_the_project(tmp_path):
    path = tmp_path / "heartbeat"
    Heartbeat(path).beat()
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "shared.heartbeat",
                             str(path), "--max-age", "30"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "sqlalchemy" not in result.stderr and "flask" not in result.stderr
