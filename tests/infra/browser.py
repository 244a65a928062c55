"""A real browser for the web UI's tests and benchmarks: Debian's Chromium, axe-core, Lighthouse.

Playwright for Python (a ``dev`` extra) drives Debian's ``chromium`` package, launched
with ``executable_path=chromium_path()``: Playwright's own browser download needs a
network this project does not have, and is never used. The npm packages ``axe-core``
(the accessibility rules, injected into pages) and ``lighthouse`` (its CLI, run by
Node ≥ 20) are installed once into ``<cache>/node/<hash of the pins>/``, outside the
clone; a new pin gets a new directory.

    ensure_installed()                      # apt-get install chromium when missing, npm once
    browser.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
    page.add_script_tag(path=axe_script_path())
    [node, lighthouse_cli(), url, "--chrome-path", chromium_path(), ...]

Chromium runs as root here, with nothing to reach but loopback: ``CHROMIUM_ARGS`` turns
off the sandbox (root), the GPU (none), QUIC and every background connection (refused by
the closed network, and noise in timings); each launch also needs a fresh
``--user-data-dir`` (Playwright makes one itself; :func:`chromium_flags` adds one).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import tempfile
from pathlib import Path

from tests.infra import ComponentError, apt_install, cache_dir, install_lock, run

__all__ = [
    "AXE_CORE_VERSION",
    "CHROMIUM_ARGS",
    "LIGHTHOUSE_VERSION",
    "NODE_MAJOR",
    "axe_script_path",
    "chromium_flags",
    "chromium_path",
    "ensure_installed",
    "lighthouse_cli",
    "node_path",
]

AXE_CORE_VERSION = "4.14.1"
LIGHTHOUSE_VERSION = "12.8.2"
NODE_MAJOR = 20  # Lighthouse 12 wants >= 18.16; the machines have 20

CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",  # we are root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

_installed: Path | None = None


def _npm_packages() -> list[str]:
    return [f"axe-core@{AXE_CORE_VERSION}", f"lighthouse@{LIGHTHOUSE_VERSION}"]


def _node_prefix() -> Path:
    """Where the pinned npm packages live: one directory per set of pins."""
    digest = hashlib.sha256(" ".join(_npm_packages()).encode()).hexdigest()[:12]
    return cache_dir() / "node" / digest


def chromium_path() -> str:
    """Debian's ``chromium`` on PATH (:class:`ComponentError` if it is not installed)."""
    found = shutil.which("chromium")
    if found is None:
        raise ComponentError("chromium not found: `python -m tests.infra ensure browser`")
    return found


def chromium_flags(user_data_dir: str | os.PathLike[str]) -> list[str]:
    """:data:`CHROMIUM_ARGS` plus a ``--user-data-dir`` (give each launch a fresh one)."""
    return [*CHROMIUM_ARGS, f"--user-data-dir={os.fspath(user_data_dir)}"]


def node_path() -> str:
    """``node`` ≥ :data:`NODE_MAJOR` (:class:`ComponentError` if missing or older)."""
    node = shutil.which("node") or ("/usr/bin/node" if os.access("/usr/bin/node", os.X_OK)
                                    else None)
    if node is None:
        raise ComponentError(f"Lighthouse needs Node >= {NODE_MAJOR} ('node' not on PATH)")
    version = run([node, "--version"], what="node --version").strip()
    match = re.match(r"v(\d+)\.", version)
    if match is None or int(match.group(1)) < NODE_MAJOR:
        raise ComponentError(f"Lighthouse needs Node >= {NODE_MAJOR}, {node} is {version}")
    return node


def _ensure_chromium() -> None:
    if shutil.which("chromium") is None:
        with install_lock("chromium"):
            if shutil.which("chromium") is None:
                apt_install("chromium")
    chromium_path()


def _ensure_playwright() -> None:
    if importlib.util.find_spec("playwright") is None:
        raise ComponentError("Python package playwright missing: pip install -e '.[dev]'")


def _ensure_npm_packages() -> Path:
    prefix = _node_prefix()
    if (prefix / ".complete").exists():
        return prefix
    npm = shutil.which("npm")
    if npm is None:
        raise ComponentError("installing axe-core and Lighthouse needs npm ('npm' not on PATH)")
    with install_lock("node"):
        if not (prefix / ".complete").exists():
            prefix.parent.mkdir(parents=True, exist_ok=True)
            # Install beside the target, then rename: a half-done install is never used.
            with tempfile.TemporaryDirectory(dir=prefix.parent, prefix=".install-") as scratch:
                run([npm, "install", "--prefix", scratch, "--no-audit", "--no-fund",
                     "--no-update-notifier", "--loglevel=error", *_npm_packages()],
                    what=f"npm install {' '.join(_npm_packages())}", cwd=scratch)
                (Path(scratch) / ".complete").write_text(" ".join(_npm_packages()) + "\n")
                shutil.rmtree(prefix, ignore_errors=True)
                os.replace(scratch, prefix)
    return prefix


def ensure_installed() -> Path:
    """Chromium (apt), Node ≥ 20, Playwright (pip) and the pinned npm packages (cached).

    Returns the npm prefix holding ``node_modules/axe-core`` and ``node_modules/lighthouse``.
    """
    global _installed
    if _installed is not None:
        return _installed
    _ensure_chromium()
    node_path()
    _ensure_playwright()
    prefix = _ensure_npm_packages()
    for needed in (prefix / "node_modules" / "axe-core" / "axe.min.js",
                   prefix / "node_modules" / "lighthouse" / "cli" / "index.js"):
        if not needed.exists():
            raise ComponentError(f"{needed} missing: remove {prefix} and ensure again")
    _installed = prefix
    return prefix


def axe_script_path() -> Path:
    """The cached ``axe.min.js`` (installs on first use)."""
    return ensure_installed() / "node_modules" / "axe-core" / "axe.min.js"


def lighthouse_cli() -> Path:
    """The cached Lighthouse CLI, ``node_modules/lighthouse/cli/index.js`` (run it with node)."""
    return ensure_installed() / "node_modules" / "lighthouse" / "cli" / "index.js"
