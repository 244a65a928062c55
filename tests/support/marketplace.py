"""The whole marketplace as ``score run`` starts it, on free ports, for e2e tests and benches.

    with embedded_marketplace(tmp_path) as market:
        urllib.request.urlopen(f"{market.urls['catalog']}/sessions")

Every service :func:`shared.runtime.discover_runtimes` finds gets a free loopback port
(``SCORE_<NAME>_PORT``), so a new service is reachable without changes here. The
launcher runs on the embedded default (SQLite files and the local bus in ``data_dir``,
demo data seeded) as its own process group, which dies with us; leaving the ``with``
block sends it SIGTERM (SIGKILL after 20 s).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from shared.runtime import discover_runtimes
from tests.infra import spawn
from tests.infra.ports import LOOPBACK, free_ports

__all__ = ["Marketplace", "embedded_marketplace"]

ROOT = Path(__file__).resolve().parents[2]
READY = "is running"


@dataclasses.dataclass(frozen=True)
class Marketplace:
    """A running embedded marketplace: each service's base URL, its data and its launcher."""

    urls: dict[str, str]
    data_dir: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    @property
    def log(self) -> Path:
        """The launcher's output (seeding progress, URLs, every service's log lines)."""
        return self.data_dir / "run.log"

    def __getitem__(self, service: str) -> str:
        """``market["catalog"]`` is ``market.urls["catalog"]``."""
        return self.urls[service]

    def log_tail(self, chars: int = 3000) -> str:
        """The last ``chars`` characters of :attr:`log` (0: all of it), for failure messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _environment(data_dir: Path, ports: Mapping[str, int],
                 extra_env: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    # The embedded default: no database URLs, bus or service URLs from the caller's shell.
    for name in list(env):
        if (name.endswith("_DATABASE_URL")
                or name in ("SCORE_BUS", "SCORE_JWKS_URL", "SCORE_LOCAL_BUS_PATH")
                or (name.startswith("SCORE_") and name.endswith("_PORT"))):
            env.pop(name)
    env.update(SCORE_DATA_DIR=str(data_dir), SCORE_LOG_LEVEL="WARNING")
    env.update({f"SCORE_{name.upper()}_PORT": str(port) for name, port in ports.items()})
    env.update(extra_env or {})
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def embedded_marketplace(data_dir: str | os.PathLike[str],
                         extra_env: Mapping[str, str] | None = None,
                         timeout: float = 120.0) -> Iterator[Marketplace]:
    """Run ``python -m shared.cli run`` in ``data_dir`` until the ``with`` block ends.

    Yields once the launcher says the marketplace is running (demo data seeded, every
    service healthy); :class:`AssertionError` with the log's tail if it is not within
    ``timeout`` seconds or exits first. ``extra_env`` is set last (it may move a port).
    """
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    names = [runtime.name for runtime in discover_runtimes()]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = _environment(data, ports, extra_env)
    urls = {name: f"http://{LOOPBACK}:{env[f'SCORE_{name.upper()}_PORT']}" for name in names}
    log = data / "run.log"
    process = spawn([sys.executable, "-m", "shared.cli", "run"], log=log, cwd=ROOT, env=env)
    market = Marketplace(urls=urls, data_dir=data, process=process, env=env)
    try:
        deadline = time.monotonic() + timeout
        while READY not in market.log_tail(chars=0):
            if process.poll() is not None:
                raise AssertionError(f"the marketplace exited with {process.returncode}:\n"
                                     f"{market.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the marketplace is not running after {timeout:.0f} s:\n"
                                     f"{market.log_tail()}")
            time.sleep(0.25)
        yield market
    finally:
        _stop(process)
