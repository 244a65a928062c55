"""``score run``: the whole marketplace on one machine (SQLite, the local bus, demo data).

Every service runs as its own process (development server, relay and consumer
as threads), sharing ``var/`` for its SQLite file and the local bus log. The
launcher seeds demo data, prints the URLs and stops everything on Ctrl-C.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request

from shared.config import DEV_PORTS, load_settings
from shared.runtime import load_runtime

# Start order: identity first (others fetch its JWKS), then the rest.
SERVICE_ORDER = ("identity", "catalog", "enrolment", "sponsorship", "certification", "audit",
                 "portal")


def available_services() -> list[str]:
    """The services that exist in this checkout, in start order."""
    return [name for name in SERVICE_ORDER if importlib.util.find_spec(f"services.{name}")]


def seed_all(services: list[str]) -> None:
    """Migrate each service's database and load the demo data (``services.demo``)."""
    databases = {}
    for name in services:
        databases[name] = load_runtime(name).database(load_settings(name).database_url)
        databases[name].migrate(load_runtime(name).migrations)
    importlib.import_module("services.demo").seed_marketplace(databases)
    for db in databases.values():
        db.dispose()


def _wait_healthy(name: str, port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see its log above")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not become healthy on port {port}")


def service_port(name: str) -> int:
    """Where the launcher serves ``name`` (``SCORE_<NAME>_PORT`` or its development port)."""
    return load_settings(name).port or DEV_PORTS[name]


def run_all(seed: bool = True) -> int:
    """Start every service, print where they are, and wait for Ctrl-C."""
    services = available_services()
    env = dict(os.environ, SCORE_RUN_WORKERS="true")
    if "identity" in services and "SCORE_JWKS_URL" not in env:
        env["SCORE_JWKS_URL"] = (f"http://127.0.0.1:{service_port('identity')}"
                                 "/.well-known/jwks.json")
    if seed:
        seed_all(services)
    processes: dict[str, subprocess.Popen] = {}

    def stop(*_args) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def on_sigterm(*_args) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        for name in services:
            port = service_port(name)
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "serve", name, "--port", str(port)],
                env=env)
            _wait_healthy(name, port, processes[name])
        _print_urls(services)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        failed = [n for n, p in processes.items() if p.poll() is not None]
        print(f"stopped: {', '.join(failed)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


def _print_urls(services: list[str]) -> None:
    print("\nSCORE Marketplace is running (embedded: SQLite in var/, local event bus):")
    for name in services:
        port = service_port(name)
        print(f"  {name:<14} http://127.0.0.1:{port}   API docs: http://127.0.0.1:{port}/docs")
    print("Demo accounts: see README.md (Try it). Press Ctrl-C to stop.\n", flush=True)
