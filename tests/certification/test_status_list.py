"""W3C Bitstring Status List: bit order, encodedList, minimum size, the list credential."""

from __future__ import annotations

import base64
import datetime as dt
import gzip

import pytest

from services.certification.credentials import jwt_vc
from services.certification.credentials.keys import Issuer, IssuerKey
from services.certification.credentials.status_list import (
    MIN_BITS,
    StatusList,
    StatusListError,
    list_credential,
    random_free_index,
    sign_list_credential,
)
from services.certification.credentials.verify import StatusUnavailable, load_list

LIST_URL = "http://localhost:5004/credentials/status/revocation/1"
NOW = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def _encode(raw: bytes) -> str:
    """A hand-made encodedList, independent of the code under test."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw, mtime=0)).decode().rstrip("=")


def _raw(encoded: str) -> bytes:
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_new_list_has_the_minimum_size_and_no_bit_set():
    status_list = StatusList()
    assert len(status_list) == MIN_BITS == 131_072
    assert status_list.to_bytes() == bytes(16 * 1024)
    assert status_list.set_indexes() == []
    with pytest.raises(StatusListError):
        StatusList(MIN_BITS - 8)
    with pytest.raises(StatusListError):
        StatusList(MIN_BITS + 1)


@pytest.mark.parametrize("index", [0, 1, 7, 8, 12_345, MIN_BITS - 1])
def test_revoking_one_index_flips_exactly_its_bit(index):
    status_list = StatusList()
    for other in (3, 4_000, 99_999):  # bits already set stay set
        if other != index:
            status_list.set(other)
    before = status_list.to_bytes()
    status_list.set(index)
    after = status_list.to_bytes()
    changed = [(i, b ^ a) for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
    assert changed == [(index // 8, 0x80 >> (index % 8))]  # one byte, one bit, MSB first
    assert status_list.get(index)
    assert sum(bin(b ^ a).count("1") for b, a in zip(before, after, strict=True)) == 1


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    status_list = StatusList()
    status_list.set(0)
    status_list.set(9)
    assert status_list.to_bytes()[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_clear_undoes_a_suspension_and_out_of_range_indexes_are_refused():
    status_list = StatusList()
    status_list.set(42)
    status_list.clear(42)
    assert status_list.to_bytes() == bytes(MIN_BITS // 8)
    for index in (-1, MIN_BITS):
        with pytest.raises(IndexError):
            status_list.set(index)


def test_encode_is_multibase_base64url_of_gzip_and_round_trips():
    status_list = StatusList()
    for index in (0, 5, 131_071, 77_777):
        status_list.set(index)
    encoded = status_list.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert _raw(encoded) == status_list.to_bytes()  # decodes with the standard library
    assert StatusList.decode(encoded).set_indexes() == [0, 5, 77_777, 131_071]
    assert status_list.encode() == encoded  # deterministic (gzip mtime 0)


def test_decode_of_a_hand_made_list():
    raw = bytearray(MIN_BITS // 8)
    raw[0] = 0b0010_0001   # indexes 2 and 7
    raw[1000] = 0b1000_0000  # index 8000
    decoded = StatusList.decode(_encode(bytes(raw)))
    assert decoded.set_indexes() == [2, 7, 8000]
    assert decoded.get(2) and not decoded.get(3)


def test_decode_of_the_w3c_specs_example_list():
    # Example 3 of the Bitstring Status List v1.0 Recommendation: 16KB, nothing set.
    decoded = StatusList.decode(
        "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
    assert len(decoded) == MIN_BITS
    assert decoded.set_indexes() == []


@pytest.mark.parametrize("encoded", [
    _encode(bytes(MIN_BITS // 8 - 1)),                 # one byte short of the minimum
    base64.urlsafe_b64encode(gzip.compress(bytes(MIN_BITS // 8), mtime=0)).decode(),  # no 'u'
    "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="),
    _encode(bytes(MIN_BITS // 8))[:-10],               # truncated
    "u!!!",
], ids=["short", "no-multibase-prefix", "not-gzip", "truncated", "not-base64url"])
def test_malformed_or_short_lists_are_refused(encoded):
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_random_free_index_avoids_taken_indexes():
    taken = set(range(0, 64))
    assert random_free_index(taken, size=65) == 64
    with pytest.raises(StatusListError):
        random_free_index(set(range(8)), size=8)


def test_the_list_credential_is_signed_and_loads_back_offline():
    issuer = Issuer("http://localhost:5004", IssuerKey.generate())
    status_list = StatusList()
    status_list.set(31_337)
    credential = list_credential(issuer, LIST_URL, status_list, valid_from=NOW,
                                 valid_until=NOW + dt.timedelta(days=1),
                                 ttl=dt.timedelta(minutes=5))
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == LIST_URL
    subject = credential["credentialSubject"]
    assert subject == {"id": f"{LIST_URL}#list", "type": "BitstringStatusList",
                       "statusPurpose": "revocation", "encodedList": status_list.encode(),
                       "ttl": 300_000}
    token = sign_list_credential(credential, issuer)
    assert jwt_vc.unverified_header(token)["kid"] == issuer.kid()
    published = load_list(token, issuer.jwks())
    assert published.url == LIST_URL
    assert published.purpose == frozenset({"revocation"})
    assert published.bits.set_indexes() == [31_337]
    assert published.valid_until == NOW + dt.timedelta(days=1)

    stranger = Issuer("http://localhost:5004", IssuerKey.generate())
    with pytest.raises(StatusUnavailable, match="UNKNOWN_ISSUER_KEY"):
        load_list(token, stranger.jwks())
