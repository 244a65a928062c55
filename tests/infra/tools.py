"""Command-line checkers the deployment tests run: shellcheck (apt) and kubectl (kustomize)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.infra import ComponentError, apt_install, install_lock


def ensure_installed() -> Path:
    """shellcheck (installed from Debian when missing) and kubectl; returns shellcheck's path."""
    if shutil.which("shellcheck") is None:
        with install_lock("shellcheck"):
            if shutil.which("shellcheck") is None:
                apt_install("shellcheck")
    found = shutil.which("shellcheck")
    if found is None:
        raise ComponentError("shellcheck installed but not on PATH")
    if shutil.which("kubectl") is None:
        # The machine image ships kubectl (with kustomize); Debian's own is too old.
        raise ComponentError("kubectl not found: install it to render the kustomize manifests")
    return Path(found)
