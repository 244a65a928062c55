"""Under gunicorn, as deployed (``deploy/boot.sh``), a service announces no server software."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.infra.ports import LOOPBACK, free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "python:shared.gunicorn_config"


@pytest.fixture
def served(tmp_path):
    """The pingpong service under gunicorn (gthread, like boot.sh) with the shared config."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCORE_")}
    env.update(SCORE_ENV="test", SCORE_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", CONFIG, "--workers", "1",
         "--threads", "2", "--bind", f"{LOOPBACK}:{port}",
         "tests.support.pingpong:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield _wait_until_serving(process, port)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


def _wait_until_serving(process: subprocess.Popen, port: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            _get(port, "/healthz")
            return port
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 60 s")


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_gunicorn_sends_no_server_header(served):
    for path in ("/healthz", "/nowhere"):
        response = _get(served, path)
        assert response.getheader("Server") is None, response.getheaders()
        assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_the_deployed_api_and_the_benchmarks_use_that_config():
    assert f"--config {CONFIG}" in (ROOT / "deploy" / "boot.sh").read_text()
    assert f'"-c", "{CONFIG}"' in (ROOT / "bench" / "http_load.py").read_text()
