"""The official AsyncAPI 3.0.0 JSON Schema, from the ``@asyncapi/specs`` npm package (cached)."""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path

from tests.infra import ComponentError, cache_dir, install_lock, run

SPECS_VERSION = "6.11.1"
SCHEMA_NAME = "3.0.0-without-$id.json"


def ensure_installed() -> Path:
    """``npm pack`` the pinned specs once; return the cached AsyncAPI 3.0.0 schema file."""
    target = cache_dir() / "asyncapi" / SPECS_VERSION / SCHEMA_NAME
    if target.exists():
        return target
    npm = shutil.which("npm")
    if not npm:
        raise ComponentError("fetching the AsyncAPI schema needs npm ('npm' not on PATH)")
    with install_lock("asyncapi"):
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory() as scratch:
                run([npm, "pack", f"@asyncapi/specs@{SPECS_VERSION}", "--silent"],
                    what="npm pack @asyncapi/specs", cwd=scratch)
                [tarball] = Path(scratch).glob("*.tgz")
                with tarfile.open(tarball) as archive:
                    member = archive.extractfile(f"package/schemas/{SCHEMA_NAME}")
                    if member is None:
                        raise ComponentError(f"{SCHEMA_NAME} missing from @asyncapi/specs")
                    target.write_bytes(member.read())
    return target
