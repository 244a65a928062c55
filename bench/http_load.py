"""HTTP load for the benchmarks: gunicorn on loopback and keep-alive clients.

Bounded in time and count; every process started here is stopped by the caller.
"""

from __future__ import annotations

import http.client
import itertools
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.infra import spawn
from tests.infra.ports import LOOPBACK, port_open

ROOT = Path(__file__).resolve().parent.parent


def gunicorn(module: str, port: int, env: dict, workdir: Path) -> subprocess.Popen:
    """``module:app`` under gunicorn -w 2 --threads 4 on loopback (dies with us)."""
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:shared.gunicorn_config",
            "-w", "2", "--threads", "4",
            "-b", f"{LOOPBACK}:{port}", "--log-level", "warning", f"{module}:app"]
    return spawn(argv, log=workdir / f"{module.rsplit('.', 1)[-1]}.log", cwd=ROOT, env=env)


def wait_ready(process: subprocess.Popen, port: int, path: str, timeout_s: float = 60) -> None:
    """Wait until ``path`` answers 200 on ``port`` (fail if the process exits first)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn on {port} exited with {process.returncode}")
        if port_open(port):
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
            try:
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
        time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} not ready")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 20 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def drive(port: int, paths: list[str], clients: int, seconds: float,
          max_requests: int, headers: dict[str, str] | None = None,
          ) -> tuple[list[float], int, float]:
    """``clients`` keep-alive clients until time or count runs out: (latencies ms, errors, s)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    budget = itertools.count()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        mine = paths[n * 97 % len(paths):] + paths[:n * 97 % len(paths)]
        for path in itertools.cycle(mine):
            if time.monotonic() >= deadline or next(budget) >= max_requests:
                break
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
                ok = False
            latencies[n].append((time.perf_counter() - started) * 1000)
            errors[n] += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [x for per in latencies for x in per], sum(errors), time.perf_counter() - started
