"""Ed25519 signing keys from settings, for every service that signs something.

Identity signs tokens, certification credentials, the audit its tree heads: each
reads its key the same way. A key is PKCS#8 PEM text in an environment variable
(``\\n`` escapes allowed, as environment variables carry them); rotated-out keys
are one variable holding several PEMs. Outside production a service without a
configured key generates one and keeps it in a file of its data directory, so a
restart keeps what it signed verifiable (production refuses to start without one:
each service says so itself, naming its variable).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TypeVar, cast

from shared.config import ConfigError
from shared.tokens import SigningKey

K = TypeVar("K", bound=SigningKey)
PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.S)


def unescape(pem: str) -> str:
    """PEM text with the literal ``\\n`` of an environment variable made line breaks."""
    return pem.replace("\\n", "\n").strip()


def pem_blocks(raw: object, variable: str) -> list[str | bytes]:
    """The PEMs in setting ``raw`` (several in one text, or a list); none when unset."""
    if not raw:
        return []
    if isinstance(raw, list | tuple):
        return list(raw)
    if not isinstance(raw, str):
        raise ConfigError(f"{variable} must be PEM text")
    blocks = PEM_BLOCK.findall(unescape(raw))
    if not blocks:
        raise ConfigError(f"{variable} holds no PEM block")
    return blocks


def parse_key(key_class: type[K], pem: str | bytes, name: str) -> K:
    """``pem`` as a key of ``key_class``; :class:`ConfigError` naming ``name`` if it is not one."""
    text = pem.decode() if isinstance(pem, bytes) else unescape(pem)
    try:
        return cast(K, key_class.from_pem(text))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name} is not an Ed25519 PKCS#8 PEM: {exc}") from exc


def persistent_dev_key(key_class: type[K], path: Path) -> K:
    """The key in ``path``, created first if missing.

    Safe when processes race: each writes its own temporary file and ``link()``s it
    into place, which fails for all but the first; everyone then reads the winner's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key_class.generate().to_pem())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return parse_key(key_class, path.read_text(), str(path))
