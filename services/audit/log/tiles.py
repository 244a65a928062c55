"""The tree as tiles, after golang.org/x/mod/sumdb/tlog: fixed-size slices of one level.

A tile of *tile level* ``L`` and number ``N`` holds up to ``WIDTH`` (256)
hashes of tree level ``HEIGHT * L`` (8·L): the nodes ``N*256 .. N*256+255``
of that level, concatenated. Level-0 tiles hold the leaf hashes – an
authenticated copy of the log, since the signed roots are computed from them.
Only complete nodes are ever stored, so a stored hash never changes: a tile
only grows, and the partial tile at each level's right edge is rewritten as it
does. Any complete subtree ``(level, index)`` lives in one tile (its ``2**r``
hashes at tree level ``8·L``, ``r = level - 8·L``), so reading it costs one
tile and at most 255 hash computations, whatever the tree's size.

:class:`TileBuilder` grows the right edge in memory: the tree job seeds it with
the stored edge tiles and writes back what changed; the verifier rebuilds the
whole tree with it from nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.audit.log.merkle import EMPTY_ROOT, HASH_SIZE, Node, fold, perfect_root

HEIGHT = 8
WIDTH = 1 << HEIGHT

TileId = tuple[int, int]  # (tile level, tile number)


def hashes_of(blob: bytes) -> list[bytes]:
    """A tile's stored bytes as its list of hashes."""
    return [blob[i:i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


def locate(node: Node) -> tuple[TileId, int, int]:
    """Where complete subtree ``node`` lives: its tile, the first slot and the slot count."""
    level, index = node
    tile_level, rest = divmod(level, HEIGHT)
    first = index << rest
    return (tile_level, first // WIDTH), first % WIDTH, 1 << rest


def node_from_tile(blob: bytes, offset: int, count: int) -> bytes:
    """The hash of the complete subtree over slots ``[offset, offset + count)`` of a tile."""
    if (offset + count) * HASH_SIZE > len(blob):
        raise LookupError("the tile does not hold that subtree yet")
    return perfect_root(hashes_of(blob[offset * HASH_SIZE:(offset + count) * HASH_SIZE]))


def edge_tiles(size: int) -> list[TileId]:
    """The partial right-edge tile of every level of a tree of ``size`` leaves."""
    edges, level = [], 0
    while size >> (HEIGHT * level):
        count = size >> (HEIGHT * level)
        if count % WIDTH:
            edges.append((level, count // WIDTH))
        level += 1
    return edges


class TileBuilder:
    """The right edge of the tree in memory: append leaf hashes, read the root.

    ``edges`` maps each tile level to the hashes of its partial right-edge tile
    (what :func:`edge_tiles` names). ``changed`` collects the tiles touched
    since it was last cleared, as ``{tile id: list of hashes}``; ``stored`` the
    ones that already existed (to be updated rather than inserted).
    """

    def __init__(self, size: int = 0, edges: dict[int, bytes] | None = None) -> None:
        self.size = size
        self.counts: list[int] = []
        self.edges: list[list[bytes]] = []
        level = 0
        while size >> (HEIGHT * level):
            self.counts.append(size >> (HEIGHT * level))
            self.edges.append(hashes_of((edges or {}).get(level, b"")))
            if len(self.edges[level]) != self.counts[level] % WIDTH:
                raise ValueError(f"the edge tile of level {level} does not fit size {size}")
            level += 1
        self.stored: set[TileId] = {(lvl, self.counts[lvl] // WIDTH)
                                    for lvl in range(len(self.edges)) if self.edges[lvl]}
        self.changed: dict[TileId, list[bytes]] = {}

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash (and every complete node it finishes) to the tiles."""
        self._push(0, leaf)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append many leaf hashes in order."""
        for leaf in leaves:
            self.append(leaf)

    def _push(self, level: int, node: bytes) -> None:
        if level == len(self.edges):
            self.edges.append([])
            self.counts.append(0)
        edge = self.edges[level]
        edge.append(node)
        self.changed[(level, self.counts[level] // WIDTH)] = edge
        self.counts[level] += 1
        if len(edge) == WIDTH:  # the tile is complete: its root is a node one tile level up
            self.edges[level] = []
            self._push(level + 1, perfect_root(edge))

    def root(self) -> bytes:
        """MTH of the tree so far: the fold of the complete subtrees on the right edge."""
        if not self.size:
            return EMPTY_ROOT
        nodes: list[bytes] = []
        for edge in reversed(self.edges):
            start = 0
            for bit in reversed(range(HEIGHT)):
                if len(edge) & (1 << bit):
                    nodes.append(perfect_root(edge[start:start + (1 << bit)]))
                    start += 1 << bit
        return fold(nodes)

    def take_changed(self) -> tuple[dict[TileId, bytes], dict[TileId, bytes]]:
        """The tiles changed since the last call as stored bytes – (new, grown) – then
        forget them."""
        new: dict[TileId, bytes] = {}
        grown: dict[TileId, bytes] = {}
        for tile, hashes in self.changed.items():
            (grown if tile in self.stored else new)[tile] = b"".join(hashes)
        self.stored.update(self.changed)
        self.changed = {}
        return new, grown
