"""RFC 9162 hashing and proofs: the published vectors, and a naive reading of the RFC."""

from __future__ import annotations

import functools
import hashlib

import pytest

from services.audit.log import merkle

# transparency-dev/merkle testonly/constants.go and proof/verify_test.go (RFC 6962 = RFC 9162
# §2.1 hashing): eight leaf inputs, the roots of every prefix, and known proofs.
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
                                     "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
H = {name: bytes.fromhex(h) for name, h in {
    "l1": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "l4": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "l6": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "l0": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "n01": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "n11": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "n12": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "n13": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "n20": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "n21": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}.items()}
INCLUSION = [  # (leaf index, tree size, proof)
    (0, 8, ["l1", "n11", "n21"]), (5, 8, ["l4", "n13", "n20"]), (2, 3, ["n01"]),
    (1, 5, ["l0", "n11", "l4"])]
CONSISTENCY = [(1, 8, ["l1", "n11", "n21"]), (6, 8, ["n12", "n13", "n20"]),
               (2, 5, ["n11", "l4"]), (6, 7, ["n12", "l6", "n20"])]


def accessor(leaves: list[bytes]):
    """Complete subtree hashes of ``leaves`` straight from the RFC's definition."""
    return lambda level, index: mth(tuple(leaves[index << level:(index + 1) << level]))


@functools.cache
def mth(leaves: tuple[bytes, ...]) -> bytes:
    """MTH (RFC 9162 §2.1.1), read literally."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: tuple[bytes, ...]) -> list[bytes]:
    """PATH(m, D[n]) (§2.1.3.1), read literally."""
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: tuple[bytes, ...], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) (§2.1.4.1), read literally."""
    if m == len(leaves):
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def test_roots_of_the_published_vectors():
    hash_at = accessor(LEAVES)
    assert merkle.root(0, hash_at) == merkle.EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert [merkle.root(n, hash_at) for n in range(1, 9)] == ROOTS


@pytest.mark.parametrize(("index", "size", "names"), INCLUSION)
def test_inclusion_proofs_of_the_published_vectors(index, size, names):
    proof = merkle.inclusion_proof(index, size, accessor(LEAVES))
    assert proof == [H[name] for name in names]
    assert merkle.verify_inclusion(merkle.leaf_hash(LEAVES[index]), index, size, proof,
                                   ROOTS[size - 1])


@pytest.mark.parametrize(("first", "second", "names"), CONSISTENCY)
def test_consistency_proofs_of_the_published_vectors(first, second, names):
    proof = merkle.consistency_proof(first, second, accessor(LEAVES))
    assert proof == [H[name] for name in names]
    assert merkle.verify_consistency(first, second, ROOTS[first - 1], ROOTS[second - 1], proof)


SIZES = range(1, 71)
DATA = [f"entry {i}".encode() for i in range(max(SIZES))]


def corrupted(proof: list[bytes]) -> list[list[bytes]]:
    """A proof with one element's bit flipped, one element dropped, one appended."""
    variants = [[*proof[:i], bytes([proof[i][0] ^ 1]) + proof[i][1:], *proof[i + 1:]]
                for i in range(len(proof))]
    return [*variants, proof[:-1], [*proof, proof[-1] if proof else merkle.EMPTY_ROOT]]


def test_every_inclusion_proof_matches_the_rfc_and_verifies_only_as_given():
    hash_at = accessor(DATA)
    for size in SIZES:
        leaves = tuple(DATA[:size])
        assert merkle.root(size, hash_at) == mth(leaves)
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, hash_at)
            assert proof == path(index, leaves), (index, size)
            leaf = merkle.leaf_hash(DATA[index])
            assert merkle.verify_inclusion(leaf, index, size, proof, mth(leaves))
            assert not merkle.verify_inclusion(leaf, index, size * 2, proof, mth(leaves))
            other = (index + 1) % size
            if other != index:
                assert not merkle.verify_inclusion(leaf, other, size, proof, mth(leaves))
            assert not any(merkle.verify_inclusion(leaf, index, size, bad, mth(leaves))
                           for bad in corrupted(proof) if bad != proof)


def test_every_consistency_proof_matches_the_rfc_and_verifies_only_as_given():
    hash_at = accessor(DATA)
    for second in SIZES:
        new = mth(tuple(DATA[:second]))
        for first in range(1, second + 1):
            old = mth(tuple(DATA[:first]))
            proof = merkle.consistency_proof(first, second, hash_at)
            assert proof == subproof(first, tuple(DATA[:second]), True), (first, second)
            assert merkle.verify_consistency(first, second, old, new, proof)
            if first < second:
                assert not merkle.verify_consistency(first, second, new, old, proof)
                assert not merkle.verify_consistency(first, second * 2, old, new, proof)
                assert not any(merkle.verify_consistency(first, second, old, new, bad)
                               for bad in corrupted(proof) if bad != proof)


def test_trivial_and_impossible_consistency():
    root = merkle.leaf_hash(b"x")
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    assert merkle.verify_consistency(3, 3, root, root, [])
    assert not merkle.verify_consistency(3, 3, root, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_consistency(4, 3, root, root, [])
    with pytest.raises(ValueError):
        merkle.consistency_ranges(4, 3)
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(3, 3)
