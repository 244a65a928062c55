"""RFC 9162 Merkle tree hashing, proofs and their verification – pure, no storage.

Hashes (RFC 9162 §2.1.1, SHA-256): a leaf is ``SHA-256(0x00 || entry)``, an
interior node ``SHA-256(0x01 || left || right)``; MTH of ``n > 1`` leaves splits
at ``k``, the largest power of two smaller than ``n``. The log's entry is the
stored CloudEvent's bytes, verbatim.

A *node* ``(level, index)`` is the complete subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``: what tile storage can hand out
cheaply. Proof generation is split in two so that storage can fetch everything
a proof needs in one read: :func:`inclusion_ranges` / :func:`consistency_ranges`
name the leaf ranges whose MTH the proof lists (RFC §2.1.3.1, §2.1.4.1, which
depend on sizes alone), :func:`range_nodes` the complete subtrees each range is
made of, and :func:`range_hash` folds their hashes into the range's MTH.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
#: MTH({}) = SHA-256() (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)
HashAt = Callable[[int, int], bytes]  # (level, index) -> that complete subtree's hash


def leaf_hash(entry: bytes) -> bytes:
    """MTH of the one-leaf list ``[entry]``."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node over ``left`` and ``right``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split(n: int) -> int:
    """``k``: the largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """MTH of a power-of-two count of hashes of one level (a complete subtree)."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees, largest (leftmost) first.

    The RFC's split makes every range's MTH the right-to-left fold of the
    binary decomposition of its size.
    """
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees that make up leaves ``[start, end)``, left to right."""
    nodes = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while (1 << level) > end - start:
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def range_hash(start: int, end: int, hash_at: HashAt) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursion produces."""
    return fold([hash_at(level, index) for level, index in range_nodes(start, end)])


def root(size: int, hash_at: HashAt) -> bytes:
    """MTH of the first ``size`` leaves."""
    return range_hash(0, size, hash_at) if size else EMPTY_ROOT


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes make PATH(index, D[size]), bottom first (§2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[Range] = []
    start, n, m = 0, size, index
    while n > 1:  # walks from the root down; the path lists the siblings bottom-up
        k = split(n)
        if m < k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, n, m = start + k, n - k, m - k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose hashes make PROOF(first, D[second]) (§2.1.4.1); [] if trivial."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from size {first} to {second}")
    if first in (0, second):
        return []
    ranges: list[Range] = []
    start, n, m, whole = 0, second, first, True
    while m != n:
        k = split(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, n, m, whole = start + k, n - k, m - k, False
    if not whole:
        ranges.append((start, start + n))  # SUBPROOF(m, D[m], false) = MTH(D[m])
    return ranges[::-1]


def nodes_of(ranges: Iterable[Range]) -> set[Node]:
    """Every complete subtree the hashes of ``ranges`` need."""
    return {node for start, end in ranges for node in range_nodes(start, end)}


def inclusion_proof(index: int, size: int, hash_at: HashAt) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return [range_hash(start, end, hash_at) for start, end in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, hash_at: HashAt) -> list[bytes]:
    """The proof that the tree of ``second`` leaves extends the one of ``first``."""
    return [range_hash(start, end, hash_at)
            for start, end in consistency_ranges(first, second)]


def _hashes(proof: Sequence[bytes]) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in proof)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root_hash: bytes) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` under ``root_hash`` (§2.1.3.2)."""
    if not 0 <= index < size or not _hashes(proof) or len(leaf) != HASH_SIZE:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows tree ``second`` extends tree ``first`` (§2.1.4.2).

    Equal sizes are consistent with an empty proof and equal roots; size 0 with
    an empty proof (every tree extends the empty one).
    """
    if not 0 <= first <= second or not _hashes(proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the old root is a node of the path
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
