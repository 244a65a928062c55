"""stripe-mock (Stripe's official API mock) for tests, built with ``go install``.

The binary is cached in ``<cache>/stripe-mock/<version>/stripe-mock`` (Go module
downloads in ``<cache>/go/mod``); Go must be installed. Both its HTTP and HTTPS
listeners are bound to 127.0.0.1 on ports the kernel picks, read from its output.

    with stripe_mock.start() as mock:
        stripe.StripeClient("sk_test_123", base_addresses={"api": mock.url})
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from tests.infra import (
    ComponentError,
    Service,
    cache_dir,
    install_lock,
    make_workdir,
    run,
    spawn,
    wait_until,
)
from tests.infra.ports import LOOPBACK

if TYPE_CHECKING:
    import subprocess

__all__ = ["MODULE", "STRIPE_MOCK_VERSION", "StripeMock", "ensure_installed", "start"]

MODULE = "github.com/stripe/stripe-mock"
STRIPE_MOCK_VERSION = "v0.203.0"
_LISTENING = re.compile(r"Listening for HTTP at address: [\d.]+:(\d+)")

_installed: Path | None = None


def _go() -> str:
    found = shutil.which("go") or next(
        (p for p in ("/usr/local/go/bin/go", "/usr/lib/go/bin/go") if os.access(p, os.X_OK)), None
    )
    if not found:
        raise ComponentError("building stripe-mock needs Go ('go' not on PATH)")
    return found


def ensure_installed() -> Path:
    """``go install`` the pinned stripe-mock once; return the cached binary."""
    global _installed
    if _installed is not None:
        return _installed
    binary = cache_dir() / "stripe-mock" / STRIPE_MOCK_VERSION / "stripe-mock"
    if not os.access(binary, os.X_OK):
        go = _go()
        with install_lock("stripe-mock"):
            if not os.access(binary, os.X_OK):
                binary.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(dir=binary.parent) as gobin:
                    flags = os.environ.get("GOFLAGS", "")
                    env = {
                        **os.environ,
                        "GOBIN": gobin,
                        "GOMODCACHE": str(cache_dir() / "go" / "mod"),
                        "GOFLAGS": f"{flags} -modcacherw".strip(),  # cache stays deletable
                    }
                    run(
                        [go, "install", f"{MODULE}@{STRIPE_MOCK_VERSION}"],
                        what=f"go install {MODULE}@{STRIPE_MOCK_VERSION}",
                        env=env,
                    )
                    os.replace(Path(gobin) / "stripe-mock", binary)
    _installed = binary
    return binary


class StripeMock(Service):
    """A running stripe-mock; ``url`` is ``"http://127.0.0.1:PORT"`` (any ``sk_test_`` key)."""

    name = "stripe-mock"

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path, logs: list[Path]) -> None:
        super().__init__(process, workdir, logs)
        self.port = 0
        self.url = ""

    def _port_from_log(self) -> bool:
        match = _LISTENING.search(self.logs[0].read_text(errors="replace"))
        if match:
            self.port = int(match.group(1))
            self.url = f"http://{LOOPBACK}:{self.port}"
        return match is not None

    def answers(self) -> bool:
        """True once the HTTP port is known and ``GET /v1/customers`` returns 200."""
        if not self.port and not self._port_from_log():
            return False
        request = urllib.request.Request(
            f"{self.url}/v1/customers", headers={"Authorization": "Bearer sk_test_123"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def start(*, timeout: float = 30.0) -> StripeMock:
    """Start stripe-mock on kernel-chosen loopback ports; return once it answers."""
    binary = ensure_installed()
    workdir = make_workdir("stripe-mock")
    log = workdir / "stripe-mock.log"
    process = spawn(
        [binary, "-http-addr", f"{LOOPBACK}:0", "-https-addr", f"{LOOPBACK}:0"],
        log=log,
        cwd=workdir,
    )
    mock = StripeMock(process, workdir, [log])
    try:
        wait_until(mock.answers, timeout=timeout, service=mock, what="stripe-mock")
    except BaseException:
        mock.stop()
        raise
    return mock
