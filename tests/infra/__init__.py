"""Throwaway test infrastructure: Kafka, PostgreSQL and stripe-mock without Docker.

Each component module (:mod:`tests.infra.kafka`, :mod:`tests.infra.postgres`,
:mod:`tests.infra.stripe_mock`) offers ``ensure_installed() -> Path`` (idempotent,
downloads cached in :func:`cache_dir`) and ``start() -> handle``. A handle runs one
child process bound to 127.0.0.1 in its own temp dir; ``handle.stop()`` (or leaving
its ``with`` block) ends it and removes the dir.

Children never outlive us: ``atexit`` stops every live handle, and each child gets
``PR_SET_PDEATHSIG`` so the kernel signals it when our process (strictly: the thread
that started it) dies, even by SIGKILL. Temp dirs of dead owners are swept on the
next start. Set ``SCORE_INFRA_KEEP_TMP=1`` to keep temp dirs (logs) after stop.

This package is stdlib-only (kafka-python is imported lazily for the Kafka readiness
probe) so that pytest fixtures and bench scripts can both use it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = [
    "ComponentError",
    "Service",
    "cache_dir",
    "install_lock",
    "make_workdir",
    "run",
    "spawn",
    "wait_until",
]

_PREFIX = "score-infra-"
_PR_SET_PDEATHSIG = 1


class ComponentError(RuntimeError):
    """A component could not be installed or started (message says why)."""


def cache_dir() -> Path:
    """Return (and create) the download cache, outside the clone.

    ``$SCORE_CACHE_DIR``, default ``~/.cache/score-marketplace``.
    """
    default = Path.home() / ".cache" / "score-marketplace"
    path = Path(os.environ.get("SCORE_CACHE_DIR") or default).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def install_lock(name: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` so concurrent installs (xdist, parallel CI jobs) serialise."""
    lock_path = cache_dir() / f".{name}.lock"
    with open(lock_path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run(argv: Sequence[str | os.PathLike[str]], *, what: str, **kwargs: object) -> str:
    """Run a command to completion; raise :class:`ComponentError` with its output on failure."""
    try:
        proc: subprocess.CompletedProcess[str] = subprocess.run(
            [os.fspath(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            **kwargs,  # type: ignore[call-overload]
        )
    except OSError as exc:
        raise ComponentError(f"{what}: cannot run {argv[0]}: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise ComponentError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def apt_install(*packages: str) -> None:
    """``apt-get update && apt-get install PACKAGES`` (root, or passwordless sudo)."""
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise ComponentError(f"missing: run `apt-get install {' '.join(packages)}` as root")
    if not shutil.which("apt-get"):
        raise ComponentError(f"missing and no apt-get: install {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*prefix, "apt-get", "update", "-q"], what="apt-get update", env=env)
    run([*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        what=f"apt-get install {' '.join(packages)}", env=env)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_stale_workdirs() -> None:
    """Remove temp dirs left by owners that died without cleaning up (e.g. SIGKILL)."""
    for path in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            owner = int((path / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if not _pid_alive(owner):
            shutil.rmtree(path, ignore_errors=True)


def make_workdir(component: str, owner_uid: int | None = None) -> Path:
    """Create a fresh temp dir for one instance (optionally chowned to ``owner_uid``)."""
    _sweep_stale_workdirs()
    path = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{component}-"))
    (path / "owner.pid").write_text(str(os.getpid()))
    if owner_uid is not None:
        os.chown(path, owner_uid, -1)
    return path


def _death_signal_preexec(sig: int) -> Callable[[], None] | None:
    """Build a ``preexec_fn`` asking the kernel to send ``sig`` when our thread dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:  # runs in the child, after fork and setuid, before exec
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # parent already gone before prctl took effect
            os.kill(os.getpid(), sig)

    return preexec


def spawn(
    argv: Sequence[str | os.PathLike[str]],
    *,
    log: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    user: str | None = None,
    death_signal: int = signal.SIGTERM,
) -> subprocess.Popen[bytes]:
    """Start a child in its own session that dies with us; stdout/stderr go to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [os.fspath(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            user=user,
            group=user,
            extra_groups=[] if user else None,
            start_new_session=True,  # Ctrl-C goes to us; we stop children in order
            preexec_fn=_death_signal_preexec(death_signal),
        )


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    service: Service,
    what: str,
    interval: float = 0.1,
) -> None:
    """Poll ``check`` until it returns True; fail fast if the service process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if service.process.poll() is not None:
            raise ComponentError(
                f"{what}: process exited with {service.process.returncode}\n{service.log_tail()}"
            )
        if check():
            return
        if time.monotonic() > deadline:
            raise ComponentError(f"{what}: not ready after {timeout:.0f}s\n{service.log_tail()}")
        time.sleep(interval)


_LIVE: set[Service] = set()


@atexit.register
def _stop_all() -> None:
    for service in list(_LIVE):
        service.stop()


class Service:
    """Handle for one running child process in a temp dir; see the component modules."""

    name = "service"
    stop_signal: int = signal.SIGTERM
    stop_timeout = 20.0

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path, logs: list[Path]) -> None:
        self.process = process
        self.workdir = workdir
        self.logs = logs
        _LIVE.add(self)

    @property
    def alive(self) -> bool:
        """True while the child process runs."""
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """Last ``lines`` lines of each log file, for error messages."""
        parts = []
        for path in self.logs:
            try:
                text = path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            parts.append(f"--- tail of {path} ---\n" + "\n".join(text))
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop the child (signal, then SIGKILL after ``stop_timeout``) and remove the dir."""
        _LIVE.discard(self)
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not os.environ.get("SCORE_INFRA_KEEP_TMP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.alive else "stopped"
        return f"<{type(self).__name__} pid={self.process.pid} {state} {self.workdir}>"
