"""W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/).

Read from w3c/vc-bitstring-status-list ``transitions/2025/REC/index.html``:

- the bitstring is at least 16KB, i.e. 131,072 entries ("minimumNumberOfEntries"); a
  verifier raises STATUS_LIST_LENGTH_ERROR on a shorter list, so we refuse one too;
- index 0 is the left-most bit: the most significant bit of the first byte;
- ``encodedList`` is Multibase base64url without padding (prefix ``u``) of the GZIP
  (RFC 1952) compressed bitstring;
- the list is published as a ``BitstringStatusListCredential`` whose ``credentialSubject``
  is a ``BitstringStatusList`` with ``statusPurpose`` and ``encodedList``, secured by the
  same mechanism as the credentials it serves (§3.6) – here a JWT-VC like theirs.

Statuses are one bit (``statusSize`` 1, the default): revocation (never cleared) or
suspension (reversible); one list per purpose.

GZIP output uses mtime 0, so the same bits always give the same ``encodedList`` – a
published list only changes (and caches only miss) when a bit does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import secrets
import zlib
from collections.abc import Collection

from services.certification.credentials import jwt_vc
from services.certification.credentials.badges import VC_CONTEXT, profile, xsd_datetime
from services.certification.credentials.keys import Issuer

MIN_BITS = 131_072
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
#: A decoded list may not expand beyond this (a gzip bomb is refused, not inflated): 16 MiB.
MAX_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """A malformed or too short ``encodedList``."""


class StatusList:
    """A mutable bitstring of ``size`` bits (a multiple of 8, at least ``MIN_BITS``)."""

    def __init__(self, size: int = MIN_BITS, *, minimum: int = MIN_BITS) -> None:
        if size % 8 or size < minimum:
            raise StatusListError(f"a status list has a multiple of 8 bits, at least {minimum}")
        self._bits = bytearray(size // 8)

    @classmethod
    def from_bytes(cls, data: bytes, *, minimum: int = MIN_BITS) -> StatusList:
        """The list whose bitstring is ``data``."""
        status_list = cls(len(data) * 8, minimum=minimum)
        status_list._bits[:] = data
        return status_list

    def __len__(self) -> int:
        return len(self._bits) * 8

    def to_bytes(self) -> bytes:
        """The raw (uncompressed) bitstring."""
        return bytes(self._bits)

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < len(self):
            raise IndexError(f"status index {index} outside 0..{len(self) - 1}")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        """Whether the bit at ``index`` is set (index 0 = the first byte's top bit)."""
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or with ``value=False`` clear) the bit at ``index``."""
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        """Clear the bit at ``index`` (lifting a suspension; revocations are never cleared)."""
        self.set(index, False)

    def set_indexes(self) -> list[int]:
        """Every index whose bit is set, ascending (for tests and audits)."""
        return [i * 8 + bit for i, byte in enumerate(self._bits) if byte
                for bit in range(8) if byte & (0x80 >> bit)]

    def encode(self) -> str:
        """The ``encodedList``: ``u`` + base64url (no padding) of the gzipped bitstring."""
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, *, minimum: int = MIN_BITS) -> StatusList:
        """The list an ``encodedList`` holds; ``StatusListError`` when it is malformed or
        shorter than ``minimum`` bits."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
        body = encoded[1:]
        if "=" in body:
            raise StatusListError("encodedList must not be padded")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing only
            data = inflater.decompress(compressed, MAX_BYTES + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise StatusListError(f"encodedList is not base64url GZIP: {exc}") from exc
        if len(data) > MAX_BYTES:
            raise StatusListError("encodedList expands beyond the size accepted")
        if not inflater.eof:
            raise StatusListError("encodedList is a truncated GZIP stream")
        if len(data) * 8 < minimum:
            raise StatusListError(
                f"status list has {len(data) * 8} entries, fewer than the minimum {minimum}")
        return cls.from_bytes(data, minimum=minimum)


def random_free_index(taken: Collection[int], size: int = MIN_BITS) -> int:
    """A random unused index: the spec says indexes SHOULD be random so that a position
    reveals neither when a credential was issued nor how many were."""
    if len(taken) >= size:
        raise StatusListError("the status list is full")
    while True:
        index = secrets.randbelow(size)
        if index not in taken:
            return index


def list_credential(issuer: Issuer, list_url: str, status_list: StatusList, *,
                    purpose: str = "revocation", valid_from: dt.datetime,
                    valid_until: dt.datetime | None = None,
                    ttl: dt.timedelta | None = None) -> dict:
    """The ``BitstringStatusListCredential`` published at ``list_url`` (its ``id``, which every
    entry's ``statusListCredential`` names). ``ttl`` becomes the subject's ``ttl``
    (milliseconds), the hint for how long verifiers may cache it."""
    subject: dict = {"id": f"{list_url}#list", "type": LIST_TYPE, "statusPurpose": purpose,
                     "encodedList": status_list.encode()}
    if ttl is not None:
        subject["ttl"] = int(ttl.total_seconds() * 1000)
    credential = {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": profile(issuer.did, issuer.name, issuer.base_url),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": subject,
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    return credential


def sign_list_credential(credential: dict, issuer: Issuer) -> str:
    """The list credential as a JWT-VC, verifiable offline with the issuer's JWKS."""
    return jwt_vc.sign(credential, issuer)
